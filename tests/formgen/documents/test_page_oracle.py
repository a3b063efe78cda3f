"""LibreOffice as an independent page counter: the DOCX and formgen's PDF agree page for page.

Each form's example, and a corpus that grows the example's free text line by line, and each of its
lists record by record, from under to over each page boundary formgen's PDF crosses, is converted to
PDF by LibreOffice in one call; its page count must equal formgen's. LibreOffice is a test tool only (`make test-tools`).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import FORM_IDS
from helpers import pdf_reader

from formgen.core.errors import ValidationFailed
from formgen.core.registry import FormSpec, all_forms
from formgen.documents.docx_fill import compiled, docx_bytes
from formgen.documents.pages import count_pages
from formgen.documents.pdf_layout import layout_pdf
from formgen.engine import pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from stages import _distinct

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice")
MAX_BOUNDARIES = 2  # each sample: the last step under a page boundary and the first over it
FREE_TEXT = 150  # example strings longer than this are free text
# Disagreements the widened corpus found and formgen has not fixed yet (issue 15): each is a page
# boundary a few points away, not lost text. The tests fail on any other disagreement, and on one of
# these once it agrees, so the list only shrinks.
KNOWN_DISAGREEMENTS = {
    "multi-agency-referral-form-list-agencies-8",  # formgen 3, LibreOffice 4
    "peterborough-masg-step-down-list-family_members-15",  # formgen 3, LibreOffice 2
    "shropshire-step-down-agenda-list-cases-0-children-5",  # formgen 6, LibreOffice 7
}
MAX_RECORDS = 60  # a list grown record by record stops here (or at the form's own maximum)


@dataclass
class Sample:
    form_id: str
    name: str
    pages: int  # formgen's PDF


def _line(index: int) -> str:
    return f"- Point {index}: the family agreed this at the review meeting."


def _free_text_keys(example: dict[str, Any]) -> list[str]:
    """The example's free text fields, or else its longest string field."""
    strings = {key: value for key, value in example.items() if isinstance(value, str)}
    long = [key for key, value in strings.items() if len(value) > FREE_TEXT]
    return long or ([max(strings, key=lambda key: len(strings[key]))] if strings else [])


def _lay_out(spec: FormSpec, body: dict[str, Any]) -> tuple[bytes, int] | None:
    """The DOCX and formgen's page count, with no page limit (the corpus goes past it on purpose)."""
    try:
        data = pipeline.validate(spec, body)
    except ValidationFailed:
        return None
    meta = pipeline._meta(spec)
    document = compiled(spec.template_path).fill(spec.build_context(data))
    pages = count_pages(layout_pdf(document, meta, template_key=spec.id))
    return docx_bytes(document), pages


def _lists(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], list[Any]]]:
    """Every list of records in a body (children, family members, plan rows, an agenda's cases...),
    outermost first, with its path; a list inside a list's records is grown in its first record."""
    found: list[tuple[tuple[Any, ...], list[Any]]] = []
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        found.append((path, value))
        return found + _lists(value[0], (*path, 0))
    if isinstance(value, Mapping):
        for key, item in value.items():
            found.extend(_lists(item, (*path, key)))
    return found


