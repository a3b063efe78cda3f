"""Speed-ups that must change no byte: each document made with and without the shortcut is the same."""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formgen.core.registry import FormSpec, all_forms
from formgen.documents import pdf_layout
from formgen.engine import pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from stages import AGENDA, PRO_FORMA, grown_body

# Emphasis, spaces the parser would collapse, entities, breaks and another script in one answer.
MIXED = "Mum said:  <b>&amp;</b>\tthe  school\nرحيم is 7 ½ — ok "


@pytest.fixture(autouse=True)
def _fixed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """One signing key, so two renders of the same body are the same bytes."""
    monkeypatch.setenv("FORMGEN_DOCUMENT_KEYS", os.environ.get("FORMGEN_DOCUMENT_KEYS") or "k" * 40)


def _bodies() -> list[tuple[str, Any]]:
    forms = all_forms()
    pro_forma, agenda = forms[PRO_FORMA], forms[AGENDA]
    mixed = copy.deepcopy(dict(pro_forma.example))
    key = max((k for k, v in mixed.items() if isinstance(v, str)), key=lambda k: len(mixed[k]))
    mixed[key] = MIXED
    return [(PRO_FORMA, pro_forma.example), (PRO_FORMA, mixed), (AGENDA, grown_body(agenda, 3))]


@pytest.mark.parametrize(("form_id", "body"), _bodies())
def test_paragraphs_made_without_a_markup_round_trip_are_the_same_pdf(
        form_id: str, body: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = all_forms()[form_id]
    taken: list[bool] = []
    real = pdf_layout._plain_frags

    def counting(*args: Any) -> Any:
        frags = real(*args)
        taken.append(frags is not None)
        return frags

    monkeypatch.setattr(pdf_layout, "_plain_frags", counting)
    fast = pipeline.render(spec, body, "pdf").content
    assert any(taken), "no paragraph took the shortcut"
    monkeypatch.setattr(pdf_layout, "_plain_frags", lambda *args: None)
    assert pipeline.render(spec, body, "pdf").content == fast


def test_headers_and_footers_compiled_once_fill_as_docxtpl_fills_them(form: FormSpec, example: dict[str, Any]) -> None:
    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import _ENV, compiled, printable

    context = printable(form.build_context(pipeline.validate(form, example)))
    ours = compiled(form.template_path).fill(form.build_context(pipeline.validate(form, example)))
    theirs = DocxTemplate(str(form.template_path))
    theirs.render(context, _ENV)

    def parts(document: Any) -> dict[str, bytes]:
        return {str(rel.target_part.partname): rel.target_part.blob for rel in document.part.rels.values()
                if rel.reltype in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI)}

    found = parts(ours)
    assert found == parts(theirs.docx)
    assert any(found.values())


# (run text, (bold, italic, underlined)) runs of one paragraph, as the layout reads them from Word.
_RUNS = [
    [("Amelia Price\nNHS\xa0999\xa0001\xa02342", (False, False, False))],
    [("carestore > Consent > 2026-11-19 SF consent", (False, False, False))],
    [("Subject Child Name & Micare ID", (True, False, False))],
    [("a\n", (False, False, False)), ("\nb", (True, True, True)), ("<c>", (False, False, False))],
    [("first\tsecond", (False, False, False)), ("&&", (False, True, False))],
    # Two underlined runs side by side are two underlines to the parser, each numbered.
    [("under", (False, False, True)), ("lined", (False, False, True)), (" & then\n", (True, False, True))],
]


