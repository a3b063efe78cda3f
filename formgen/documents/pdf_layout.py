"""Lay out a filled Word document as a PDF with reportlab.

The filled python-docx Document is read in memory (page setup, paragraphs, runs, tables, styles,
header and footer) and each part becomes a platypus flowable, so the PDF carries the same text in the
same order as the DOCX, and a template edited in Word changes both.
"""

from __future__ import annotations

# First: formgen.documents.scripts gives reportlab its bidi module, which must be there before reportlab's text
# object is imported (see formgen/documents/scripts.py).
from formgen.documents import scripts

# isort: split

import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.styles.style import ParagraphStyle as DocxParagraphStyle
from docx.text.paragraph import Paragraph as DocxParagraph
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfdoc import Destination, PDFObjectReference
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.paragraph import _wsc as _reportlab_whitespace
from reportlab.platypus.paragraph import cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser
from reportlab.platypus.tables import CellStyle

from formgen.documents import embed, pdf_fields, pdfa
from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.fonts import BODY_FONT, pdf_font_for, register_fonts
from formgen.documents.tagging import ArtifactRules, Element, StructureTree, Tagged, artifact, printed_as_read

# Word's "single" line spacing for Arial/Liberation Sans: ascent + descent + line gap of the font.
LINE_HEIGHT = 1.15
# Word's default table cell margins: 0.19 cm left and right, none above and below.
CELL_PAD_X = 5.4
TWIP = 1 / 20
# Table Grid's borders: w:sz 4 (eighths of a point). Word adds one border's width to each row's height.
BORDER = 0.5

_ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: TA_CENTER,
    WD_ALIGN_PARAGRAPH.RIGHT: TA_RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY: TA_JUSTIFY,
}


# Paths looked up for every paragraph, row or cell, made once.
_P_JC = f"{qn('w:pPr')}/{qn('w:jc')}"
# A paragraph's own alignment (w:jc): start and end as in a left-to-right paragraph.
_JC = {"left": TA_LEFT, "start": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "end": TA_RIGHT,
       "both": TA_JUSTIFY, "distribute": TA_JUSTIFY}
_P_STYLE = f"{qn('w:pPr')}/{qn('w:pStyle')}"
_PAGE_BREAK_BEFORE = f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}"
_TC_SHADING = f"{qn('w:tcPr')}/{qn('w:shd')}"
_TC_GRID_SPAN = f"{qn('w:tcPr')}/{qn('w:gridSpan')}"
_TR_HEADER = f"{qn('w:trPr')}/{qn('w:tblHeader')}"
_W_TR, _W_TC, _W_FILL, _W_P, _W_TBL = qn("w:tr"), qn("w:tc"), qn("w:fill"), qn("w:p"), qn("w:tbl")
_W_PPR, _W_PSTYLE, _W_JC, _W_PAGE_BREAK_BEFORE = qn("w:pPr"), qn("w:pStyle"), qn("w:jc"), qn("w:pageBreakBefore")
_W_TCPR, _W_SHD, _W_GRID_SPAN = qn("w:tcPr"), qn("w:shd"), qn("w:gridSpan")


def _child(el: Any, tag: str) -> Any:
    """el.find(tag), its first child with that tag, found at C speed (lxml's find goes through ElementPath)."""
    for child in el.iterchildren(tag):
        return child
    return None


def _properties(el: Any, tag: str = _W_PPR) -> dict[Any, Any]:
    """An element's own properties (the children of its w:pPr, w:tcPr... by tag, the first of each), read
    in one pass: each path looked up on its own (style, alignment, page break) cost more than this."""
    found: dict[Any, Any] = {}
    pr = _child(el, tag)
    if pr is not None:
        for child in pr:
            found.setdefault(child.tag, child)
    return found


def _inherited(style: Any, getter: Any) -> Any:
    """A style property, looked up through the style's base styles as Word does."""
    while style is not None:
        value = getter(style)
        if value is not None:
            return value
        style = style.base_style
    return None


def _widow_control(ppr: Any) -> bool | None:
    """A paragraph property's w:widowControl (None where it does not say)."""
    el = ppr.find(qn("w:widowControl")) if ppr is not None else None
    return None if el is None else el.get(_W_VAL) not in _OFF


