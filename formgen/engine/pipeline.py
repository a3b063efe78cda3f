"""The engine: validate a body, fill the template, lay out the PDF, check the page limit.

The API, the CLI and the web pages all call these functions; none of them imports Flask.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from docx.document import Document
from marshmallow import Schema, ValidationError

from formgen.core.errors import UnsupportedFormat, ValidationFailed
from formgen.core.limits import cap_errors
from formgen.core.problems import flatten_errors
from formgen.core.registry import FormSpec
from formgen.documents import attachments, embed
from formgen.documents.docx_fill import FIXED_TIME as _FIXED
from formgen.documents.docx_fill import DocumentMeta, compiled, docx_bytes, set_metadata
from formgen.documents.pages import enforce_limit
from formgen.documents.pdf_layout import lay_out


class Format(StrEnum):
    PDF = "pdf"
    DOCX = "docx"

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self]


MEDIA_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class RenderedDocument:
    content: bytes
    format: Format
    filename: str
    pages: int | None

    @property
    def media_type(self) -> str:
        return self.format.media_type


@cache
def _schema(schema_class: type[Schema]) -> Schema:
    """One schema instance per form: marshmallow 4 schemas hold no per-load state."""
    return schema_class()


def validate(spec: FormSpec, body: Any) -> dict[str, Any]:
    """The body loaded by the form's schema, or ValidationFailed naming each field."""
    if not isinstance(body, Mapping):
        raise ValidationFailed({"_schema": ["The body must be a JSON object."]})
    try:
        return _schema(spec.schema).load(body)
    except ValidationError as exc:
        raise ValidationFailed(cap_errors(flatten_errors(exc.messages))) from None


def _meta(spec: FormSpec) -> DocumentMeta:
    return DocumentMeta(title=spec.title, subject=f"{spec.authority}: {spec.description or spec.title}",
                        keywords=spec.id)


def _fill(spec: FormSpec, data: Mapping[str, Any]) -> Document:
    document = compiled(spec.template_path).fill(spec.build_context(data))
    set_metadata(document, _meta(spec))
    return document


def _pages(spec: FormSpec, data: Mapping[str, Any]) -> int:
    """The page count of the data laid out (page-limit messages measure how much to cut with it)."""
    # Untagged: the structure tree and PDF/A are for a document someone keeps, and change no page.
    return lay_out(_fill(spec, data), _meta(spec), template_key=spec.id, tagged=False).pages


def check(spec: FormSpec, body: Any) -> int:
    """Validate and lay out; the page count, or ValidationFailed / PageLimitExceeded."""
    data = validate(spec, body)
    pages = _pages(spec, data)
    enforce_limit(pages, spec.max_pages, data, lambda shorter: _pages(spec, shorter))
    return pages


def render(spec: FormSpec, body: Any, fmt: Format | str) -> RenderedDocument:
    """One finished document, or an engine error. Nothing over the page limit is returned."""
    fmt = _format(spec, fmt)
    data = validate(spec, body)
    document = _fill(spec, data)
    pages: int | None = None
    pdf: bytes | None = None
    # Uploaded files (formgen/documents/attachments.py): the carried data names them, the PDF holds them.
    carried = embed.payload(spec.id, attachments.carried_body(body, data))
    if fmt is Format.PDF or spec.max_pages is not None:
        # One layout serves both the page check and, for a PDF, the answer itself.
        laid_out = lay_out(document, _meta(spec), attachment=carried, template_key=spec.id)
        pdf, pages = laid_out.pdf, laid_out.pages
        enforce_limit(pages, spec.max_pages, data, lambda shorter: _pages(spec, shorter))
    if fmt is Format.PDF:
        assert pdf is not None
        content = attachments.attach_uploads(pdf, data)
    else:
        embed.add_to_docx(document, carried)
        content = docx_bytes(document)
    return RenderedDocument(content=content, format=fmt, filename=f"{spec.filename(data)}.{fmt.value}",
                            pages=pages)


def render_split(spec: FormSpec, body: Any, fmt: Format | str) -> RenderedDocument:
    """A ZIP holding one document per child, for forms about several children."""
    fmt = _format(spec, fmt)
    if spec.split_by_child is None:
        raise UnsupportedFormat(f"The form '{spec.id}' is about one child and cannot be split by child.")
    data = validate(spec, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, child_body in spec.split_by_child(body):
            document = render(spec, child_body, fmt)
            info = zipfile.ZipInfo(f"{stem}.{fmt.value}", date_time=_FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, document.content)
    return RenderedDocument(content=out.getvalue(), format=fmt, filename=f"{spec.filename(data)}-{fmt.value}.zip",
                            pages=None)


def _format(spec: FormSpec, fmt: Format | str) -> Format:
    try:
        chosen = Format(fmt)
    except ValueError:
        raise UnsupportedFormat(
            f"'{fmt}' is not a format this service makes. Ask for one of: {', '.join(spec.formats)}."
        ) from None
    if chosen.value not in spec.formats:
        raise UnsupportedFormat(f"The form '{spec.id}' is offered as {', '.join(spec.formats)} only.")
    return chosen


def warm_up() -> None:
    """Compile every template and register the fonts now, so no request pays for it."""
    from formgen.core.registry import all_forms
    from formgen.documents.fonts import register_fonts

    register_fonts()
    for spec in all_forms().values():
        compiled(spec.template_path)
