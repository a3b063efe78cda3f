"""Word legacy form fields become fillable PDF fields of the same name, pre-filled, on the right page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from helpers import pdf_reader, pdf_text

from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.pdf_fields import field_name, field_path, word_fields
from formgen.documents.pdf_layout import layout_pdf
from tools.docx_drafting import checkbox_field, new_document, page_break_before, table, text_field

META = DocumentMeta(title="Fields", subject="formgen: fields", keywords="test")


def _document(values: dict[str, str] | None = None) -> Any:
    values = values or {}
    doc = new_document()
    doc.add_paragraph("Page one", style="Heading 1")
    t = table(doc, [8.0, 9.4])
    row = t.add_row()
    row.cells[0].paragraphs[0].text = ""
    text_field(row.cells[0].paragraphs[0], "household__0__full_name", values.get("name", "Rhiannon Price"))
    checkbox_field(row.cells[1].paragraphs[0], "statements__agrees_to_share", values.get("ticked", "1"))
    view = doc.add_paragraph("")
    text_field(view, "children__0__view", values.get("view", "A long view\nover two lines"), max_length=600)
    second = doc.add_paragraph("Page two", style="Heading 1")
    page_break_before(second)
    text_field(doc.add_paragraph(""), "household__0__side_2_date", "\u2002" * 5, max_length=10, date=True)
    return doc


def _fields(pdf: bytes) -> dict[str, Any]:
    return pdf_reader(pdf).get_fields() or {}


@pytest.mark.parametrize("path", ["household.0.side_1_date", "statements.agrees_to_share", "carefirst_number"])
def test_field_names_map_back_to_body_paths(path: str) -> None:
    assert "." not in field_name(path)
    assert field_path(field_name(path)) == path


def test_word_fields_are_read_with_their_results_in_order() -> None:
    doc = _document()
    found = [f for p in doc.paragraphs + [c.paragraphs[0] for c in doc.tables[0].rows[0].cells]
             for f in word_fields(p._p)[0]]
    by_name = {f.name: f for f in found}
    assert by_name["household__0__full_name"].value == "Rhiannon Price"
    assert by_name["household__0__full_name"].multiline is False
    assert by_name["children__0__view"].multiline is True
    assert by_name["statements__agrees_to_share"].checked is True
    assert by_name["household__0__side_2_date"].value == ""  # Word's five en spaces mean empty


def test_each_form_field_becomes_a_pdf_field_of_the_same_name_prefilled() -> None:
    fields = _fields(layout_pdf(_document(), META))
    assert fields["household__0__full_name"]["/FT"] == "/Tx"
    assert fields["household__0__full_name"]["/V"] == "Rhiannon Price"
    assert fields["children__0__view"]["/V"] == "A long view\nover two lines"
    assert int(fields["children__0__view"]["/Ff"]) & 4096  # multi-line
    assert fields["statements__agrees_to_share"]["/FT"] == "/Btn"
    assert fields["statements__agrees_to_share"]["/V"] == "/Yes"
    assert fields["household__0__side_2_date"]["/V"] == ""


def test_an_unticked_box_is_off() -> None:
    fields = _fields(layout_pdf(_document({"ticked": "0"}), META))
    assert fields["statements__agrees_to_share"]["/V"] == "/Off"


def test_the_value_is_also_printed_on_the_page() -> None:
    text = pdf_text(layout_pdf(_document(), META))
    assert "Rhiannon Price" in text
    assert "over two lines" in text


def test_fields_sit_on_their_own_page_inside_it() -> None:
    reader = pdf_reader(layout_pdf(_document(), META))
    assert len(reader.pages) == 2
    names = [[annot.get_object()["/T"] for annot in page.get("/Annots", [])] for page in reader.pages]
    assert "household__0__full_name" in names[0]
    assert names[1] == ["household__0__side_2_date"]
    width = float(reader.pages[0].mediabox.width)
    for annot in reader.pages[0]["/Annots"]:
        x1, y1, x2, y2 = (float(v) for v in annot.get_object()["/Rect"])
        assert 0 < x1 < x2 <= width and 0 < y1 < y2


def test_a_value_the_standard_font_cannot_show_keeps_its_value_and_its_print() -> None:
    pdf = layout_pdf(_document({"name": "Łucja Żak"}), META)
    assert _fields(pdf)["household__0__full_name"]["/V"] == "Łucja Żak"
    assert "Łucja Żak" in pdf_text(pdf)


def test_same_fields_give_identical_bytes() -> None:
    assert layout_pdf(_document(), META) == layout_pdf(_document(), META)


def test_a_page_break_before_starts_a_new_page() -> None:
    doc = new_document()
    doc.add_paragraph("One")
    page_break_before(doc.add_paragraph("Two"))
    reader = pdf_reader(layout_pdf(doc, META))
    assert [page.extract_text().strip() for page in reader.pages] == ["One", "Two"]


def test_the_word_document_keeps_real_form_fields() -> None:
    doc = _document()
    raw = io.BytesIO()
    doc.save(raw)
    xml = doc.element.xml
    assert "FORMTEXT" in xml and "FORMCHECKBOX" in xml
    assert 'w:name w:val="household__0__full_name"' in xml


def test_a_row_of_fields_is_as_tall_as_the_same_row_of_text() -> None:
    """Word prints a field's result as text of its paragraph: a row of fields must take no more room in
    the PDF than in Word, or the PDF runs to more pages than the DOCX (the largest consent form, two
    sides in LibreOffice, took three with fields padded round their text)."""
    from docx.oxml.ns import qn

    from formgen.documents.pdf_layout import StyleBook, table_flowable

    doc = new_document()
    widths = [4.0, 9.0, 4.4]
    t = table(doc, widths)
    name = "Maria Llewellyn-Hargreaves attends the weekly family group at the school"  # two lines in 9 cm
    for as_fields in (True, False):
        cells = t.add_row().cells
        cells[0].paragraphs[0].text = "Parent or carer"
        if as_fields:
            text_field(cells[1].paragraphs[0], "household__0__side_2_signature", name)
            checkbox_field(cells[2].paragraphs[0], "household__0__lives_in_household", "1")
        else:
            cells[1].paragraphs[0].text = name
            cells[2].paragraphs[0].text = "Yes"
    tbl = next(doc.element.body.iter(qn("w:tbl")))
    flowable = table_flowable(tbl, doc._body, StyleBook(doc), 493.3)
    flowable.wrap(493.3, 10_000)
    fields_row, text_row = flowable._rowHeights
    assert fields_row == text_row == 2 * 11.5 + 3 + 0.5  # two lines, the cell's space after, the border


def test_a_field_alone_in_its_cell_is_a_box_as_tall_as_its_row_and_its_text_fits_it() -> None:
    """The field takes its text's room in the layout, but its box fills its cell down to the row's foot;
    where the box is only a line tall, its text is set small enough to show whole."""
    import re

    doc = new_document()
    t = table(doc, [8.0, 9.4])
    for label, value in (("Three\nline\nlabel", "Rhiannon Price"), ("One line", "Tomasz Nowak")):
        cells = t.add_row().cells
        cells[0].paragraphs[0].text = label
        text_field(cells[1].paragraphs[0], f"household__{len(t.rows) - 1}__full_name", value)
    page = pdf_reader(layout_pdf(doc, META)).pages[0]
    boxes = {}
    for annotation in page["/Annots"]:
        widget = annotation.get_object()
        _, bottom, _, top = (float(v) for v in widget["/Rect"])
        size = float(re.search(r"([\d.]+) Tf", str(widget["/DA"])).group(1))
        boxes[str(widget["/T"])] = (top - bottom, size)
    tall, tall_size = boxes["household__0__full_name"]
    short, short_size = boxes["household__1__full_name"]
    assert tall > 3 * 11.5 and tall_size == 10  # the row's three lines, the paragraph's own size
    assert short < 15 and 3 + short_size * 1.22 <= short  # a line and the cell's space after
