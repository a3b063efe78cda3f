"""Prefill one form from a document or file made earlier (Manchester 1.4: a family's story is told once).

An upload is a formgen PDF (its attached data), a formgen DOCX (its custom XML part), or JSON: either a
formgen payload `{"form": id, "data": body}` or a plain body exported from a case system. The data is
mapped to the target form through the shared vocabulary (`FormSpec.shares` then `FormSpec.takes`), or
used as it is when it already belongs to the target form. Nothing is stored and nothing is logged.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from marshmallow import Schema, fields

from formgen.core.errors import BadDocument
from formgen.core.fields import Rows
from formgen.core.limits import OversizedNumber
from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import drop_empty
from formgen.documents import embed

# A formgen document of the longest form is well under this; anything larger is refused unread.
MAX_UPLOAD_BYTES = 1_000_000

ACCEPTED = "a PDF or Word (.docx) document made by this service, or a JSON file"


class UploadKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    JSON = "json"


@dataclass(frozen=True)
class Prefill:
    """A partial body for the target form and where it came from."""

    body: dict[str, Any]
    kind: UploadKind
    source_form: str | None   # the form the data was made for; None for a plain JSON body
    dropped: int              # answers in the source the target form has no place for
    # What the person must know before using the answers (an unsigned document, rows left out).
    warnings: tuple[str, ...] = ()

    def envelope(self) -> dict[str, Any]:
        """The API's `?envelope=1` answer: the body with what an integrator must show beside it."""
        return {"body": self.body, "warnings": list(self.warnings), "source_form": self.source_form,
                "kind": str(self.kind), "dropped": self.dropped}


UNSIGNED = ("This document carries no signature from this service: it was made by an earlier version, so this "
            "service cannot tell whether it was changed since. Check every answer against the case record before you "
            "use it.")


def sniff(content: bytes) -> UploadKind:
    """What the bytes are, by their first bytes, never by the file's name or declared type."""
    if content.startswith(b"%PDF-"):
        return UploadKind.PDF
    if content.startswith(b"PK\x03\x04"):
        return UploadKind.DOCX
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return UploadKind.JSON
    raise BadDocument(f"This service cannot read this file. Upload {ACCEPTED}.")


def _shares_of(forms: Mapping[str, FormSpec]) -> embed.SharesOf:
    def shares(form_id: str | None) -> Any:
        found = forms.get(form_id) if form_id is not None else None
        return found.shares if found is not None else None

    return shares


def _carried(kind: UploadKind, content: bytes, forms: Mapping[str, FormSpec]) -> embed.Carried:
    if kind is UploadKind.PDF:
        return embed.read_pdf_document(content, _shares_of(forms))[0]
    if kind is UploadKind.DOCX:
        return embed.read_docx_document(content, _shares_of(forms))
    return embed.read_json_data(content)


def read_upload(content: bytes, forms: Mapping[str, FormSpec] | None = None) -> tuple[UploadKind, str | None, dict[str, Any]]:
    """(kind, source form id or None, data) from an uploaded file, or BadDocument saying what to do."""
    kind, carried = read_carried(content, forms)
    return kind, carried.form, carried.data


def read_carried(content: bytes, forms: Mapping[str, FormSpec] | None = None) -> tuple[UploadKind, embed.Carried]:
    """(kind, the data it carries and whether it is signed) from an uploaded file, or BadDocument.

    A document's signature must hold and its pages must show its data (formgen/documents/embed.py).
    """
    if not content:
        raise BadDocument(f"The file is empty. Upload {ACCEPTED}.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise BadDocument(f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB. Upload {ACCEPTED}.")
    kind = sniff(content)
    try:
        carried = _carried(kind, content, all_forms() if forms is None else forms)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadDocument(f"The file's data is not valid JSON in UTF-8. Upload {ACCEPTED}.") from None
    except ValueError as exc:
        # embed's messages are about the file, never its contents ("The PDF is encrypted.").
        raise BadDocument(f"{exc} Upload {ACCEPTED}.") from None
    except (zipfile.BadZipFile, KeyError, RecursionError, ElementTree.ParseError):
        raise BadDocument(f"The file is damaged or not a Word document. Upload {ACCEPTED}.") from None
    except Exception:  # pypdf raises many types for a broken PDF; none of them quote the data
        raise BadDocument(f"The file is damaged and cannot be read. Upload {ACCEPTED}.") from None
    return kind, carried


