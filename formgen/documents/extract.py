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
import itertools
from typing import Any

from marshmallow import Schema, ValidationError
from marshmallow import fields as mf
from pypdf.errors import PyPdfError

from formgen.core.errors import BadDocument, ValidationFailed
from formgen.core.fields import StrictDate
from formgen.core.limits import cap_errors
from formgen.core.problems import flatten_errors
from formgen.core.registry import FormSpec
from formgen.documents import embed
from formgen.documents.pdf_fields import field_path

# A two-page consent form is about 100 kB; anything far larger is not one of ours.
MAX_PDF_BYTES = 2_000_000
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


NOT_FORMGEN = "Upload the completed PDF that this service made, not a scan or a copy printed to PDF."


def _read(spec: FormSpec, content: bytes) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(form id, embedded body, {field name: raw value}), or BadDocument.

    The body must carry formgen's signature and the pages must show it (formgen/documents/embed.py): a
    document whose data was forged or edited is refused, and so is one from before documents were signed.
    """
    if len(content) > MAX_PDF_BYTES:
        raise BadDocument(f"The file is larger than {MAX_PDF_BYTES:,} bytes; a completed form from this service is far smaller.")
    if not content.startswith(b"%PDF-"):
        raise BadDocument("The file is not a PDF. Upload the completed PDF that this service made.")
    try:
        carried, fields = embed.read_pdf_document(content, lambda form: spec.shares if form == spec.id else None,
                                                  with_fields=True, signed_only=True)
    except embed.Unsigned as exc:
        raise BadDocument(f"{exc} It cannot be read back as a completed form: start a new form from it (prefill), "
                          "have that completed, and upload it.") from None
    except ValueError as exc:
        raise BadDocument(f"{exc} {NOT_FORMGEN}") from None
    except (PyPdfError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise BadDocument(f"The PDF cannot be read ({type(exc).__name__}). Upload the completed PDF that this "
                          "service made.") from None
    return carried.form, carried.data, fields


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


def _fields_agree(body: dict[str, Any], schema: Schema, fields: dict[str, Any]) -> None:
    """Every fillable field is one formgen makes for this body: a path of the form, and a row the body has.

    Values may differ (filling them in is the point); a field for a row the data does not have means the
    fields and the data came from different documents.
    """
    for name in fields:
        parts = field_path(name).split(".")
        if _schema_field(schema, parts) is None:
            raise BadDocument(f"The PDF has a fillable field this service does not make for this form ({name[:80]}). "
                              f"{NOT_FORMGEN}")
        target: Any = body
        for key in parts:
            if isinstance(target, list) and key.isdigit() and int(key) >= len(target):
                raise BadDocument("The PDF's fillable fields do not match the data it carries (a field for a row "
                                  f"the data does not have). {NOT_FORMGEN}")
            target = target[int(key)] if isinstance(target, list) and key.isdigit() else (
                target.get(key) if isinstance(target, dict) else None)


def extract(spec: FormSpec, content: bytes) -> dict[str, Any]:
    """The body of a completed formgen PDF of form `spec`, validated; BadDocument or ValidationFailed."""
    form_id, embedded, fields = _read(spec, content)
    if form_id is not None and form_id != spec.id:
        raise BadDocument(f"This PDF is a '{form_id}' document, not '{spec.id}'. "
                          f"Send it to /api/forms/{form_id}/extract.")
    body = copy.deepcopy(embedded)
    schema = spec.schema()
    _fields_agree(body, schema, fields)
    _overlay(body, schema, fields)
    schema_class: type[Schema] = spec.completed_schema or spec.schema
    try:
        schema_class().load(body)
    except ValidationError as exc:
        raise ValidationFailed(cap_errors(flatten_errors(exc.messages))) from None
    return body