class StyleBook:
    """reportlab styles for the Word styles of one template, made on first use.

    Styles are found by the paragraph's style id straight from its XML: python-docx's own lookup
    scans every latent style on each call and cost more than the whole layout.
    """

    def __init__(self, document: Document) -> None:
        self._styles: dict[str | None, ParagraphStyle] = {}
        self._variants: dict[tuple[str, bool, bool], ParagraphStyle] = {}
        self._aligned: dict[tuple[str, int], ParagraphStyle] = {}
        self._by_id: dict[str, DocxParagraphStyle] = {}
        self._names: dict[str | None, str] = {}
        default_id = None
        for style in document.styles:
            if style.type == 1:  # paragraph styles
                self._by_id[style.style_id] = style  # type: ignore[assignment]
                if style.element.get(qn("w:default")) in ("1", "true"):
                    default_id = style.style_id
        self._default_id = default_id
        defaults = document.styles.element.find(qn("w:docDefaults"))
        size = None
        if defaults is not None:
            sz = defaults.find(".//" + qn("w:sz"))
            if sz is not None:
                size = int(sz.get(qn("w:val"))) / 2
        self._default_size = size or 10.0
        # Widow control is on unless a style turns it off (w:widowControl w:val="0"): Word's default, and
        # LibreOffice's reading of a DOCX that does not say.
        control = _widow_control(defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}") if defaults is not None else None)
        self._default_widows = control is not False

    def style_id(self, p: Any, props: dict[Any, Any] | None = None) -> str | None:
        """The paragraph's style id; `props` its properties where already read (_properties)."""
        el = p.find(_P_STYLE) if props is None else props.get(_W_PSTYLE)
        return el.get(_W_VAL) if el is not None else self._default_id

    def name(self, style_id: str | None) -> str:
        """The Word style's name ("Heading 1"), read once: python-docx reads it from the XML on each call."""
        found = self._names.get(style_id)
        if found is None:
            docx_style = self.docx_style(style_id)
            found = self._names[style_id] = docx_style.name or "" if docx_style is not None else ""
        return found

    def docx_style(self, style_id: str | None) -> DocxParagraphStyle | None:
        return self._by_id.get(style_id or "") or self._by_id.get(self._default_id or "")

    def get(self, style_id: str | None) -> ParagraphStyle:
        found = self._styles.get(style_id)
        if found is None:
            style = self.docx_style(style_id)
            found = self._make(style, style.name if style is not None else "Normal")
            self._styles[style_id] = found
        return found

    def _make(self, style: DocxParagraphStyle | None, name: str) -> ParagraphStyle:
        size = _inherited(style, lambda s: s.font.size)
        size_pt = size.pt if size is not None else self._default_size
        bold = bool(_inherited(style, lambda s: s.font.bold))
        italic = bool(_inherited(style, lambda s: s.font.italic))
        font = pdf_font_for(_inherited(style, lambda s: s.font.name))
        before = _inherited(style, lambda s: s.paragraph_format.space_before)
        after = _inherited(style, lambda s: s.paragraph_format.space_after)
        align = _inherited(style, lambda s: s.paragraph_format.alignment)
        keep = _inherited(style, lambda s: s.paragraph_format.keep_with_next)
        widows = _inherited(style, lambda s: _widow_control(s.element.pPr))
        if widows is None:
            widows = self._default_widows
        color = _inherited(style, lambda s: s.font.color.rgb if s.font.color and s.font.color.type else None)
        face = {(False, False): font, (True, False): f"{font}-Bold", (False, True): f"{font}-Italic",
                (True, True): f"{font}-BoldItalic"}[(bold, italic)]
        made = ParagraphStyle(
            name=name,
            fontName=face,
            fontSize=size_pt,
            leading=size_pt * LINE_HEIGHT,
            spaceBefore=before.pt if before is not None else 0,
            spaceAfter=after.pt if after is not None else 0,
            alignment=_ALIGN.get(align, TA_LEFT),
            # Not reportlab's keepWithNext: that keeps a heading with the whole of a long table after it
            # and leaves most of a page blank. paragraph_flowables keeps it as Word does.
            keepWithNext=0,
            textColor=colors.HexColor(f"#{color}") if color is not None else colors.black,
            splitLongWords=1,
            # Word and LibreOffice end a line after a hyphen inside a word ("step-" / "down") where the
            # whole word does not fit; reportlab moved the whole word down. Its embedded hyphenation
            # breaks where the word has a hyphen and nowhere else (no dictionary hyphenation).
            embeddedHyphenation=1,
            # Word and LibreOffice never squeeze the spaces of a line to fit one more word in; reportlab
            # would (by 5% of each space), setting lines a word longer than the DOCX's.
            spaceShrinkage=0,
            # A paragraph's last line never starts a page alone where widow control is on; its first line
            # never ends a page alone in LibreOffice even where it is off (measured: test_pagination.py).
            # In a table cell neither holds (_CellParagraph).
            allowWidows=0 if widows else 1,
            allowOrphans=0,
        )
        made.keep_with_next = bool(keep)  # type: ignore[attr-defined]
        return made

    def for_paragraph(self, p: Any, props: dict[Any, Any] | None = None) -> ParagraphStyle:
        """The paragraph's style, aligned as the paragraph itself says where it does (w:jc), as Word does."""
        style = self.get(self.style_id(p, props))
        jc = p.find(_P_JC) if props is None else props.get(_W_JC)
        align = _JC.get(jc.get(_W_VAL) or "") if jc is not None else None
        if align is None or align == style.alignment:
            return style
        variant = self._aligned.get((style.name, align))
        if variant is None:
            variant = ParagraphStyle(f"{style.name} ({align})", parent=style, alignment=align)
            variant.keep_with_next = getattr(style, "keep_with_next", False)  # type: ignore[attr-defined]
            self._aligned[(style.name, align)] = variant
        return variant

    def for_text(self, style: ParagraphStyle, text: str) -> ParagraphStyle:
        """`style`, or a variant of it that shapes (Arabic, Indic scripts) or reorders (right to left)."""
        # Right to left: each line is reordered when drawn (scripts.BidiParagraph), the paragraph's base
        # direction staying left to right as in the DOCX, where runs, not paragraphs, are marked RTL.
        shaping, bidi = scripts.style_flags(text)
        if not shaping and not bidi:
            return style
        key = (style.name, shaping, bidi)
        variant = self._variants.get(key)
        if variant is None:
            variant = scripts.text_style(style, text, shaping, bidi)
            self._variants[key] = variant
        return variant


_W_R, _W_HYPERLINK = qn("w:r"), qn("w:hyperlink")
_RUN_TEXT_TAGS = tuple(qn(f"w:{tag}") for tag in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))


_W_T = qn("w:t")
_RUN_TEXT_TAG_SET = frozenset(_RUN_TEXT_TAGS)


def _read_runs(p: Any) -> list[tuple[Any, str, Any]]:
    """Each run of a paragraph (p.iter(w:r), as python-docx's Paragraph.runs reads them and deeper ones)
    with its text (as _run_text) and its properties (w:rPr), in one pass over each run's children."""
    read = []
    for r in p.iter(_W_R):
        parts = []
        rpr = None
        for child in r:
            tag = child.tag
            if tag == _W_T:
                parts.append(child.text or "")
            elif tag in _RUN_TEXT_TAG_SET:
                parts.append(str(child))
            elif tag == _W_RPR and rpr is None:
                rpr = child
        read.append((r, "".join(parts), rpr))
    return read


