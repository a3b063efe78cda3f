"""formgen against the floor of its own stack, in one run (issue 15): CPU time, medians.

    PYTHONPATH=. python benchmarks/floors.py [--runs 20] [--json floors.json]

- **PDF**: formgen's whole PDF path (pipeline.render) against the wrap-once platypus floor: reportlab setting
  the very flowables formgen's layout makes (untagged, table cells wrapped once) on a plain document template
  (benchmarks/peers.py). Target: at most 1.15x, for the pro forma and the 40-case agenda.
- **DOCX**: formgen's DOCX path with no page limit against a bare docxtpl render and save of the same template
  with the same context (docxtpl's own Jinja environment, autoescaped). Target: at most 0.5x.

Beside each ratio, the shares of formgen's path that the floor does not pay, each timed on its own in the same
interleaved run: validate, context, fill, the carried data (payload), the story (the flowables, tagged as the
PDF path makes them), and the rest of the layout beyond the floor (tagging, running headers and footers, form
fields, the structure tree, PDF/A); for the DOCX, validate, fill and saving. The CPU time of a process barely
moves when other work shares the machine; wall-clock figures on a shared machine are not worth recording.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# A fixed signing key, as a server has: with none set each process makes one (formgen/documents/signing.py).
os.environ.setdefault("FORMGEN_DOCUMENT_KEYS", "floors-benchmark-key-not-a-secret-0123456789")

from docxtpl import DocxTemplate
from measure import interleaved, ratio
from peers import story
from reportlab.platypus import SimpleDocTemplate
from stages import AGENDA, AGENDA_CASES, PRO_FORMA, grown_body

from formgen.core.registry import FormSpec, all_forms
from formgen.documents import attachments, embed, pdf_layout
from formgen.documents.docx_fill import compiled, docx_bytes
from formgen.documents.tagging import StructureTree
from formgen.engine import pipeline

PDF_TARGET = 1.15
DOCX_TARGET = 0.5


def pdf_floor(spec: FormSpec, body: Any, runs: int) -> dict[str, Any]:
    """The whole PDF path against the platypus floor, and the shares of the path the floor does not pay."""
    flowables, size = story(spec, body)
    copies = iter([copy.deepcopy(flowables) for _ in range(runs + 2)])  # copied before timing, not during
    data = pipeline.validate(spec, body)
    context = spec.build_context(data)
    template = compiled(spec.template_path)
    filled = pipeline._fill(spec, data)
    meta = pipeline._meta(spec)
    carried = embed.payload(spec.id, attachments.carried_body(body, data))
    styles = pdf_layout.StyleBook(filled)
    section = filled.sections[0]
    width = section.page_width.pt - section.left_margin.pt - section.right_margin.pt

    def floor() -> bytes:
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=size, invariant=1, pageCompression=1).build(next(copies))
        return out.getvalue()

    def tagged_story() -> list[Any]:
        into = pdf_layout.Structure(StructureTree(meta.language).root)
        return list(pdf_layout._block_flowables(filled.element.body, filled._body, styles, width, into))

    cases: dict[str, Callable[[], Any]] = {
        "pdf": lambda: pipeline.render(spec, body, "pdf"),
        "floor": floor,
        "validate": lambda: pipeline.validate(spec, body),
        "context": lambda: spec.build_context(data),
        "fill": lambda: template.fill(context),
        "payload": lambda: embed.payload(spec.id, attachments.carried_body(body, data)),
        "story": tagged_story,
        "layout": lambda: pdf_layout.lay_out(filled, meta, attachment=carried, template_key=spec.id),
    }
    cpu = {name: timing.cpu_median for name, timing in interleaved(cases, runs, warmup=1).items()}
    shares = {name: cpu[name] for name in ("validate", "context", "fill", "payload", "story")}
    shares["layout beyond the story and the floor"] = cpu["layout"] - cpu["story"] - cpu["floor"]
    shares["the rest (uploads, metadata, collection)"] = cpu["pdf"] - cpu["floor"] - sum(shares.values())
    return {"form": spec.id, "runs": runs, "formgen_pdf_cpu_ms": round(cpu["pdf"], 2),
            "floor_cpu_ms": round(cpu["floor"], 2), "ratio": round(ratio(cpu["pdf"], cpu["floor"]), 3),
            "target": PDF_TARGET, "beyond_floor_cpu_ms": {name: round(ms, 2) for name, ms in shares.items()}}


def docx_floor(spec: FormSpec, body: Any, runs: int) -> dict[str, Any]:
    """The DOCX path with no page limit against a bare docxtpl render and save of the same template."""
    unlimited = dataclasses.replace(spec, max_pages=None)
    data = pipeline.validate(spec, body)
    context = spec.build_context(data)
    saved = pipeline._fill(spec, data)

    def bare() -> bytes:
        document = DocxTemplate(str(spec.template_path))
        document.render(context, autoescape=True)
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    cases: dict[str, Callable[[], Any]] = {
        "docx": lambda: pipeline.render(unlimited, body, "docx"),
        "bare_docxtpl": bare,
        "validate": lambda: pipeline.validate(spec, body),
        "fill": lambda: pipeline._fill(spec, data),
        "save": lambda: docx_bytes(saved),
    }
    cpu = {name: timing.cpu_median for name, timing in interleaved(cases, runs, warmup=1).items()}
    return {"form": spec.id, "runs": runs, "formgen_docx_cpu_ms": round(cpu["docx"], 2),
            "bare_docxtpl_cpu_ms": round(cpu["bare_docxtpl"], 2),
            "ratio": round(ratio(cpu["docx"], cpu["bare_docxtpl"]), 3), "target": DOCX_TARGET,
            "of_which_cpu_ms": {name: round(cpu[name], 2) for name in ("validate", "fill", "save")}}


def figures(runs: int) -> dict[str, Any]:
    forms = all_forms()
    pro_forma, agenda = forms[PRO_FORMA], forms[AGENDA]
    forty = grown_body(agenda, AGENDA_CASES)
    few = max(3, runs // 3)
    return {
        "pdf": [pdf_floor(pro_forma, pro_forma.example, runs), {**pdf_floor(agenda, forty, few), "cases": AGENDA_CASES}],
        "docx": [docx_floor(pro_forma, pro_forma.example, runs),
                 {**docx_floor(agenda, forty, few), "cases": AGENDA_CASES}],
    }


def report(found: dict[str, Any]) -> str:
    lines = []
    for row in found["pdf"]:
        label = row["form"] + (f" ({row['cases']} cases)" if "cases" in row else "")
        lines.append(f"PDF  {label}: formgen {row['formgen_pdf_cpu_ms']:.1f} ms CPU, platypus floor "
                     f"{row['floor_cpu_ms']:.1f} ms: x{row['ratio']:.3f} (target <= {row['target']})")
        lines += [f"       {name}: {ms:.1f} ms" for name, ms in row["beyond_floor_cpu_ms"].items()]
    for row in found["docx"]:
        label = row["form"] + (f" ({row['cases']} cases)" if "cases" in row else "")
        lines.append(f"DOCX {label}: formgen {row['formgen_docx_cpu_ms']:.1f} ms CPU, bare docxtpl render+save "
                     f"{row['bare_docxtpl_cpu_ms']:.1f} ms: x{row['ratio']:.3f} (target <= {row['target']})")
        lines += [f"       {name}: {ms:.1f} ms" for name, ms in row["of_which_cpu_ms"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20, help="runs per pro forma figure (the agenda: a third)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    found = figures(args.runs)
    print(report(found))
    if args.json:
        args.json.write_text(json.dumps(found, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
