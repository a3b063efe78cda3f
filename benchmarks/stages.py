"""In-process figures: each form's stages and whole paths, the 40-case agenda, the sibling split, route packs.

Stages are timed by calling the engine's own functions (validate, build_context,
compiled(...).fill, layout_pdf, count_pages, docx_bytes), interleaved with the whole paths so the
ratios compare runs taken side by side.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from measure import Timing, interleaved, ratio

from formgen.core.registry import FormSpec, all_forms
from formgen.documents import embed
from formgen.documents.docx_fill import compiled, docx_bytes, set_metadata
from formgen.documents.pages import count_pages
from formgen.documents.pdf_layout import layout_pdf
from formgen.engine import pipeline

PRO_FORMA = "manchester-allocations-pro-forma"
AGENDA = "shropshire-step-down-agenda"
SIBLINGS = "herefordshire-eha-step-down-plan"
AGENDA_CASES = 40
TAGGING_BOUND = 1.15  # issue 17: the tagged whole PDF path within 1.15x of the untagged one
# Route packs (formgen/engine/pack.py) from their example case records: a sibling group of three children,
# one plan each, and a Shropshire 3.b step-down (the consent form and the agenda entry).
PACKS = (("herefordshire", "level-3-step-down"), ("shropshire", "3.b"))
_ID = re.compile(r"([A-Za-z]*)([0-9]+)")


def form_stages(spec: FormSpec, runs: int) -> dict[str, Timing]:
    """Each stage of one form's example on its own, and the whole PDF and DOCX paths."""
    body = copy.deepcopy(dict(spec.example))
    data = pipeline.validate(spec, body)
    context = spec.build_context(data)
    template = compiled(spec.template_path)
    meta = pipeline._meta(spec)
    carried = embed.payload(spec.id, body)
    filled = template.fill(context)
    set_metadata(filled, meta)
    pdf = layout_pdf(filled, meta, attachment=carried, template_key=spec.id)
    saved = template.fill(context)
    set_metadata(saved, meta)
    embed.add_to_docx(saved, carried)
    unlimited = dataclasses.replace(spec, max_pages=None)

    def fill_and_save() -> bytes:
        document = template.fill(context)
        set_metadata(document, meta)
        return docx_bytes(document)

    cases: dict[str, Any] = {
        "validate": lambda: pipeline.validate(spec, body),
        "context": lambda: spec.build_context(data),
        "fill": lambda: template.fill(context),
        "layout": lambda: layout_pdf(filled, meta, attachment=carried, template_key=spec.id),
        "count_pages": lambda: count_pages(pdf),
        "docx_save": lambda: docx_bytes(saved),
        "fill_and_save": fill_and_save,
    }
    if "pdf" in spec.formats:
        cases["pdf_render"] = lambda: pipeline.render(spec, body, "pdf")
    if "docx" in spec.formats:
        cases["docx_render"] = lambda: pipeline.render(spec, body, "docx")
        cases["docx_render_no_limit"] = lambda: pipeline.render(unlimited, body, "docx")
    return interleaved(cases, runs)


def _longest_list(value: Any, path: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], list[Any]] | None:
    """The path to the longest list of objects in a body (an agenda's cases, say)."""
    best: tuple[tuple[Any, ...], list[Any]] | None = None
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        best = (path, value)
    children: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        children = list(value.items())
    elif isinstance(value, list):
        children = list(enumerate(value))
    for key, item in children:
        found = _longest_list(item, (*path, key))
        if found is not None and (best is None or len(found[1]) > len(best[1])):
            best = found
    return best


def _distinct(value: Any, round_: int) -> Any:
    """A repeated case with its numbers (case ids, say) moved on, so no two cases share an id."""
    if round_ == 0:
        return value
    found = _ID.fullmatch(value) if isinstance(value, str) else None
    if found is not None:  # "CF2280001", "4411": letters then digits
        prefix, digits = found.groups()
        return prefix + str((int(digits) + round_ * 7919) % 10 ** len(digits)).zfill(len(digits))
    if isinstance(value, Mapping):
        return {key: _distinct(item, round_) for key, item in value.items()}
    if isinstance(value, list):
        return [_distinct(item, round_) for item in value]
    return value