def _run_text(r: Any) -> str:
    """python-docx's Run.text, without compiling an XPath on every call (the costliest step in a layout).
    A w:t's own text is read straight from lxml (python-docx's str() of it says the same, more slowly)."""
    return "".join((child.text or "") if child.tag == _W_T else str(child)
                   for child in r.iterchildren(*_RUN_TEXT_TAGS))


def _paragraph_text(p: Any) -> str:
    """python-docx's Paragraph.text (its runs, and the runs of its hyperlinks), without XPath."""
    return "".join(
        _run_text(child) if child.tag == _W_R else "".join(_run_text(r) for r in child.iterchildren(_W_R))
        for child in p.iterchildren(_W_R, _W_HYPERLINK)
    )


_W_RPR, _W_B, _W_I, _W_U, _W_VAL = qn("w:rPr"), qn("w:b"), qn("w:i"), qn("w:u"), qn("w:val")
_OFF = ("0", "false", "off")


def run_emphasis(r: Any) -> tuple[bool, bool, bool]:
    """(bold, italic, underlined) as python-docx's Run.bold, .italic and .underline read them, from the
    run's own properties, without building python-docx's element proxies for every run."""
    return _emphasis(r.find(_W_RPR))


def _emphasis(rpr: Any) -> tuple[bool, bool, bool]:
    """run_emphasis from a run's w:rPr (or None)."""
    if rpr is None:
        return False, False, False
    b = i = u = None
    for child in rpr:  # one pass: three finds cost four times as much
        tag = child.tag
        if tag == _W_B:
            b = child if b is None else b
        elif tag == _W_I:
            i = child if i is None else i
        elif tag == _W_U:
            u = child if u is None else u
    underline = u is not None and u.get(_W_VAL) not in (None, "none")
    return (b is not None and b.get(_W_VAL) not in _OFF), (i is not None and i.get(_W_VAL) not in _OFF), underline


def _text_markup(text: str) -> str:
    """A run's text as markup: each character in a font that has it (fallback fonts for other scripts:
    formgen/documents/scripts.py), line breaks and tabs as reportlab draws them."""
    markup = scripts.markup(text, BODY_FONT)
    if "\n" in markup or "\t" in markup:
        markup = markup.replace("\n", "<br/>").replace("\t", "&nbsp;&nbsp;&nbsp;&nbsp;")
    return markup


def _emphasised(markup: str, emphasis: tuple[bool, bool, bool]) -> str:
    bold, italic, underline = emphasis
    if bold:
        markup = f"<b>{markup}</b>"
    if italic:
        markup = f"<i>{markup}</i>"
    if underline:
        markup = f"<u>{markup}</u>"
    return markup


_EMPHASIS_TAGS = ((0, "b"), (1, "i"), (2, "u"))
_NO_EMPHASIS = (False, False, False)
_frag_templates: dict[tuple[ParagraphStyle, tuple[bool, bool, bool]], tuple[Any, Any]] = {}
# What the run markup holds besides text (_text_markup, scripts.markup): escaped characters and line breaks.
# The parser hands each entity to its own handle_data, so each is a fragment of its own.
_MARKUP_TOKEN = re.compile("(&amp;|&lt;|&gt;|&nbsp;|<br/>)")
_ENTITY_TEXT = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\xa0"}


def _frag_template(style: ParagraphStyle, emphasis: tuple[bool, bool, bool]) -> tuple[Any, Any]:
    """The fragments reportlab's parser makes of a run's text and of a line break (<br/>) in `style`
    with `emphasis`, parsed once."""
    key = (style, emphasis)
    found = _frag_templates.get(key)
    if found is None:
        markup = "x<br/>"
        for index, tag in _EMPHASIS_TAGS:
            if emphasis[index]:
                markup = f"<{tag}>{markup}</{tag}>"
        parser = ParaParser()
        parser.caseSensitive = 1
        text, line_break = parser.parse(markup, style)[1]
        found = _frag_templates[key] = (text, line_break)
    return found


# Every character reportlab's cleaner (cleanBlockQuotedText) strips, splits at or collapses, but the plain
# space and the no-break space (which it keeps): its whitespace and Python's (every one below U+3001).
_CLEANED = re.compile("[" + re.escape("".join(
    sorted((set(_reportlab_whitespace) | {chr(c) for c in range(0x3001) if chr(c).isspace()}) - {" ", "\xa0"})
)) + "]")


def _cleaned_as_is(markup: str) -> bool:
    """Whether reportlab's cleaner leaves `markup` as it is: at once where it holds no whitespace but
    single spaces inside it, else by running the cleaner."""
    if _CLEANED.search(markup) is None and "  " not in markup and markup[:1] != " " and markup[-1:] != " ":
        return True
    return bool(cleanBlockQuotedText(markup) == markup)


def _cloned(template: Any, text: str, us_lines: list[Any]) -> Any:
    """template.clone(text=text, link=[...], us_lines=us_lines): the same fragment, its attributes in the
    same order, without clone's two passes through keyword arguments."""
    frag = object.__new__(template.__class__)  # a ParaFrag, as the parser makes them
    attributes = frag.__dict__
    attributes.update(template.__dict__)
    attributes["text"], attributes["link"], attributes["us_lines"] = text, list(template.link), us_lines
    return frag


