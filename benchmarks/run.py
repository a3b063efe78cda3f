"""formgen's benchmarks: `make bench` (or `.venv/bin/python benchmarks/run.py`).

Prints a table and writes JSON (benchmarks/results.json by default): for every registered form's
example, median and p95 of validate, DOCX render, PDF render and each stage; a 40-case agenda; a
sibling group split per child; `formgen render` as a whole process from cold; `formgen serve` under
1, 2 and 8 concurrent clients with 1 and 2 workers (and the servers' CPU time per PDF); a worker's resident
memory after 1,000 and 10,000 mixed renders of every form and format from 4 threads, with the server's own
memory settings (benchmarks/memory.py --server); Carbone and a warm LibreOffice beside formgen's PDF path,
and a bare reportlab Flask app setting the same story beside `formgen serve` (benchmarks/peers.py);
the worst hostile input per endpoint and `formgen serve` beside 3 slow clients (benchmarks/hostile.py);
and the issue's targets, each a ratio of figures from this same run.

`--quick` runs every figure with tiny counts (a smoke test, not a measurement).
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(HERE), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import floors  # noqa: E402 - after the path set-up above, so `python benchmarks/run.py` works from anywhere
import hostile  # noqa: E402
import load  # noqa: E402
import peers  # noqa: E402
import stages  # noqa: E402
from measure import ratio  # noqa: E402

from formgen.core.registry import all_forms  # noqa: E402

BARE_IMPORTS = "import docxtpl, reportlab.platypus, pypdf, marshmallow"
PACKAGES = ["docxtpl", "python-docx", "reportlab", "rl-accel", "pypdf", "marshmallow", "flask", "gunicorn", "lxml"]


def machine() -> dict[str, Any]:
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "when": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "platform": platform.platform(),
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "packages": versions,
    }


def cold_cli(form_id: str, runs: int) -> dict[str, Any]:
    """`formgen render` as a whole process against a bare interpreter importing the libraries."""
    spec = all_forms()[form_id]
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "body.json"
        body.write_text(json.dumps(dict(spec.example)))
        render = [*load.formgen_command(), "render", form_id, str(body), "-o", str(Path(tmp) / "out.pdf")]
        bare = [sys.executable, "-c", BARE_IMPORTS]
        samples: dict[str, list[float]] = {"render": [], "bare": []}
        cpu: dict[str, list[float]] = {"render": [], "bare": []}
        for _ in range(runs):
            for name, command in (("render", render), ("bare", bare)):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, timeout=120)
                samples[name].append((time.perf_counter() - start) * 1000)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
    render_ms = statistics.median(samples["render"])
    bare_ms = statistics.median(samples["bare"])
    return {"form": form_id, "runs": runs, "render_ms": round(render_ms, 1), "bare_imports_ms": round(bare_ms, 1),
            "render_cpu_ms": round(statistics.median(cpu["render"]), 1),
            "bare_imports_cpu_ms": round(statistics.median(cpu["bare"]), 1),
            "bare_command": f'python -c "{BARE_IMPORTS}"', "ratio": round(ratio(render_ms, bare_ms), 3),
            "cpu_ratio": round(ratio(statistics.median(cpu["render"]), statistics.median(cpu["bare"])), 3), "target": 1.5}


MEMORY_THREADS = 4  # a worker's render slots (formgen.service.render_slots.DEFAULT_PER_WORKER)
RSS_BOUND_MB = 150.0  # issue 15: a worker's resident memory after 10,000 mixed renders


def memory(counts: list[int]) -> dict[str, Any]:
    """A stand-in worker (benchmarks/memory.py): every form and format, grown and not, from the render slots'
    threads at once, with what `formgen serve` sets."""
    command = [sys.executable, str(HERE / "memory.py"), *map(str, counts), "--mixed", "--server",
               "--threads", str(MEMORY_THREADS)]
    result = subprocess.run(command, check=True, capture_output=True, text=True, timeout=24 * 3600)
    figures: dict[str, Any] = json.loads(result.stdout)
    after = figures["after"]
    low, high = after[str(min(counts))], after[str(max(counts))]
    figures["growth"] = round(ratio(high, low) - 1, 4)
    figures["target_growth"] = 0.10
    return figures


def server_targets(server: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    one = {row["clients"]: row for row in server.get("1", [])}
    two = {row["clients"]: row for row in server.get("2", [])}
    if 2 in one and 2 in two:
        out["two_workers_over_one_rps"] = {"clients": 2, "target": 1.8, "value": round(
            ratio(two[2]["requests_per_second"], one[2]["requests_per_second"]), 3)}
    if 8 in one and 8 in two:
        out["two_workers_over_one_rps_8_clients"] = {"clients": 8, "target": 1.8, "value": round(
            ratio(two[8]["requests_per_second"], one[8]["requests_per_second"]), 3)}
    if 2 in two:
        out["p99_over_p50_2_workers_2_clients"] = {"target": 4.0, "value": round(
            ratio(two[2]["p99_ms"], two[2]["p50_ms"]), 3)}
    return out


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _ms(value: Any) -> str:
    """Milliseconds to a tenth, or '-' where the figure could not be taken (no /proc)."""
    return f"{value:.1f}" if isinstance(value, int | float) else "-"


def print_report(results: dict[str, Any]) -> None:
    out = sys.stdout
    m = results["machine"]
    out.write(f"formgen benchmarks, {m['when']}: {m['cpu']}, {m['cores']} cores, Python {m['python']}, "
              f"load {m['load_average_at_start']}\n\n")
    out.write("Per form (ms: wall-clock median and p95; median CPU time of this process)\n")
    names = ["validate", "context", "fill", "layout", "count_pages", "docx_save", "fill_and_save", "pdf_render",
             "docx_render", "docx_render_no_limit"]
    out.write(f"  {'form':<40} {'stage':<22} {'median':>9} {'p95':>9} {'cpu':>9}\n")
    for form_id, row in results["forms"].items():
        if "error" in row:
            out.write(f"  {form_id:<40} not available: its example does not render ({row['error']})\n")
            continue
        for name in names:
            if name in row:
                cell = row[name]
                out.write(f"  {form_id:<40} {name:<22} {cell['median_ms']:>9.2f} {cell['p95_ms']:>9.2f} "
                          f"{cell['cpu_median_ms']:>9.2f}\n")
    out.write("\nAgenda of 40 cases (PDF)\n")
    agenda = results["agenda_40"]
    if agenda["available"]:
        out.write(f"  {agenda['pages']} pages: median {agenda['median_ms']:.1f} ms, p95 {agenda['p95_ms']:.1f} ms\n")
    else:
        out.write(f"  not available: {agenda['reason']}\n")
    out.write("\nSibling group split per child (ZIP)\n")
    split = results["sibling_split"]
    if split["available"]:
        for fmt in ("pdf", "docx"):
            if fmt in split:
                out.write(f"  {split['children']} children, {fmt}: median {split[fmt]['median_ms']:.1f} ms, "
                          f"p95 {split[fmt]['p95_ms']:.1f} ms\n")
    else:
        out.write(f"  not available: {split['reason']}\n")
    out.write("\nTagged (PDF/UA-1, PDF/A-3) against untagged, whole PDF path (ms: median, CPU median)\n")
    for label, row in results["tagging"].items():
        if "error" in row:
            out.write(f"  {label:<48} not available ({row['error']})\n")
            continue
        tagged, untagged = row["tagged"], row["untagged"]
        out.write(f"  {label:<48} tagged {tagged['median_ms']:>8.1f} ({tagged['cpu_median_ms']:.1f})  untagged "
                  f"{untagged['median_ms']:>8.1f} ({untagged['cpu_median_ms']:.1f})  x{row['cpu_ratio']:.3f} CPU, "
                  f"x{row['ratio']:.3f} wall\n")
    out.write("\nRoute packs from one case record (ZIP of PDFs and deadlines.ics)\n")
    for key, pack in results["packs"].items():
        if pack["available"]:
            out.write(f"  {key}: {pack['documents']} document(s), {pack['pages']} pages: median {pack['median_ms']:.1f} ms "
                      f"(p95 {pack['p95_ms']:.1f} ms), {pack['per_page_ms']:.1f} ms a page\n")
        else:
            out.write(f"  {key}: not available: {pack['reason']}\n")
    cli = results["cold_cli"]
    out.write(f"\n`formgen render` from cold ({cli['form']}, PDF)\n  {cli['render_ms']:.0f} ms "
              f"(CPU {cli['render_cpu_ms']:.0f} ms); {cli['bare_command']}: {cli['bare_imports_ms']:.0f} ms "
              f"(CPU {cli['bare_imports_cpu_ms']:.0f} ms)\n")
    out.write("\n`formgen serve` on loopback (PDF renders)\n")
    out.write(f"  {'workers':>7} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>6} "
              f"{'server CPU ms/req':>18}\n")
    for workers, rows in results["server"].items():
        for row in rows:
            out.write(f"  {workers:>7} {row['clients']:>7} {row['requests_per_second']:>8.2f} {row['p50_ms']:>8.1f} "
                      f"{row['p99_ms']:>8.1f} {row['failures']:>6} {_ms(row['server_cpu_ms_per_request']):>18}\n")
    mem = results["memory"]
    out.write(f"\nResident memory (MB) of a stand-in worker ({mem['threads']} threads, mixed renders, the server's "
              f"settings: {mem['arena_max']} malloc arenas, gc threshold {mem['gc_threshold']}, trim {mem['trim']}): "
              f"started {mem['rss_mb_started']}, warm {mem['rss_mb_warm']}, "
              + ", ".join(f"after {count} renders {mb}" for count, mb in mem["after"].items())
              + f" ({mem['seconds']} s; {mem['cpu_ms_per_render']} ms CPU and {mem['minor_faults_per_render']} page "
              f"faults a render; {mem['trims']} trims)\n")
    hostile.print_report(results["hostile"], out)
    peer = results["peers"]
    out.write("\nPeers in this run\n")
    out.write(floors.report(results["floors"]) + "\n")
    office = peer["libreoffice"]
    if office["available"]:
        out.write(f"  warm LibreOffice: {office['libreoffice_ms_per_document']:.0f} ms a document (batch of "
                  f"{office['batch']}); formgen PDF {office['formgen_pdf_ms']:.1f} ms\n")
    else:
        out.write(f"  warm LibreOffice: not available: {office['reason']}\n")
    found = peer["carbone"]
    if found["available"]:
        out.write(f"  Carbone (same template and data, its LibreOffice kept running): PDF {found['carbone_pdf_ms']:.0f} ms "
                  f"(CPU {_ms(found['carbone_pdf_cpu_ms'])} ms), its DOCX alone {found['carbone_docx_ms']:.0f} ms; "
                  f"formgen PDF {found['formgen_pdf_ms']:.1f} ms (CPU {found['formgen_pdf_cpu_ms']:.1f} ms); "
                  f"{found['carbone_pages']} and {found['formgen_pages']} pages\n")
    else:
        out.write(f"  Carbone: not available: {found['reason']}\n")
    served = peer["server"]
    out.write(f"  {served['workers']} workers, {served['clients']} clients: formgen serve "
              f"{served['formgen']['requests_per_second']:.1f} PDF/s ({_ms(served['formgen']['server_cpu_ms_per_request'])} "
              f"ms server CPU a PDF), bare reportlab Flask app setting the same story "
              f"{served['bare_reportlab']['requests_per_second']:.1f} PDF/s "
              f"({_ms(served['bare_reportlab']['server_cpu_ms_per_request'])} ms)\n")
    out.write("\nTargets (ratios within this run)\n")
    for name, target in results["targets"].items():
        holds = target["holds"]
        detail = f" [{target['form']}]" if "form" in target else ""
        if "cpu_value" in target:
            detail += f" (CPU time: {_fmt(target['cpu_value'])})"
        out.write(f"  {name:<40} {_fmt(target['value']):>8} (target {target['bound']}) "
                  f"{'holds' if holds else 'MISSED'}{detail}\n")


RESULTS_MD = HERE / "RESULTS.md"
MD_BEGIN = "<!-- make bench writes from here: benchmarks/run.py, the last full run -->"
MD_END = "<!-- make bench writes up to here -->"


def _commit() -> str:
    try:
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10, check=False)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        return "unknown"
    return (done.stdout.strip() or "unknown") + (" with uncommitted changes" if dirty else "")


def _verdict(target: dict[str, Any]) -> str:
    return "holds" if target["holds"] else "**missed**"


def markdown(results: dict[str, Any]) -> str:
    """This run's tables for benchmarks/RESULTS.md (between MD_BEGIN and MD_END)."""
    m = results["machine"]
    start, end = m["load_average_at_start"][0], m.get("load_average_at_end", [float("nan")])[0]
    busy = max(start, end) >= (m["cores"] or 1) / 2
    lines = [MD_BEGIN, "", f"## The last full `make bench`: {m['when'][:10]}, commit {m.get('commit', 'unknown')}", "",
             f"{m['cpu']}, {m['cores']} cores, Python {m['python']}, reportlab {m['packages'].get('reportlab')}. "
             f"Load average {start:.1f} at the start and {end:.1f} at the end"
             + (": **a busy machine**, shared with other work, so wall-clock times and requests per second are "
                "inflated and noisy; CPU times move much less, and each ratio compares figures taken in this same "
                "run." if busy else ": a quiet machine.") + " Written by `benchmarks/run.py`; the sections below "
             "this one are written by hand.", ""]
    peer = results["peers"]
    lines += ["### formgen beside its peers", "",
              "| document | formgen PDF path, wall / CPU ms | peer | peer, wall / CPU ms | ratio (target) | verdict |",
              "| --- | ---: | --- | ---: | ---: | --- |"]
    for row in results["floors"]["pdf"]:
        label = f"{row['form']}{' (' + str(row['cases']) + ' cases)' if 'cases' in row else ''}"
        holds = row["ratio"] <= row["target"]
        lines.append(f"| {label} | - / {row['formgen_pdf_cpu_ms']:.1f} | reportlab setting the same story (the floor) | "
                     f"- / {row['floor_cpu_ms']:.1f} | {row['ratio']:.2f} (<= {row['target']}) | "
                     f"{'holds' if holds else '**missed**'} |")
    for row in results["floors"]["docx"]:
        label = f"{row['form']}{' (' + str(row['cases']) + ' cases)' if 'cases' in row else ''}"
        holds = row["ratio"] <= row["target"]
        lines.append(f"| {label} | - / {row['formgen_docx_cpu_ms']:.1f} (DOCX, no page limit) | a bare docxtpl "
                     f"render and save | - / {row['bare_docxtpl_cpu_ms']:.1f} | {row['ratio']:.2f} (<= {row['target']}) | "
                     f"{'holds' if holds else '**missed**'} |")
    office = peer["libreoffice"]
    if office["available"]:
        lines.append(f"| {office['form']} | {office['formgen_pdf_ms']:.1f} / - | formgen's DOCX + a warm LibreOffice | "
                     f"{office['peer_path_ms']:.0f} / - | {office['ratio']:.2f} (>= {office['target']}) | "
                     f"{'holds' if office['ratio'] >= office['target'] else '**missed**'} |")
    else:
        lines.append(f"| - | - | a warm LibreOffice | not available: {office['reason']} | - | - |")
    found = peer["carbone"]
    if found["available"]:
        lines.append(f"| {found['form']} | {found['formgen_pdf_ms']:.1f} / {found['formgen_pdf_cpu_ms']:.1f} | "
                     f"Carbone 3 PDF, same template and data, its LibreOffice kept running | {found['carbone_pdf_ms']:.0f} / "
                     f"{_ms(found['carbone_pdf_cpu_ms'])} | {found['ratio']:.2f} (>= {found['target']}); CPU "
                     f"{found['cpu_ratio']} | {'holds' if found['ratio'] >= found['target'] else '**missed**'} |")
    else:
        lines.append(f"| - | - | Carbone | not available: {found['reason']} | - | - |")
    served = peer["server"]
    lines += ["", "### `formgen serve` beside a bare reportlab Flask app setting the same story "
              f"({served['workers']} workers, {served['clients']} clients, {served['formgen']['requests']} PDFs each in "
              f"{served['formgen']['rounds']} rounds taken in turn)", "",
              "| server | PDF/s | p50 ms | p99 ms | server CPU ms a PDF | failed |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, row in (("formgen serve", served["formgen"]), ("bare reportlab Flask app", served["bare_reportlab"])):
        lines.append(f"| {label} | {row['requests_per_second']:.1f} | {row['p50_ms']:.0f} | {row['p99_ms']:.0f} | "
                     f"{_ms(row['server_cpu_ms_per_request'])} | {row['failures']} |")
    lines += ["", f"PDFs per second, formgen over bare: **{served['ratio']}** (target >= {served['target']}); the same from "
              f"the servers' CPU time per PDF (what the cores would give each server to itself): **{served['cpu_ratio']}**.",
              "", "| workers | clients | PDF/s | p50 ms | p99 ms | server CPU ms a PDF | failed |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for workers, rows in results["server"].items():
        for row in rows:
            lines.append(f"| {workers} | {row['clients']} | {row['requests_per_second']:.1f} | {row['p50_ms']:.0f} | "
                         f"{row['p99_ms']:.0f} | {_ms(row['server_cpu_ms_per_request'])} | {row['failures']} |")
    mem = results["memory"]
    rendering = mem.get("rss_mb_while_rendering", {})
    lines += ["", f"### A worker's memory: {max(int(c) for c in mem['after'])} mixed renders, {mem['threads']} threads, "
              "the server's settings", "",
              f"`benchmarks/memory.py --mixed --server --threads {mem['threads']}`: every form's example and the example "
              f"grown to 12 records, and the 40-case agenda, PDF and DOCX in turn; {mem['arena_max']} malloc arenas, "
              f"collector threshold {mem['gc_threshold']}, trim: {mem['trim']}.", "",
              "| started | warm | " + " | ".join(f"after {int(c):,}" for c in mem["after"])
              + " | while rendering (median, highest) | CPU ms a render | page faults a render | trims |",
              "| ---: | ---: | " + " | ".join("---:" for _ in mem["after"]) + " | ---: | ---: | ---: | ---: |",
              f"| {mem['rss_mb_started']} | {mem['rss_mb_warm']} | " + " | ".join(str(v) for v in mem["after"].values())
              + f" | {rendering.get('median', '-')}, {rendering.get('max', '-')} | {mem['cpu_ms_per_render']} | "
              f"{mem['minor_faults_per_render']} | {mem['trims']} |"]
    lines += ["", "### Per form (ms, wall-clock median / CPU median)", "", "| form | PDF render | DOCX render |",
              "| --- | ---: | ---: |"]
    for form_id, row in results["forms"].items():
        if "error" in row:
            lines.append(f"| {form_id} | not available | {row['error']} |")
            continue
        lines.append(f"| {form_id} | {row['pdf_render']['median_ms']:.1f} / {row['pdf_render']['cpu_median_ms']:.1f} | "
                     f"{row['docx_render']['median_ms']:.1f} / {row['docx_render']['cpu_median_ms']:.1f} |")
    lines += ["", "### Targets (ratios within this run)", "", "| target | value | bound | verdict | detail |",
              "| --- | ---: | --- | --- | --- |"]
    for name, target in results["targets"].items():
        lines.append(f"| {name} | {_fmt(target['value'])} | {target['bound']} | {_verdict(target)} | "
                     f"{target.get('form', '')} |")
    return "\n".join([*lines, "", MD_END])


def write_markdown(path: Path, text: str) -> None:
    """Replace the last run's tables in RESULTS.md (after its opening paragraphs the first time)."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    if MD_BEGIN in old and MD_END in old:
        head, rest = old.split(MD_BEGIN, 1)
        new = head + text + rest.split(MD_END, 1)[1]
    else:
        first = old.find("\n## ")
        new = (old + "\n" + text + "\n") if first < 0 else old[:first + 1] + text + "\n" + old[first:]
    path.write_text(new)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny counts: checks every figure is produced")
    parser.add_argument("--runs", type=int, help="timed runs per in-process figure (default 40, quick 2)")
    parser.add_argument("--cli-runs", type=int, help="cold `formgen render` runs (default 15, quick 1)")
    parser.add_argument("--requests", type=int, help="timed requests per server row (default 120, quick 4)")
    parser.add_argument("--renders", help="memory checkpoints, comma-separated (default 1000,10000; quick 4,8)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the JSON")
    parser.add_argument("--markdown", type=Path, help="where to write this run's tables (default: benchmarks/RESULTS.md, "
                        "except with --quick)")
    args = parser.parse_args(argv)
    quick = args.quick
    runs = args.runs or (2 if quick else 40)
    cli_runs = args.cli_runs or (1 if quick else 15)
    requests = args.requests or (4 if quick else 120)
    renders = [int(n) for n in (args.renders or ("4,8" if quick else "1000,10000")).split(",")]

    results: dict[str, Any] = {"machine": machine(), "quick": quick, "runs": runs}
    forms = all_forms()
    per_form: dict[str, dict[str, Any]] = {}
    results["forms"] = {}
    for form_id, spec in forms.items():
        try:
            per_form[form_id] = stages.form_stages(spec, runs)
        except Exception as exc:  # a form being written now must not stop the others' figures
            results["forms"][form_id] = {"error": f"{type(exc).__name__}: {getattr(exc, 'detail', exc)}"}
            continue
        results["forms"][form_id] = {name: t.as_dict() for name, t in per_form[form_id].items()}
    # The agenda and the split are whole batches, each many renders long: fewer runs.
    batch_runs = 1 if quick else max(5, runs // 4)
    results["agenda_40"] = stages.agenda(batch_runs)
    results["sibling_split"] = stages.sibling_split(batch_runs)
    results["tagging"] = stages.tagging(runs)
    results["packs"] = stages.packs(batch_runs)
    main_form = stages.PRO_FORMA if stages.PRO_FORMA in forms else next(iter(forms))
    results["cold_cli"] = cold_cli(main_form, cli_runs)
    body = copy.deepcopy(dict(forms[main_form].example))
    results["server"] = load.server_figures(main_form, body, workers=[1, 2], clients=[1, 2, 8], requests=requests)
    results["memory"] = memory(renders)
    results["floors"] = floors.figures(2 if quick else 20)
    results["peers"] = peers.figures(quick)
    results["hostile"] = hostile.figures(quick, max(4, requests // 2))

    targets: dict[str, Any] = {}
    for name, target in stages.render_targets(per_form).items():
        targets[name] = {**target, "bound": target["target"], "holds": target["value"] <= target["target"]}
        del targets[name]["target"]
    for label in (stages.PRO_FORMA, f"{stages.AGENDA} ({stages.AGENDA_CASES} cases)"):
        row = results["tagging"].get(label)
        if row and "cpu_ratio" in row:
            targets[f"tagged_over_untagged {label}"] = {"value": row["cpu_ratio"], "bound": stages.TAGGING_BOUND,
                                                       "holds": row["cpu_ratio"] <= stages.TAGGING_BOUND,
                                                       "form": "CPU-time medians; wall-clock " + str(row["ratio"])}
    cli = results["cold_cli"]
    targets["cold_cli_over_bare_imports"] = {"value": cli["ratio"], "cpu_value": cli["cpu_ratio"], "bound": 1.5,
                                             "holds": cli["ratio"] <= 1.5}
    for name, target in server_targets(results["server"]).items():
        at_least = name.startswith("two_workers")
        holds = target["value"] >= target["target"] if at_least else target["value"] <= target["target"]
        targets[name] = {"value": target["value"], "bound": f"{'>=' if at_least else '<='} {target['target']}",
                         "holds": holds}
    for kind, name in (("pdf", "pdf_path_over_platypus_floor"), ("docx", "docx_path_over_bare_docxtpl")):
        for row in results["floors"][kind]:
            targets[f"{name}_{row['form']}{'_' + str(row['cases']) if 'cases' in row else ''}"] = {
                "value": row["ratio"], "bound": row["target"], "holds": row["ratio"] <= row["target"]}
    office = results["peers"]["libreoffice"]
    if office["available"]:
        targets["docx_plus_warm_libreoffice_over_formgen_pdf"] = {
            "value": office["ratio"], "bound": f">= {office['target']}", "holds": office["ratio"] >= office["target"]}
    found = results["peers"]["carbone"]
    if found["available"]:
        targets["carbone_pdf_over_formgen_pdf"] = {
            "value": found["ratio"], "bound": f">= {found['target']}", "holds": found["ratio"] >= found["target"],
            "form": f"CPU time: {found['cpu_ratio']}"}
    served = results["peers"]["server"]
    targets["formgen_serve_over_bare_reportlab_app_rps"] = {
        "value": served["ratio"], "bound": f">= {served['target']}", "holds": (served["ratio"] or 0) >= served["target"],
        "form": f"server CPU time per PDF, bare over formgen: {served['cpu_ratio']}"}
    for endpoint, row in results["hostile"]["worst_inputs"].items():
        worst = row["worst"]
        targets[f"worst_input_cpu_s_{endpoint}"] = {"value": worst["cpu_s"], "bound": "< 1.0 s and 50 MB",
                                                     "holds": row["holds"],
                                                     "form": f"{worst['input']}, {worst['peak_mb']} MB"}
    mem = results["memory"]
    targets["memory_growth"] = {"value": mem["growth"], "bound": 0.10, "holds": mem["growth"] <= 0.10,
                                "form": f"RSS after {max(renders)} renders over after {min(renders)}, less 1"}
    last = mem["after"][str(max(renders))]
    targets["worker_rss_mb_after_mixed_renders"] = {"value": last, "bound": RSS_BOUND_MB, "holds": last <= RSS_BOUND_MB,
                                                    "form": f"after {max(renders)} mixed renders, {mem['threads']} threads"}
    for target in targets.values():
        if isinstance(target["bound"], float):
            target["bound"] = f"<= {target['bound']}"
    results["targets"] = targets

    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["machine"]["commit"] = _commit()
    print_report(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    sys.stdout.write(f"\nwrote {args.json}\n")
    tables = args.markdown or (None if quick else RESULTS_MD)
    if tables is not None:
        write_markdown(tables, markdown(results))
        sys.stdout.write(f"wrote this run's tables in {tables}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
