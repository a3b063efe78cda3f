"""Fillable PDF fields from Word legacy form fields (FORMTEXT, FORMCHECKBOX).

A template marks a fillable place with a real Word form field (`w:fldChar` holding `w:ffData` with a
`w:name`), so the DOCX is fillable in Word. When the filled document is laid out, each such paragraph
becomes a FieldFlowable: it prints the field's value in the page content (so the text is there when
printed or read by a screen reader or text extractor), and records where the field sits. When each
page is finally written (formgen.documents.pdf_layout._PageCanvas), `place_fields` puts an AcroForm field of the
same name over that spot, pre-filled with the same value, sized to its table cell.

Field names are body paths with `__` for `.` (`household.0.side_1_date` -> `household__0__side_1_date`):
a period cannot appear in a PDF field's partial name, nor in a Word bookmark. formgen/documents/extract.py reads
them back into a body.
"""

from __future__ import annotations

# Before any reportlab import: scripts installs reportlab's right-to-left hook (see formgen/documents/scripts.py).
from formgen.documents import scripts

# isort: split

from dataclasses import dataclass
from typing import Any, Literal

from docx.oxml.ns import qn
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfdoc import PDFString
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from formgen.documents.fonts import BODY_FONT, FIELD_FONT_KEY, field_font
from formgen.documents.tagging import Element, Tagged, printed_as_read

SEPARATOR = "__"
# A Word text field allowing more than this many characters is laid out as a multi-line box.
MULTILINE_OVER = 200
MULTILINE_ROWS = 4
# The font the AcroForm appearance uses: one of the PDF standard fonts, which every viewer has.
FIELD_FONT = "Helvetica"
_PENDING = "_formgen_fields"
_ANNOTATIONS = "_formgen_annotations"
_FIRST_ANNOTATION = 100_000


def field_name(path: str) -> str:
    """The PDF (and Word) field name for a body path."""
    return path.replace(".", SEPARATOR)


def field_path(name: str) -> str:
    """The body path a field name stands for."""
    return name.replace(SEPARATOR, ".")


@dataclass(frozen=True)
class WordField:
    """One legacy form field found in a filled Word paragraph."""

    kind: Literal["text", "checkbox"]
    name: str
    value: str = ""
    checked: bool = False
    multiline: bool = False
    tooltip: str | None = None


def _val(el: Any, path: str) -> str | None:
    found = el.find(path)
    return None if found is None else found.get(qn("w:val"))


def _word_field(ff: Any) -> WordField | None:
    name = _val(ff, qn("w:name"))
    if not name:
        return None
    tooltip = _val(ff, qn("w:statusText")) or _val(ff, qn("w:helpText"))
    box = ff.find(qn("w:checkBox"))
    if box is not None:
        state = _val(box, qn("w:checked"))
        if state is None:
            state = _val(box, qn("w:default"))
        return WordField("checkbox", name, checked=state in ("1", "true", "on"), tooltip=tooltip)
    limit = _val(ff, f"{qn('w:textInput')}/{qn('w:maxLength')}")
    multiline = limit is None or int(limit) > MULTILINE_OVER
    return WordField("text", name, multiline=multiline, tooltip=tooltip)


_W_FFDATA = qn("w:ffData")


def has_form_field(p: Any) -> bool:
    """Whether a Word paragraph (w:p element) holds a legacy form field."""
    return next(p.iter(_W_FFDATA), None) is not None  # a walk at C speed: ElementPath's .// costs more


def word_fields(p: Any) -> tuple[list[WordField], str]:
    """The form fields of a paragraph in order (text fields with their result), and its other text."""
    found: list[WordField] = []
    other: list[str] = []
    current: WordField | None = None
    in_result = False
    result: list[str] = []
    for r in p.iter(qn("w:r")):
        fld = r.find(qn("w:fldChar"))
        if fld is not None:
            kind = fld.get(qn("w:fldCharType"))
            if kind == "begin":
                ff = fld.find(qn("w:ffData"))
                current = _word_field(ff) if ff is not None else None
                in_result, result = False, []
            elif kind == "separate":
                in_result = True
            elif kind == "end":
                if current is not None:
                    if current.kind == "text":
                        value = "".join(result).strip("\u2002 ")
                        current = WordField("text", current.name, value=value, multiline=current.multiline,
                                            tooltip=current.tooltip)
                    found.append(current)
                current, in_result = None, False
            continue
        if r.find(qn("w:instrText")) is not None:
            continue
        texts = [node.text or "" if node.tag == qn("w:t") else "\n"
                 for node in r.iter(qn("w:t"), qn("w:br"))]
        if current is not None and in_result:
            result.extend(texts)
        elif current is None:
            other.extend(texts)
    return found, "".join(other)


