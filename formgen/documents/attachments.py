"""Files uploaded with a form travel inside its PDF as embedded files (e.g. the most recent assessment with a
transfer form); the document itself lists each one (name, size, SHA-256), so the DOCX names what the PDF holds.

The files are added to the finished PDF as an incremental update: the PDF formgen laid out is kept byte for
byte, and new objects (each file, its file specification, a catalog naming them) follow it with their own
cross-reference section. Nothing in an uploaded file is parsed or run: its bytes are copied in.

The data a document carries (formgen/documents/embed.py) holds each upload's name, media type, size and
SHA-256 instead of its bytes: the file is in the PDF once, and the DOCX and the carried data stay small.
"""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    create_string_object,
)

from formgen.core.uploads import UploadedFile

Path = tuple[str | int, ...]


def uploaded_files(data: Any, path: Path = ()) -> Iterator[tuple[Path, UploadedFile]]:
    """Every uploaded file in a loaded body, with its path, in body order."""
    if isinstance(data, UploadedFile):
        yield path, data
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield from uploaded_files(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from uploaded_files(value, (*path, index))


def carried_body(body: Mapping[str, Any], data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The body a document carries: each upload's bytes replaced by its name, media type, size and SHA-256."""
    found = list(uploaded_files(data))
    if not found:
        return body
    carried: Any = copy.deepcopy(dict(body))
    for path, upload in found:
        node = carried
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = upload.summary()
    return dict(carried)


def attach_uploads(pdf: bytes, data: Mapping[str, Any]) -> bytes:
    """The PDF with every file uploaded in `data` embedded in it (the PDF itself when there are none)."""
    files = [upload for _, upload in uploaded_files(data)]
    return attach_files(pdf, files) if files else pdf


# ---------------------------------------------------------------- the incremental update

def _serialise(obj: PdfObject) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


def _file_objects(upload: UploadedFile, stream_ref: IndirectObject) -> tuple[DecodedStreamObject, DictionaryObject]:
    """The embedded file stream and its file specification (PDF 32000-1 7.11.3-4; PDF/A-3 6.8 keys)."""
    stream = DecodedStreamObject()
    stream.set_data(upload.content)
    stream.update({
        NameObject("/Type"): NameObject("/EmbeddedFile"),
        NameObject("/Subtype"): NameObject("/" + upload.media_type),  # written /application#2Fpdf
        NameObject("/Params"): DictionaryObject({
            NameObject("/Size"): NumberObject(upload.size),
            NameObject("/CheckSum"): ByteStringObject(hashlib.md5(upload.content, usedforsecurity=False).digest()),
        }),
    })
    name = create_string_object(upload.name)
    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"),
        NameObject("/F"): name,
        NameObject("/UF"): name,
        NameObject("/Desc"): create_string_object(f"{upload.label} (SHA-256 {upload.sha256})"),
        NameObject("/AFRelationship"): NameObject("/Supplement"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): stream_ref, NameObject("/UF"): stream_ref}),
    })
    return stream, spec


def _sort_key(name: Any) -> bytes:
    """Name-tree keys are in byte order of the strings as written (PDF 32000-1 7.9.6)."""
    encoded = getattr(name, "get_encoded_bytes", None)
    if encoded is not None:
        return bytes(encoded())
    return bytes(name) if isinstance(name, bytes) else str(name).encode("utf-8")


def _unique(name: str, taken: set[str]) -> str:
    """A name-tree key no other file has: 'assessment.pdf', then 'assessment.pdf (2)'."""
    key, count = name, 1
    while key in taken:
        count += 1
        key = f"{name} ({count})"
    taken.add(key)
    return key


def _start_of_last_xref(pdf: bytes) -> int:
    at = pdf.rindex(b"startxref")
    return int(pdf[at + len(b"startxref"):].split()[0])


def _dictionary(value: Any) -> DictionaryObject:
    """A (resolved) dictionary of the PDF, or an empty one where there is none."""
    found = value.get_object() if value is not None else None
    return found if isinstance(found, DictionaryObject) else DictionaryObject()