def grown_body(spec: FormSpec, count: int) -> dict[str, Any]:
    """The example with its longest list of objects repeated up to `count` entries."""
    body = copy.deepcopy(dict(spec.example))
    found = _longest_list(body)
    if found is None:
        raise LookupError("its example holds no list of cases to repeat")
    path, items = found
    grown = [_distinct(copy.deepcopy(items[index % len(items)]), index // len(items)) for index in range(count)]
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = grown
    return body


def agenda(runs: int) -> dict[str, Any]:
    """A chair's agenda of 40 cases, as a PDF."""
    spec = all_forms().get(AGENDA)
    if spec is None:
        return {"available": False, "reason": f"the form {AGENDA} is not registered yet"}
    try:
        body = grown_body(spec, AGENDA_CASES)
        document = pipeline.render(spec, body, "pdf")
    except Exception as exc:  # report, never crash the whole run over one row
        return {"available": False, "reason": f"{type(exc).__name__}: {getattr(exc, 'detail', exc)}"}
    timed = interleaved({"pdf": lambda: pipeline.render(spec, body, "pdf")}, runs, warmup=1)["pdf"]
    return {"available": True, "cases": AGENDA_CASES, "pages": document.pages, **timed.as_dict()}


def sibling_split(runs: int) -> dict[str, Any]:
    """A sibling group's example split into one document per child (a ZIP)."""
    spec = all_forms().get(SIBLINGS)
    if spec is None or spec.split_by_child is None:
        return {"available": False, "reason": f"the form {SIBLINGS} is not registered yet (or does not split by child)"}
    body = copy.deepcopy(dict(spec.example))
    try:
        pipeline.validate(spec, body)
        children = len(spec.split_by_child(body))
        cases = {fmt: (lambda fmt=fmt: pipeline.render_split(spec, body, fmt)) for fmt in spec.formats}
        timed = interleaved(cases, runs, warmup=1)
    except Exception as exc:
        return {"available": False, "reason": f"{type(exc).__name__}: {getattr(exc, 'detail', exc)}"}
    return {"available": True, "children": children, **{fmt: t.as_dict() for fmt, t in timed.items()}}


def packs(runs: int) -> dict[str, Any]:
    """Each route pack of PACKS as a ZIP of PDFs and deadlines.ics: time per pack and per PDF page."""
    from formgen.engine.pack import build_pack
    from formgen.engine.routes import example_record, find

    out: dict[str, Any] = {}
    for council_id, route_id in PACKS:
        key = f"{council_id}:{route_id}"
        try:
            record = example_record(*find(council_id, route_id))
            if record is None:
                raise LookupError("no example case record")
            made = build_pack(council_id, route_id, record)
            timed = interleaved({"pack": lambda c=council_id, r=route_id, b=record: build_pack(c, r, b)}, runs,
                                warmup=1)["pack"]
        except Exception as exc:  # report, never crash the whole run over one row
            out[key] = {"available": False, "reason": f"{type(exc).__name__}: {getattr(exc, 'detail', exc)}"}
            continue
        out[key] = {"available": True, "documents": made.documents, "pages": made.pages, **timed.as_dict(),
                    "per_page_ms": round(timed.median / max(made.pages, 1), 3)}
    return out


def render_targets(stages: Mapping[str, dict[str, Timing]]) -> dict[str, Any]:
    """The two in-process targets, each a ratio of medians from the same run."""
    out: dict[str, Any] = {}
    pro = stages.get(PRO_FORMA) or next(iter(stages.values()), None)
    if pro is not None and "pdf_render" in pro:
        irreducible = pro["fill"].median + pro["layout"].median
        out["pdf_path_over_fill_plus_layout"] = {
            "form": PRO_FORMA if PRO_FORMA in stages else next(iter(stages)),
            "value": round(ratio(pro["pdf_render"].median, irreducible), 3),
            "cpu_value": round(ratio(pro["pdf_render"].cpu_median, pro["fill"].cpu_median + pro["layout"].cpu_median), 3),
            "target": 1.3,
        }
    # A form with no page limit, else the pro forma with its limit lifted (same work, no layout).
    forms = all_forms()
    no_limit = [form_id for form_id in stages if forms[form_id].max_pages is None and "docx_render" in stages[form_id]]
    form_id = no_limit[0] if no_limit else (PRO_FORMA if PRO_FORMA in stages else next(iter(stages), None))
    if form_id is not None and "docx_render_no_limit" in stages[form_id]:
        row = stages[form_id]
        out["docx_no_limit_over_fill_and_save"] = {
            "form": form_id if no_limit else f"{form_id} (page limit lifted)",
            "value": round(ratio(row["docx_render_no_limit"].median, row["fill_and_save"].median), 3),
            "cpu_value": round(ratio(row["docx_render_no_limit"].cpu_median, row["fill_and_save"].cpu_median), 3),
            "target": 1.1,
        }
    return out


@contextmanager
def untagged_layout() -> Iterator[None]:
    """The engine's own PDF path with the layout's tagging (PDF/UA-1, PDF/A-3) off, as before issue 17:
    pipeline.render itself is timed, so the two figures differ by the tagging and nothing else."""
    original = pipeline.lay_out
    pipeline.lay_out = functools.partial(original, tagged=False)  # type: ignore[assignment]
    try:
        yield
    finally:
        pipeline.lay_out = original  # type: ignore[assignment]


def _untagged(render: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        with untagged_layout():
            return render()
    return run


def tagging(runs: int) -> dict[str, Any]:
    """The whole PDF path of every form's example, and of the 40-case agenda, tagged and untagged, side
    by side in one run; the ratio of their CPU-time medians (the machine is shared) and of wall-clock."""
    bodies: list[tuple[str, FormSpec, Any, int]] = [
        (form_id, spec, copy.deepcopy(dict(spec.example)), runs) for form_id, spec in all_forms().items()
        if "pdf" in spec.formats
    ]
    agenda_spec = all_forms().get(AGENDA)
    if agenda_spec is not None:
        bodies.append((f"{AGENDA} ({AGENDA_CASES} cases)", agenda_spec, grown_body(agenda_spec, AGENDA_CASES),
                       max(3, runs // 4)))
    out: dict[str, Any] = {}
    for label, spec, body, count in bodies:
        def render(spec: FormSpec = spec, body: Any = body) -> Any:
            return pipeline.render(spec, body, "pdf")
        try:
            timed = interleaved({"tagged": render, "untagged": _untagged(render)}, count, warmup=1)
        except Exception as exc:  # a form being written now must not stop the others' figures
            out[label] = {"error": f"{type(exc).__name__}: {getattr(exc, 'detail', exc)}"}
            continue
        tagged, untagged = timed["tagged"], timed["untagged"]
        out[label] = {
            "tagged": tagged.as_dict(), "untagged": untagged.as_dict(),
            "cpu_ratio": round(ratio(tagged.cpu_median, untagged.cpu_median), 3),
            "ratio": round(ratio(tagged.median, untagged.median), 3),
        }
    return out