def _grown_list(example: dict[str, Any], path: tuple[Any, ...], items: list[Any], count: int) -> dict[str, Any]:
    body = copy.deepcopy(example)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = [_distinct(copy.deepcopy(items[i % len(items)]), i // len(items)) for i in range(count)]
    return body


def _grown_text(example: dict[str, Any], keys: list[str], count: int) -> dict[str, Any]:
    body = copy.deepcopy(example)
    for key in keys:
        body[key] = "\n".join(_line(i) for i in range(count))
    return body


def _boundaries(spec: FormSpec, out: Path, label: str, grow: Callable[[int], dict[str, Any]],
                start: int, limit: int) -> list[Sample]:
    """The samples either side of the first MAX_BOUNDARIES page boundaries as `grow(count)` grows,
    from `start` up to `limit` (None past the form's own limits: the search stops there)."""
    samples: list[Sample] = []
    steps: dict[int, tuple[bytes, int] | None] = {}

    def step(count: int) -> tuple[bytes, int] | None:
        if count > limit:
            return None
        if count not in steps:
            steps[count] = _lay_out(spec, grow(count))
        return steps[count]

    low = start
    for _ in range(MAX_BOUNDARIES):
        first = step(low)
        if first is None:
            break
        # The page count only grows with the body: search for the first step that adds a page.
        high = low
        while (laid := step(high)) is not None and laid[1] == first[1]:
            high *= 2
        if laid is None:
            top = min(high, limit + 1)
            while top - 1 > low and step(top - 1) is None:
                top -= 1
            high = top - 1
            laid = step(high)
            if laid is None or laid[1] == first[1]:
                break
        while high - low > 1:
            middle = (low + high) // 2
            laid = step(middle)
            if laid is not None and laid[1] == first[1]:
                low = middle
            else:
                high = middle
        for count in (low, high):
            laid = step(count)
            assert laid is not None
            name = f"{spec.id}-{label}-{count}"
            (out / f"{name}.docx").write_bytes(laid[0])
            samples.append(Sample(spec.id, name, laid[1]))
        low = high
    return samples


def _corpus(spec: FormSpec, out: Path) -> list[Sample]:
    example = copy.deepcopy(dict(spec.example))
    laid = _lay_out(spec, example)
    assert laid is not None, f"{spec.id}: the example is not valid"
    (out / f"{spec.id}-example.docx").write_bytes(laid[0])
    samples = [Sample(spec.id, f"{spec.id}-example", laid[1])]
    keys = _free_text_keys(example)
    samples += _boundaries(spec, out, "lines", lambda count: _grown_text(example, keys, count), 1, 10_000)
    for path, items in _lists(example):
        label = "list-" + "-".join(str(key) for key in path)
        samples += _boundaries(spec, out, label, lambda count, path=path, items=items:  # type: ignore[misc]
                               _grown_list(example, path, items, count), max(len(items), 1), MAX_RECORDS)
    return samples


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Sample]]:
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing: `make test-tools` installs it")
        pytest.skip("LibreOffice (soffice) is not installed: `make test-tools`")
    out = tmp_path_factory.mktemp("oracle")
    samples = [s for spec in all_forms().values() if spec.template_path.exists() for s in _corpus(spec, out)]
    profile = tmp_path_factory.mktemp("lo-profile")
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out), *(str(out / f"{s.name}.docx") for s in samples)],
        check=True, capture_output=True, timeout=600,
    )
    return out, samples


@pytest.mark.parametrize("form_id", FORM_IDS)
def test_libreoffice_counts_the_same_pages_as_formgen(form_id: str, converted: tuple[Path, list[Sample]]) -> None:
    out, samples = converted
    mine = [s for s in samples if s.form_id == form_id]
    assert mine, f"{form_id}: no corpus (is its template missing?)"
    disagree = []
    for sample in mine:
        theirs = len(pdf_reader((out / f"{sample.name}.pdf").read_bytes()).pages)
        if (theirs != sample.pages) != (sample.name in KNOWN_DISAGREEMENTS):
            disagree.append(f"{sample.name}: formgen {sample.pages}, LibreOffice {theirs}"
                            + (" (a known disagreement that now agrees: drop it from the list)" if theirs == sample.pages
                               else ""))
    assert not disagree, f"{len(mine) - len(disagree)}/{len(mine)} agree; " + "; ".join(disagree)


def test_the_corpus_crosses_page_boundaries(converted: tuple[Path, list[Sample]]) -> None:
    """Forms whose free text is short may never reach a new page; the corpus as a whole must."""
    _, samples = converted
    crossing = [f for f in {s.form_id for s in samples} if len({s.pages for s in samples if s.form_id == f}) > 1]
    assert crossing, "no form's corpus crossed a page boundary"


def test_agreement_over_the_whole_corpus(converted: tuple[Path, list[Sample]]) -> None:
    """The whole corpus at once: the agreement percentage benchmarks/RESULTS.md reports."""
    out, samples = converted
    agree = sum(len(pdf_reader((out / f"{s.name}.pdf").read_bytes()).pages) == s.pages for s in samples)
    known = sum(s.name in KNOWN_DISAGREEMENTS for s in samples)
    assert agree == len(samples) - known, f"{agree}/{len(samples)} agree ({100 * agree / len(samples):.1f}%)"
