"""Reading uploaded documents with every decompression capped before it is inflated.

A 140 kB PDF can carry a stream that inflates to 74 MB, and a DOCX a part that inflates to 300 MB.
Nothing here inflates more than a formgen document holds: the data formgen attaches is read with
zlib's `max_length` (or a bounded read of a ZIP entry), and pypdf runs under a configuration whose
caps are a few times what formgen's own documents need (a page's drawing is about 12 kB; the data a
document carries at most the 1 MB body it was made from). Every refusal is a ValueError whose words
say what was wrong with the file, never what it holds.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

# The data a document carries: the body it was made from (at most the 1 MB request limit), escaped.
MAX_DATA_BYTES = 2_000_000
# A DOCX's main part: formgen's longest document is under 300 kB of XML.
MAX_DOCX_TEXT_BYTES = 4_000_000
# What pypdf may inflate from any one stream, and the drawing of all the pages read for their text.
MAX_STREAM_BYTES = 512_000
MAX_PAGE_DRAWING_BYTES = 400_000
# The longest formgen document (a 40-case agenda) is about 30 pages of about 10 kB each.
MAX_PAGES_READ = 60

_PDF_LIMITS: dict[str, Any] = {
    "maximum_declared_stream_length": MAX_DATA_BYTES,
    "array_based_stream_maximum_output_length": MAX_STREAM_BYTES,
    "array_maximum_element_count": 10_000,
    "dictionary_maximum_element_count": 10_000,
    "jbig2_maximum_output_length": MAX_STREAM_BYTES,
    "lzw_maximum_output_length": MAX_STREAM_BYTES,
    "run_length_maximum_output_length": MAX_STREAM_BYTES,
    "zlib_maximum_output_length": MAX_STREAM_BYTES,
    "zlib_maximum_recovery_input_length": 100_000,
    "brotli_maximum_output_length": MAX_STREAM_BYTES,
    "flate_maximum_columns": 10_000,
    "flate_maximum_row_length": 100_000,
    "image_maximum_buffer_size": MAX_STREAM_BYTES,
    "stream_filters_maximum_length": 3,
    "stream_decoding_work_maximum_length": 2 * MAX_STREAM_BYTES,
    "stream_parsing_work_maximum_count": 200_000,
    "xmp_maximum_input_length": 100_000,
    "xmp_maximum_element_count": 1_000,
    "outline_maximum_entries": 1_000,
    "outline_maximum_depth": 10,
    "page_tree_maximum_entries": 1_000,
    "page_tree_maximum_depth": 10,
    "page_tree_maximum_page_entries": 10_000,
    "form_fields_maximum_entries": 2_000,
    "form_fields_maximum_depth": 10,
    "named_destinations_maximum_entries": 1_000,
    "named_destinations_maximum_depth": 10,
    "xform_maximum_invocations_per_extraction": 50,
    "xfa_decoding_work_maximum_length": MAX_STREAM_BYTES,
}

TOO_MUCH = "Its compressed contents inflate past what a document from this service holds (a decompression bomb?)."


def inflate(raw: bytes, limit: int) -> bytes:
    """zlib data inflated to at most `limit` bytes; ValueError if there is more (nothing past it is inflated)."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, limit)
    except zlib.error:
        raise ValueError("Its data is damaged (not valid compressed data).") from None
    if inflater.unconsumed_tail or len(out) > limit:
        raise ValueError(TOO_MUCH)
    return out


@contextmanager
def pdf(content: bytes) -> Iterator[PdfReader]:
    """A PdfReader whose every read (pypdf reads lazily) happens under formgen's caps, quietly."""
    # pypdf logs (rather than raises) what it repairs in a damaged file; keep that out of the logs.
    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)
    try:
        with apply_configuration(**_PDF_LIMITS):
            try:
                yield PdfReader(io.BytesIO(content))
            except LimitReachedError:
                raise ValueError(TOO_MUCH) from None
    finally:
        pypdf_log.setLevel(level)


def _filters(stream: StreamObject) -> list[str]:
    found = stream.get("/Filter")
    if found is None:
        return []
    return [str(name) for name in found] if isinstance(found, ArrayObject) else [str(found)]


