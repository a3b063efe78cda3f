"""Open real documents the way a reader would: text of a PDF (pypdf) and of a DOCX (python-docx)."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn
from pypdf import PdfReader


def pdf_reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(content))


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in pdf_reader(content).pages)


def pdf_body_text(content: bytes, edge: float = 45.0) -> str:
    """The PDF's text without the running header and footer: text within `edge` points of the top or
    bottom of a page is left out, so a table cell that breaks across pages reads as one answer."""
    pages = []
    for page in pdf_reader(content).pages:
        height = float(page.mediabox.height)
        parts: list[str] = []

        def keep(text: str, cm: Any, tm: Any, font: Any, size: Any, parts: list[str] = parts,
                 height: float = height) -> None:
            y = float(tm[5]) * float(cm[3]) + float(cm[5]) if cm else float(tm[5])
            if edge < y < height - edge or not text.strip():
                parts.append(text)

        page.extract_text(visitor_text=keep)
        pages.append("".join(parts))
    return "\n".join(pages)


def _blocks(element: Any) -> Iterator[str]:
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            texts = []
            for node in child.iter(qn("w:t"), qn("w:br"), qn("w:tab")):
                texts.append(node.text or "" if node.tag == qn("w:t") else ("\n" if node.tag == qn("w:br") else "\t"))
            yield "".join(texts)
        elif child.tag == qn("w:tbl"):
            for tc in child.iter(qn("w:tc")):
                yield from _blocks(tc)


def docx_document(content: bytes) -> docx.document.Document:
    assert content.startswith(b"PK"), "not a ZIP/DOCX"
    return docx.Document(io.BytesIO(content))


def docx_text(content: bytes) -> str:
    return "\n".join(_blocks(docx_document(content).element.body))


def squash(text: str) -> str:
    """Whitespace folded, so text is compared across line breaks that differ by format; a word broken
    after its own hyphen at a line's end ("step-" / "down") read whole again."""
    return re.sub(r"\s+", " ", re.sub(r"(?<=\w-)[ \t]*\n\s*(?=\w)", "", text)).strip()


def words(text: str) -> list[str]:
    return squash(text).split(" ")


def deep_copy(value: Any) -> Any:
    return copy.deepcopy(value)


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON body (to check each one reached the document)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
