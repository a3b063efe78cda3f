"""formgen beside what it is measured against, in the same run.

- **The platypus floor** is in benchmarks/floors.py (with the DOCX path against a bare docxtpl): `story()`
  below makes the flowables it sets.
- **A warm LibreOffice**: formgen's DOCX converted to PDF by `soffice --headless --convert-to pdf`, a batch
  of copies in one call so start-up is shared (the cost a pooled converter pays per document), against
  formgen's own PDF path.
- **Carbone** (npm `carbone` 3, benchmarks/carbone/, with the machine's LibreOffice): the pro forma's own
  template with its tags rewritten as Carbone's (benchmarks/carbone_tags.py, so the same layout), filled with
  the same data (the context formgen fills its template with) and converted to PDF by the LibreOffice Carbone
  keeps running, one render after another, against formgen's whole PDF path.
- **A bare reportlab Flask app** (benchmarks/bare_app.py: reportlab setting the same story as the floor, per
  request) served by gunicorn's sync workers, preloaded, under the same load generator as `formgen serve`:
  PDFs per second, and the servers' CPU time per PDF.

Run by `benchmarks/run.py` (`make bench`); `python benchmarks/peers.py` prints them alone.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for entry in (str(HERE), str(HERE.parent)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import carbone_tags  # noqa: E402 - after the path set-up above
import load  # noqa: E402
from measure import interleaved, ratio  # noqa: E402

from formgen.core.registry import FormSpec, all_forms  # noqa: E402
from formgen.documents import pdf_layout  # noqa: E402
from formgen.documents.docx_fill import compiled  # noqa: E402
from formgen.documents.fonts import register_fonts  # noqa: E402
from formgen.engine import pipeline  # noqa: E402

PRO_FORMA = "manchester-allocations-pro-forma"


def story(spec: FormSpec, body: Any) -> tuple[list[Any], tuple[float, float]]:
    """The flowables formgen's layout makes for `body`, and the page size."""
    register_fonts()
    data = pipeline.validate(spec, body)
    document = compiled(spec.template_path).fill(spec.build_context(data))
    section = document.sections[0]
    width = section.page_width.pt - section.left_margin.pt - section.right_margin.pt
    styles = pdf_layout.StyleBook(document)
    flowables = list(pdf_layout._block_flowables(document.element.body, document._body, styles, width))
    return flowables, (section.page_width.pt, section.page_height.pt)


def libreoffice_warm(spec: FormSpec, body: Any, batch: int) -> dict[str, Any]:
    """A batch of formgen's DOCX converted by one LibreOffice call: per-document ms, beside formgen's PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return {"available": False, "reason": "LibreOffice is not installed (make test-tools installs it)"}
    docx = pipeline.render(spec, body, "docx").content
    with tempfile.TemporaryDirectory(prefix="formgen-peer-") as folder:
        root = Path(folder)
        profile = root / "profile"
        command = [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(root / "out")]
        (root / "warm.docx").write_bytes(docx)
        subprocess.run([*command, str(root / "warm.docx")], capture_output=True, timeout=300, check=True)
        names = []
        for index in range(batch):
            name = root / f"case-{index}.docx"
            name.write_bytes(docx)
            names.append(str(name))
        started = time.perf_counter()
        subprocess.run([*command, *names], capture_output=True, timeout=600, check=True)
        per_document = (time.perf_counter() - started) * 1000 / batch
    formgen = interleaved({"pdf": lambda: pipeline.render(spec, body, "pdf")}, 10, warmup=1)["pdf"].median
    docx_ms = interleaved({"docx": lambda: pipeline.render(spec, body, "docx")}, 10, warmup=1)["docx"].median
    return {"available": True, "form": spec.id, "batch": batch, "libreoffice_ms_per_document": round(per_document, 1),
            "formgen_pdf_ms": round(formgen, 1), "peer_path_ms": round(docx_ms + per_document, 1),
            "ratio": round(ratio(docx_ms + per_document, formgen), 2), "target": 8.0}


CARBONE_DIR = HERE / "carbone"


def _carbone_missing() -> tuple[str | None, dict[str, str]]:
    """Why Carbone cannot run here (None when it can), and the environment it runs in.

    Carbone 3 looks for LibreOffice's `soffice.bin` on the PATH and talks to it through a Python with
    LibreOffice's `uno` module (Debian: python3-uno); both are put first on its PATH."""
    node, soffice = shutil.which("node"), shutil.which("soffice") or shutil.which("libreoffice")
    if node is None:
        return "Node.js is not installed (make bench installs Carbone with npm)", {}
    if not (CARBONE_DIR / "node_modules" / "carbone").is_dir():
        return "Carbone is not installed: run `make bench` (npm ci --ignore-scripts in benchmarks/carbone)", {}
    if soffice is None:
        return "LibreOffice is not installed (make test-tools installs it)", {}
    program = Path(os.path.realpath(soffice)).parent
    env = {**os.environ, "PATH": os.pathsep.join([str(program), "/usr/bin", "/bin", os.environ.get("PATH", "")])}
    python = shutil.which("python3", path=env["PATH"])
    probe = subprocess.run([python or "python3", "-c", "import uno"], capture_output=True, env=env, check=False)
    if probe.returncode != 0:
        return (f"{python} has no `uno` module, through which Carbone drives LibreOffice (Debian: "
                "python3-uno; make bench installs it when it may)"), {}
    return None, env


