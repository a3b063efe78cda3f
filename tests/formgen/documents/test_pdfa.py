"""Every PDF is PDF/A-3 (ISO 19005-3), level a: checked by pikepdf's PDF/A-3b validator (the veraPDF
rules it implements, as an allowlist) and, for what that validator leaves out, by the checks below.

pikepdf's validator accepts no XMP extension schema and no level a, and does not check interactive
forms or embedded files: each of those is checked here instead, and its findings on the real file
must be exactly those limits, nothing else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pikepdf
import pikepdf.pdfa
import pytest
from test_tagging import NAMES, documents

from formgen.documents import embed
from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.pdf_layout import layout_pdf
from formgen.documents.pdfa import ICC_PROFILE
from tools.docx_drafting import checkbox_field, new_document, table, text_field

NS = {
    "x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
    "pdf": "http://ns.adobe.com/pdf/1.3/", "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
}
# What pikepdf's PDF/A-3b allowlist cannot vouch for, and this file checks instead.
KNOWN_LIMITS = re.compile(
    r"XMP namespace pdfa(Extension|Schema|Property)=.* is not permitted"  # the extension schema declaring pdfuaid
    r"|XMP property (pdfuaid:part|pdfaExtension:schemas) is not permitted"  # the PDF/UA identification
    r"|pdfaid:conformance is 'A', expected 'B'"  # level a: tagged (test_tagging.py)
    r"|interactive forms \(/AcroForm\) are not supported"  # the consent form's fields (test below)
    r"|embedded files are not supported"  # the data, an associated file (test below)
)


def _open(pdf: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf))


def _validate(pdf: bytes) -> list[str]:
    report = pikepdf.pdfa.validate_written(io.BytesIO(pdf), "3b")
    return [f"{finding.rule}: {finding.message}" for finding in report.findings]


@pytest.mark.parametrize("name", NAMES)
def test_pikepdf_finds_nothing_beyond_its_known_limits(name: str) -> None:
    assert [finding for finding in _validate(documents()[name][0]) if not KNOWN_LIMITS.search(finding)] == []


def _fields_document() -> bytes:
    doc = new_document()
    t = table(doc, [8.0, 9.4])
    row = t.add_row()
    row.cells[0].paragraphs[0].text = ""
    text_field(row.cells[0].paragraphs[0], "household__0__full_name", "Rhiannon Price", tooltip="Full name")
    checkbox_field(row.cells[1].paragraphs[0], "statements__agrees", "1", tooltip="Tick if you agree")
    return layout_pdf(doc, DocumentMeta(title="Fields", subject="formgen: fields", keywords="test"))


def _fonts(obj: Any, seen: set[tuple[int, int]]) -> Iterator[Any]:
    """Every font in a resource dictionary, its forms' resources, and so on down."""
    if not isinstance(obj, pikepdf.Dictionary):
        return
    yield from obj.get("/Font", {}).values()
    for xobject in obj.get("/XObject", {}).values():
        if xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _fonts(xobject.get("/Resources"), seen)


def _all_fonts(opened: pikepdf.Pdf) -> Iterator[Any]:
    seen: set[tuple[int, int]] = set()
    for page in opened.pages:
        yield from _fonts(page.obj.get("/Resources"), seen)
        for annot in page.get("/Annots", []):
            for states in annot.get("/AP", {}).values():
                streams = [states] if isinstance(states, pikepdf.Stream) else list(states.values())
                for stream in streams:
                    yield from _fonts(stream.get("/Resources"), seen)
    if "/AcroForm" in opened.Root:
        yield from opened.Root.AcroForm.get("/DR", {}).get("/Font", {}).values()


@pytest.mark.parametrize("name", [*NAMES, "fields"])
def test_every_font_is_embedded_with_a_unicode_map(name: str) -> None:
    """Pages, field appearances and the form's default resources alike (ISO 19005-3 6.2.11.4, 6.2.11.7)."""
    pdf = _fields_document() if name == "fields" else documents()[name][0]
    with _open(pdf) as opened:
        fonts = list(_all_fonts(opened))
        assert fonts
        for font in fonts:
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None, f"{font.BaseFont} is not embedded"
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font.BaseFont
            assert "/ToUnicode" in font, font.BaseFont


def test_a_field_shows_its_value_in_the_embedded_font() -> None:
    with _open(_fields_document()) as opened:
        widget = next(a for a in opened.pages[0].Annots if a.FT == "/Tx")
        appearance = widget.AP.N
        assert b"(Rhiannon Price) Tj" in appearance.read_bytes()
        (font,) = appearance.Resources.Font.values()
        assert str(font.BaseFont).endswith("+LiberationSans")


@pytest.mark.parametrize("name", NAMES)
def test_metadata_identifies_pdfa3a_and_pdfua1_and_agrees_with_the_info_dictionary(name: str) -> None:
    with _open(documents()[name][0]) as opened:
        meta = opened.Root.Metadata
        assert "/Filter" not in meta
        root = ElementTree.fromstring(meta.read_bytes())
        info = opened.docinfo

        def one(path: str) -> str:
            found = root.find(f".//{path}", NS)
            assert found is not None, path
            return found.text or ""

        assert one("pdfaid:part") == "3" and one("pdfaid:conformance") == "A"
        assert one("pdfuaid:part") == "1"
        assert one("dc:title/rdf:Alt/rdf:li") == str(info.Title)
        assert one("dc:creator/rdf:Seq/rdf:li") == str(info.Author)
        assert one("dc:description/rdf:Alt/rdf:li") == str(info.Subject)
        assert one("pdf:Keywords") == str(info.Keywords)
        assert one("pdf:Producer") == str(info.Producer)
        assert one("xmp:CreatorTool") == str(info.Creator)
        created = str(info.CreationDate)  # D:20000101000000+00'00'
        assert one("xmp:CreateDate") == (f"{created[2:6]}-{created[6:8]}-{created[8:10]}T{created[10:12]}:"
                                          f"{created[12:14]}:{created[14:16]}{created[16:19]}:{created[20:22]}")
        assert str(info.ModDate) == created


@pytest.mark.parametrize("name", NAMES)
def test_the_data_is_an_associated_file_and_nothing_is_encrypted(name: str) -> None:
    with _open(documents()[name][0]) as opened:
        assert not opened.is_encrypted and "/Encrypt" not in opened.trailer
        # The document's own data first; an uploaded file (the clinic's transfer) follows as a Supplement.
        spec, *supplements = opened.Root.AF
        assert spec.AFRelationship == "/Data"
        assert str(spec.F) == str(spec.UF) == embed.ATTACHMENT_NAME
        assert spec.EF.F.Subtype == "/application/json"
        assert all(extra.AFRelationship == "/Supplement" for extra in supplements)
        names = opened.Root.Names.EmbeddedFiles.Names
        specs = {names[i + 1].objgen for i in range(0, len(names), 2)}
        assert spec.objgen in specs and {extra.objgen for extra in supplements} <= specs


@pytest.mark.parametrize("name", NAMES[:1])
def test_the_output_intent_is_the_shipped_srgb_profile(name: str) -> None:
    with _open(documents()[name][0]) as opened:
        (intent,) = opened.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        assert int(intent.DestOutputProfile.N) == 3
        assert intent.DestOutputProfile.read_bytes() == ICC_PROFILE.read_bytes()
    assert (ICC_PROFILE.parent / "LICENSE-sRGB.txt").exists()
