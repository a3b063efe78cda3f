"""Every formgen document carries its own data, so a later form can be prefilled from it.

PDF: an embedded file `formgen-data.json`. DOCX: a custom XML part in formgen's namespace. The data is
signed with the server's key (formgen/documents/signing.py), and a reader checks that the document's pages
show what the data says (`identity`): a hand-made PDF carrying copied data, or a real one whose data was
edited, is refused. Every read is capped before it inflates (formgen/documents/reading.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

from formgen.core import limits
from formgen.documents import reading, signing

ATTACHMENT_NAME = "formgen-data.json"
NAMESPACE = "urn:formgen:document-data:1"
CUSTOM_XML_PART = "/customXml/formgen-data.xml"


def payload(form_id: str, body: Mapping[str, Any]) -> bytes:
    """The document's data as canonical JSON, signed with the server's key (formgen.documents.signing):
    sorted keys and a deterministic signature, so the same body and key give the same bytes."""
    canonical = _canonical(form_id, body)
    signature = signing.sign(canonical)
    # {"data":...,"form":...} with the signature last: sorted, "signature" comes after both, so the
    # envelope is the canonical JSON with it added, not the whole body encoded a second time.
    return canonical[:-1] + b',"signature":' + json.dumps(signature, sort_keys=True, ensure_ascii=False,
                                                          separators=(",", ":")).encode("utf-8") + b"}"


def attach_to_pdf_catalog(document: Any, data: bytes) -> None:
    """Add `data` as an embedded file to a reportlab PDFDocument before it is saved."""
    # The MIME type as the name /application#2Fjson (PDF/A-3 6.8): written as a bare token, since
    # reportlab's PDFName would escape the # again and leave no MIME type.
    stream = PDFStream(
        PDFDictionary({"Type": PDFName("EmbeddedFile"), "Subtype": "/application#2Fjson",
                       "Params": PDFDictionary({"Size": len(data)})}),
        content=data,
    )
    stream_ref = document.Reference(stream)
    spec = PDFDictionary({
        "Type": PDFName("Filespec"),
        "F": PDFString(ATTACHMENT_NAME),
        "UF": PDFString(ATTACHMENT_NAME),
        "Desc": PDFString("The data this document was made from (formgen)"),
        "AFRelationship": PDFName("Data"),
        "EF": PDFDictionary({"F": stream_ref, "UF": stream_ref}),
    })
    spec_ref = document.Reference(spec)
    document.Catalog.Names = PDFDictionary(
        {"EmbeddedFiles": PDFDictionary({"Names": PDFArray([PDFString(ATTACHMENT_NAME), spec_ref])})}
    )
    document.Catalog.AF = PDFArray([spec_ref])


def add_to_docx(document: Document, data: bytes) -> None:
    """Add `data` as a custom XML part related to the main document part."""
    root = ElementTree.Element(f"{{{NAMESPACE}}}data")
    root.text = data.decode("utf-8")
    ElementTree.register_namespace("formgen", NAMESPACE)
    blob = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    part = Part(PackURI(CUSTOM_XML_PART), "application/xml", blob, document.part.package)
    document.part.relate_to(part, RT.CUSTOM_XML)


@dataclass(frozen=True)
class Carried:
    """The data a document or file carries, and whether formgen's signature on it holds."""

    form: str | None            # the form it was made for; None for a plain body (a case system's JSON)
    data: dict[str, Any]
    signed: bool                # False: no signature (a document from a formgen before signatures, or JSON)


