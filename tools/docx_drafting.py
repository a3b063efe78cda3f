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
    # A theme font (python-docx's Title and Heading styles carry them) wins over w:ascii in Word and
    # LibreOffice: the headings would print in the theme's Calibri Light, not Arial, and every heading
    # would be taller than the PDF's (docs/fidelity.md).
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    # Nor may a style stretch its letters (python-docx's Title has 0.25 pt character spacing).
    for tag in ("w:spacing", "w:kern"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
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
    # clear(), not `.text = ""`: python-docx writes an empty <w:r/> for "", one in every cell of every
    # template, which every fill parsed and saved and every PDF layout read for nothing.
    cell.paragraphs[0].clear()
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


# Word legacy form fields (FORMTEXT, FORMCHECKBOX): fillable in Word, and laid out as fillable PDF
# fields of the same name (formgen/documents/pdf_fields.py). Names and values may be Jinja expressions.

def _form_field(paragraph, ff_children: list, instr: str, result: str | None) -> None:
    def run_with(child) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    ff = OxmlElement("w:ffData")
    for child in ff_children:
        ff.append(child)
    begin.append(ff)
    run_with(begin)
    instr_el = OxmlElement("w:instrText")
    instr_el.set(qn("xml:space"), "preserve")
    instr_el.text = f" {instr} "
    run_with(instr_el)
    if result is not None:
        sep = OxmlElement("w:fldChar")
        sep.set(qn("w:fldCharType"), "separate")
        run_with(sep)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = result
        run_with(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _ff_el(tag: str, value: str | None = None, attr: str = "w:val"):
    el = OxmlElement(tag)
    if value is not None:
        el.set(qn(attr), value)
    return el


def _ff_head(name: str, tooltip: str | None) -> list:
    head = [_ff_el("w:name", name), _ff_el("w:enabled"), _ff_el("w:calcOnExit", "0")]
    if tooltip:
        status = _ff_el("w:statusText", tooltip)
        status.set(qn("w:type"), "text")
        head.append(status)
    return head


def text_field(paragraph, name: str, value: str, *, max_length: int = 100, date: bool = False,
               tooltip: str | None = None) -> None:
    """A FORMTEXT field named `name` whose result (shown value) is `value`. Over 200 characters: multi-line."""
    text_input = OxmlElement("w:textInput")
    if date:
        text_input.append(_ff_el("w:type", "date"))
    text_input.append(_ff_el("w:maxLength", str(max_length)))
    if date:
        text_input.append(_ff_el("w:format", "dd/MM/yyyy"))
    _form_field(paragraph, [*_ff_head(name, tooltip), text_input], "FORMTEXT", value)


def checkbox_field(paragraph, name: str, checked: str, *, tooltip: str | None = None) -> None:
    """A FORMCHECKBOX field named `name`; `checked` is "1"/"0" or an expression giving 1 or 0."""
    box = OxmlElement("w:checkBox")
    box.append(_ff_el("w:sizeAuto"))
    box.append(_ff_el("w:default", checked))
    _form_field(paragraph, [*_ff_head(name, tooltip), box], "FORMCHECKBOX", None)


def page_break_before(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(OxmlElement("w:pageBreakBefore"))


def protect_for_forms(doc: DocumentType) -> None:
    """Word lets a reader fill the form fields only (no password: a guard against slips, not a lock)."""
    settings = doc.settings.element
    protection = OxmlElement("w:documentProtection")
    protection.set(qn("w:edit"), "forms")
    protection.set(qn("w:enforcement"), "1")
    # CT_Settings is a sequence: w:documentProtection comes after w:proofState, before w:defaultTabStop.
    later = settings.find(qn("w:defaultTabStop"))
    if later is not None:
        later.addprevious(protection)
    else:
        settings.append(protection)


_STYLE_REFS = ("w:pStyle", "w:rStyle", "w:tblStyle", "w:numStyleLink", "w:styleLink")
_STYLE_CHAIN = ("w:basedOn", "w:link", "w:next")


def lean(doc: DocumentType) -> DocumentType:
    """Drop what python-docx's default template carries and the document never uses.

    The default template brings ~350 KB of styles (most of Word's built-in set, and their latent
    definitions) and a 438 KB stylesWithEffects part: every render of the template re-saves them, which
    cost more than the rest of the DOCX. Word and LibreOffice rebuild built-in styles on demand, so a
    template keeps only the styles its text uses (and what those are based on) and the defaults.
    """
    styles_el = doc.styles.element
    parts = [doc.part.element] + [s.header.part.element for s in doc.sections] + [s.footer.part.element for s in doc.sections]
    numbering = doc.part.numbering_part.element if _has_numbering(doc) else None
    if numbering is not None:
        parts.append(numbering)
    used = {el.get(qn("w:val")) for part in parts for tag in _STYLE_REFS for el in part.iter(qn(tag))}
    by_id = {s.get(qn("w:styleId")): s for s in styles_el.findall(qn("w:style"))}
    used |= {sid for sid, s in by_id.items() if s.get(qn("w:default")) in ("1", "true")}
    pending = list(used)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in _STYLE_CHAIN:
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in used:
                used.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in used:
            styles_el.remove(style)
    for latent in styles_el.findall(qn("w:latentStyles")):
        styles_el.remove(latent)
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
    return doc


def _has_numbering(doc: DocumentType) -> bool:
    try:
        doc.part.numbering_part  # noqa: B018 - python-docx raises when there is none
    except NotImplementedError:
        return False
    return True
