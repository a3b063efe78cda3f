"""The Word document says what the tagged PDF says (issue 17, item 3): its title and language, headings
in Word's heading styles, each table's headers declared, and alt text on any picture."""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn
from helpers import docx_document

from formgen.core.registry import FormSpec
from formgen.engine import pipeline

_PICTURE_NAMES = (qn("wp:docPr"),)


def _docx(form: FormSpec, example: dict[str, Any]) -> Any:
    return docx_document(pipeline.render(form, example, "docx").content)


def test_title_and_language_are_set(form: FormSpec, example: dict[str, Any]) -> None:
    document = _docx(form, example)
    assert document.core_properties.title == form.title
    assert document.core_properties.language == "en-GB"
    normal = document.styles["Normal"].element
    lang = normal.find(f"{qn('w:rPr')}/{qn('w:lang')}")
    assert lang is not None and lang.get(qn("w:val")) == "en-GB"  # what Word's spelling and read-aloud follow


def test_headings_use_words_heading_styles(form: FormSpec, example: dict[str, Any]) -> None:
    """The PDF's H1-H3 come from these styles, and Word's navigation pane and checker read the same."""
    document = _docx(form, example)
    names = [p.style.name for p in document.paragraphs if p.text.strip()]
    assert names and names[0] == "Title"
    # A form laid out as the council's own (the pro forma is one table, as Appendix 2 is) may have no
    # heading below its title; where it has headings they are Word's, never big bold body text (below).
    for paragraph in document.paragraphs:
        run_sizes = [run.font.size for run in paragraph.runs if run.bold and run.font.size]
        # No heading faked with big bold text in a body style.
        assert not (paragraph.style.name == "Normal" and run_sizes and max(run_sizes).pt >= 12)


def test_every_table_declares_its_headers(form: FormSpec, example: dict[str, Any]) -> None:
    """A header row repeated on each page (w:tblHeader), or Word's "First Column" for a label table:
    the PDF tags these cells TH with a column or a row scope (formgen/documents/pdf_layout.py)."""
    document = _docx(form, example)
    for tbl in document.element.body.iter(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        columns = len(tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}"))
        if columns < 2:
            continue  # a box round text, tagged as its paragraphs
        header_row = rows and rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
        look = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
        first_column = look is not None and look.get(qn("w:firstColumn")) in ("1", "true", "on")
        assert header_row or first_column


def test_every_picture_has_alt_text(form: FormSpec, example: dict[str, Any]) -> None:
    document = _docx(form, example)
    for part in [document.part, *(s.header.part for s in document.sections), *(s.footer.part for s in document.sections)]:
        for picture in part.element.iter(*_PICTURE_NAMES):
            assert (picture.get("descr") or "").strip(), "a picture with no alt text"
