"""The engine, checked on every registered form through its own example."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from helpers import docx_document, docx_text, pdf_reader, squash, strings_in
from tagged_pdf import reading_text

from formgen.core.errors import PageLimitExceeded, UnsupportedFormat, ValidationFailed
from formgen.core.registry import FormSpec
from formgen.documents.docx_fill import compiled
from formgen.engine import pipeline


def test_example_is_valid(form: FormSpec, example: dict[str, Any]) -> None:
    pipeline.validate(form, example)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_example_renders_within_the_page_limit(form: FormSpec, example: dict[str, Any], fmt: str) -> None:
    document = pipeline.render(form, example, fmt)
    if form.max_pages is not None:
        assert document.pages is not None and document.pages <= form.max_pages
    if fmt == "pdf":
        assert len(pdf_reader(document.content).pages) == document.pages
    else:
        docx_document(document.content)  # opens


def test_every_string_of_the_example_is_printed_in_both_formats(form: FormSpec, example: dict[str, Any]) -> None:
    data = pipeline.validate(form, example)
    context_strings = {s for s in strings_in(form.build_context(data)) if s.strip()}
    # Read as a reader reads it (the tagged structure): a row split over pages, as Word splits it, is drawn
    # page by page but read cell by cell.
    pdf = squash(reading_text(pipeline.render(form, example, "pdf").content))
    docx = squash(docx_text(pipeline.render(form, example, "docx").content))
    for text in context_strings:
        assert squash(text) in docx, text
        assert squash(text) in pdf, text


def test_pdf_and_docx_carry_the_same_words_in_the_same_order(form: FormSpec, example: dict[str, Any]) -> None:
    docx_words = squash(docx_text(pipeline.render(form, example, "docx").content))
    # The PDF adds only the running header and footer on each page: artifacts, outside the structure a reader
    # reads (a row split over pages is read cell by cell there, as in Word).
    pdf_words = squash(reading_text(pipeline.render(form, example, "pdf").content))
    pdf_body = squash(" ".join(w for w in pdf_words.split(" ") if w))
    body_words = [w for w in docx_words.split(" ") if w]
    # Every DOCX word appears in the PDF, in order.
    position = 0
    for word in body_words:
        found = pdf_body.find(word, position)
        assert found >= 0, f"{word!r} missing from the PDF after position {position}"
        position = found + len(word)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_same_input_gives_identical_bytes(form: FormSpec, example: dict[str, Any], fmt: str) -> None:
    first = pipeline.render(form, example, fmt).content
    second = pipeline.render(form, example, fmt).content
    assert first == second


def test_documents_carry_title_subject_and_language(form: FormSpec, example: dict[str, Any]) -> None:
    pdf = pdf_reader(pipeline.render(form, example, "pdf").content)
    assert pdf.metadata is not None
    assert pdf.metadata.title == form.title
    assert form.authority in (pdf.metadata.subject or "")
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"
    props = docx_document(pipeline.render(form, example, "docx").content).core_properties
    assert props.title == form.title
    assert form.authority in props.subject
    assert props.language == "en-GB"


def test_docx_zip_entries_carry_no_wall_clock(form: FormSpec, example: dict[str, Any]) -> None:
    with zipfile.ZipFile(io.BytesIO(pipeline.render(form, example, "docx").content)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_template_asks_only_for_what_the_context_gives(form: FormSpec, example: dict[str, Any]) -> None:
    context = form.build_context(pipeline.validate(form, example))
    assert compiled(form.template_path).variables <= set(context)


def test_pdf_headings_become_bookmarks(form: FormSpec, example: dict[str, Any]) -> None:
    outline = pdf_reader(pipeline.render(form, example, "pdf").content).outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert form.title in titles


def test_invalid_body_names_every_failing_field() -> None:
    from formgen.core.registry import get_form

    form = get_form("manchester-allocations-pro-forma")
    with pytest.raises(ValidationFailed) as caught:
        pipeline.render(form, {"child": {"name": ""}}, "pdf")
    assert "child.name" in caught.value.errors
    assert "date_completed" in caught.value.errors


def test_a_body_that_is_not_an_object_is_refused() -> None:
    from formgen.core.registry import get_form

    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(get_form("manchester-allocations-pro-forma"), ["not", "an", "object"])
    assert caught.value.errors == {"_schema": ["The body must be a JSON object."]}


def test_unknown_format_is_refused(form: FormSpec, example: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedFormat):
        pipeline.render(form, example, "odt")


def test_page_limit_names_the_longest_answers() -> None:
    from formgen.core.registry import get_form

    form = get_form("manchester-allocations-pro-forma")
    body = dict(form.example)
    body["worried_about"] = "\n".join(["- A worry that goes on for a whole line of the table cell, and more."] * 55)
    with pytest.raises(PageLimitExceeded) as caught:
        pipeline.render(form, body, "docx")
    assert caught.value.pages > 2
    assert caught.value.max_pages == 2
    assert caught.value.longest[0][0] == "worried_about"
