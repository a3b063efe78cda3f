"""A document uploaded with a form (an assessment sent with a transfer form): checked, then carried as bytes.

In JSON a file is an object: its `name`, its `media_type` and its `content_base64`. The schema decodes the
content, caps its size, and tells a PDF from a Word document by its first bytes (never by its name or
declared type, which must then agree). A loaded upload is an `UploadedFile`; the engine attaches each one
to the PDF it renders (formgen/documents/attachments.py) and the form lists it (name, size, SHA-256).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, cast

from marshmallow import ValidationError, post_load, validate, validates_schema

from formgen.core import fields as f


class FileKind(Enum):
    """The kinds of file a form accepts, each with its media type, extension and name in words."""

    PDF = ("application/pdf", ".pdf", "PDF")
    DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
            "Word document (.docx)")

    def __init__(self, media_type: str, extension: str, words: str) -> None:
        self.media_type = media_type
        self.extension = extension
        self.words = words


def sniff(content: bytes) -> FileKind | None:
    """What the bytes are, by their first bytes: a PDF, a Word document (a ZIP holding word/document.xml), or
    neither. Only the ZIP's directory is read; nothing in the file is opened or run."""
    if content.startswith(b"%PDF-"):
        return FileKind.PDF
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except Exception:  # zipfile raises many types for a damaged archive; any of them means "not a .docx"
            return None
        if {"[Content_Types].xml", "word/document.xml"} <= names:
            return FileKind.DOCX
    return None


@dataclass(frozen=True)
class UploadedFile:
    """A checked upload: its name, kind, bytes and what the form printed about it (`label`)."""

    name: str
    kind: FileKind
    content: bytes
    label: str

    @property
    def media_type(self) -> str:
        return self.kind.media_type

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def summary(self) -> dict[str, Any]:
        """What a document carries about the file in place of its bytes (the PDF carries the bytes as an
        attachment): enough to tell the file it came with from any other."""
        return {"name": self.name, "media_type": self.media_type, "size": self.size, "sha256": self.sha256}


def size_words(size: int) -> str:
    """'183,204 bytes (183 kB)': exact, then rounded in decimal units (1 kB = 1,000 bytes)."""
    if size < 1000:
        return f"{size:,} bytes"
    rounded = f"{size / 1000:,.0f} kB" if size < 1_000_000 else f"{size / 1_000_000:,.1f} MB"
    return f"{size:,} bytes ({rounded})"


def _base64_length(size: int) -> int:
    """The longest base64 text of a file of `size` bytes, allowing MIME line breaks every 76 characters."""
    encoded = 4 * math.ceil(size / 3)
    return encoded + 2 * math.ceil(encoded / 76)


BASE64_PATTERN = r"^[A-Za-z0-9+/\s]*={0,2}\s*$"


class UploadSchema(f.FormSchema):
    """Base of each form's upload schema (made by `upload_schema`, which sets these limits)."""

    label: ClassVar[str] = "The file"
    max_bytes: ClassVar[int] = 0
    kinds: ClassVar[tuple[FileKind, ...]] = ()

    @validates_schema
    def _check_file(self, data: Mapping[str, Any], **_: Any) -> None:
        content = self._decode(data["content_base64"])
        kind = sniff(content)
        accepted = " or ".join(k.words for k in self.kinds)
        if kind not in self.kinds:
            raise ValidationError(
                # Told by its first bytes, whatever its name or media type.
                f"{self.label}: the file is not a {accepted}. Save it as one and upload it again.", "content_base64")
        assert kind is not None
        errors: dict[str, list[str]] = {}
        if data["media_type"] != kind.media_type:
            errors["media_type"] = [f"{self.label}: the file is a {kind.words}, but its media type says otherwise. "
                                    f"Send {kind.media_type}."]
        if not data["name"].lower().endswith(kind.extension):
            errors["name"] = [f"{self.label}: the file is a {kind.words}, so its name ends in {kind.extension}."]
        if errors:
            raise ValidationError(errors)

    def _decode(self, text: str) -> bytes:
        try:
            content = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError(f"{self.label}: the file's content is not valid base64. Send the file's bytes "
                                  "encoded as base64 (RFC 4648).", "content_base64") from None
        if not content:
            raise ValidationError(f"{self.label}: the file is empty.", "content_base64")
        if len(content) > self.max_bytes:
            raise ValidationError(f"{self.label}: the file is {len(content):,} bytes; the largest this form "
                                  f"accepts is {size_words(self.max_bytes)}.", "content_base64")
        return content

    @post_load
    def _as_file(self, data: Mapping[str, Any], **_: Any) -> UploadedFile:
        content = base64.b64decode("".join(data["content_base64"].split()))
        kind = sniff(content)
        assert kind is not None  # _check_file has passed
        return UploadedFile(name=data["name"], kind=kind, content=content, label=self.label)


def upload_schema(name: str, module: str, label: str, *, max_bytes: int,
                  kinds: tuple[FileKind, ...] = (FileKind.PDF, FileKind.DOCX)) -> type[UploadSchema]:
    """A schema for one form's upload: `name` and `module` name its JSON Schema component (as a class written
    in that module would be), `label` starts its messages, and the file is at most `max_bytes` of `kinds`."""
    extensions = " or ".join(k.extension for k in kinds)
    limit = size_words(max_bytes)
    content = f.line("File content (base64)", max_length=_base64_length(max_bytes),
                     hint=f"The file's bytes, base64-encoded: at most {limit}.")
    too_big = f"{label}: the file is larger than the {limit} this form accepts."
    content.validators = [validate.Length(max=_base64_length(max_bytes), error=too_big)]
    content.too_long = too_big  # the length is checked before any other work: say it in the upload's words
    content.metadata = {**content.metadata, "format": "byte", "pattern": BASE64_PATTERN}
    made = cast(type[UploadSchema], UploadSchema.from_dict({
        "name": f.formatted("File name", pattern=rf"^[^/\\]+({'|'.join(re.escape(k.extension) for k in kinds)})$",
                            example=f"assessment{kinds[0].extension}",
                            what=f"a file name ending in {extensions}, with no folder", max_length=120),
        "media_type": f.choice("Media type", {k.media_type: k.words for k in kinds}),
        "content_base64": content,
    }, name=name))
    made.__module__ = module
    made.label = label
    made.max_bytes = max_bytes
    made.kinds = kinds
    return made


def encode(content: bytes) -> str:
    """Bytes as the base64 text an upload carries."""
    return base64.b64encode(content).decode("ascii")