@pytest.mark.parametrize("runs", _RUNS)
def test_fragments_made_from_runs_are_the_parsers_own(runs: list[tuple[str, tuple[bool, bool, bool]]]) -> None:
    """Line breaks, tabs and escaped characters (&, <, >) take the shortcut too, and it makes exactly the
    fragments reportlab's parser makes of the same markup."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus.paragraph import Paragraph

    from formgen.documents.fonts import BODY_FONT, register_fonts

    register_fonts()
    style = ParagraphStyle("body", fontName=BODY_FONT, fontSize=10, leading=11.5)
    marked = [(pdf_layout._text_markup(text), emphasis) for text, emphasis in runs]
    markup = "".join(pdf_layout._emphasised(inner, emphasis) for inner, emphasis in marked)
    made = pdf_layout._plain_frags(marked, style, markup)
    assert made is not None, "the shortcut was not taken"
    parsed = Paragraph(markup, style).frags
    assert [(type(frag), frag.__dict__) for frag in made] == [(type(frag), frag.__dict__) for frag in parsed]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(" \xa0\t\n\r\u2003\u200b\u3000\x1cab<>&;/"), max_size=12))
def test_markup_the_cleaner_leaves_as_it_is_is_known_without_running_it(markup: str) -> None:
    from reportlab.platypus.paragraph import cleanBlockQuotedText

    assert pdf_layout._cleaned_as_is(markup) == (cleanBlockQuotedText(markup) == markup)


def test_runs_read_in_one_pass_say_what_python_docx_says(form: FormSpec, example: dict[str, Any]) -> None:
    """Each run's text and emphasis, read with its properties in one pass, as _run_text and run_emphasis
    (python-docx's Run.text, .bold, .italic, .underline) read them; and each paragraph's properties."""
    document = pipeline._fill(form, pipeline.validate(form, example))
    styles = pdf_layout.StyleBook(document)
    for p in document.element.body.iter(pdf_layout._W_P):
        read = pdf_layout._read_runs(p)
        assert [r for r, _, _ in read] == list(p.iter(pdf_layout._W_R))
        assert [(text, pdf_layout._emphasis(rpr)) for _, text, rpr in read] == [
            (pdf_layout._run_text(r), pdf_layout.run_emphasis(r)) for r in p.iter(pdf_layout._W_R)]
        props = pdf_layout._properties(p)
        assert styles.style_id(p, props) == styles.style_id(p)
        assert styles.for_paragraph(p, props) is styles.for_paragraph(p)
        assert pdf_layout._page_break_before(p, props) == pdf_layout._page_break_before(p)
        docx_style = styles.docx_style(styles.style_id(p))
        assert styles.name(styles.style_id(p)) == (docx_style.name if docx_style is not None else "")


_PADS = st.lists(st.lists(st.tuples(st.integers(1, 2), st.sampled_from([0.0, 0.5, 3.0]), st.sampled_from([0.5, 6.5])),
                          min_size=1, max_size=4), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(_PADS)
def test_paddings_merged_into_ranges_pad_each_cell_as_a_command_per_cell(rows: list[list[tuple[int, float, float]]]) -> None:
    """Cells padded alike share a command (side by side, and rows alike): each cell ends as padded as it
    would be by a command of its own."""
    from reportlab.platypus import Table, TableStyle

    columns = max(sum(span for span, _, _ in row) for row in rows)
    per_cell: list[tuple[Any, ...]] = []
    padded: list[list[tuple[int, int, float, float]]] = []
    for index, row in enumerate(rows):
        pads: list[tuple[int, int, float, float]] = []
        col = 0
        for span, above, below in row:
            per_cell.append(("TOPPADDING", (col, index), (col + span - 1, index), above))
            per_cell.append(("BOTTOMPADDING", (col, index), (col + span - 1, index), below))
            pdf_layout._pad(pads, col, col + span - 1, above, below)
            col += span
        padded.append(pads)
    data = [[""] * columns for _ in rows]

    def paddings(commands: list[tuple[Any, ...]]) -> list[list[tuple[float, float]]]:
        table = Table(data, style=TableStyle(commands))
        return [[(cell.topPadding, cell.bottomPadding) for cell in row] for row in table._cellStyles]

    merged = pdf_layout._padding_commands(padded)
    assert paddings(merged) == paddings(per_cell)
    assert len(merged) <= len(per_cell)


def test_running_headers_and_footers_read_once_say_what_python_docx_says(form: FormSpec, example: dict[str, Any]) -> None:
    """Each header and footer paragraph's text on page 3 of 7, from its runs and simple fields read once,
    as python-docx's Run.text reads them."""
    from docx.oxml.ns import qn
    from docx.text.run import Run

    document = pipeline._fill(form, pipeline.validate(form, example))
    section = document.sections[0]
    paragraphs = [*section.header.paragraphs, *section.footer.paragraphs]
    for paragraph in paragraphs:
        parts: list[str] = []
        for child in paragraph._p.iterchildren():
            if child.tag == qn("w:r"):
                parts.append(Run(child, paragraph).text)
            elif child.tag == qn("w:fldSimple"):
                instr = (child.get(qn("w:instr")) or "").strip().split()
                name = instr[0].upper() if instr else ""
                parts.append("3" if name == "PAGE" else "7" if name == "NUMPAGES" else "")
        assert pdf_layout._fill_fields(pdf_layout._field_parts(paragraph._p), 3, 7) == "".join(parts)
    assert paragraphs


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _table(grid: int, rows: list[list[int]]) -> str:
    """A w:tbl with `grid` columns of 1000 twips and rows of cells, each spanning the columns given."""
    cells = "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p/></w:tc>' if span > 1
                           else "<w:tc><w:p/></w:tc>" for span in row) + "</w:tr>"
        for row in rows)
    columns = '<w:gridCol w:w="1000"/>' * grid
    return f"<w:tbl><w:tblGrid>{columns}</w:tblGrid>{cells}</w:tbl>"