def keep_known(schema: Schema | type[Schema], value: Any) -> tuple[Any, int]:
    """The parts of `value` the schema has fields for, and how many top-level answers were dropped (unknown
    fields, numbers too long to be answers), counting rows past a list's maximum too."""
    instance = schema() if isinstance(schema, type) else schema
    if not isinstance(value, Mapping):
        return {}, 0
    kept: dict[str, Any] = {}
    dropped = 0
    for key, item in value.items():
        field = instance.fields.get(key)
        if field is None or field.dump_only or isinstance(item, OversizedNumber):
            dropped += 1
            continue
        kept[key], lost = _keep_field(field, item)
        dropped += lost
    return kept, dropped


def _keep_field(field: fields.Field, value: Any) -> tuple[Any, int]:
    if isinstance(field, fields.Nested) and isinstance(value, Mapping):
        return keep_known(field.schema, value)[0], 0
    if isinstance(field, fields.List) and isinstance(value, list):
        # Never more rows than the form has room for: the rest are counted, never drawn.
        room = field.max_items if isinstance(field, Rows) else len(value)
        rows, lost = value[:room], max(0, len(value) - room)
        if isinstance(field.inner, fields.Nested):
            return [keep_known(field.inner.schema, item)[0] if isinstance(item, Mapping) else item for item in rows], lost
        return rows, lost
    if isinstance(value, (Mapping, list)):
        return None, 0  # a list or object where the form has a single answer: not one formgen can show
    return value, 0


def _rows_warning(target: FormSpec, raw: Any, body: Mapping[str, Any]) -> list[str]:
    """A warning for each list the target cut to its maximum."""
    said = []
    for key, field in target.schema().fields.items():
        if isinstance(field, Rows) and isinstance(raw, Mapping) and isinstance(raw.get(key), list) \
                and len(raw[key]) > field.max_items and key in body:
            label = field.metadata.get("label", key)
            said.append(f"{label}: the file has {len(raw[key])}; the form has room for {field.max_items}, so only "
                        f"the first {field.max_items} were filled in.")
    return said


def prefill_body(target: FormSpec, source_form: str | None, data: Mapping[str, Any],
                 forms: Mapping[str, FormSpec] | None = None) -> tuple[dict[str, Any], int]:
    """The target form's partial body from data made for `source_form` (None: a plain body for the target)."""
    body, dropped, _ = _prefill(target, source_form, data, forms)
    return body, dropped


def _prefill(target: FormSpec, source_form: str | None, data: Mapping[str, Any],
             forms: Mapping[str, FormSpec] | None = None) -> tuple[dict[str, Any], int, list[str]]:
    known = all_forms() if forms is None else forms
    if source_form is None or source_form == target.id:
        body, dropped = keep_known(target.schema, data)
        return drop_empty(body), dropped, _rows_warning(target, data, body)
    source = known.get(source_form)
    if source is None:
        raise BadDocument(
            f"The file was made for a form this service does not have ('{source_form}'). "
            f"Upload {ACCEPTED} for one of this service's forms."
        )
    if source.shares is None or target.takes is None:
        raise BadDocument(
            f"A {source.title} cannot fill in the {target.title}: the two forms share no answers. "
            "Start the form empty instead."
        )
    try:
        taken = target.takes(source.shares(data))
    except Exception:  # data from a file: the forms' own code expects a valid body of the source form
        raise BadDocument(f"The file's data is not a valid {source.title}. Upload {ACCEPTED}.") from None
    body, dropped = keep_known(target.schema, taken)
    return drop_empty(body), dropped, _rows_warning(target, taken, body)


def prefill_from_data(target: FormSpec, kind: UploadKind, source_form: str | None, data: Mapping[str, Any],
                      forms: Mapping[str, FormSpec] | None = None) -> Prefill:
    """Data already read (a case system's post) mapped to the target form, with its warnings."""
    body, dropped, warnings = _prefill(target, source_form, data, forms)
    return Prefill(body=body, kind=kind, source_form=source_form, dropped=dropped, warnings=tuple(warnings))


def prefill_from_upload(target: FormSpec, content: bytes, forms: Mapping[str, FormSpec] | None = None) -> Prefill:
    """Read an upload and map it to the target form."""
    kind, carried = read_carried(content, forms)
    body, dropped, warnings = _prefill(target, carried.form, carried.data, forms)
    if kind is not UploadKind.JSON and not carried.signed:
        warnings.insert(0, UNSIGNED)
    return Prefill(body=body, kind=kind, source_form=carried.form, dropped=dropped, warnings=tuple(warnings))
