"""formgen/documents/pdf_layout.py: reading Word runs the way python-docx does, faster."""

from __future__ import annotations

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