@pytest.mark.parametrize("tables", [
    [_table(2, [[1, 1], [2]])],  # the grid fits: nothing to change
    [_table(2, [[1, 1, 1]])],  # a loop made a third cell: a column added
    [_table(2, [[1, 1], [2], [1, 1, 1]])],  # the same in a later row
    [_table(3, [[1, 1], [2]])],  # every row spans two of three columns: one removed
    [_table(2, [[1, 1]]), _table(4, [[2, 1]])],  # the second table changes
    [_table(2, [[1, 1]]).replace("<w:p/></w:tc></w:tr>", "<w:p/>" + _table(3, [[1, 1, 1]]) + "</w:tc></w:tr>")],
])
def test_table_grids_fixed_as_docxtpl_fixes_them(tables: list[str]) -> None:
    """Where a template's loop leaves a table's grid wider or narrower than its rows (nested tables too,
    whose rows docxtpl counts for the table round them as well), the grid is fixed as docxtpl fixes it."""
    from docxtpl import DocxTemplate
    from lxml import etree

    from formgen.documents.docx_fill import fix_tables

    xml = f"<w:body {_W}><w:p><w:r><w:t>é — ”</w:t></w:r></w:p>{''.join(tables)}<w:sectPr/></w:body>"
    tpl = DocxTemplate.__new__(DocxTemplate)
    assert etree.tostring(fix_tables(tpl, xml)) == etree.tostring(tpl.fix_tables(xml))


def test_every_forms_tables_fixed_as_docxtpl_fixes_them(form: FormSpec, example: dict[str, Any]) -> None:
    from docxtpl import DocxTemplate
    from lxml import etree

    from formgen.documents.docx_fill import compiled, fix_tables, printable

    template = compiled(form.template_path)
    xml = template.body.render(printable(form.build_context(pipeline.validate(form, example))))
    tpl = DocxTemplate.__new__(DocxTemplate)
    assert etree.tostring(fix_tables(tpl, xml)) == etree.tostring(tpl.fix_tables(xml))


@pytest.mark.parametrize(("form_id", "body"), _bodies())
def test_the_carried_data_is_the_signed_envelope_encoded_whole(form_id: str, body: Any) -> None:
    """The embedded JSON made from the canonical JSON with the signature added is the envelope as
    json.dumps writes it whole (sorted keys, no spaces)."""
    import json

    from formgen.documents import embed, signing

    whole = json.dumps({"form": form_id, "data": body, "signature": signing.sign(embed._canonical(form_id, body))},
                       sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert embed.payload(form_id, body) == whole


# Pieces of body XML, tabs, breaks and nesting included, for docxtpl's resolve_listing to resolve.
_XML_PIECES = st.sampled_from([
    "<w:p>", '<w:p w:rsidR="1">', "</w:p>", "<w:pPr>", "</w:pPr>", '<w:pStyle w:val="A"/>', "<w:r>", '<w:r w:x="2">',
    "</w:r>", "<w:rPr>", "</w:rPr>", "<w:b/>", "<w:t>", '<w:t xml:space="preserve">', "</w:t>", "<w:tab/>", "<w:t/>",
    "<w:tbl>", "<w:tc>", "text", "a b", "\t", "\n", "\a", "\f", "<", ">", "/", "w:p", "w:r", "w:t",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(_XML_PIECES, max_size=30).map("".join))
def test_listing_resolved_as_docxtpl_resolves_it(xml: str) -> None:
    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import resolve_listing

    tpl = DocxTemplate.__new__(DocxTemplate)
    assert resolve_listing(tpl, xml) == tpl.resolve_listing(xml)


def test_every_forms_listing_resolved_as_docxtpl_resolves_it(form: FormSpec, example: dict[str, Any]) -> None:
    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import compiled, printable, resolve_listing

    grown = copy.deepcopy(example)
    key = max((k for k, v in grown.items() if isinstance(v, str)), key=lambda k: len(grown[k]), default=None)
    if key is not None:
        grown[key] = "First line\nsecond\tline\nthird"
    xml = compiled(form.template_path).body.render(printable(form.build_context(pipeline.validate(form, grown))))
    xml = xml.replace("\n<w:p", "<w:p")
    tpl = DocxTemplate.__new__(DocxTemplate)
    assert resolve_listing(tpl, xml) == tpl.resolve_listing(xml)


def test_cell_styles_made_with_their_defaults_are_those_the_commands_over_every_cell_set() -> None:
    from reportlab.platypus import Table, TableStyle

    from formgen.documents.fonts import BODY_FONT

    data = [["", "", ""], ["", "", ""]]
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pdf_layout.CELL_PAD_X),
        ("RIGHTPADDING", (0, 0), (-1, -1), pdf_layout.CELL_PAD_X),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("FONTNAME", (0, 0), (-1, -1), BODY_FONT),
    ]
    padded = [("TOPPADDING", (1, 1), (2, 1), 3.0), ("BOTTOMPADDING", (0, 0), (0, 1), 0.5)]
    by_commands = Table(data, style=TableStyle(commands + padded))._cellStyles
    made = Table(data, style=TableStyle(padded), cellStyles=pdf_layout._cell_styles(2, 3))._cellStyles
    assert [[(type(cell), vars(cell)) for cell in row] for row in made] == [
        [(type(cell), vars(cell)) for cell in row] for row in by_commands]


