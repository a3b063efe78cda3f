"""The PDF breaks its pages and lines where LibreOffice breaks the same DOCX (issue 15, item 3).

Each behaviour was measured by converting these documents with LibreOffice; the page oracle
(test_page_oracle.py) checks the forms themselves. The page: A4 with 1.8 cm margins, a frame 739.8 pt
tall; a Normal paragraph line is 11.5 pt with 3 pt after, so n one-line paragraphs leave
739.8 - 14.5 n pt: 14.8 after 50 (room for one line), 29.3 after 49, 43.8 after 48 (three lines).
"""

from __future__ import annotations

from typing import Any

from docx.oxml.ns import qn
from helpers import pdf_reader
from reportlab.pdfbase.pdfmetrics import stringWidth

from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.fonts import BODY_FONT, register_fonts
from formgen.documents.pdf_layout import StyleBook, layout_pdf, table_flowable
from tools.docx_drafting import add_row, new_document, page_break_before, table

META = DocumentMeta(title="Pagination test", subject="test", keywords="test")
FRAME_WIDTH = 595.3 - 2 * 51.02  # A4 less the 1.8 cm margins


def _filled(lines: int) -> Any:
    doc = new_document()
    for index in range(lines):
        doc.add_paragraph(f"Filler line {index}")
    return doc


def _pages(doc: Any) -> list[str]:
    return [page.extract_text() or "" for page in pdf_reader(layout_pdf(doc, META)).pages]


def _four_lines() -> str:
    return "\n".join(f"Entry line {index}" for index in range(4))


def _where(pages: list[str], *texts: str) -> list[int]:
    """The page (from 1) each text is on."""
    found = []
    for text in texts:
        on = [number for number, page in enumerate(pages, 1) if text in page]
        assert on, text
        found.append(on[0])
    return found


def test_a_body_paragraph_keeps_two_lines_at_a_page_foot_and_top() -> None:
    """Widow and orphan control, on where the DOCX does not say: three lines of room take two of four."""
    doc = _filled(48)
    doc.add_paragraph(_four_lines())
    assert _where(_pages(doc), "Entry line 1", "Entry line 2") == [1, 2]
    doc = _filled(50)  # room for one line: it would be an orphan
    doc.add_paragraph(_four_lines())
    assert _where(_pages(doc), "Entry line 0") == [2]


def test_a_style_with_widow_control_off_lets_a_last_line_start_a_page() -> None:
    """Three lines of room take three of four; one line of room still takes none (LibreOffice keeps
    a first line off the foot of a page even then)."""
    for fillers, last_on_page_1 in ((48, 2), (50, None)):
        doc = _filled(fillers)
        doc.styles["Normal"].paragraph_format.widow_control = False  # w:widowControl w:val="0"
        doc.add_paragraph(_four_lines())
        pages = _pages(doc)
        if last_on_page_1 is None:
            assert _where(pages, "Entry line 0") == [2]
        else:
            assert _where(pages, f"Entry line {last_on_page_1}", f"Entry line {last_on_page_1 + 1}") == [1, 2]


def test_a_table_row_splits_at_any_line() -> None:
    """LibreOffice splits a row with no widow or orphan control: one line of room takes a row's first
    line, three lines of room three of its four."""
    for fillers, last_on_page_1 in ((50, 0), (48, 2)):
        doc = _filled(fillers)
        add_row(table(doc, [4.0, 13.4]), ["Label", _four_lines()], [4.0, 13.4])
        pages = _pages(doc)
        assert _where(pages, f"Entry line {last_on_page_1}", f"Entry line {last_on_page_1 + 1}") == [1, 2]


def test_a_heading_stays_with_the_first_line_of_the_table_after_it() -> None:
    """Keep with next keeps a heading with the start of what follows, not all of it; and where not even
    the first line of the first row fits under it, the heading starts the next page."""
    for fillers, page in ((48, 1), (49, 2)):
        doc = _filled(fillers)
        doc.add_paragraph("Household members", style="Heading 2")
        add_row(table(doc, [4.0, 13.4]), ["First row", _four_lines()], [4.0, 13.4])
        assert _where(_pages(doc), "Household members", "First row") == [page, page]