def _pdf_text(value: str) -> bool:
    """Whether the standard-font appearance can show this value (WinAnsi covers Latin-1)."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class _Placed:
    field: WordField
    x: float
    y: float
    width: float
    height: float
    font_size: float
    element: Element | None = None
    label: str | None = None


def _style_for(style: ParagraphStyle, text: str) -> ParagraphStyle:
    shaping, bidi = scripts.style_flags(text)
    return scripts.text_style(style, text, shaping, bidi) if shaping or bidi else style


class _Paragraph(Tagged, scripts.BidiParagraph):
    """The text of a field's paragraph beside its fields, tagged as a paragraph."""


class FieldFlowable(Tagged, Flowable):
    """A fillable box (or tick box) as wide as its cell; its value is printed underneath.

    Tagged, it is a Form element: the printed value is its marked content and the widget its object
    reference, so a screen reader finds the field where the Word document has it.
    """

    # The field's name spoken by a screen reader (/TU) when more than its tooltip: the words that
    # label it in its table row (name_fields).
    context: str | None = None
    # The foot of its table cell, where it is alone in one (pdf_layout._WordTable): the
    # box reaches down to it, as tall as its row, though the field itself takes only its text's room.
    cell_floor: float | None = None

    def __init__(self, field: WordField, style: ParagraphStyle) -> None:
        super().__init__()
        self.field = field
        self.style = style
        self._para: Paragraph | None = None
        self._para_height = 0.0
        self.spaceBefore = style.spaceBefore
        self.spaceAfter = style.spaceAfter
        self._below = 0.0  # room for the box under the field (drawOn)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        # As tall as the field's text in the DOCX (Word prints a field's result as text of its paragraph),
        # so a row of fields is as tall in the PDF as in Word: a box padded round its text made the
        # largest consent form a page longer than LibreOffice's (docs/fidelity.md).
        style = self.style
        if self.field.kind == "checkbox":
            self.width = self.height = round(min(style.fontSize * 1.3, style.leading), 2)
            return self.width, self.height
        self.width = availWidth
        rows = MULTILINE_ROWS if self.field.multiline else 1
        if self.field.value:
            # Printed with the body's font fallback and shaping, so any script shows under the box.
            markup = scripts.markup(self.field.value, BODY_FONT).replace("\n", "<br/>")
            self._para = scripts.BidiParagraph(markup, _style_for(style, self.field.value))
            _, self._para_height = self._para.wrap(availWidth, availHeight)
        # An empty multi-line field keeps room to write in (Word shows one line: the PDF is taller only then).
        self.height = max(self._para_height, (1 if self.field.value else rows) * style.leading)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 - reportlab's names
        # Room below the field for its box: down to its cell's foot, or over its paragraph's space after.
        self._below = max(y - self.cell_floor, 0.0) if self.cell_floor is not None else self.spaceAfter
        if self._para is None:  # a tick box prints nothing: its Form element holds only the widget
            Flowable.drawOn(self, canvas, x, y, _sW)
            return
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        canvas = self.canv
        if self._para is not None:
            self._para.drawOn(canvas, 0, self.height - self._para_height)
        x, y = canvas.absolutePosition(0, 0)
        pending: list[_Placed] = canvas.__dict__.setdefault(_PENDING, [])
        if self.field.kind == "checkbox":
            pending.append(_Placed(self.field, x, y, self.width, self.height, self.style.fontSize,
                                   self._element, self.context))
            return
        height = self.height + self._below
        pending.append(_Placed(self.field, x, y - (height - self.height), self.width, height,
                               min(self.style.fontSize, 12), self._element, self.context))


def field_flowables(p: Any, style: ParagraphStyle, parent: Element | None = None) -> list[Flowable]:
    """The flowables of a paragraph holding form fields: its other text first, then each field.

    With a structure element to go in, the other text is a P and each field a Form element.
    """
    found, other = word_fields(p)
    out: list[Flowable] = []
    if other.strip():
        text = _Paragraph(scripts.markup(other, BODY_FONT).replace("\n", "<br/>"), _style_for(style, other))
        if parent is not None:
            text._element = parent.add("P")
            if not printed_as_read(other, BODY_FONT):
                text._element.actual_text = other
        out.append(text)
    for field in found:
        flowable = FieldFlowable(field, style)
        if parent is not None:
            flowable._element = parent.add("Form")
            if not printed_as_read(field.value, BODY_FONT):
                flowable._element.actual_text = field.value
        out.append(flowable)
    return out


def _flowable_text(flowable: Any) -> str:
    if isinstance(flowable, FieldFlowable):
        return ""
    text = getattr(flowable, "text", None)  # a reportlab Paragraph's text, without markup
    return text if isinstance(text, str) else ""


