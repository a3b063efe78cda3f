"""formgen/documents/pdf_layout.py: reading Word runs the way python-docx does, faster."""

from __future__ import annotations

from typing import Any

import pytest
from docx.oxml import parse_xml
from docx.text.run import Run

from formgen.documents.pdf_layout import run_emphasis

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@pytest.mark.parametrize("properties", [
    "", "<w:rPr/>", "<w:rPr><w:b/></w:rPr>", '<w:rPr><w:b w:val="0"/></w:rPr>', '<w:rPr><w:b w:val="false"/></w:rPr>',
    '<w:rPr><w:b w:val="true"/><w:i/></w:rPr>', '<w:rPr><w:i w:val="off"/></w:rPr>', '<w:rPr><w:i w:val="1"/></w:rPr>',
    '<w:rPr><w:u w:val="single"/></w:rPr>', '<w:rPr><w:u w:val="double"/></w:rPr>', '<w:rPr><w:u w:val="none"/></w:rPr>',
    "<w:rPr><w:u/></w:rPr>", '<w:rPr><w:b/><w:i/><w:u w:val="dotted"/></w:rPr>',
])
def test_run_emphasis_reads_what_python_docx_reads(properties: str) -> None:
    r = parse_xml(f"<w:r {W}>{properties}<w:t>x</w:t></w:r>")
    run = Run(r, None)  # type: ignore[arg-type]
    assert run_emphasis(r) == (bool(run.bold), bool(run.italic), bool(run.underline))


def _x_of(content: bytes, text: str) -> float:
    from helpers import pdf_reader

    found: list[float] = []

    def visit(chunk: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if chunk.startswith(text):
            found.append(float(tm[4]) * float(cm[0]) + float(cm[4]))

    pdf_reader(content).pages[0].extract_text(visitor_text=visit)
    assert found, text
    return found[0]


def test_a_paragraphs_own_alignment_is_kept() -> None:
    """w:jc on the paragraph (not its style), as the agenda's right-aligned OFFICIAL-SENSITIVE header is."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from formgen.documents.docx_fill import DocumentMeta
    from formgen.documents.pdf_layout import layout_pdf
    from tools.docx_drafting import new_document

    doc = new_document()
    doc.add_paragraph("Set on the left")
    doc.add_paragraph("Set on the right").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph("Set in the middle").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.sections[0].header.paragraphs[0].text = "Header on the right"
    doc.sections[0].header.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    pdf = layout_pdf(doc, DocumentMeta(title="Alignment", subject="test", keywords="test"))
    left = _x_of(pdf, "Set on the left")
    assert _x_of(pdf, "Set in the middle") > left + 100
    assert _x_of(pdf, "Set on the right") > _x_of(pdf, "Set in the middle") + 100
    assert _x_of(pdf, "Header on the right") > left + 200


def test_a_line_ends_after_a_hyphen_inside_a_word_as_word_and_libreoffice_end_it() -> None:
    """Where "step-down" does not fit at the end of a line, Word and LibreOffice set "step-" there and
    "down" on the next line (checked against LibreOffice on four forms' examples); reportlab moved the
    whole word down. A word with no hyphen is never broken, and the hyphen is the word's own."""
    from helpers import pdf_text

    from formgen.documents.docx_fill import DocumentMeta
    from formgen.documents.pdf_layout import layout_pdf
    from tools.docx_drafting import new_document

    doc = new_document()
    for filler in range(30):  # the hyphenated word at every place along a line, one paragraph each
        doc.add_paragraph("word " * filler + "a step-down arrangement agreed")
    lines = pdf_text(layout_pdf(doc, DocumentMeta(title="Hyphens", subject="test", keywords="test"))).splitlines()
    assert any(line.rstrip().endswith("step-") for line in lines)
    assert all(line.strip().split(" ")[0] in {"word", "a", "down", "step-down", "arrangement", "agreed"}
               for line in lines if line.strip())
