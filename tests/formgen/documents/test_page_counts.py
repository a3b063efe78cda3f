"""The page count comes from the layout that paginated the PDF: the same as reading the PDF back, and
the same untagged (what the validate endpoint lays out) as tagged (what a render returns)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from formgen.core.errors import ValidationFailed
from formgen.core.registry import FormSpec, all_forms
from formgen.documents import pdf_layout
from formgen.documents.docx_fill import compiled
from formgen.documents.pages import count_pages
from formgen.engine import pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from stages import AGENDA, grown_body


def _bodies(form: FormSpec, example: dict[str, Any]) -> list[dict[str, Any]]:
    """The example, and the example with its longest list grown to as many as 12 records (several pages)."""
    bodies = [example]
    for count in (12, 6, 3):
        try:
            grown = grown_body(form, count)
            pipeline.validate(form, grown)
        except (LookupError, ValidationFailed):
            continue
        return [*bodies, grown]
    return bodies


def test_the_layouts_page_count_is_the_pdfs_tagged_or_not(form: FormSpec, example: dict[str, Any]) -> None:
    for body in _bodies(form, example):
        data = pipeline.validate(form, body)
        meta = pipeline._meta(form)
        tagged = pdf_layout.lay_out(compiled(form.template_path).fill(form.build_context(data)), meta,
                                    template_key=form.id)
        untagged = pdf_layout.lay_out(compiled(form.template_path).fill(form.build_context(data)), meta,
                                      template_key=form.id, tagged=False)
        assert tagged.pages == count_pages(tagged.pdf) == untagged.pages == count_pages(untagged.pdf)


def test_a_render_does_not_read_its_pdf_back_to_count_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the PDF was read back to count its pages")

    monkeypatch.setattr("formgen.documents.pages.PdfReader", refuse)
    spec = all_forms()[AGENDA]
    document = pipeline.render(spec, grown_body(spec, 3), "pdf")
    assert document.pages is not None and document.pages > 1
    assert pipeline.check(spec, spec.example) >= 1


def test_the_validate_check_pays_for_no_tagging_or_pdf_a(monkeypatch: pytest.MonkeyPatch) -> None:
    """pipeline.check throws the PDF away: the structure tree and PDF/A would change no page of it."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the page check built a tagged PDF/A")

    monkeypatch.setattr(pdf_layout.pdfa, "finish_catalog", refuse)
    spec = all_forms()[AGENDA]
    assert pipeline.check(spec, grown_body(spec, 3)) > 1