def name_fields(row: list[Any], has_header_row: bool) -> None:
    """Give the fields of a table row without column headers the words of the rest of the row as part
    of their spoken name: a tick box beside a statement is named by the statement."""
    if has_header_row:
        return
    cells = [cell if isinstance(cell, list) else [] for cell in row]
    fields = [flowable for cell in cells for flowable in cell if isinstance(flowable, FieldFlowable)]
    if not fields:
        return
    for cell in cells:
        if any(isinstance(flowable, FieldFlowable) for flowable in cell):
            continue
        words = " ".join(part for part in (_flowable_text(f).strip() for f in cell) if part)
        for field in fields:
            field.context = f"{field.context} {words}" if field.context else words


def spoken_name(field: WordField, context: str | None) -> str:
    """/TU: what a screen reader says for the field: its Word help text, then what labels it in its row,
    else its name in words (a body path reads as words: household 0 side 1 date)."""
    parts = [part for part in (field.tooltip, context) if part]
    if parts:
        return ": ".join(parts)
    return " ".join(field_path(field.name).replace(".", " ").replace("_", " ").split())


def start_page(canvas: Canvas) -> None:
    """Forget the fields recorded for the page just finished (its state keeps its own list)."""
    canvas.__dict__[_PENDING] = []


def place_fields(canvas: Canvas) -> None:
    """Create the AcroForm fields recorded for the page being written now."""
    pending: list[_Placed] = canvas.__dict__.get(_PENDING) or []
    if not pending:
        return
    form = canvas.acroForm
    # Each replayed page restores its own annotation count; number the fields' widgets apart from
    # any annotation made during layout so no two share a name.
    saved_count = canvas._annotationCount
    canvas._annotationCount = canvas._doc.__dict__.setdefault(_ANNOTATIONS, _FIRST_ANNOTATION)
    structure = getattr(canvas, "structure", None)
    if structure is not None:
        _embed_field_font(form)
    for placed in pending:
        field = placed.field
        common: dict[str, Any] = {
            "name": field.name, "x": placed.x, "y": placed.y, "tooltip": spoken_name(field, placed.label),
            "borderWidth": 0.75, "borderColor": colors.black, "textColor": colors.black,
        }
        if field.kind == "checkbox":
            form.checkbox(checked=field.checked, buttonStyle="check", shape="square", size=placed.width,
                          fillColor=colors.white, fieldFlags="", **common)
            _tag_widget(canvas, structure, placed, form.fields[-1])
            continue
        shown = _pdf_text(field.value)
        size, appearance = _appearance(field, placed, shown)
        # A value the standard font cannot show is left to the page text underneath: the box is
        # then transparent and its own appearance blank. /V always holds the value itself.
        common.update(x=placed.x + 0.5, y=placed.y + 1)
        form.textfield(value=appearance if shown else "", width=placed.width - 1, height=placed.height - 2,
                       fillColor=colors.white if shown else None, fontName=FIELD_FONT,
                       fontSize=size, maxlen=0,
                       fieldFlags="multiline" if field.multiline else "", **common)
        if appearance != field.value or not shown:
            widget = canvas._doc.idToObject[form.fields[-1].name]
            widget.dict["V"] = widget.dict["DV"] = PDFString(field.value)
        _tag_widget(canvas, structure, placed, form.fields[-1])
    canvas._doc.__dict__[_ANNOTATIONS] = canvas._annotationCount
    canvas._annotationCount = saved_count
    canvas.__dict__[_PENDING] = []


def _appearance(field: WordField, placed: _Placed, shown: bool) -> tuple[float, str]:
    """The box's font size and the text it shows: the paragraph's size (at most 12 pt), made smaller
    until the lines fit the box, which is only as tall as the field's room in the DOCX (reportlab sets
    the first line 1.5 pt under the box's top, 1.2 sizes apart, clipped 1.5 pt in from its edges)."""
    size = placed.font_size
    while True:
        appearance = field.value
        if field.multiline and shown:
            # reportlab's appearance does not wrap: break the lines as a viewer would.
            appearance = "\n".join(
                line for para in field.value.split("\n")
                for line in simpleSplit(para, FIELD_FONT, size, placed.width - 6) or [""]
            )
        lines = appearance.count("\n") + 1
        if size <= 6 or placed.height - 2 >= 3 + size * (1.22 + 1.2 * (lines - 1)):
            return size, appearance
        size -= 0.5


def _tag_widget(canvas: Canvas, structure: Any, placed: _Placed, ref: Any) -> None:
    """The widget is the Form element's object: it points back at it with /StructParent."""
    if structure is None or placed.element is None:
        return
    structure.annotation(canvas, placed.element, ref, canvas._doc.idToObject[ref.name])


def _embed_field_font(form: Any) -> None:
    """Fields' appearances in an embedded font (PDF/A), not the standard Helvetica reportlab names:
    reportlab's AcroForm takes only the 14 standard fonts, so its font lookup is answered here."""
    if FIELD_FONT_KEY in form.fonts:
        return
    ref = form.getRefStr(field_font(form.canv._doc))
    form.fonts[FIELD_FONT_KEY] = ref
    form.makeFont = lambda _name: (ref, FIELD_FONT_KEY)
