"""Every formgen document carries its own data, so a later form can be prefilled from it.

PDF: an embedded file `formgen-data.json`. DOCX: a custom XML part in formgen's namespace.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from docx.document import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName, PDFStream, PDFString

ATTACHMENT_NAME = "formgen-data.json"
NAMESPACE = "urn:formgen:document-data:1"
CUSTOM_XML_PART = "/customXml/formgen-data.xml"


def payload(form_id: str, body: Mapping[str, Any]) -> bytes:
    """The document's data as canonical JSON (sorted keys: the same body gives the same bytes)."""
    return json.dumps({"form": form_id, "data": body}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


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


def _from_json(raw: bytes) -> tuple[str | None, dict[str, Any]]:
    loaded = json.loads(raw.decode("utf-8"))
    if isinstance(loaded, dict) and set(loaded) == {"form", "data"} and isinstance(loaded["data"], dict):
        return loaded["form"], loaded["data"]
    if isinstance(loaded, dict):
        return None, loaded
    raise ValueError("The JSON file does not hold an object.")


def read_pdf_data(content: bytes) -> tuple[str | None, dict[str, Any]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    if reader.is_encrypted:
        raise ValueError("The PDF is encrypted.")
    attached = reader.attachments.get(ATTACHMENT_NAME)
    if not attached:
        raise ValueError("The PDF was not made by formgen: it carries no formgen data.")
    return _from_json(attached[0])


def read_docx_data(content: bytes) -> tuple[str | None, dict[str, Any]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        name = CUSTOM_XML_PART.lstrip("/")
        if name not in archive.namelist():
            raise ValueError("The Word document was not made by formgen: it carries no formgen data.")
        info = archive.getinfo(name)
        if info.file_size > 2_000_000:
            raise ValueError("The formgen data in the Word document is too large.")
        root = ElementTree.fromstring(archive.read(name))
    if root.tag != f"{{{NAMESPACE}}}data" or not root.text:
        raise ValueError("The Word document's formgen data is not readable.")
    return _from_json(root.text.encode("utf-8"))


def read_json_data(content: bytes) -> tuple[str | None, dict[str, Any]]:
    return _from_json(content)