def _plain_frags(runs: list[tuple[str, tuple[bool, bool, bool]]], style: ParagraphStyle, markup: str) -> list[Any] | None:
    """The fragments reportlab's parser would make of `markup`, the paragraph's runs (each run's markup and
    its emphasis), made without parsing it again (most of a paragraph's setup), or None where the markup
    holds more than emphasis, escaped characters and line breaks (another font), or where reportlab's
    cleaner would change it (spaces it collapses) before parsing."""
    if style.textTransform or not _cleaned_as_is(markup):
        return None
    pieces: list[list[Any]] = []
    for inner, emphasis in runs:
        if pieces and not any(emphasis) and not any(pieces[-1][0]):
            pieces[-1][1] += inner  # untagged runs are one stretch of text to the parser
        else:
            pieces.append([emphasis, inner])
    frags = []
    underlines = 0
    for emphasis, inner in pieces:
        text_template, break_template = _frag_template(style, emphasis)
        lines = text_template.us_lines
        if len(lines) != emphasis[2]:
            return None  # an underline from the style itself: leave the numbering to the parser
        if lines:
            # The parser numbers each <u> of a paragraph in turn, and each number is a line of its own:
            # two underlined runs side by side are two lines, as they would be parsed.
            lines = [(underlines, *lines[0][1:])]
            underlines += 1
        for token in _MARKUP_TOKEN.split(inner):
            if not token:
                continue  # the parser hands on no empty text
            template, text = text_template, _ENTITY_TEXT.get(token, token)
            if token == "<br/>":
                template, text = break_template, ""
            elif text is token and ("<" in token or "&" in token):
                return None  # other markup: a fallback font
            frags.append(_cloned(template, text, list(lines)))
    return frags


class _OnceWrapped(Tagged, scripts.BidiParagraph):
    """A Paragraph that breaks its lines once per width.

    A table wraps each cell's paragraphs to measure its rows, again to draw them, and again when it
    splits at a page end; the lines only change when the width does (wrap() ignores the height).
    A failed split() drops the lines (blPara), and then they are broken again.
    """

    _wrapped: tuple[float, float, float] | None = None  # (width asked, width, height)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        if self._wrapped is not None and self._wrapped[0] == availWidth and "blPara" in self.__dict__:
            return self._wrapped[1], self._wrapped[2]
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, width, height)
        return width, height


class _CellParagraph(_OnceWrapped):
    """A paragraph in a table cell: LibreOffice splits a row at any line, with no widow or orphan
    control (class attributes, so the parts reportlab splits a paragraph into keep them)."""

    allowWidows = 1  # noqa: N815 - reportlab's names
    allowOrphans = 1  # noqa: N815 - reportlab's names


@dataclass
class Heading:
    """A paragraph with a Heading style: it becomes a PDF bookmark."""

    level: int
    text: str


class Structure:
    """Where the next structure element goes while the story is built (None: an untagged PDF)."""

    def __init__(self, parent: Element) -> None:
        self.parent = parent
        self._headings = [-1]  # the level of the last heading, shared by every Structure of one document

    def under(self, parent: Element) -> Structure:
        inner = Structure(parent)
        inner._headings = self._headings
        return inner

    def heading(self, level: int) -> str:
        """H1, H2... for a Word heading level (0 for Title and Heading 1): never a level skipped, as the
        outline (_DocTemplate.afterFlowable) does, so a Heading 2 with no Heading 1 above it is an H2."""
        level = min(level, self._headings[0] + 1)
        self._headings[0] = level
        return f"H{level + 1}"


def _heading_level(style_name: str) -> int | None:
    if style_name == "Title":
        return 0
    if style_name.startswith("Heading "):
        return max(int(style_name.split()[-1] or 1) - 1, 0)
    return None


def paragraph_flowables(paragraph: DocxParagraph, styles: StyleBook, into: Structure | None = None,
                        in_cell: bool = False) -> Iterator[Flowable]:
    props = _properties(paragraph._p)
    style_id = styles.style_id(paragraph._p, props)
    style = styles.for_paragraph(paragraph._p, props)
    if _page_break_before(paragraph._p, props):
        yield PageBreak()
        yield TopSpace()
    if pdf_fields.has_form_field(paragraph._p):
        # Word legacy form fields become fillable PDF fields (formgen/documents/pdf_fields.py).
        yield from pdf_fields.field_flowables(paragraph._p, style, into.parent if into is not None else None)
        return
    # Each run with text: its text, its markup (no emphasis) and its emphasis.
    p = paragraph._p
    read = _read_runs(p)
    elements = [r for r, _, _ in read]
    texts = [text for _, text, _ in read]
    runs = [(text, _text_markup(text), _emphasis(rpr)) for _, text, rpr in read if text]
    markup = "".join(_emphasised(inner, emphasis) for _, inner, emphasis in runs)
    if not markup.strip():
        # Word gives an empty paragraph a full line (plus its spacing).
        yield Spacer(1, style.leading + style.spaceBefore + style.spaceAfter)
        return
    style_name = styles.name(style_id)
    keeper = KeepWithNext() if getattr(style, "keep_with_next", False) else None
    if keeper is not None:
        yield keeper
    # python-docx's Paragraph.text reads the paragraph's own runs and its hyperlinks' runs: the same runs,
    # unless some sit deeper (a content control, a field), when it is read again its own way.
    direct = all(r.getparent() is p or (r.getparent().tag == _W_HYPERLINK and r.getparent().getparent() is p)
                 for r in elements)
    text = "".join(texts) if direct else _paragraph_text(p)
    style = styles.for_text(style, text)
    frags = _plain_frags([(inner, emphasis) for _, inner, emphasis in runs], style, markup)
    flowable = (_CellParagraph if in_cell else _OnceWrapped)(markup, style, frags=frags)
    if keeper is not None:
        keeper.paragraph = flowable
    level = _heading_level(style_name)
    if level is not None:
        flowable._heading = Heading(level=level, text=text)  # type: ignore[attr-defined]
    if into is not None:
        element = into.parent.add(into.heading(level) if level is not None else "P")
        if not printed_as_read(text, BODY_FONT):
            element.actual_text = text
        flowable._element = element
    yield flowable