def test_a_heading_keeps_two_lines_of_a_paragraph_where_its_space_before_overlaps() -> None:
    """The heading's 8 pt before overlaps the 3 pt after the line above it (so it takes 5): 43.8 pt
    holds the heading (20.7 pt) and two lines (23 pt) of the paragraph after it, which has four."""
    doc = _filled(48)
    doc.add_paragraph("What are we worried about?", style="Heading 2")
    doc.add_paragraph(_four_lines())
    assert _where(_pages(doc), "What are we worried about?", "Entry line 1", "Entry line 2") == [1, 1, 2]


def _baseline(content: bytes, page: int, text: str) -> float:
    found: list[float] = []

    def visit(chunk: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if chunk.startswith(text):
            found.append(float(tm[5]) * float(cm[3]) + float(cm[5]))

    pdf_reader(content).pages[page].extract_text(visitor_text=visit)
    assert found, text
    return found[0]


def test_a_paragraph_after_a_page_break_keeps_its_space_before() -> None:
    """A heading that flows to the top of a page loses its 8 pt before; one that starts a page (page
    break before) keeps it, as the document's first paragraph does."""
    flowed = _filled(51)  # the page is full
    flowed.add_paragraph("Case 2", style="Heading 1")
    broken = new_document()
    broken.add_paragraph("Case 1")
    page_break_before(broken.add_paragraph("Case 2", style="Heading 1"))
    first = new_document()
    first.add_paragraph("Case 2", style="Heading 1")
    top = _baseline(layout_pdf(flowed, META), 1, "Case 2")
    assert abs(top - _baseline(layout_pdf(broken, META), 1, "Case 2") - 8) < 0.01
    assert abs(top - _baseline(layout_pdf(first, META), 0, "Case 2") - 8) < 0.01


def _text_overflowing(width: float, low: float, high: float, tail: str = "") -> str:
    """Words whose width (with `tail`) exceeds `width` by more than `low` and less than `high` points."""
    register_fonts()
    words = ["support", "school", "family", "is", "a", "plan", "visit", "weekly", "the", "of", "it", "will",
             "meeting", "agreed", "mum", "I", "on", "at"]
    text = ""
    for index in range(400):
        for word in words:
            candidate = f"{text} {word}".strip()
            if low < stringWidth(candidate + tail, BODY_FONT, 10) - width < high:
                return candidate
        text = f"{text} {words[index % len(words)]}".strip()
    raise AssertionError("no such text")


def test_a_line_is_never_squeezed_to_fit_a_word() -> None:
    """reportlab would shrink each space by up to 5% to fit a last word on; Word and LibreOffice do not."""
    text = _text_overflowing(FRAME_WIDTH, 0.5, 3.0)
    doc = new_document()
    doc.add_paragraph(text)
    lines = [line.strip() for line in _pages(doc)[0].splitlines() if line.strip()]
    last_word = text.rsplit(" ", 1)[1]
    assert lines[0] == text.rsplit(" ", 1)[0] and lines[1] == last_word


def _table_flowables(doc: Any) -> list[Any]:
    styles = StyleBook(doc)
    body = doc.element.body
    return [table_flowable(tbl, doc._body, styles, FRAME_WIDTH) for tbl in body.iter(qn("w:tbl"))]


def test_a_bordered_table_has_its_top_border_on_each_page() -> None:
    """Each row is one border (0.5 pt) taller than its text, and the table one more for its top border,
    on each page it is on; a table straight after another goes on from it, with no border between."""
    doc = new_document()
    widths = [4.0, 13.4]
    first = table(doc, widths)
    for index in range(40):
        add_row(first, [f"Row {index}", "An answer"], widths)
    add_row(table(doc, widths), ["Straight after", "An answer"], widths)
    long, after = _table_flowables(doc)
    row = 11.5 + 3 + 0.5  # a line, the cell's space after, the row's border
    assert abs(long.wrap(FRAME_WIDTH, 10_000)[1] - (40 * row + 0.5)) < 0.01
    assert abs(after.wrap(FRAME_WIDTH, 10_000)[1] - row) < 0.01
    head, rest = long.split(FRAME_WIDTH, 10 * row + 0.5)
    assert abs(head.wrap(FRAME_WIDTH, 10_000)[1] - (10 * row + 0.5)) < 0.01
    assert abs(rest.wrap(FRAME_WIDTH, 10_000)[1] - (30 * row + 0.5)) < 0.01