def _array(value: Any) -> list[Any]:
    """The raw items (references kept) of a (resolved) array of the PDF, or none."""
    found = value.get_object() if value is not None else None
    return list(found) if isinstance(found, ArrayObject) else []


def attach_files(pdf: bytes, files: Sequence[UploadedFile]) -> bytes:
    """`pdf` followed by an incremental update that embeds `files` (listed in the catalog's EmbeddedFiles name
    tree, beside any file already there, and in its associated files, /AF)."""
    reader = PdfReader(io.BytesIO(pdf))
    if reader.is_encrypted:
        raise ValueError("An encrypted PDF cannot take attachments without its password.")
    trailer = reader.trailer
    root_ref = trailer.raw_get("/Root")
    catalog = _dictionary(root_ref)
    names_dict = DictionaryObject(dict(_dictionary(catalog.raw_get("/Names") if "/Names" in catalog else None)))
    tree = _dictionary(names_dict.get("/EmbeddedFiles"))
    if "/Kids" in tree:
        raise ValueError("The PDF's embedded files are in a name tree with kids; formgen writes a flat one.")
    existing = _array(tree.raw_get("/Names") if "/Names" in tree else None)
    names: list[tuple[Any, Any]] = list(zip(existing[0::2], existing[1::2], strict=True))
    taken = {str(key) for key, _ in names}
    objects: dict[int, PdfObject] = {}
    associated: list[Any] = []
    next_number = int(trailer["/Size"])  # type: ignore[call-overload]  # a NumberObject
    for upload in files:
        stream_ref = IndirectObject(next_number, 0, reader)
        spec_ref = IndirectObject(next_number + 1, 0, reader)
        objects[next_number], objects[next_number + 1] = _file_objects(upload, stream_ref)
        names.append((create_string_object(_unique(upload.name, taken)), spec_ref))
        associated.append(spec_ref)
        next_number += 2
    names.sort(key=lambda pair: _sort_key(pair[0]))
    names_dict[NameObject("/EmbeddedFiles")] = DictionaryObject(
        {NameObject("/Names"): ArrayObject([item for pair in names for item in pair])})
    new_catalog = DictionaryObject({NameObject(k): catalog.raw_get(k) for k in catalog})
    new_catalog[NameObject("/Names")] = names_dict
    new_catalog[NameObject("/AF")] = ArrayObject(
        [*_array(catalog.raw_get("/AF") if "/AF" in catalog else None), *associated])
    objects[root_ref.idnum] = new_catalog
    return pdf + _increment(pdf, objects, trailer, next_number, root_ref)


def _increment(pdf: bytes, objects: Mapping[int, PdfObject], trailer: DictionaryObject, size: int,
               root_ref: IndirectObject) -> bytes:
    """The objects, a classic cross-reference section for them, and a trailer pointing back to the last one."""
    out = io.BytesIO()
    out.write(b"\n" if not pdf.endswith(b"\n") else b"")
    base = len(pdf)
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = base + out.tell()
        generation = root_ref.generation if number == root_ref.idnum else 0
        out.write(f"{number} {generation} obj\n".encode() + _serialise(objects[number]) + b"\nendobj\n")
    xref_at = base + out.tell()
    out.write(b"xref\n")
    for number in sorted(offsets):
        generation = root_ref.generation if number == root_ref.idnum else 0
        out.write(f"{number} 1\n{offsets[number]:010d} {generation:05d} n \n".encode())
    # Only what a classic trailer holds: an xref stream's own keys (/W, /Index, /Filter...) stay behind.
    new_trailer = DictionaryObject({NameObject(k): trailer.raw_get(k) for k in ("/Root", "/Info", "/ID")
                                    if k in trailer})
    new_trailer[NameObject("/Size")] = NumberObject(size)
    new_trailer[NameObject("/Prev")] = NumberObject(_start_of_last_xref(pdf))
    out.write(b"trailer\n" + _serialise(new_trailer) + f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return out.getvalue()