def stream_data(stream: StreamObject, limit: int = MAX_DATA_BYTES) -> bytes:
    """A stream's bytes, read from its raw data: none (formgen's own) or Flate only, capped at `limit`."""
    raw = stream._data  # the encoded bytes as stored; pypdf's get_data would inflate them unbounded by us
    filters = _filters(stream)
    if not filters:
        if len(raw) > limit:
            raise ValueError("Its data is larger than a document from this service carries.")
        return bytes(raw)
    if filters == ["/FlateDecode"] and not stream.get("/DecodeParms"):
        return inflate(bytes(raw), limit)
    raise ValueError("Its data is encoded in a way this service never uses.")


def _resolved(value: Any) -> Any:
    return value.get_object() if value is not None else None


def attachment(reader: PdfReader, name: str) -> bytes | None:
    """The embedded file `name` from the catalog's flat name tree (as formgen writes it), capped; None if absent."""
    root = _resolved(reader.trailer.get("/Root"))
    names = _resolved(root.get("/Names")) if isinstance(root, DictionaryObject) else None
    tree = _resolved(names.get("/EmbeddedFiles")) if isinstance(names, DictionaryObject) else None
    entries = _resolved(tree.get("/Names")) if isinstance(tree, DictionaryObject) else None
    if not isinstance(entries, ArrayObject):
        return None
    for index in range(0, min(len(entries), 200) - 1, 2):
        if str(_resolved(entries[index])) != name:
            continue
        spec = _resolved(entries[index + 1])
        files = _resolved(spec.get("/EF")) if isinstance(spec, DictionaryObject) else None
        stream = _resolved(files.get(NameObject("/F")) or files.get(NameObject("/UF"))) \
            if isinstance(files, DictionaryObject) else None
        if not isinstance(stream, StreamObject):
            raise ValueError("Its data is damaged.")
        return stream_data(stream)
    return None


def _folded(text: str) -> str:
    """Text compared without white space, case or Unicode form: a name wraps differently in each format, and a
    PDF's text may give back composed letters (or ligatures) for decomposed ones."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


# Scripts whose letters are shaped or reordered when laid out (Hebrew, Arabic, Syriac, Thaana, the Indic
# scripts, Thai, Lao, Tibetan, Myanmar, Khmer, and the presentation forms): a PDF's extracted text does not
# give them back as typed, so only the rest of an answer (Latin letters, digits, ids) is looked for.
_SHAPED = re.compile("[\u0590-\u0fff\u1000-\u109f\u1780-\u17ff\ufb1d-\ufdff\ufe70-\ufeff]+")


def _pdf_runs(needle: str) -> list[str]:
    """The parts of `needle` a PDF's text gives back as typed, folded; none for an all-Arabic name."""
    return [run for run in (_folded(part) for part in _SHAPED.split(needle)) if len(run) >= 2]


def missing_from_pdf(reader: PdfReader, needles: Iterable[str]) -> list[str]:
    """Which of `needles` no page of the PDF shows, reading pages in order until all are found.

    The pages' drawing is read at most MAX_PAGE_DRAWING_BYTES in all (each stream capped by pypdf's
    configuration), so a document of many inflating pages costs no more than a long formgen document.
    """
    wanted = {needle: _pdf_runs(needle) for needle in needles}
    wanted = {needle: runs for needle, runs in wanted.items() if runs}
    drawn = 0
    for number, page in enumerate(reader.pages):
        if not wanted or number >= MAX_PAGES_READ:
            break
        contents = page.get_contents()
        drawn += len(contents.get_data()) if contents is not None else 0
        if drawn > MAX_PAGE_DRAWING_BYTES:
            raise ValueError("Its pages draw far more than a document from this service does.")
        shown = _folded(page.extract_text() or "")
        wanted = {needle: [run for run in runs if run not in shown] for needle, runs in wanted.items()}
        wanted = {needle: runs for needle, runs in wanted.items() if runs}
    return list(wanted)


def zip_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One ZIP entry, inflated at most `limit` bytes whatever its header claims; ValueError past that."""
    info = archive.getinfo(name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError("Its parts are compressed in a way Word never uses.")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise ValueError(TOO_MUCH)
    return data


_WORD_TEXT = re.compile(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")


def missing_from_docx(archive: zipfile.ZipFile, needles: Iterable[str]) -> list[str]:
    """Which of `needles` the DOCX's main text (word/document.xml) does not show."""
    import html

    xml = zip_member(archive, "word/document.xml", MAX_DOCX_TEXT_BYTES)
    shown = _folded(html.unescape("".join(part.decode("utf-8", "replace") for part in _WORD_TEXT.findall(xml))))
    return [needle for needle in needles if _folded(needle) and _folded(needle) not in shown]
