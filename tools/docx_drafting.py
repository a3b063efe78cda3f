"""Helpers to draft formgen's Word templates with python-docx.

The .docx files in templates/ are the source of each layout and may be edited in Word; these helpers
only made their first drafts reproducibly (see tools/draft_templates.py).
"""

from __future__ import annotations

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

FONT = "Arial"
LABEL_FILL = "E8E8E8"


def _set_font(style, size: float, bold: bool | None = None, italic: bool | None = None) -> None:
    style.font.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    style.font.color.rgb = RGBColor(0, 0, 0)


def new_document(*, landscape: bool = False) -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(1.8))
    section.top_margin = Cm(1.8)
    section.bottom_margin = Cm(1.8)
    section.header_distance = Cm(0.8)
    section.footer_distance = Cm(0.8)

    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, 10)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.0
    # The documents are British English: spell-checking and screen readers follow this.
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "en-GB")
    lang.set(qn("w:bidi"), "ar-SA")
    normal.element.get_or_add_rPr().append(lang)

    title = styles["Title"]
    _set_font(title, 16, bold=True)
    title.paragraph_format.space_before = Pt(0)
    title.paragraph_format.space_after = Pt(4)
    # python-docx's default Title has a bottom border and theme colour; keep it plain.
    ppr = title.element.find(qn("w:pPr"))
    if ppr is not None:
        border = ppr.find(qn("w:pBdr"))
        if border is not None:
            ppr.remove(border)
    for level, size in ((1, 12), (2, 11)):
        heading = styles[f"Heading {level}"]
        _set_font(heading, size, bold=True)
        heading.paragraph_format.space_before = Pt(8)
        heading.paragraph_format.space_after = Pt(3)
        heading.paragraph_format.keep_with_next = True
    for name in ("Header", "Footer"):
        _set_font(styles[name], 8)
        styles[name].paragraph_format.space_after = Pt(0)
    small = styles.add_style("Small", 1)
    small.base_style = normal
    _set_font(small, 8.5, italic=True)
    return doc


def header_footer(doc: DocumentType, header: str, footer: str) -> None:
    section = doc.sections[0]
    hp = section.header.paragraphs[0]
    hp.text = header
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fp = section.footer.paragraphs[0]
    fp.text = footer + " · Page "
    _field(fp, "PAGE")
    fp.add_run(" of ")
    _field(fp, "NUMPAGES")


def _field(paragraph, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def shade(cell: _Cell, fill: str = LABEL_FILL) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def cell_text(cell: _Cell, text: str, *, bold: bool = False) -> None:
    cell.paragraphs[0].text = ""
    run = cell.paragraphs[0].add_run(text)
    run.bold = bold


def table(doc: DocumentType, widths_cm: list[float]) -> Table:
    t = doc.add_table(rows=0, cols=len(widths_cm))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.LEFT
    t.autofit = False
    grid = t._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    return t


def add_row(t: Table, texts: list[str], widths_cm: list[float], *, label_first: bool = False,
            header: bool = False) -> None:
    row = t.add_row()
    for index, (cell, text, width) in enumerate(zip(row.cells, texts, widths_cm, strict=True)):
        cell.width = Cm(width)
        is_label = header or (label_first and index == 0)
        cell_text(cell, text, bold=is_label)
        if is_label:
            shade(cell)
    if header:
        repeat_header(row)


def label_table(doc: DocumentType, rows: list[tuple[str, str]], widths_cm: tuple[float, float] = (5.2, 12.2)) -> Table:
    """Two columns: a shaded label, then the answer. A row ('{%tr ...%}', '') is a loop/condition row."""
    t = table(doc, list(widths_cm))
    for label, value in rows:
        add_row(t, [label, value], list(widths_cm), label_first=not label.startswith("{%tr"))
    return t


def grid_table(doc: DocumentType, headings: list[str], cells: list[str], widths_cm: list[float], loop: str) -> Table:
    """A header row repeated across pages, then one row per item of `loop` ('m in members')."""
    t = table(doc, widths_cm)
    add_row(t, headings, widths_cm, header=True)
    add_row(t, [f"{{%tr for {loop} %}}"] + [""] * (len(widths_cm) - 1), widths_cm)
    add_row(t, cells, widths_cm)
    add_row(t, ["{%tr endfor %}"] + [""] * (len(widths_cm) - 1), widths_cm)
    return t
