"""The benchmark runs end to end in --quick mode, prints every figure and writes valid JSON.

No timing is asserted: the figures are for people to read, on a quiet machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from formgen.core.registry import all_forms

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["validate", "context", "fill", "layout", "count_pages", "docx_save", "fill_and_save", "pdf_render",
          "docx_render", "docx_render_no_limit"]
TARGETS = ["pdf_path_over_fill_plus_layout", "docx_no_limit_over_fill_and_save", "cold_cli_over_bare_imports",
           "two_workers_over_one_rps", "p99_over_p50_2_workers_2_clients", "memory_growth",
           "pdf_path_over_platypus_floor_manchester-allocations-pro-forma",
           "docx_path_over_bare_docxtpl_manchester-allocations-pro-forma", "formgen_serve_over_bare_reportlab_app_rps",
           "worker_rss_mb_after_mixed_renders"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "results.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                            capture_output=True, text=True, timeout=600, check=False, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout, json.loads(out.read_text())


def test_every_form_and_stage_is_printed_and_recorded(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    for form_id in all_forms():
        assert form_id in printed
        for stage in STAGES:
            timing = results["forms"][form_id][stage]
            assert timing["median_ms"] > 0 and timing["p95_ms"] >= timing["median_ms"]
    for stage in STAGES:
        assert f" {stage} " in printed


@pytest.mark.parametrize("heading", [
    "Agenda of 40 cases (PDF)",
    "Sibling group split per child (ZIP)",
    "Route packs from one case record (ZIP of PDFs and deadlines.ics)",
    "`formgen render` from cold",
    "`formgen serve` on loopback",
    "Resident memory (MB)",
    "Peers in this run",
    "Tagged (PDF/UA-1, PDF/A-3) against untagged",
    "Targets (ratios within this run)",
    "The worst input per endpoint, within the 1 MB request limit",
    "`formgen serve` beside 3 slow clients",
])
def test_every_section_is_printed(quick_run: tuple[str, dict[str, Any]], heading: str) -> None:
    assert heading in quick_run[0]


@pytest.mark.parametrize("key", ["agenda_40", "sibling_split"])
def test_batches_are_measured_or_say_why_not(quick_run: tuple[str, dict[str, Any]], key: str) -> None:
    entry = quick_run[1][key]
    if entry["available"]:
        assert "median_ms" in entry or "pdf" in entry
    else:
        assert f"not available: {entry['reason']}" in quick_run[0]


def test_server_rows_for_one_and_two_workers_at_1_2_and_8_clients(quick_run: tuple[str, dict[str, Any]]) -> None:
    server = quick_run[1]["server"]
    assert sorted(server) == ["1", "2"]
    for rows in server.values():
        assert [row["clients"] for row in rows] == [1, 2, 8]
        for row in rows:
            assert row["failures"] == 0
            assert row["requests"] > 0 and row["requests_per_second"] > 0
            assert row["p99_ms"] >= row["p50_ms"] > 0


def test_cold_cli_and_memory_figures(quick_run: tuple[str, dict[str, Any]]) -> None:
    results = quick_run[1]
    assert results["cold_cli"]["render_ms"] > 0 and results["cold_cli"]["bare_imports_ms"] > 0
    memory = results["memory"]
    assert sorted(memory["after"], key=int) == ["4", "8"]
    assert all(mb > 0 for mb in memory["after"].values())
    # A stand-in worker: mixed renders from the render slots' threads, with what `formgen serve` sets.
    assert memory["mixed"] and memory["server"] and memory["threads"] == 4 and memory["trim"] == "keeper"


def test_the_servers_cpu_time_per_pdf_is_measured(quick_run: tuple[str, dict[str, Any]]) -> None:
    served = quick_run[1]["peers"]["server"]
    for row in (served["formgen"], served["bare_reportlab"]):
        assert row["failures"] == 0 and row["server_cpu_ms_per_request"] is not None
    assert "bare reportlab Flask app setting the same story" in quick_run[0]


def test_carbone_is_measured_beside_formgen_or_says_why_not(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    found = results["peers"]["carbone"]
    if found["available"]:
        assert found["carbone_pdf_ms"] > 0 and found["formgen_pdf_ms"] > 0
        assert found["carbone_pages"] == found["formgen_pages"]  # the same template lays out alike
        assert "carbone_pdf_over_formgen_pdf" in printed
    else:
        assert f"Carbone: not available: {found['reason']}" in printed


def test_every_target_is_a_ratio_with_a_verdict(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    for name in TARGETS:
        target = results["targets"][name]
        assert isinstance(target["value"], float | int) and isinstance(target["holds"], bool)
        assert name in printed
    assert results["machine"]["cores"] and results["machine"]["python"]


def test_route_packs_are_measured_per_pack_and_per_page(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    assert sorted(results["packs"]) == ["herefordshire:level-3-step-down", "shropshire:3.b"]
    for key, entry in results["packs"].items():
        assert entry["available"], entry
        assert entry["median_ms"] > 0 and entry["per_page_ms"] > 0 and entry["pages"] >= 2
        assert f"{key}: {entry['documents']} document(s), {entry['pages']} pages" in printed


def test_the_worst_input_per_endpoint_and_throughput_beside_slow_clients(quick_run: tuple[str, dict[str, Any]]) -> None:
    printed, results = quick_run
    worst = results["hostile"]["worst_inputs"]
    assert sorted(worst) == ["extract", "prefill", "render", "validate"]
    for endpoint, row in worst.items():
        assert row["cases"] and row["worst"] in row["cases"]
        assert row["worst"]["cpu_s"] >= 0 and row["worst"]["peak_mb"] > 0
        assert row["worst"]["status"] in (200, 400, 413, 422)
        assert f"worst_input_cpu_s_{endpoint}" in printed
    slow = results["hostile"]["slow_clients"]
    for row in (slow["alone"], slow["with_3_slow_clients"]):
        assert row["failures"] == 0 and row["requests"] > 0 and row["requests_per_second"] > 0


def test_a_full_run_writes_its_tables_into_results_md_keeping_what_people_wrote(
        quick_run: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run

    results = quick_run[1]
    page = tmp_path / "RESULTS.md"
    page.write_text("# Benchmark results\n\nHow to read them.\n\n## A run described by hand\n\nKept as written.\n")
    for _ in range(2):  # a second run replaces the first run's tables
        run.write_markdown(page, run.markdown(results))
    text = page.read_text()
    assert text.count(run.MD_BEGIN) == text.count(run.MD_END) == 1
    assert text.index("How to read them.") < text.index(run.MD_BEGIN) < text.index("## A run described by hand")
    assert text.endswith("## A run described by hand\n\nKept as written.\n")
    for heading in ("### formgen beside its peers", "### `formgen serve` beside a bare reportlab Flask app",
                    "### A worker's memory", "### Targets (ratios within this run)"):
        assert heading in text
    assert "busy machine" in text or "a quiet machine" in text  # the load average is always said
    for name in TARGETS:
        assert f"| {name} |" in text


def test_the_untagged_figure_times_the_engine_with_tagging_off_and_nothing_else() -> None:
    """stages.untagged_layout switches the engine's own layout to untagged for the tagged-against-untagged row
    (it once patched a function the render path no longer calls, and the row could not run)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import stages

    from formgen.engine import pipeline

    spec = all_forms()[stages.PRO_FORMA]
    tagged = pipeline.render(spec, dict(spec.example), "pdf").content
    with stages.untagged_layout():
        untagged = pipeline.render(spec, dict(spec.example), "pdf").content
    assert b"/StructTreeRoot" in tagged and b"/StructTreeRoot" not in untagged
    assert pipeline.render(spec, dict(spec.example), "pdf").content == tagged  # restored afterwards