def _page_break_before(p: Any, props: dict[Any, Any] | None = None) -> bool:
    el = p.find(_PAGE_BREAK_BEFORE) if props is None else props.get(_W_PAGE_BREAK_BEFORE)
    return el is not None and el.get(_W_VAL) not in _OFF


@functools.lru_cache(maxsize=256)
def _fill_color(fill: str) -> colors.Color:
    """A cell shading's colour, made once per colour (reportlab only reads it)."""
    return colors.HexColor(f"#{fill}")


def _cell_fill(tc: Any, props: dict[Any, Any] | None = None) -> str | None:
    shd = tc.find(_TC_SHADING) if props is None else props.get(_W_SHD)
    if shd is None:
        return None
    fill = shd.get(_W_FILL)
    return None if fill in (None, "auto") else fill


class _WordTable(Table):
    """A reportlab Table with a bordered table's top border, as Word and LibreOffice lay it out: above
    its first row, and above the rows it goes on with on each later page. reportlab's table starts at
    its first row's top, and each row is one border taller already (table_flowable), so a table was
    half a point shorter than LibreOffice's on each page it was on."""

    rule = 0.0  # the border's width: 0 for a table with no borders
    top_rule = 0.0  # the room taken above the first row

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        width, height = super().wrap(availWidth, availHeight - self.top_rule)
        return width, height + self.top_rule

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        parts: list[Flowable] = super().split(availWidth, availHeight - self.top_rule)
        if len(parts) > 1:  # [self] when the whole table fits
            for index, part in enumerate(parts):
                part.rule = self.rule  # type: ignore[attr-defined]
                part.top_rule = self.top_rule if index == 0 else self.rule  # type: ignore[attr-defined]
        return parts

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: tuple[float, float], size: tuple[float, float]) -> None:  # noqa: N802 - reportlab's name
        # A form field alone in its cell draws its box down to the cell's foot (inside the row's border).
        if isinstance(cellval, (list, tuple)) and len(cellval) == 1 and isinstance(cellval[0], pdf_fields.FieldFlowable):
            cellval[0].cell_floor = pos[1] + self.rule
        super()._drawCell(cellval, cellstyle, pos, size)


class _Table(ArtifactRules, _WordTable):
    """A reportlab Table whose shading and rules are artifacts; its cells' paragraphs tag themselves."""


def _row_headers(tbl: Any, columns: int) -> bool:
    """Whether the first cell of each row heads it: a table with no header row whose Word "First
    Column" option is on (Word's default), a label and its answer, as the label tables are."""
    look = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLook')}")
    if columns < 2 or look is None:
        return False
    first = look.get(qn("w:firstColumn"))
    if first is None:  # the older form: a hexadecimal mask, 0x0080 for the first column
        return bool(int(look.get(qn("w:val")) or "0", 16) & 0x0080)
    return first in ("1", "true", "on")


def table_flowable(tbl: Any, parent: Any, styles: StyleBook, width: float, into: Structure | None = None) -> Flowable:
    grid = [int(col.get(qn("w:w"))) * TWIP for col in tbl.findall(f"{qn('w:tblGrid')}/{qn('w:gridCol')}")]
    total = sum(grid) or width
    # Never wider than the frame: scale a too-wide grid down, as Word's autofit would.
    scale = min(1.0, width / total)
    widths = [w * scale for w in grid]
    # Every cell's alignment, padding and font (_CELL_DEFAULTS) are set as its style is made (_cell_styles).
    commands: list[tuple[Any, ...]] = []
    bordered = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblBorders')}") is not None or _table_style_has_grid(tbl, parent)
    if bordered:
        commands.append(("GRID", (0, 0), (-1, -1), BORDER, colors.black))
    data: list[list[Any]] = []
    padded: list[list[tuple[int, int, float, float]]] = []  # each row's cell paddings (_pad)
    header_rows = 0
    counting_headers = True
    rows = tbl.findall(_W_TR)
    # A one-column table is a box drawn round its text, not a table of data: its paragraphs are tagged
    # as the paragraphs they are, with no table round them (PDF/UA: layout tables are not Tables).
    table_el = into.parent.add("Table") if into is not None and len(widths) > 1 else None
    row_headers = table_el is not None and _row_headers(tbl, len(widths)) and not any(
        tr.find(_TR_HEADER) is not None for tr in rows)
    for row_index, tr in enumerate(rows):
        is_header = tr.find(_TR_HEADER) is not None
        if counting_headers and is_header:
            header_rows += 1
        else:
            counting_headers = False
        row: list[Any] = [""] * len(widths)
        pads: list[tuple[int, int, float, float]] = []
        row_el = table_el.add("TR") if table_el is not None else None
        col = 0
        for tc in tr.iterchildren(_W_TC):
            cell_props = _properties(tc, _W_TCPR)
            span_el = cell_props.get(_W_GRID_SPAN)
            span = int(span_el.get(_W_VAL)) if span_el is not None else 1
            if col >= len(row):
                break
            cell_width = sum(widths[col: col + span]) - 2 * CELL_PAD_X
            cell_into = into
            if into is not None and row_el is not None:
                cell_into = into.under(_cell_element(row_el, is_header and counting_headers, row_headers and col == 0, span))
            # Keeping with the next paragraph is a matter of pages, not of a cell's lines.
            cell = [f for f in _block_flowables(tc, parent, styles, cell_width, cell_into, in_cell=True)
                    if not isinstance(f, KeepWithNext)]
            if cell_into is not None and cell_into is not into:
                _one_paragraph_cell(cell, cell_into.parent)
            row[col] = cell or ""
            # Word keeps a cell's first space-before and last space-after (reportlab drops both), and
            # each row of a bordered table is one border width taller.
            above = cell[0].getSpaceBefore() if cell else 0
            below = (cell[-1].getSpaceAfter() if cell else 0) + (BORDER if bordered else 0)
            if above or below:
                _pad(pads, col, col + span - 1, above, below)
            if span > 1:
                commands.append(("SPAN", (col, row_index), (col + span - 1, row_index)))
            fill = _cell_fill(tc, cell_props)
            if fill:
                commands.append(("BACKGROUND", (col, row_index), (col + span - 1, row_index), _fill_color(fill)))
            col += span
        data.append(row)
        padded.append(pads)
        if row_el is not None and not (is_header and counting_headers):
            pdf_fields.name_fields(row, header_rows > 0)
    if not data:
        return Spacer(1, 0)
    commands += _padding_commands(padded)
    # A row that reaches the foot of a page splits there, as in Word (splitByRow=0: split in the row
    # first). reportlab's default splits between rows first and then sets the rest, its header row
    # repeated, in the space left on the same page: the header row showed mid-page.
    table = (_Table if into is not None else _WordTable)(data, colWidths=widths, style=TableStyle(commands),
                                                        repeatRows=header_rows, splitByRow=0, splitInRow=1, hAlign="LEFT",
                                                        cellStyles=_cell_styles(len(data), len(widths)))
    if bordered:
        # The table's top border, unless it goes on from a table just above it (one table in Word).
        previous = tbl.getprevious()
        table.rule = BORDER
        table.top_rule = 0 if previous is not None and previous.tag == _W_TBL else BORDER
    return table



