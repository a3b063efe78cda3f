"""formgen/core/uploads.py: an uploaded file is decoded, capped, and told PDF or Word by its first bytes."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from typing import Any

import docx
import pytest
from marshmallow import ValidationError

from formgen.core import fields as f
from formgen.core.uploads import FileKind, UploadedFile, encode, size_words, sniff, upload_schema

CAP = 2_000
FileSchema = upload_schema("TestFileSchema", __name__, "The test file", max_bytes=CAP)


class _Body(f.FormSchema):
    document = f.group(FileSchema, "Document")


PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOCX_TYPE = FileKind.DOCX.media_type


def _docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def _zip_of(name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, "not a Word document")
    return out.getvalue()


def _load(name: str = "assessment.pdf", media_type: str = "application/pdf", content: Any = None) -> Any:
    body = {"name": name, "media_type": media_type, "content_base64": encode(PDF) if content is None else content}
    return _Body().load({"document": body})["document"]


def _errors(**given: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        _load(**given)
    errors = caught.value.messages["document"]
    assert isinstance(errors, dict)
    return errors


def test_a_pdf_loads_as_an_uploaded_file_with_its_size_and_sha256() -> None:
    loaded = _load()
    assert isinstance(loaded, UploadedFile)
    assert (loaded.name, loaded.kind, loaded.content, loaded.label) == ("assessment.pdf", FileKind.PDF, PDF,
                                                                        "The test file")
    assert loaded.size == len(PDF)
    assert loaded.sha256 == hashlib.sha256(PDF).hexdigest()
    assert loaded.summary() == {"name": "assessment.pdf", "media_type": "application/pdf", "size": len(PDF),
                                "sha256": hashlib.sha256(PDF).hexdigest()}


def test_a_word_document_is_told_by_its_parts_and_base64_may_have_line_breaks() -> None:
    content = _docx()
    assert len(content) > CAP  # python-docx's default template; this test's own cap does not apply below
    big = upload_schema("TestBigFileSchema", __name__, "The big file", max_bytes=100_000)
    mime = base64.encodebytes(content).decode("ascii")  # 76 characters a line, as e-mail sends it
    loaded = big().load({"name": "Assessment.DOCX", "media_type": DOCX_TYPE, "content_base64": mime})
    assert loaded.kind is FileKind.DOCX and loaded.content == content


@pytest.mark.parametrize(("content", "kind"), [
    (PDF, FileKind.PDF),
    (_docx(), FileKind.DOCX),
    (_zip_of("sheet.xml"), None),  # a ZIP, but no word/document.xml: not a Word document
    (b"PK\x03\x04 not really a zip", None),
    (b"\x89PNG\r\n\x1a\n", None),
    (b"  %PDF-1.4 after spaces", None),
])
def test_kinds_are_told_by_content_never_by_name(content: bytes, kind: FileKind | None) -> None:
    assert sniff(content) is kind


@pytest.mark.parametrize(("given", "field", "words"), [
    ({"content": "not base64!"}, "content_base64", "not valid base64"),
    ({"content": "===="}, "content_base64", "not valid base64"),
    ({"content": encode(b"")}, "content_base64", "must not be blank"),
    ({"content": encode(b"%PDF-" + b"x" * CAP)}, "content_base64", "the file is 2,005 bytes; the largest this form "
                                                                   "accepts is 2,000 bytes (2 kB)"),
    ({"content": "A" * 10_000}, "content_base64", "larger than the 2,000 bytes (2 kB) this form accepts"),
    ({"content": encode(b"\x89PNG\r\n\x1a\n")}, "content_base64", "not a PDF or Word document (.docx)"),
    ({"content": encode(_zip_of("xl/workbook.xml"))}, "content_base64", "not a PDF or Word document (.docx)"),
    ({"media_type": DOCX_TYPE}, "media_type", "the file is a PDF, but its media type says otherwise"),
    ({"media_type": "image/png"}, "media_type", "must be one of"),
    ({"name": "assessment.docx"}, "name", "so its name ends in .pdf"),
    ({"name": "../../assessment.pdf"}, "name", "with no folder"),
    ({"name": "C:\\Users\\assessment.pdf"}, "name", "with no folder"),
    ({"name": "assessment.exe"}, "name", "ending in .pdf or .docx"),
])
def test_bad_uploads_are_refused_by_field_with_a_clear_message(given: dict[str, Any], field: str, words: str) -> None:
    errors = _errors(**given)
    assert list(errors) == [field], errors
    assert any(words in message for message in errors[field]), errors[field]


def test_unknown_keys_in_an_upload_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _Body().load({"document": {"name": "a.pdf", "media_type": "application/pdf", "content_base64": encode(PDF),
                                   "size": 10}})
    assert "size" in caught.value.messages["document"]


def test_the_content_is_published_as_base64_with_its_limit() -> None:
    field = FileSchema().fields["content_base64"]
    assert field.metadata["format"] == "byte"
    assert FileSchema.__module__ == __name__ and FileSchema.__name__ == "TestFileSchema"


@pytest.mark.parametrize(("size", "words"), [(745, "745 bytes"), (183_204, "183,204 bytes (183 kB)"),
                                             (2_400_000, "2,400,000 bytes (2.4 MB)")])
def test_sizes_are_given_exactly_then_rounded(size: int, words: str) -> None:
    assert size_words(size) == words
