"""Navigable documents: headings as PDF bookmarks and real Word heading styles, title and language
set, table header rows repeated across pages, long words wrapped inside their cells, no row cut mid-line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from helpers import docx_document, pdf_reader, squash

from formgen.core.registry import FormSpec, all_forms
from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.pdf_layout import layout_pdf
from formgen.engine import pipeline
from tools.docx_drafting import add_row, new_document, table

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from stages import AGENDA, grown_body

META = DocumentMeta(title="Navigation test", subject="test", keywords="test")


def _outline_titles(outline: list[Any]) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(str(item.title))
    return titles


def _docx_headings(content: bytes) -> list[tuple[str, str]]:
    document = docx_document(content)
    return [(p.style.name, p.text) for p in document.paragraphs
            if p.style is not None and (p.style.name.startswith("Heading") or p.style.name == "Title")]


def test_headings_are_bookmarks_and_word_heading_styles(form: FormSpec, example: dict[str, Any]) -> None:
    docx = pipeline.render(form, example, "docx").content
    pdf = pipeline.render(form, example, "pdf").content
    headings = _docx_headings(docx)
    assert headings, f"{form.id}: no Title or Heading paragraphs"
    assert _outline_titles(pdf_reader(pdf).outline) == [text for _, text in headings]
    styles = docx_document(docx).styles
    for name, _ in headings:
        if name.startswith("Heading"):
            # Word's own heading styles carry an outline level: the navigation pane and screen readers use it.
            ppr = styles[name].element.find(qn("w:pPr"))
            assert ppr is not None and ppr.find(qn("w:outlineLvl")) is not None, name


def test_title_and_language_are_set(form: FormSpec, example: dict[str, Any]) -> None:
    pdf = pipeline.render(form, example, "pdf").content
    reader = pdf_reader(pdf)
    assert reader.metadata is not None and reader.metadata.title == form.title
    assert str(reader.trailer["/Root"]["/Lang"]) == "en-GB"
    props = docx_document(pipeline.render(form, example, "docx").content).core_properties
    assert props.title == form.title
    assert props.language == "en-GB"


def test_grid_tables_mark_their_header_rows_to_repeat(form: FormSpec, example: dict[str, Any]) -> None:
    """A table whose first row is all shaded headings has that row marked w:tblHeader."""
    document = docx_document(pipeline.render(form, example, "docx").content)
    for tbl in document.element.body.iter(qn("w:tbl")):
        rows = tbl.findall(qn("w:tr"))
        if len(rows) < 2:
            continue
        first = rows[0].findall(qn("w:tc"))
        if len(first) > 1 and all(tc.find(f"{qn('w:tcPr')}/{qn('w:shd')}") is not None for tc in first):
            assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None


def _long_table(rows: int, cell: str) -> bytes:
    doc = new_document()
    doc.add_paragraph("Long table", style="Heading 2")  # no Title above: the outline must still be valid
    widths = [4.0, 13.4]
    t = table(doc, widths)
    add_row(t, ["Heading one", "Heading two"], widths, header=True)
    for index in range(rows):
        add_row(t, [f"Row {index}", cell.format(index=index)], widths)
    return layout_pdf(doc, META)


def test_a_table_over_a_page_boundary_repeats_its_header_row() -> None:
    reader = pdf_reader(_long_table(90, "Line one of row {index}\nline two of row {index}"))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert "Heading one" in (page.extract_text() or "")


def test_a_row_never_splits_mid_line() -> None:
    lines = "\n".join(f"Line {i} of a long entry about the family's week" for i in range(120))
    reader = pdf_reader(_long_table(1, lines))
    assert len(reader.pages) > 1
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    for i in range(120):
        assert f"Line {i} of a long entry about the family's week" in text


@pytest.mark.parametrize("word", [
    "https://www.example.org/early-help/family-hub/referrals/2026/very-long-path-without-any-spaces-at-all/index.html",
    "a.very.long.email.address.for.the.family.support.worker@example.org",
])
def test_a_long_word_wraps_inside_its_cell(word: str) -> None:
    from reportlab.platypus import Table

    from formgen.documents.pdf_layout import StyleBook, table_flowable

    doc = new_document()
    widths = [3.0, 3.0]
    t = table(doc, widths)
    add_row(t, ["Link", word], widths)
    flowable = table_flowable(t._tbl, doc._body, StyleBook(doc), 500)
    assert isinstance(flowable, Table)
    width, _ = flowable.wrap(500, 1000)
    assert width <= Cm(6).pt + 0.1  # the table keeps its 6 cm (twips rounding)
    pdf = layout_pdf(doc, META)
    assert squash(pdf_reader(pdf).pages[0].extract_text() or "").replace(" ", "").find(word) >= 0


def test_a_row_split_over_a_page_goes_on_at_the_top_of_the_next() -> None:
    """reportlab starts the rest of a split paragraph with an empty line; Word does not."""
    from tools.docx_drafting import label_table

    doc = new_document()
    label_table(doc, [("Summary", "\n".join(f"Line {i} of the summary" for i in range(90)))])
    reader = pdf_reader(layout_pdf(doc, META))
    assert len(reader.pages) > 1
    page = reader.pages[1]
    top = float(page.mediabox.top) - Cm(1.8).pt  # the template's top margin
    baselines: list[float] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.startswith("Line"):
            baselines.append(float(tm[5]) * float(cm[3]) + float(cm[5]))

    page.extract_text(visitor_text=visit)
    assert baselines and top - max(baselines) < 11.5  # the first line, not a blank one, is at the top


def _bookmark_pages(content: bytes) -> dict[str, int]:
    reader = pdf_reader(content)
    found: dict[str, int] = {}

    def visit(outline: list[Any]) -> None:
        for item in outline:
            if isinstance(item, list):
                visit(item)
            else:
                found.setdefault(str(item.title), reader.get_destination_page_number(item))

    visit(reader.outline)
    return found


def _page_of(content: bytes, text: str) -> int:
    pages = [i for i, page in enumerate(pdf_reader(content).pages) if squash(text) in squash(page.extract_text() or "")]
    assert pages, text
    return pages[0]


def test_each_agenda_case_bookmark_opens_its_own_page() -> None:
    """The deferred pages (page N of M) once bound every bookmark to page 1."""
    spec = all_forms()[AGENDA]
    pdf = pipeline.render(spec, grown_body(spec, 6), "pdf").content
    cases = {title: page for title, page in _bookmark_pages(pdf).items() if title.startswith("Case ")}
    assert len(cases) == 6 and max(cases.values()) > 0
    for title, page in cases.items():
        assert page == _page_of(pdf, title), title


def test_the_consent_forms_side_2_bookmark_opens_side_2() -> None:
    spec = all_forms()["shropshire-strengthening-families-consent"]
    pdf = pipeline.render(spec, spec.example, "pdf").content
    side_2 = next(title for title in _bookmark_pages(pdf) if title.startswith("Side 2"))
    assert _bookmark_pages(pdf)[side_2] == _page_of(pdf, side_2) > 0


@pytest.mark.parametrize("lines", [25, 40])
def test_a_repeated_header_row_is_only_ever_at_the_top_of_a_page(lines: int) -> None:
    """A row at the foot of a page splits there: the rest of the table, its header row repeated, once
    started in the space left on the same page, so the header row showed mid-page (the Herefordshire
    plan's Wellbeing Plan with long rows)."""
    cell = "\n".join(f"Line {i} of row {{index}}" for i in range(lines))
    reader = pdf_reader(_long_table(6, cell))
    assert len(reader.pages) > 1
    for number, page in enumerate(reader.pages):
        text = page.extract_text() or ""
        assert text.count("Heading two") == 1, f"page {number + 1}"
        body = text.split("Heading two", 1)[1]
        assert "Heading one" not in body, f"page {number + 1}: a header row below the first row"


def test_the_herefordshire_wellbeing_plan_header_row_never_shows_mid_page() -> None:
    spec = all_forms()["herefordshire-eha-step-down-plan"]
    body = dict(spec.example)
    long = "Attendance plan with the school, agreed with Mum, reviewed at each meeting with the attendance lead. " * 9
    body["wellbeing_plan"] = [dict(row, what_needs_to_happen=long[:1000], outcome=long[:900])
                              for row in spec.example["wellbeing_plan"]] * 2
    reader = pdf_reader(pipeline.render(spec, body, "pdf").content)
    for number, page in enumerate(reader.pages):
        text = page.extract_text() or ""
        assert text.count("Achievable timescale") <= 1, f"page {number + 1}"