# Each cell's style before the table's commands: what a command over every cell, (0, 0) to (-1, -1), would set.
_CELL_DEFAULTS = {
    "valign": "TOP",
    "leftPadding": CELL_PAD_X,
    "rightPadding": CELL_PAD_X,
    "topPadding": 0,
    "bottomPadding": 0,
    # An empty cell still sets its font: the embedded body font, not reportlab's Helvetica (PDF/A).
    "fontname": BODY_FONT,
}


def _cell_styles(rows: int, columns: int) -> list[list[CellStyle]]:
    """The cells' styles as reportlab makes them (named by their place), with _CELL_DEFAULTS set as six
    commands over the whole table would set them: the commands cost a call per cell each."""
    made = []
    for row in range(rows):
        cells = []
        for column in range(columns):
            style = CellStyle(repr((row, column)))
            style.__dict__.update(_CELL_DEFAULTS)
            cells.append(style)
        made.append(cells)
    return made


def _pad(pads: list[tuple[int, int, float, float]], first: int, last: int, above: float, below: float) -> None:
    """Record cells first..last of a row as padded `above` and `below`, one range with the cells before
    them where those are padded alike."""
    if pads and pads[-1][1] == first - 1 and pads[-1][2:] == (above, below):
        pads[-1] = (pads[-1][0], last, above, below)
    else:
        pads.append((first, last, above, below))


def _padding_commands(padded: list[list[tuple[int, int, float, float]]]) -> list[tuple[Any, ...]]:
    """TOPPADDING and BOTTOMPADDING for each row's padded cells, rows padded alike sharing one command.

    reportlab sets each cell's padding as its command is read (nothing else in the table's style sets
    padding after them), so the cells end as a command per cell would leave them, and a long table's
    style is read in a fraction of the time.
    """
    commands: list[tuple[Any, ...]] = []
    start = 0
    for index in range(1, len(padded) + 1):
        if index < len(padded) and padded[index] == padded[start]:
            continue
        for first, last, above, below in padded[start]:
            commands.append(("TOPPADDING", (first, start), (last, index - 1), above))
            commands.append(("BOTTOMPADDING", (first, start), (last, index - 1), below))
        start = index
    return commands


def _one_paragraph_cell(cell: list[Flowable], cell_el: Element) -> None:
    """A cell holding one paragraph owns its text itself (TD, not TD > P): the same reading, and half the
    elements in a long agenda's tables, each an object in the file."""
    if len(cell_el.kids) == 1 and isinstance(cell_el.kids[0], Element) and cell_el.kids[0].type == "P":
        owners = [f for f in cell if getattr(f, "_element", None) is cell_el.kids[0]]
        if len(owners) == 1:
            cell_el.kids.clear()
            owners[0]._element = cell_el  # type: ignore[attr-defined]


def _cell_element(row: Element, column_header: bool, row_header: bool, span: int) -> Element:
    """TH with its scope (a header row's cells head their columns, a label its row), or TD."""
    attributes: dict[str, str] = {}
    if column_header or row_header:
        attributes["Scope"] = "/Column" if column_header else "/Row"
    if span > 1:
        attributes["ColSpan"] = str(span)
    kind = "TH" if attributes.get("Scope") else "TD"
    return row.add(kind, attributes=attributes) if attributes else row.add(kind)


def _table_style_has_grid(tbl: Any, parent: Any) -> bool:
    style_el = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblStyle')}")
    return style_el is not None and "grid" in (style_el.get(qn("w:val")) or "").lower()


def _block_flowables(container: Any, parent: Any, styles: StyleBook, width: float,
                     into: Structure | None = None, in_cell: bool = False) -> Iterator[Flowable]:
    """Paragraphs and tables of a body or a cell, in document order; each paragraph kept with the next
    learns what that next is."""
    keeper: KeepWithNext | None = None
    for flowable in _blocks(container, parent, styles, width, into, in_cell):
        if keeper is not None and flowable is not keeper.paragraph:
            keeper.following = flowable
            keeper = None
        if isinstance(flowable, KeepWithNext):
            keeper = flowable
        yield flowable


