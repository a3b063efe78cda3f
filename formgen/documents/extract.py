"""Read a completed formgen PDF back into a body: a signed form becomes a record, not a scan.

Every formgen PDF carries the body it was made from (formgen/documents/embed.py). Extraction starts from that
body, overlays what was typed or ticked in the PDF's form fields (named by body path, see
formgen/documents/pdf_fields.py), then validates the result with the form's schema, or with the stricter schema
a form gives for a completed document (`FormSpec.completed_schema`, e.g. "signed on
both sides").
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools
import logging
from typing import Any

from marshmallow import Schema, ValidationError
from marshmallow import fields as mf
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from formgen.core.errors import BadDocument, ValidationFailed
from formgen.core.fields import StrictDate
from formgen.core.problems import flatten_errors
from formgen.core.registry import FormSpec
from formgen.documents import embed
from formgen.documents.pdf_fields import field_path

# A two-page consent form is about 100 kB; anything far larger is not one of ours.
MAX_PDF_BYTES = 2_000_000
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


def _read(content: bytes) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(form id, embedded body, {field name: raw value}), or BadDocument."""
    if len(content) > MAX_PDF_BYTES:
        raise BadDocument(f"The file is larger than {MAX_PDF_BYTES:,} bytes; a completed formgen form is far smaller.")
    if not content.startswith(b"%PDF-"):
        raise BadDocument("The file is not a PDF. Upload the completed PDF that formgen made.")
    # pypdf logs (rather than raises) what it repairs in a damaged file; keep that out of the logs.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        try:
            form_id, body = embed.read_pdf_data(content)
        except ValueError as exc:
            raise BadDocument(f"{exc} Upload the completed PDF that formgen made, not a scan or a copy "
                              "printed to PDF.") from None
        reader = PdfReader(io.BytesIO(content))
        fields = {name: field.get("/V") for name, field in (reader.get_fields() or {}).items()}
    except BadDocument:
        raise
    except (PyPdfError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise BadDocument(f"The PDF cannot be read ({type(exc).__name__}). Upload the completed PDF that formgen "
                          "made.") from None
    finally:
        pypdf_log.setLevel(level)
    return form_id, body, fields


def _schema_field(schema: Schema, parts: list[str]) -> mf.Field | None:
    """The marshmallow field a body path leads to (list indexes skipped), or None."""
    field: mf.Field | None = None
    current: Schema | None = schema
    rest = list(parts)
    while rest:
        key = rest.pop(0)
        if isinstance(field, mf.List):
            if not key.isdigit():
                return None
            field = field.inner
            if isinstance(field, mf.Nested):
                current = field.schema
            continue
        if isinstance(field, mf.Nested):
            current = field.schema
        if current is None or key not in current.fields:
            return None
        field = current.fields[key]
        current = None
        if isinstance(field, mf.Nested):
            current = field.schema
    return field


def _date(text: str) -> str:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text  # the schema then says what a date must look like


def _value(field: mf.Field, raw: Any) -> tuple[bool, Any]:
    """(given, value) from a PDF field's /V: a tick, a date, or text."""
    if isinstance(field, mf.Boolean):
        return str(raw) not in ("/Off", "Off", "", "None"), str(raw) not in ("/Off", "Off", "", "None")
    text = "" if raw is None else str(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return False, None
    if isinstance(field, StrictDate):
        return True, _date(text)
    return True, text


def _overlay(body: dict[str, Any], schema: Schema, fields: dict[str, Any]) -> None:
    for name, raw in sorted(fields.items()):
        parts = field_path(name).split(".")
        field = _schema_field(schema, parts)
        if field is None:
            continue
        given, value = _value(field, raw)
        target: Any = body
        for key, following in itertools.pairwise(parts):
            if isinstance(target, list):
                index = int(key)
                if index >= len(target):
                    target = None
                    break
                target = target[index]
            elif isinstance(target, dict):
                if key not in target or target[key] is None:
                    if not given:
                        target = None
                        break
                    target[key] = [] if following.isdigit() else {}
                target = target[key]
            else:
                target = None
                break
        if not isinstance(target, dict):
            continue
        last = parts[-1]
        if given:
            target[last] = value
        elif target.get(last) not in (None, "", False):
            # Cleared on screen: an untick is false, an emptied box is no answer.
            target[last] = False if isinstance(field, mf.Boolean) else None


def extract(spec: FormSpec, content: bytes) -> dict[str, Any]:
    """The body of a completed formgen PDF of form `spec`, validated; BadDocument or ValidationFailed."""
    form_id, embedded, fields = _read(content)
    if form_id is not None and form_id != spec.id:
        raise BadDocument(f"This PDF is a '{form_id}' document, not '{spec.id}'. "
                          f"Send it to /api/forms/{form_id}/extract.")
    body = copy.deepcopy(embedded)
    _overlay(body, spec.schema(), fields)
    schema_class: type[Schema] = spec.completed_schema or spec.schema
    try:
        schema_class().load(body)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    return body