def _with_breaks(value: Any, tab: str) -> Any:
    """Every text of a context given line breaks and braces (and `tab`), wherever the template prints it."""
    if isinstance(value, str):
        return f"{value}\nnext line{tab}after {{{{ x }}}}\n"
    if isinstance(value, dict):
        return {key: _with_breaks(item, tab) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_with_breaks(item, tab) for item in value]
    return value


class _AsDocxtplPrints:
    """User text as the fill printed it before line breaks were written by Printable: escaped, braces
    neutralised, the line break left for docxtpl's resolve_listing."""

    def __init__(self, text: str) -> None:
        from html import escape

        self.xml = escape(text, quote=False).replace("{", "&#123;").replace("}", "&#125;")

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return bool(self.xml)


def _as_docxtpl_prints(value: Any) -> Any:
    if isinstance(value, str):
        return _AsDocxtplPrints(value)
    if isinstance(value, dict):
        return {key: _as_docxtpl_prints(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_docxtpl_prints(item) for item in value]
    return value


@pytest.mark.parametrize("tab", ["", "\t"])
def test_line_breaks_printed_as_words_own_are_what_docxtpls_resolve_listing_makes(
        form: FormSpec, example: dict[str, Any], tab: str) -> None:
    """Printable writes a line break as resolve_listing would: the same body XML, on every form, with a break,
    a tab and braces in every text the context holds (so a text printed anywhere but a run's w:t shows)."""
    import re

    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import _has_listing, _joined_lines, compiled, printable, resolve_listing

    context = _with_breaks(form.build_context(pipeline.validate(form, example)), tab)
    body = compiled(form.template_path).body
    tpl = DocxTemplate.__new__(DocxTemplate)
    before = tpl.resolve_listing(re.sub(r"\n<w:p([ >])", r"<w:p\1", body.render(_as_docxtpl_prints(context))))
    now = _joined_lines(body.render(printable(context)))
    # With no tab, nothing is left for resolve_listing to do: the fill skips it.
    assert _has_listing(now.encode()) is bool(tab)
    if tab:
        now = resolve_listing(tpl, now)
    assert "<w:br/>" in before  # the breaks reached the body
    assert now == before


@pytest.mark.parametrize("xml", ["", "<w:p>a</w:p>", "a\tb", "a\nb", "\a", "\f", "é\n", "<w:t>\t</w:t>"])
def test_listing_found_by_byte_search_as_the_regular_expression_finds_it(xml: str) -> None:
    from formgen.documents.docx_fill import _LISTING, _has_listing

    assert _has_listing(xml.encode()) is bool(_LISTING.search(xml))


def test_the_body_parsed_in_its_document_is_the_body_docxtpl_moves_there(form: FormSpec, example: dict[str, Any]) -> None:
    """The fill parses the filled body inside the template's w:document (no move of every node): the same
    saved XML as docxtpl's parse-alone-and-move, python-docx's own element classes, on every form."""
    import io

    import docx
    from docx.oxml.document import CT_Body
    from docxtpl import DocxTemplate
    from lxml import etree

    from formgen.documents.docx_fill import _joined_lines, compiled, docx_bytes, fix_tables, printable

    template = compiled(form.template_path)
    context = form.build_context(pipeline.validate(form, example))
    filled = template.fill(context)
    assert isinstance(filled.element.body, CT_Body)
    assert filled.element.getroottree().getroot() is filled.part.element
    assert filled._body._element is filled.element.body  # python-docx's proxies read the new body
    assert [p.text for p in filled.paragraphs] == [p.text for p in docx.Document(io.BytesIO(docx_bytes(filled))).paragraphs]
    xml = _joined_lines(template.body.render(printable(context)))
    assert template._parsed_whole(xml.encode()) is not None  # the fast way is the one taken
    tpl = DocxTemplate(io.BytesIO(template.blob))
    tpl.docx = template._fresh_document()
    tpl.map_tree(fix_tables(tpl, xml))
    assert etree.tostring(filled.element.body) == etree.tostring(tpl.docx.element.body)
    assert etree.tostring(filled.element) == etree.tostring(tpl.docx.element)
