"""Fill a Word template with docxtpl, safely and once-parsed, and save it reproducibly.

A template's body is patched and compiled by Jinja once per process; each render opens a fresh
python-docx Document from the cached bytes (docxtpl mutates its document, so nothing filled is
ever shared between requests).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from docx.document import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

# Autoescape: user text reaches Word's XML only escaped. StrictUndefined: a template that asks
# for something its form's context does not give fails loudly in tests, not silently blank.
_ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)

# Fixed stamps so the same input always gives the same bytes.
FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class Printable:
    """User text as docxtpl must see it: escaped, braces neutralised, line breaks kept.

    Braces become character references so nothing a family writes ("{{", "{_{") can ever be read
    as template syntax by docxtpl's post-processing; Word reads them back as plain braces.
    """

    __slots__ = ("xml",)

    def __init__(self, text: str) -> None:
        self.xml = escape(text, quote=False).replace("{", "&#123;").replace("}", "&#125;")

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
        self.variables = probe.get_undeclared_template_variables(_ENV)

    def fill(self, context: Mapping[str, Any]) -> Document:
        """A new python-docx Document holding this template filled with `context`."""
        tpl = DocxTemplate(io.BytesIO(self.blob))
        tpl.render_init()
        safe = printable(context)
        xml = self.body.render(safe)
        xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
        xml = tpl.resolve_listing(xml)
        tree = tpl.fix_tables(xml)
        tpl.fix_docpr_ids(tree)
        tpl.map_tree(tree)
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for rel_key, part_xml in tpl.build_headers_footers_xml(safe, uri, _ENV):
                tpl.map_headers_footers_xml(rel_key, part_xml)
        tpl.is_rendered = True
        return tpl.docx


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


def docx_bytes(document: Document) -> bytes:
    """Save to bytes with fixed ZIP timestamps (python-docx stamps the wall clock)."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            stamped = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            stamped.compress_type = zipfile.ZIP_DEFLATED
            stamped.external_attr = 0o600 << 16
            dst.writestr(stamped, src.read(info.filename))
    return out.getvalue()
