"""A rendered document as an HTTP answer, named safely.

A document's file name carries a case system's id (a Micare ID, a carefirst number), typed by a person.
Whatever it holds, the name cannot break the Content-Disposition header, add a second file name, or point
at a folder: RFC 6266, with an ASCII `filename=` for old clients and `filename*=UTF-8''...` (RFC 8187)
for the name as typed, less anything a file name cannot safely hold.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from flask import Response

from formgen.engine import pipeline

FALLBACK_NAME = "document"
MAX_NAME = 120
# Characters no file name should carry: path separators, quotes, header syntax, Windows' reserved ones.
_RESERVED = set('"\\/:;*?<>|%')
# Unicode categories with no place in a file name: controls, format characters (bidi overrides), separators.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# RFC 8187 attr-char less the letters and digits quote() keeps anyway.
_ATTR_CHAR_SAFE = "!#$&+-.^_`|~"


def _tidy(name: str) -> str:
    name = re.sub(r"[-.]*-[-.]*", "-", name)  # a run of dots and dashes with a dash in it: one dash
    name = re.sub(r"\.{2,}", ".", name)  # no '..' left to climb a folder with
    return name.strip(".- ")


def _split(filename: str) -> tuple[str, str]:
    """(stem, '.ext'): the extension formgen gave the document (pdf, docx, zip), kept apart from the typed part."""
    found = re.fullmatch(r"(.*)(\.[A-Za-z0-9]{1,10})", filename, re.DOTALL)
    return (found.group(1), found.group(2)) if found else (filename, "")


def _clean_stem(stem: str) -> str:
    out = []
    for char in unicodedata.normalize("NFC", stem):
        if char in _RESERVED or char.isspace() or unicodedata.category(char) in _DROPPED_CATEGORIES:
            out.append("-")
        else:
            out.append(char)
    return _tidy("".join(out)) or FALLBACK_NAME


def _ascii_stem(stem: str) -> str:
    decomposed = unicodedata.normalize("NFKD", _clean_stem(stem))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _tidy(re.sub(r"[^A-Za-z0-9._-]", "-", plain)) or FALLBACK_NAME


def _shortened(stem: str, extension: str) -> str:
    """At most MAX_NAME characters, keeping the extension."""
    return (_tidy(stem[: MAX_NAME - len(extension)]) or FALLBACK_NAME) + extension


def safe_filename(filename: str) -> str:
    """The name as typed, in NFC, with separators, quotes, controls and white space turned into '-'."""
    stem, extension = _split(filename)
    return _shortened(_clean_stem(stem), extension)


def ascii_filename(filename: str) -> str:
    """The same name in ASCII letters, digits, '.', '_' and '-': accents dropped (ó -> o), anything else '-'."""
    stem, extension = _split(filename)
    return _shortened(_ascii_stem(stem), extension)


def content_disposition(filename: str) -> str:
    """`attachment; filename="ascii"` and, when the name is not plain ASCII, `filename*=UTF-8''<percent-encoded>`."""
    fallback = ascii_filename(filename)
    header = f'attachment; filename="{fallback}"'
    exact = safe_filename(filename)
    if exact != fallback:
        header += f"; filename*=UTF-8''{quote(exact, safe=_ATTR_CHAR_SAFE)}"
    return header


def document_response(document: pipeline.RenderedDocument) -> Response:
    media_type = "application/zip" if document.filename.endswith(".zip") else document.media_type
    response = Response(document.content, mimetype=media_type)
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    response.headers["Cache-Control"] = "no-store"
    if document.pages is not None:
        response.headers["X-Page-Count"] = str(document.pages)
    return response
