"""LibreOffice as an independent page counter: the DOCX and formgen's PDF agree page for page.

Each form's example, and a corpus that grows the example's free text line by line from well under to
well over each page boundary formgen's PDF crosses, is converted to PDF by LibreOffice in one call;
its page count must equal formgen's. LibreOffice is a test tool only (`make test-tools`).
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
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

pytestmark = pytest.mark.slow

SOFFICE = shutil.which("soffice")
MAX_BOUNDARIES = 2  # each sample: the last step under a page boundary and the first over it
FREE_TEXT = 150  # example strings longer than this are free text


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


def _corpus(spec: FormSpec, out: Path) -> list[Sample]:
    example = copy.deepcopy(dict(spec.example))
    samples: list[Sample] = []
    laid = _lay_out(spec, example)
    assert laid is not None, f"{spec.id}: the example is not valid"
    (out / f"{spec.id}-example.docx").write_bytes(laid[0])
    samples.append(Sample(spec.id, f"{spec.id}-example", laid[1]))
    keys = _free_text_keys(example)
    steps: dict[int, tuple[bytes, int] | None] = {}

    def step(count: int) -> tuple[bytes, int] | None:
        """The free text fields grown to `count` lines each (None past the fields' length limits)."""
        if count not in steps:
            body = copy.deepcopy(example)
            for key in keys:
                body[key] = "\n".join(_line(i) for i in range(count))
            steps[count] = _lay_out(spec, body)
        return steps[count]

    low = 1
    for _ in range(MAX_BOUNDARIES):
        first = step(low)
        if first is None:
            break
        # The page count only grows with the text: search for the first line that adds a page.
        high = low
        while (laid := step(high)) is not None and laid[1] == first[1]:
            high *= 2
        if laid is None:
            top = high
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
            name = f"{spec.id}-lines-{count}"
            (out / f"{name}.docx").write_bytes(laid[0])
            samples.append(Sample(spec.id, name, laid[1]))
        low = high
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
        if theirs != sample.pages:
            disagree.append(f"{sample.name}: formgen {sample.pages}, LibreOffice {theirs}")
    assert not disagree, f"{len(mine) - len(disagree)}/{len(mine)} agree; " + "; ".join(disagree)


def test_the_corpus_crosses_page_boundaries(converted: tuple[Path, list[Sample]]) -> None:
    """Forms whose free text is short may never reach a new page; the corpus as a whole must."""
    _, samples = converted
    crossing = [f for f in {s.form_id for s in samples} if len({s.pages for s in samples if s.form_id == f}) > 1]
    assert crossing, "no form's corpus crossed a page boundary"
