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

from marshmallow import Schema, fields

from formgen.core.errors import BadDocument
from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import drop_empty
from formgen.documents import embed

# A formgen document of the longest form is well under this; anything larger is refused unread.
MAX_UPLOAD_BYTES = 1_000_000

ACCEPTED = "a PDF or Word (.docx) document made by formgen, or a JSON file"


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


def sniff(content: bytes) -> UploadKind:
    """What the bytes are, by their first bytes, never by the file's name or declared type."""
    if content.startswith(b"%PDF-"):
        return UploadKind.PDF
    if content.startswith(b"PK\x03\x04"):
        return UploadKind.DOCX
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return UploadKind.JSON
    raise BadDocument(f"This file is not one formgen can read. Upload {ACCEPTED}.")


def read_upload(content: bytes) -> tuple[UploadKind, str | None, dict[str, Any]]:
    """(kind, source form id or None, data) from an uploaded file, or BadDocument saying what to do."""
    if not content:
        raise BadDocument(f"The file is empty. Upload {ACCEPTED}.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise BadDocument(f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB. Upload {ACCEPTED}.")
    kind = sniff(content)
    readers = {UploadKind.PDF: embed.read_pdf_data, UploadKind.DOCX: embed.read_docx_data,
               UploadKind.JSON: embed.read_json_data}
    try:
        source, data = readers[kind](content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadDocument(f"The file's data is not valid JSON in UTF-8. Upload {ACCEPTED}.") from None
    except ValueError as exc:
        # embed's messages are about the file, never its contents ("The PDF is encrypted.").
        raise BadDocument(f"{exc} Upload {ACCEPTED}.") from None
    except (zipfile.BadZipFile, KeyError, RecursionError):
        raise BadDocument(f"The file is damaged or not a Word document. Upload {ACCEPTED}.") from None
    except Exception:  # pypdf raises many types for a broken PDF; none of them quote the data
        raise BadDocument(f"The file is damaged and cannot be read. Upload {ACCEPTED}.") from None
    if source is not None and not isinstance(source, str):
        raise BadDocument(f"The file's formgen data names no form. Upload {ACCEPTED}.")
    return kind, source, data


def keep_known(schema: Schema | type[Schema], value: Any) -> tuple[Any, int]:
    """The parts of `value` the schema has fields for, and how many top-level answers were dropped."""
    instance = schema() if isinstance(schema, type) else schema
    if not isinstance(value, Mapping):
        return {}, 0
    kept: dict[str, Any] = {}
    dropped = 0
    for key, item in value.items():
        field = instance.fields.get(key)
        if field is None or field.dump_only:
            dropped += 1
            continue
        kept[key] = _keep_field(field, item)
    return kept, dropped


def _keep_field(field: fields.Field, value: Any) -> Any:
    if isinstance(field, fields.Nested) and isinstance(value, Mapping):
        return keep_known(field.schema, value)[0]
    if isinstance(field, fields.List) and isinstance(value, list) and isinstance(field.inner, fields.Nested):
        return [keep_known(field.inner.schema, item)[0] if isinstance(item, Mapping) else item for item in value]
    return value


def prefill_body(target: FormSpec, source_form: str | None, data: Mapping[str, Any],
                 forms: Mapping[str, FormSpec] | None = None) -> tuple[dict[str, Any], int]:
    """The target form's partial body from data made for `source_form` (None: a plain body for the target)."""
    known = all_forms() if forms is None else forms
    if source_form is None or source_form == target.id:
        body, dropped = keep_known(target.schema, data)
        return drop_empty(body), dropped
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
    case = source.shares(data)
    body, dropped = keep_known(target.schema, target.takes(case))
    return drop_empty(body), dropped


def prefill_from_upload(target: FormSpec, content: bytes, forms: Mapping[str, FormSpec] | None = None) -> Prefill:
    """Read an upload and map it to the target form."""
    kind, source, data = read_upload(content)
    body, dropped = prefill_body(target, source, data, forms)
    return Prefill(body=body, kind=kind, source_form=source, dropped=dropped)