def _canonical(form_id: str | None, data: Any) -> bytes:
    return json.dumps({"form": form_id, "data": data}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _envelope(raw: bytes, *, document: bool) -> Carried:
    """Parse carried JSON; in a document, check the signature when there is one (ValueError when it fails)."""
    try:
        loaded = limits.loads(raw.decode("utf-8"))
    except RecursionError:
        raise ValueError("Its data is nested more deeply than any form.") from None
    except limits.TooMany as exc:
        raise ValueError(f"Its data is refused unread: {exc}.") from None
    if isinstance(loaded, dict) and {"form", "data"} <= set(loaded) <= {"form", "data", "signature"} \
            and isinstance(loaded["data"], dict):
        form_id = loaded["form"]
        if form_id is not None and not isinstance(form_id, str):
            raise ValueError("Its data names no form.")
        if "signature" not in loaded or not document:
            return Carried(form_id, loaded["data"], signed=False)
        try:
            message = _canonical(form_id, loaded["data"])
        except (TypeError, ValueError):
            raise ValueError("Its data was changed after this service made it: it holds numbers this service never writes.") \
                from None
        signing.verify(message, loaded["signature"])
        return Carried(form_id, loaded["data"], signed=True)
    if isinstance(loaded, dict) and not document:
        return Carried(None, loaded, signed=False)
    if isinstance(loaded, dict):
        raise ValueError("Its data is not in the form this service writes.")
    raise ValueError("The JSON file does not hold an object.")


def read_pdf(reader: Any) -> Carried:
    """The data a PDF carries (a pypdf reader opened with formgen.documents.reading.pdf)."""
    if reader.is_encrypted:
        raise ValueError("The PDF is encrypted.")
    attached = reading.attachment(reader, ATTACHMENT_NAME)
    if attached is None:
        raise ValueError("The PDF was not made by this service: it carries none of its data.")
    return _envelope(attached, document=True)


def read_pdf_data(content: bytes) -> Carried:
    with reading.pdf(content) as reader:
        return read_pdf(reader)


def read_docx(archive: zipfile.ZipFile) -> Carried:
    """The data a Word document carries, read at most MAX_DATA_BYTES whatever the ZIP says."""
    name = CUSTOM_XML_PART.lstrip("/")
    if name not in archive.namelist():
        raise ValueError("The Word document was not made by this service: it carries none of its data.")
    xml = reading.zip_member(archive, name, reading.MAX_DATA_BYTES)
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:  # formgen never writes them; entities can expand without end
        raise ValueError("The Word document's data is not in the form this service writes.")
    root = ElementTree.fromstring(xml)
    if root.tag != f"{{{NAMESPACE}}}data" or not root.text:
        raise ValueError("The Word document's data is not readable.")
    return _envelope(root.text.encode("utf-8"), document=True)


def read_docx_data(content: bytes) -> Carried:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return read_docx(archive)


def read_json_data(content: bytes) -> Carried:
    """A JSON file: a formgen payload or a case system's plain body. Not a document: its signature, if
    any, is not checked (what it says is checked like anything typed in)."""
    return _envelope(content, document=False)


def identity(data: Mapping[str, Any], shares: Any = None) -> list[str]:
    """What a document must show of the data it carries: each child's name, NHS number and case ids.

    From the form's `shares` (the shared vocabulary) when it has one, else every `full_name` and every
    `*_number` / `*_id` answer. ValueError when the data cannot be read that way.
    """
    found: list[str] = []
    if shares is not None:
        try:
            case = shares(data)
            for child in case.get("children") or []:
                found += [child.get("full_name") or "", child.get("nhs_number") or ""]
                found += [str(value) for value in (child.get("case_ids") or {}).values()]
        except Exception:  # unvalidated data from a document; the form's code expects a valid body
            raise ValueError("Its data is not a valid body for its form.") from None
    else:
        found += _named_answers(data)
    return [value for value in dict.fromkeys(found) if isinstance(value, str) and value.strip()][:20]


def _named_answers(value: Any) -> list[str]:
    stack, found = [value], []
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, item in node.items():
                if isinstance(item, str) and (key == "full_name" or key.endswith(("_number", "_id"))):
                    found.append(item)
                elif isinstance(item, (Mapping, list)):
                    stack.append(item)
        elif isinstance(node, list):
            stack.extend(node)
    return found


SharesOf = Callable[[str | None], Any]


def _must_show(missing: list[str], found: int) -> None:
    if missing:
        raise ValueError(
            f"Its pages do not show the data it carries ({len(missing)} of the {found} names and ids in its data "
            "are not on them): it was changed after this service made it, or the data was copied from another document."
        )


class Unsigned(ValueError):
    """The document carries formgen data without a signature (made before documents were signed)."""


def read_pdf_document(content: bytes, shares_of: SharesOf, *, with_fields: bool = False,
                      signed_only: bool = False) -> tuple[Carried, dict[str, Any]]:
    """A PDF's data, checked against its signature and against its pages; and its fillable fields' values.

    signed_only: an unsigned document is refused (Unsigned) before its pages are read.
    """
    with reading.pdf(content) as reader:
        carried = read_pdf(reader)
        if signed_only and not carried.signed:
            raise Unsigned("The PDF carries no signature from this service (it was made by an earlier version).")
        needles = identity(carried.data, shares_of(carried.form))
        _must_show(reading.missing_from_pdf(reader, needles), len(needles))
        fields = {name: field.get("/V") for name, field in (reader.get_fields() or {}).items()} if with_fields else {}
    return carried, fields


def read_docx_document(content: bytes, shares_of: SharesOf) -> Carried:
    """A Word document's data, checked against its signature and against its text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        carried = read_docx(archive)
        needles = identity(carried.data, shares_of(carried.form))
        _must_show(reading.missing_from_docx(archive, needles), len(needles))
    return carried