def _blocks(container: Any, parent: Any, styles: StyleBook, width: float,
            into: Structure | None, in_cell: bool) -> Iterator[Flowable]:
    for child in container.iterchildren():
        if child.tag == _W_P:
            yield from paragraph_flowables(DocxParagraph(child, parent), styles, into, in_cell)
        elif child.tag == _W_TBL:
            yield table_flowable(child, parent, styles, width, into)
            # Word always follows a table with a paragraph; the gap before it comes from that.


class TopSpace(Flowable):
    """Marks the page as started, so the paragraph after it keeps its space before.

    A paragraph that flows onto a new page loses its space before there (reportlab, Word and
    LibreOffice alike); the first paragraph of the document and one after a page break keep it in
    Word and LibreOffice, where reportlab's frame drops it.
    """

    def frameAction(self, frame: Frame) -> None:  # noqa: N802 - reportlab's name
        frame._atTop = 0


def _page_started(frame: Frame | None) -> bool:
    """Whether anything is on the frame's page (TopSpace included)."""
    return frame is not None and frame._y < frame._y2 - frame._topPadding


class KeepWithNext(Flowable):
    """Word's "keep with next" (headings): the paragraph starts a new page unless it and the start of
    what follows it (its first line, or the first line of a table's first row; a whole paragraph kept
    with the next in its turn) fit on this one. reportlab's keepWithNext keeps it with the whole of
    what follows, and left most of a page blank before a long table.

    A frame action, as TopSpace is: it takes no room and leaves the space after the last paragraph
    for the next one to overlap, as a flowable of no height would not.
    """

    def __init__(self) -> None:
        super().__init__()
        self.paragraph: Flowable | None = None
        self.following: Flowable | None = None

    def frameAction(self, frame: Frame) -> None:  # noqa: N802 - reportlab's name
        room = frame._y - frame._y1p
        if _page_started(frame) and not self._starts_in(frame._getAvailableWidth(), room, frame._prevASpace):
            frame.add_generated_content(FrameBreak)

    def _starts_in(self, width: float, height: float, above: float) -> bool:
        """Whether the paragraph, under space `above` (what the last flowable left after it), and the
        start of what follows it fit in `height`."""
        if self.paragraph is None:
            return True
        height -= max(self.paragraph.getSpaceBefore() - above, 0) + self.paragraph.wrap(width, height)[1]
        above = self.paragraph.getSpaceAfter()
        height -= above
        following = self.following
        if height < 0:
            return False
        if isinstance(following, KeepWithNext):
            return following._starts_in(width, height, above)
        if following is None or isinstance(following, (PageBreak, TopSpace)):
            return True
        height -= max(following.getSpaceBefore() - above, 0)
        if height <= 0:
            return False
        return following.wrap(width, height)[1] <= height or bool(following.split(width, height))


_W_FLD_SIMPLE, _W_INSTR = qn("w:fldSimple"), qn("w:instr")
# A simple field in _field_parts: its name, upper case, in a tuple (text is a str).
_FieldPart = tuple[str]


def _field_parts(p: Any) -> list[str | _FieldPart]:
    """A header or footer paragraph's runs' text (python-docx's Run.text) and its simple fields, read
    once: the text of each page is then made from them (_fill_fields)."""
    parts: list[str | _FieldPart] = []
    for child in p.iterchildren(_W_R, _W_FLD_SIMPLE):
        if child.tag == _W_R:
            parts.append(_run_text(child))
        else:
            instr = (child.get(_W_INSTR) or "").strip().split()
            parts.append((instr[0].upper() if instr else "",))
    return parts


def _fill_fields(parts: list[str | _FieldPart], page: int, pages: int) -> str:
    """Paragraph text with PAGE and NUMPAGES fields (simple fields) replaced by numbers."""
    return "".join(part if isinstance(part, str) else
                   str(page) if part[0] == "PAGE" else str(pages) if part[0] == "NUMPAGES" else "" for part in parts)


class _PageCanvas(Canvas):
    """Defers each page so headers and footers can say 'page N of M'; writes the structure tree, if any."""

    def __init__(self, *args: Any, decorate: Any = None, attachment: bytes | None = None,
                 structure: StructureTree | None = None, **kwargs: Any) -> None:
        if structure is not None:
            # Not reportlab's default Helvetica, which is not embedded (PDF/A): the body font, which is.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or BODY_FONT
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._decorate = decorate
        self._attachment = attachment
        self.structure = structure

    def _setAnnotations(self, page: Any) -> None:  # noqa: N802 - reportlab's name; called once per page written
        super()._setAnnotations(page)
        if self.structure is not None:
            self.structure.mark_page(page, self._pageNumber)

    def bookmarkPage(self, key: str, **kwargs: Any) -> Destination:  # noqa: N802 - reportlab's name
        # reportlab binds a bookmark to the page it is writing, and no page is written until save(): bind
        # it to the deferred page the heading is on instead, or every bookmark would open page 1.
        dest = super().bookmarkPage(key, **kwargs)
        dest.setPage(PDFObjectReference(f"Page{self._doc.pageCounter + len(self._pages)}"))
        return dest

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        pdf_fields.start_page(self)
        self._startPage()

    @property
    def pages_written(self) -> int:
        return len(self._pages)

    def save(self) -> None:
        total = len(self._pages)
        if self.structure is not None:
            self.structure.pages = total
        for state in self._pages:
            self.__dict__.update(state)
            if self._decorate is not None:
                self._decorate(self, self._pageNumber, total)
            pdf_fields.place_fields(self)
            super().showPage()
        if self._attachment is not None:
            embed.attach_to_pdf_catalog(self._doc, self._attachment)
        if self.structure is not None:
            pdfa.finish_catalog(self._doc, self.structure.write(self._doc), self.structure.lang)
        super().save()


