"""Fill a Word template with docxtpl, safely and once-parsed, and save it reproducibly.

A template's body is patched and compiled by Jinja once per process, and its package parsed once;
each render fills a deep copy of that parsed Document, about four times quicker than parsing the
package again (docxtpl mutates its document, so nothing filled is ever shared between requests).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from html import escape
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.opc.packuri import PackURI
from docx.opc.phys_pkg import _ZipPkgWriter
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import element_class_lookup
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from formgen.documents.scripts import has_rtl, may_have_rtl, rtl_spans

# Autoescape: user text reaches Word's XML only escaped. StrictUndefined: a template that asks
# for something its form's context does not give fails loudly in tests, not silently blank.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(SandboxedEnvironment):
    """Jinja's sandbox, reading `case.name` from a context's dict as the sandbox does, sooner.

    The sandbox first asks the dict for an attribute `name`, which raises AttributeError (a dict's
    instances have none but dict's own), and then for its item: a raised exception for each of the
    2,640 names a 40-case agenda prints. For a name that is not dict's own attribute the answer is
    the item either way, so it is read first; any other name goes the sandbox's way.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_ENV = _Environment(autoescape=True, undefined=StrictUndefined)

# Fixed stamps so the same input always gives the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


# A line break in a run's text, as docxtpl's resolve_listing writes one ("\n" ends the w:t, a w:br, a new w:t).
LINE_BREAK = '</w:t><w:br/><w:t xml:space="preserve">'


class Printable:
    """User text as docxtpl must see it: escaped, braces neutralised, line breaks made Word's own.

    Braces become character references so nothing a family writes ("{{", "{_{") can ever be read
    as template syntax by docxtpl's post-processing; Word reads them back as plain braces.
    A line break is written as docxtpl's resolve_listing would write it, since text is only ever
    printed inside a run's w:t (tested on every form): the fill then need not search a long
    document's XML for breaks paragraph by paragraph. Tabs are left for resolve_listing, which
    repeats the run's properties around each.
    """

    __slots__ = ("xml",)

    def __init__(self, text: str) -> None:
        xml = escape(text, quote=False).replace("{", "&#123;").replace("}", "&#125;")
        self.xml = xml.replace("\n", LINE_BREAK) if "\n" in xml else xml

    def __html__(self) -> str:
        return self.xml

    def __str__(self) -> str:
        return self.xml

    def __bool__(self) -> bool:
        return bool(self.xml)


def printable(value: Any) -> Any:
    """Wrap every string in a context (recursively) so the template prints it literally."""
    if isinstance(value, str):
        return Printable(value)
    if isinstance(value, Mapping):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [printable(item) for item in value]
    return value


@dataclass(frozen=True)
class DocumentMeta:
    title: str
    subject: str
    keywords: str
    language: str = "en-GB"
    author: str = "formgen"


class CompiledTemplate:
    """One Word template, read and compiled once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.blob = path.read_bytes()
        probe = DocxTemplate(io.BytesIO(self.blob))
        probe.init_docx()
        xml = probe.patch_xml(probe.get_xml())
        # As docxtpl's render_xml_part does: one paragraph per line so {%p %} tags work.
        xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
        self.body = _ENV.from_string(xml)
        # Headers and footers compiled once too: docxtpl re-reads, re-patches and re-compiles each per render.
        self._headers_footers = [
            (rel_key, _ENV.from_string(re.sub(r"<w:p([ >])", r"\n<w:p\1", probe.patch_xml(part_xml))),
             probe.get_headers_footers_encoding(part_xml))
            for uri in (probe.HEADER_URI, probe.FOOTER_URI)
            for rel_key, part in probe.get_headers_footers(uri)
            for part_xml in (probe.get_part_xml(part),)
        ]
        self._around_body = _around_body(probe.docx.element, xml)
        # Parsed once and never filled: each render fills a deep copy (see _fresh_document). Its body is
        # emptied: every fill replaces the body (or the whole w:document) with the filled one, so copying
        # the template's own body each render was work thrown away.
        body = probe.docx.element.body
        for child in list(body):
            body.remove(child)
        self._pristine = probe.docx  # never written after this
        self._pristine_lock = threading.Lock()

    def _fresh_document(self) -> Document:
        """A new Document, equal to the template as read from disk but for an empty body, for one render to fill."""
        with self._pristine_lock:  # reading one lxml tree from several threads at once is not promised safe
            return copy.deepcopy(self._pristine)

    def _parsed_whole(self, body: bytes) -> Any:
        """The filled body (UTF-8) parsed inside the template's own w:document, as python-docx's elements,
        or None where docxtpl's way is needed: a table's grid to fix (fix_tables), or a body that does not
        start as the template's does.

        docxtpl parses the body alone and moves it into the document, and lxml then visits every node
        to rehome it (a fifth of a long agenda's fill). Parsed in place, each element is born in the
        document; the body's start tag loses the namespace declarations the document already makes, as
        lxml strips them when it moves the body, so the saved XML is the same bytes.
        """
        if self._around_body is None:
            return None
        before, alone, in_place, after = self._around_body
        if not body.startswith(alone):
            return None
        parser = etree.XMLParser(recover=True)  # as fix_tables parses; one per call, as lxml wants
        parser.set_element_class_lookup(element_class_lookup)
        document = etree.fromstring(b"".join((before, in_place, body[len(alone):], after)), parser=parser)
        parsed = document.find(_W_BODY)
        if parsed is None or parsed.nsmap.get("w") != nsmap["w"] or any(
                _grid_changes(table) for table in parsed.iter(_W_TBL)):
            return None
        return document

    @cached_property
    def variables(self) -> set[str]:
        """Every name the template asks for (read by the tests; not needed to render, so not at start-up)."""
        probe = DocxTemplate(io.BytesIO(self.blob))
        return set(probe.get_undeclared_template_variables(_ENV))

    def fill(self, context: Mapping[str, Any]) -> Document:
        """A new python-docx Document holding this template filled with `context`."""
        tpl = DocxTemplate(io.BytesIO(self.blob))
        tpl.docx = self._fresh_document()  # render_init() keeps a document it is given
        tpl.render_init()
        safe = printable(context)
        xml = _joined_lines(self.body.render(safe))
        encoded = xml.encode("utf-8")
        if b"{_" in encoded or b"_}" in encoded:  # a template's own escaped tag (user text has no brace)
            xml = _unescaped_tags(xml)
            encoded = xml.encode("utf-8")
        if _has_listing(encoded):  # a tab, or text of the template's own: resolved as docxtpl resolves them
            xml = resolve_listing(tpl, xml)
            encoded = xml.encode("utf-8")
        document = self._parsed_whole(encoded)
        if document is None:  # as docxtpl does it: the body parsed alone, its grids fixed, moved into the document
            body = fix_tables(tpl, xml, encoded)
            if "docPr" in xml:  # docxtpl renumbers the drawings' wp:docPr ids: a search of the tree for none
                tpl.fix_docpr_ids(body)
            tpl.map_tree(body)
        else:
            if "docPr" in xml:
                tpl.fix_docpr_ids(document.body)
            _adopt(tpl.docx, document)
        for rel_key, template, encoding in self._headers_footers:
            tpl.map_headers_footers_xml(rel_key, _render_part(tpl, rel_key, template, safe).encode(encoding))
        tpl.is_rendered = True
        # The body's text is in the XML, each character as itself (or as a character reference): with no
        # right-to-left character among them, its runs need no looking at one by one.
        if b"&#" in encoded or may_have_rtl(encoded):
            mark_right_to_left(tpl.docx.element.body)
        return tpl.docx


def _around_body(document: Any, body_xml: str) -> tuple[bytes, bytes, bytes, bytes] | None:
    """What surrounds the body in the template's w:document (its start, and its end), the body's start
    tag as docxtpl's body XML has it, and that tag inside the document: without the namespace
    declarations the document's own make (lxml's moveNodeToDocument strips those), or None when the
    document's children are not what this expects."""
    shell = copy.deepcopy(document)
    bodies = [child for child in shell if child.tag == _W_BODY]
    if len(bodies) != 1:
        return None
    bodies[0].clear()
    for name in list(bodies[0].attrib):
        del bodies[0].attrib[name]
    whole = etree.tostring(shell, encoding="utf-8")
    marker = b"<w:body/>"
    if whole.count(marker) != 1:
        return None
    before, after = whole.split(marker)
    found = re.match(r"<w:body(\s[^>]*)?>", body_xml)
    if found is None:
        return None
    alone = found.group(0)
    declared = dict(document.nsmap)
    kept = [m.group(0) for m in re.finditer(r'\s(?:xmlns(?::([\w.-]+))?="([^"]*)"|[^\s=]+="[^"]*")', found.group(1) or "")
            if not (m.group(0).lstrip().startswith("xmlns") and declared.get(m.group(1)) == m.group(2))]
    return before, alone.encode("utf-8"), f"<w:body{''.join(kept)}>".encode(), after


def _adopt(document: Document, element: Any) -> None:
    """Make `element` (a whole w:document) the document's own, as python-docx's Document and its part
    hold it (Document caches its body's proxy: dropped, so it is made again from the new element)."""
    document._element = element
    document.part._element = element
    document._Document__body = None  # type: ignore[attr-defined]


def _joined_lines(xml: str) -> str:
    """The rendered XML without the line docxtpl starts each paragraph on for Jinja (re.sub(r"\n<w:p([ >])",
    r"<w:p\1") in docxtpl), as two plain replaces: a third of the regular expression's time."""
    return xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")


def _unescaped_tags(xml: str) -> str:
    """A template's "{_{", "}_}", "{_%" and "%_}" printed as the tags they stand for, as docxtpl's
    render_xml_part prints them: how a template shows "{{" in its text."""
    return xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


def _has_listing(encoded: bytes) -> bool:
    """Whether resolve_listing has anything to resolve: a byte search for each character is a memchr,
    where a regular expression over a long document's text takes a millisecond."""
    return any(char in encoded for char in (b"\t", b"\n", b"\a", b"\f"))


def _render_part(tpl: DocxTemplate, rel_key: str, template: Any, context: Mapping[str, Any]) -> str:
    """A header or footer filled, as docxtpl's render_xml_part fills it, from its compiled template."""
    tpl.current_rendering_part = tpl.docx._part.rels[rel_key].target_part
    xml = _unescaped_tags(_joined_lines(template.render(context)))
    return str(tpl.resolve_listing(xml))


_W_BODY = qn("w:body")
_W_TBL, _W_TBL_GRID, _W_GRID_COL, _W_TR, _W_TC = qn("w:tbl"), qn("w:tblGrid"), qn("w:gridCol"), qn("w:tr"), qn("w:tc")
_W_TC_PR, _W_GRID_SPAN, _W_VAL = qn("w:tcPr"), qn("w:gridSpan"), qn("w:val")


def fix_tables(tpl: DocxTemplate, xml: str, encoded: bytes | None = None) -> Any:
    """docxtpl's fix_tables (a table's grid widened or narrowed to the cells its rows hold, where a loop
    made more or fewer), parsing the XML from UTF-8 bytes, which lxml parses in a third of the time it
    takes over a str; and when every table's grid already fits its rows, as it does unless a template
    loops over cells, the tree is only read, not rebuilt by docxtpl. Tested equal to docxtpl's."""
    # A parser per call, as docxtpl makes one (lxml's parsers are not for sharing between threads).
    encoded = xml.encode("utf-8") if encoded is None else encoded  # `xml` as UTF-8, where the caller has it
    tree = etree.fromstring(encoded, parser=etree.XMLParser(recover=True))
    if tree.nsmap.get("w") != nsmap["w"] or any(_grid_changes(table) for table in tree.iter(_W_TBL)):
        return tpl.fix_tables(xml)
    return tree


def _grid_changes(table: Any) -> bool:
    """Whether docxtpl's fix_tables would change this table's grid: columns added (a row holds more
    cells than the grid has columns) or removed (every row spans fewer columns than the grid has)."""
    grid = next(table.iterchildren(_W_TBL_GRID), None)
    if grid is None:
        return True  # docxtpl's own fix_tables says what is wrong
    columns = sum(1 for _ in grid.iterchildren(_W_GRID_COL))
    spanned = False  # whether some row spans every column yet
    for row in table.iter(_W_TR):  # as docxtpl counts: the rows of tables inside this one too
        if len(row) <= columns and spanned:
            continue  # no more cells than columns (it has no more children), and the grid is spanned
        cells = spans = 0
        for cell in row.iterchildren(_W_TC):
            cells += 1
            tc_pr = next(cell.iterchildren(_W_TC_PR), None)
            span = None if tc_pr is None else next(tc_pr.iterchildren(_W_GRID_SPAN), None)
            spans += 1 if span is None else int(span.get(_W_VAL))
        if cells > columns:
            return True
        spanned = spanned or spans >= columns
    return not spanned


_W_T = qn("w:t")
# docxtpl's resolve_listing finds paragraphs, their runs and the runs' text with lazy matches (".*?",
# across lines): the same matches, each ending at the first closing tag, written so that re scans to it
# at C speed instead of trying the closing tag at every character.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>[^<]*(?:<(?!/w:p>)[^<]*)*</w:p>")
_RUN = re.compile(r"<w:r(?: [^>]*)?>[^<]*(?:<(?!/w:r>)[^<]*)*</w:r>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*(?:<(?!/w:t>)[^<]*)*</w:t>")
_PARAGRAPH_PROPERTIES = re.compile(r"<w:pPr>.*?</w:pPr>")  # within a line, as docxtpl's
_RUN_PROPERTIES = re.compile(r"<w:rPr>.*?</w:rPr>")
_LISTING = re.compile("[\t\a\n\f]")


def resolve_listing(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's resolve_listing (tabs, line and page breaks in text become Word's own), done only to the
    runs that hold one of those characters (it leaves every other run as it was; on a 40-case agenda it
    cost more than the rest of the fill). Tested equal to docxtpl's on every form and on any text."""
    if not _LISTING.search(xml):
        return xml
    return _PARAGRAPH.sub(_resolve_paragraph, xml)


def _resolve_paragraph(paragraph: re.Match[str]) -> str:
    xml = paragraph.group(0)
    if not _LISTING.search(xml):
        return xml
    found = _PARAGRAPH_PROPERTIES.search(xml)
    properties = found.group(0) if found else ""
    return _RUN.sub(lambda run: _resolve_run(run.group(0), properties), xml)


def _resolve_run(run: str, paragraph_properties: str) -> str:
    if not _LISTING.search(run):
        return run
    found = _RUN_PROPERTIES.search(run)
    properties = found.group(0) if found else ""
    return _TEXT.sub(lambda text: _resolve_text(text.group(0), properties, paragraph_properties), run)


def _resolve_text(xml: str, run_properties: str, paragraph_properties: str) -> str:
    """One w:t's tab, paragraph mark (\\a), line break and page break as docxtpl writes them, in its order."""
    xml = xml.replace("\t", f'</w:t></w:r><w:r>{run_properties}<w:tab/></w:r><w:r>{run_properties}<w:t xml:space="preserve">')
    xml = xml.replace("\a", f'</w:t></w:r></w:p><w:p>{paragraph_properties}<w:r>{run_properties}<w:t xml:space="preserve">')
    xml = xml.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    return xml.replace("\f", f'</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r></w:p><w:p>{paragraph_properties}'
                              f'<w:r>{run_properties}<w:t xml:space="preserve">')


# w:rPr children that come after w:rtl in the schema's order (CT_RPr).
_AFTER_RTL = {qn("w:cs"), qn("w:em"), qn("w:lang"), qn("w:eastAsianLayout"), qn("w:specVanish"), qn("w:oMath")}


def mark_right_to_left(body: Any) -> None:
    """Give right-to-left text (Arabic, Urdu, Hebrew) runs of its own marked w:rtl, as Word does.

    Word then lays each such run out right to left, with its complex-script font, inside the
    left-to-right paragraph; the rest of the run (English, numbers) stays as it was.
    """
    # One pass over all the text first: most documents hold no right-to-left character at all.
    if not has_rtl("".join(t.text or "" for t in body.iter(_W_T))):
        return
    for run in list(body.iter(qn("w:r"))):
        texts = [t.text or "" for t in run.iter(qn("w:t"))]
        if not any(has_rtl(text) for text in texts):
            continue
        rpr = run.find(qn("w:rPr"))
        pieces: list[Any] = []  # new w:r elements, in order
        for child in list(run):
            if child.tag == qn("w:rPr"):
                continue
            spans = rtl_spans(child.text or "") if child.tag == qn("w:t") else [(False, None)]
            for rtl, text in spans:
                new_run = OxmlElement("w:r")
                new_rpr = copy.deepcopy(rpr) if rpr is not None else OxmlElement("w:rPr")
                if rtl:
                    mark = OxmlElement("w:rtl")
                    later = next((el for el in new_rpr if el.tag in _AFTER_RTL), None)
                    if later is not None:
                        later.addprevious(mark)
                    else:
                        new_rpr.append(mark)
                if len(new_rpr):
                    new_run.append(new_rpr)
                if text is None:
                    new_run.append(copy.deepcopy(child))
                else:
                    t = OxmlElement("w:t")
                    t.set(qn("xml:space"), "preserve")
                    t.text = text
                    new_run.append(t)
                pieces.append(new_run)
        for piece in pieces:
            run.addprevious(piece)
        run.getparent().remove(run)


_cache: dict[Path, CompiledTemplate] = {}
_cache_lock = threading.Lock()


def compiled(path: Path) -> CompiledTemplate:
    """The compiled template for `path`, compiled on first use in this process."""
    template = _cache.get(path)
    if template is None:
        with _cache_lock:
            template = _cache.get(path)
            if template is None:
                template = CompiledTemplate(path)
                _cache[path] = template
    return template


def set_metadata(document: Document, meta: DocumentMeta) -> None:
    props = document.core_properties
    props.title = meta.title
    props.subject = meta.subject
    props.keywords = meta.keywords
    props.language = meta.language
    props.author = meta.author
    props.last_modified_by = meta.author
    props.comments = ""
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME


class _StampedZipWriter(_ZipPkgWriter):
    """python-docx's zip writer, but every entry carries the fixed time (python-docx stamps the wall clock).

    Writing the package once with fixed stamps saves compressing it, reading it back and compressing
    it again.
    """

    def __new__(cls, pkg_file: io.BytesIO) -> _StampedZipWriter:  # PhysPkgWriter.__new__ always makes its own class
        return object.__new__(cls)

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        stamped = zipfile.ZipInfo(pack_uri.membername, date_time=_ZIP_TIME)
        stamped.compress_type = zipfile.ZIP_DEFLATED
        stamped.external_attr = 0o600 << 16
        self._zipf.writestr(stamped, blob)


def docx_bytes(document: Document) -> bytes:
    """Save to bytes reproducibly: python-docx's own package writing (OpcPackage.save), fixed stamps."""
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    writer = _StampedZipWriter(out)
    try:
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    finally:
        writer.close()
    return out.getvalue()