def carbone(spec: FormSpec, body: Any, runs: int) -> dict[str, Any]:
    """Carbone's DOCX and PDF of the same template and data, ms per render, beside formgen's PDF path."""
    missing, env = _carbone_missing()
    if missing:
        return {"available": False, "reason": missing}
    context = spec.build_context(pipeline.validate(spec, body))
    with tempfile.TemporaryDirectory(prefix="formgen-carbone-") as folder:
        root = Path(folder)
        template, data, pdf = root / "template.docx", root / "data.json", root / "carbone.pdf"
        template.write_bytes(carbone_tags.carbone_template(spec.template_path))
        data.write_text(json.dumps(context, default=str))
        done = subprocess.run(["node", str(CARBONE_DIR / "render.js"), str(template), str(data), str(runs), str(pdf)],
                              capture_output=True, text=True, timeout=1800, env=env, check=False, cwd=CARBONE_DIR)
        if done.returncode != 0:
            return {"available": False, "reason": "Carbone failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
        timed = json.loads(done.stdout)
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    formgen = interleaved({"pdf": lambda: pipeline.render(spec, body, "pdf")}, runs, warmup=1)["pdf"]
    carbone_pdf, carbone_docx = statistics.median(timed["pdf_ms"]), statistics.median(timed["docx_ms"])
    return {"available": True, "form": spec.id, "runs": runs, "carbone_pdf_ms": round(carbone_pdf, 1),
            "carbone_docx_ms": round(carbone_docx, 1), "carbone_pdf_cpu_ms": timed["pdf_cpu_ms"],
            "carbone_docx_cpu_ms": timed["docx_cpu_ms"], "carbone_pages": pages,
            "formgen_pdf_ms": round(formgen.median, 1), "formgen_pdf_cpu_ms": round(formgen.cpu_median, 1),
            "formgen_pages": pipeline.render(spec, body, "pdf").pages,
            "ratio": round(ratio(carbone_pdf, formgen.median), 2),
            "cpu_ratio": round(ratio(timed["pdf_cpu_ms"], formgen.cpu_median), 2) if timed["pdf_cpu_ms"] else None,
            "target": 3.0}


@contextmanager
def bare_serving(workers: int, timeout: float = 60.0) -> Iterator[tuple[int, int]]:
    """benchmarks/bare_app.py under gunicorn (sync workers, preloaded), on a free port: (port, pid)."""
    port = load.free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--preload", "--chdir", str(HERE),
         "bare_app:app"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent)])})
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the bare app exited with {process.returncode}")
            try:
                if load.request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the bare app did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _combined(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One server's rounds as one row: PDFs over the rounds' summed time, the medians of their latencies, and the
    server's CPU time over all its PDFs."""
    requests = sum(row["requests"] for row in rows)
    seconds = sum(row["requests"] / row["requests_per_second"] for row in rows if row["requests_per_second"])
    cpu = [row["server_cpu_ms_per_request"] for row in rows]
    return {"clients": rows[0]["clients"], "rounds": len(rows), "requests": requests,
            "failures": sum(row["failures"] for row in rows),
            "requests_per_second": round(requests / seconds, 2) if seconds else 0.0,
            "p50_ms": round(statistics.median(row["p50_ms"] for row in rows), 1),
            "p99_ms": round(statistics.median(row["p99_ms"] for row in rows), 1),
            "server_cpu_ms_per_request": None if None in cpu or not requests else
            round(sum(ms * row["requests"] for ms, row in zip(cpu, rows, strict=True)) / requests, 1)}


def served_side_by_side(body: dict[str, Any], clients: int, requests: int, workers: int = 2,
                        rounds: int = 4) -> dict[str, Any]:
    """PDFs per second: `formgen serve` and the bare reportlab app, same workers, same load generator, both
    running throughout and loaded in turn, a round each at a time, so other work on the machine falls on both."""
    each = max(1, -(-requests // (clients * rounds)))
    with load.serving_process(workers) as (formgen_port, formgen_pid), bare_serving(workers) as (bare_port, bare_pid):
        taken: dict[str, list[dict[str, Any]]] = {"formgen": [], "bare": []}
        for _ in range(rounds):
            taken["formgen"].append(load.load(formgen_port, PRO_FORMA, body, clients, each, formgen_pid))
            taken["bare"].append(load.load(bare_port, PRO_FORMA, body, clients, each, bare_pid))
    formgen, bare = _combined(taken["formgen"]), _combined(taken["bare"])
    formgen_cpu, bare_cpu = formgen["server_cpu_ms_per_request"], bare["server_cpu_ms_per_request"]
    return {"workers": workers, "clients": clients, "formgen": formgen, "bare_reportlab": bare,
            "ratio": round(formgen["requests_per_second"] / bare["requests_per_second"], 3)
            if bare["requests_per_second"] else None,
            # PDFs per second the cores would give each server to itself: the inverse of its CPU time per PDF.
            "cpu_ratio": round(bare_cpu / formgen_cpu, 3) if formgen_cpu and bare_cpu else None, "target": 0.75}


def figures(quick: bool = False) -> dict[str, Any]:
    forms = all_forms()
    out: dict[str, Any] = {}
    out["libreoffice"] = libreoffice_warm(forms[PRO_FORMA], forms[PRO_FORMA].example, 2 if quick else 20)
    out["carbone"] = carbone(forms[PRO_FORMA], forms[PRO_FORMA].example, 2 if quick else 20)
    out["server"] = served_side_by_side(dict(forms[PRO_FORMA].example), 8, 16 if quick else 400, rounds=1 if quick else 4)
    return out


if __name__ == "__main__":
    found = figures(quick="--quick" in sys.argv)
    json.dump(found, sys.stdout, indent=1)
    print()