class _DocTemplate(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's name
        heading: Heading | None = getattr(flowable, "_heading", None)
        if heading is None:
            return
        key = f"h{self.seq.nextf('heading')}"
        self.canv.bookmarkPage(key)
        # A PDF outline cannot skip levels (a Heading 2 with no Title or Heading 1 above it): such a
        # heading hangs one level below the one before, as a screen reader's heading list would show it.
        level = min(heading.level, getattr(self, "_outline_level", -1) + 1)
        self._outline_level = level
        self.canv.addOutlineEntry(heading.text, key, level=level, closed=False)


_style_books: dict[str, StyleBook] = {}


def _pt(length: Any, default: float) -> float:
    """A section length in points, or Word's default where the template leaves it unset."""
    return float(length.pt) if length is not None else default


@dataclass(frozen=True)
class LaidOut:
    """A PDF and its page count, as the layout paginated it (no need to read the PDF back)."""

    pdf: bytes
    pages: int


def layout_pdf(
    document: Document, meta: DocumentMeta, attachment: bytes | None = None, template_key: str | None = None,
    *, tagged: bool = True,
) -> bytes:
    """The PDF of a filled Word document, as bytes: tagged PDF/UA-1 and PDF/A-3a unless `tagged` is False
    (the untagged layout is kept to measure what tagging costs: benchmarks/stages.py).

    template_key names the template the document was filled from, so its styles are read once.
    """
    return lay_out(document, meta, attachment, template_key, tagged=tagged).pdf


def lay_out(
    document: Document, meta: DocumentMeta, attachment: bytes | None = None, template_key: str | None = None,
    *, tagged: bool = True,
) -> LaidOut:
    """layout_pdf's PDF with its page count. Tagging changes what is drawn, never where: the untagged
    layout has the same pages (tests/formgen/documents/test_page_counts.py), for a page count alone."""
    register_fonts()
    section = document.sections[0]
    page_w, page_h = _pt(section.page_width, 595.3), _pt(section.page_height, 841.9)  # A4 unless set
    left, right = _pt(section.left_margin, 72), _pt(section.right_margin, 72)
    top, bottom = _pt(section.top_margin, 72), _pt(section.bottom_margin, 72)
    frame_w = page_w - left - right
    styles = _style_books.get(template_key) if template_key else None
    if styles is None:
        styles = StyleBook(document)
        if template_key:
            _style_books[template_key] = styles
    body = document.element.body
    structure = StructureTree(meta.language) if tagged else None
    into = Structure(structure.root) if structure is not None else None
    story = [TopSpace(), *_block_flowables(body, document._body, styles, frame_w, into)]

    header_paras = [p for p in section.header.paragraphs if p.text.strip() or p._p.find(qn("w:fldSimple")) is not None]
    footer_paras = [p for p in section.footer.paragraphs if p.text.strip() or p._p.find(qn("w:fldSimple")) is not None]
    header_distance = section.header_distance.pt if section.header_distance is not None else 36
    footer_distance = section.footer_distance.pt if section.footer_distance is not None else 36

    laid: dict[tuple[int, str], tuple[Paragraph, float]] = {}
    field_parts = {id(para._p): _field_parts(para._p) for para in (*header_paras, *footer_paras)}

    def running(para: DocxParagraph, page: int, pages: int) -> tuple[Paragraph, float]:
        """A header or footer paragraph laid out: once per document where its text is the same on every page."""
        text = _fill_fields(field_parts[id(para._p)], page, pages)
        key = (id(para._p), text)
        found = laid.get(key)
        if found is None:
            style = styles.for_paragraph(para._p)
            markup = escape(text)
            flow = scripts.BidiParagraph(markup, style, frags=_plain_frags([(markup, _NO_EMPHASIS)], style, markup))
            found = laid[key] = (flow, flow.wrap(frame_w, page_h)[1])
        return found

    def decorate(canvas: Canvas, page: int, pages: int) -> None:
        # The running header and footer are pagination artifacts: a screen reader skips them.
        canvas.saveState()
        if structure is not None and header_paras:
            artifact(canvas, "Pagination", "Header")
        y = page_h - header_distance
        for para in header_paras:
            flow, h = running(para, page, pages)
            flow.drawOn(canvas, left, y - h)
            y -= h
        if structure is not None and header_paras:
            StructureTree.end(canvas)
        if structure is not None and footer_paras:
            artifact(canvas, "Pagination", "Footer")
        y = footer_distance
        for para in reversed(footer_paras):
            flow, h = running(para, page, pages)
            flow.drawOn(canvas, left, y)
            y += h
        if structure is not None and footer_paras:
            StructureTree.end(canvas)
        canvas.restoreState()

    out = io.BytesIO()
    doc = _DocTemplate(
        out,
        pagesize=(page_w, page_h),
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=meta.title,
        subject=meta.subject,
        author=meta.author,
        creator="formgen",
        producer="formgen",
        keywords=meta.keywords,
        lang=meta.language,
        invariant=1,
        pageCompression=1,
    )
    frame = Frame(left, bottom, frame_w, page_h - top - bottom, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    canvases: list[_PageCanvas] = []

    def canvasmaker(*args: Any, **kwargs: Any) -> _PageCanvas:
        canvases.append(_PageCanvas(*args, decorate=decorate, attachment=attachment, structure=structure, **kwargs))
        return canvases[-1]

    doc.build(story, canvasmaker=canvasmaker)
    return LaidOut(pdf=out.getvalue(), pages=canvases[-1].pages_written)
