"""formgen/documents/attachments.py: uploaded files embedded in a finished PDF by an incremental update, and
named (not held) in the data a document carries."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers import pdf_reader
from pypdf import PdfReader

from formgen.core.registry import get_form
from formgen.core.uploads import FileKind, UploadedFile
from formgen.documents import embed
from formgen.documents.attachments import attach_files, attach_uploads, carried_body, uploaded_files
from formgen.engine import pipeline

ASSESSMENT = b"%PDF-1.4\n% an assessment\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
REVIEW = b"PK\x03\x04 stands in for a Word document here"


def _file(name: str = "assessment.pdf", content: bytes = ASSESSMENT, kind: FileKind = FileKind.PDF) -> UploadedFile:
    return UploadedFile(name=name, kind=kind, content=content, label="The most recent assessment")


@pytest.fixture(scope="module")
def formgen_pdf() -> bytes:
    """A PDF formgen laid out, carrying its own data (formgen-data.json)."""
    form = get_form("manchester-allocations-pro-forma")
    return pipeline.render(form, form.example, "pdf").content


def _spec(reader: PdfReader, name: str) -> Any:
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    keys = [str(names[i]) for i in range(0, len(names), 2)]
    return names[keys.index(name) * 2 + 1].get_object()


def test_the_file_is_added_after_the_pdf_formgen_made_which_is_kept_byte_for_byte(formgen_pdf: bytes) -> None:
    attached = attach_files(formgen_pdf, [_file()])
    assert attached.startswith(formgen_pdf)
    reader = pdf_reader(attached)
    assert reader.attachments["assessment.pdf"] == [ASSESSMENT]
    assert embed.read_pdf_data(attached).form == "manchester-allocations-pro-forma"  # its own data is still there
    original = pdf_reader(formgen_pdf)
    assert reader.metadata == original.metadata
    assert len(reader.pages) == len(original.pages)
    assert [item.title for item in reader.outline] == [item.title for item in original.outline]


def test_the_file_specification_names_the_file_its_type_size_checksum_and_relationship(formgen_pdf: bytes) -> None:
    upload = _file()
    attached = attach_files(formgen_pdf, [upload])
    reader = pdf_reader(attached)
    spec = _spec(reader, "assessment.pdf")
    assert (spec["/F"], spec["/UF"], spec["/AFRelationship"]) == ("assessment.pdf", "assessment.pdf", "/Supplement")
    assert upload.sha256 in spec["/Desc"] and "The most recent assessment" in spec["/Desc"]
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Params"]["/Size"] == len(ASSESSMENT)
    assert stream["/Params"]["/CheckSum"].original_bytes == hashlib.md5(ASSESSMENT, usedforsecurity=False).digest()
    update = attached[len(formgen_pdf):]
    assert b"/Subtype /application#2Fpdf" in update  # the MIME type as a PDF name (PDF/A-3 6.8)
    # An associated file of the document, after the document's own data (PDF/A-3's /AF, relationship /Data).
    associated = [item.get_object() for item in reader.trailer["/Root"]["/AF"]]
    assert associated[-1] is spec and associated[0]["/F"] == "formgen-data.json"


def test_several_files_are_listed_in_order_with_unique_names_beside_the_data(formgen_pdf: bytes) -> None:
    files = [_file(), _file("Review.docx", REVIEW, FileKind.DOCX), _file()]
    reader = pdf_reader(attach_files(formgen_pdf, files))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    keys = [str(names[i]) for i in range(0, len(names), 2)]
    assert keys == sorted(keys, key=lambda k: k.encode())  # a name tree is sorted
    assert set(keys) == {"Review.docx", "assessment.pdf", "assessment.pdf (2)", "formgen-data.json"}
    assert reader.attachments["Review.docx"] == [REVIEW]


def test_a_second_update_keeps_the_files_of_the_first(formgen_pdf: bytes) -> None:
    once = attach_files(formgen_pdf, [_file()])
    twice = attach_files(once, [_file("Review.docx", REVIEW, FileKind.DOCX)])
    reader = pdf_reader(twice)
    assert set(reader.attachments) == {"assessment.pdf", "Review.docx", "formgen-data.json"}
    assert len(reader.trailer["/Root"]["/AF"]) == 3  # the document's data and both files


def test_the_same_pdf_and_files_give_the_same_bytes(formgen_pdf: bytes) -> None:
    assert attach_files(formgen_pdf, [_file()]) == attach_files(formgen_pdf, [_file()])


@pytest.mark.skipif(shutil.which("pdfdetach") is None, reason="poppler-utils (pdfdetach) is not installed")
def test_an_independent_reader_finds_and_saves_the_file(formgen_pdf: bytes, tmp_path: Path) -> None:
    path = tmp_path / "with-file.pdf"
    path.write_bytes(attach_files(formgen_pdf, [_file("Évaluation 2026.pdf")]))
    listed = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert "2 embedded files" in listed and "Évaluation 2026.pdf" in listed
    number = 1 if listed.splitlines()[1].endswith("Évaluation 2026.pdf") else 2
    subprocess.run(["pdfdetach", "-save", str(number), "-o", str(tmp_path / "out.pdf"), str(path)], check=True)
    assert (tmp_path / "out.pdf").read_bytes() == ASSESSMENT


def test_uploads_are_found_by_path_in_a_loaded_body() -> None:
    upload = _file()
    data = {"date": dt.date(2026, 11, 26), "assessment": {"document": upload}, "rows": [{"x": 1}, {"file": upload}]}
    assert list(uploaded_files(data)) == [(("assessment", "document"), upload), (("rows", 1, "file"), upload)]


def test_the_carried_data_names_the_file_instead_of_holding_it() -> None:
    upload = _file()
    body = {"assessment": {"title": "CAFA", "document": {"name": "assessment.pdf", "media_type": "application/pdf",
                                                         "content_base64": "JVBERi0xLjQK"}}}
    carried = carried_body(body, {"assessment": {"title": "CAFA", "document": upload}})
    assert carried == {"assessment": {"title": "CAFA", "document": upload.summary()}}
    assert body["assessment"]["document"]["content_base64"] == "JVBERi0xLjQK"  # the body itself is untouched


def test_a_body_without_uploads_is_carried_and_laid_out_unchanged(formgen_pdf: bytes) -> None:
    body = {"name": "x"}
    assert carried_body(body, {"name": "x"}) is body
    assert attach_uploads(formgen_pdf, {"name": "x"}) is formgen_pdf
