"""formgen beside what it is measured against, in the same run.

- **The platypus floor**: reportlab setting the very flowables formgen's layout made (cells wrapped once),
  on a plain document template with no headers, footers, fields or embedded data. What formgen's PDF path
  costs beyond this is formgen's own work.
- **A warm LibreOffice**: formgen's DOCX converted to PDF by `soffice --headless --convert-to pdf`, a batch
  of copies in one call so start-up is shared (the cost a pooled converter pays per document), against
  formgen's own PDF path.
- **A bare reportlab Flask app** (benchmarks/bare_app.py) served by gunicorn exactly as `formgen serve`
  serves formgen, under the same load generator: PDFs per second.

Run by `benchmarks/run.py` (`make bench`); `python benchmarks/peers.py` prints them alone.
"""

from __future__ import annotations

import copy
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

import load  # noqa: E402 - after the path set-up above
import stages  # noqa: E402
from measure import interleaved, ratio  # noqa: E402
from reportlab.platypus import SimpleDocTemplate  # noqa: E402

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


def platypus_floor(spec: FormSpec, body: Any, runs: int) -> dict[str, Any]:
    """formgen's whole PDF path against reportlab building the same story, median CPU ms of each."""
    flowables, size = story(spec, body)
    copies = iter([copy.deepcopy(flowables) for _ in range(runs + 3)])  # copied before timing, not during

    def floor() -> bytes:
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=size, invariant=1, pageCompression=1).build(next(copies))
        return out.getvalue()

    timed = interleaved({"formgen_pdf": lambda: pipeline.render(spec, body, "pdf"), "floor": floor}, runs, warmup=1)
    path, bare = timed["formgen_pdf"].cpu_median, timed["floor"].cpu_median
    return {"form": spec.id, "formgen_pdf_cpu_ms": round(path, 2), "floor_cpu_ms": round(bare, 2),
            "ratio": round(ratio(path, bare), 3), "target": 1.15}


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


@contextmanager
def bare_serving(workers: int, timeout: float = 60.0) -> Iterator[int]:
    """benchmarks/bare_app.py under gunicorn with formgen serve's worker settings, on a free port."""
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
        yield port
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def served_side_by_side(body: dict[str, Any], clients: int, requests: int, workers: int = 2) -> dict[str, Any]:
    """PDFs per second: `formgen serve` and the bare reportlab app, same workers, same load generator."""
    each = max(1, -(-requests // clients))
    with load.serving(workers) as port:
        formgen = load.load(port, PRO_FORMA, body, clients, each)
    with bare_serving(workers) as port:
        bare = load.load(port, PRO_FORMA, body, clients, each)
    return {"workers": workers, "clients": clients, "formgen": formgen, "bare_reportlab": bare,
            "ratio": round(formgen["requests_per_second"] / bare["requests_per_second"], 3)
            if bare["requests_per_second"] else None, "target": 0.75}


def figures(quick: bool = False) -> dict[str, Any]:
    forms = all_forms()
    runs = 3 if quick else 30
    out: dict[str, Any] = {"platypus_floor": [platypus_floor(forms[PRO_FORMA], forms[PRO_FORMA].example, runs)]}
    agenda = forms.get(stages.AGENDA)
    if agenda is not None:
        out["platypus_floor"].append({**platypus_floor(agenda, stages.grown_body(agenda, stages.AGENDA_CASES),
                                                       2 if quick else 10), "cases": stages.AGENDA_CASES})
    out["libreoffice"] = libreoffice_warm(forms[PRO_FORMA], forms[PRO_FORMA].example, 2 if quick else 20)
    out["server"] = served_side_by_side(dict(forms[PRO_FORMA].example), 8, 16 if quick else 400)
    return out


if __name__ == "__main__":
    found = figures(quick="--quick" in sys.argv)
    json.dump(found, sys.stdout, indent=1)
    print()
    print("median of floor ratios:", statistics.median(row["ratio"] for row in found["platypus_floor"]))
