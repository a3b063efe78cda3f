"""PDF/A-3 (ISO 19005-3) and PDF/UA-1 identification for a reportlab document, before it is saved.

What it adds to the catalog: XMP metadata that says the same as the Info dictionary (title, author,
subject, keywords, dates, producer) and identifies the file as PDF/A-3 level a and PDF/UA-1, with the
PDF/A extension schema that declares the pdfuaid property; an sRGB output intent (the ICC profile in
formgen/documents/icc/, zlib licence beside it); /MarkInfo, /ViewerPreferences /DisplayDocTitle, and
the /AF array that reportlab would otherwise drop, so the embedded JSON data is an associated file.
Fonts are embedded subsets with ToUnicode (formgen/documents/fonts.py), nothing is encrypted, and the
fixed time stamps of reportlab's invariant mode keep the bytes reproducible.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import PDFArray, PDFCatalog, PDFDictionary, PDFName, PDFStream, PDFString

ICC_PROFILE = Path(__file__).resolve().parent / "icc" / "sRGB.icc"
PDFA_PART, PDFA_CONFORMANCE, PDFUA_PART = 3, "A", 1
_CATALOG_KEYS = [*PDFCatalog.__NoDefault__, "AF", "OutputIntents"]

_XMP = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
  xmlns:xmp="http://ns.adobe.com/xap/1.0/"
  xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{author}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{subject}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>
<pdf:Keywords>{keywords}</pdf:Keywords>
<pdf:Producer>{producer}</pdf:Producer>
<xmp:CreatorTool>{creator}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
<pdfaid:part>{pdfa_part}</pdfaid:part>
<pdfaid:conformance>{pdfa_conformance}</pdfaid:conformance>
<pdfuaid:part>{pdfua_part}</pdfuaid:part>
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def _xmp_date(doc: Any) -> str:
    """The Info dictionary's CreationDate and ModDate (reportlab's invariant stamp) in XMP's form."""
    stamp = doc._timeStamp
    year, month, day, hour, minute, second = stamp.YMDhms
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{stamp.dhh:+03d}:{stamp.dmm:02d}"


def xmp_packet(doc: Any, lang: str) -> bytes:
    info = doc.info
    text = _XMP.format(
        title=escape(info.title), author=escape(info.author), subject=escape(info.subject), lang=escape(lang),
        keywords=escape(info.keywords), producer=escape(info.producer), creator=escape(info.creator),
        date=_xmp_date(doc), pdfa_part=PDFA_PART, pdfa_conformance=PDFA_CONFORMANCE,
        pdfua_part=PDFUA_PART,
    )
    return text.encode("utf-8")


@cache
def _icc_bytes() -> bytes:
    return ICC_PROFILE.read_bytes()


def _output_intent(doc: Any) -> PDFDictionary:
    profile = PDFStream(PDFDictionary({"N": 3}), content=_icc_bytes())
    return PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString("sRGB IEC61966-2.1"),
        "Info": PDFString("sRGB IEC61966-2.1"),
        "DestOutputProfile": doc.Reference(profile),
    })


def finish_catalog(doc: Any, structure_root: Any, lang: str) -> None:
    """Everything PDF/UA-1 and PDF/A-3 ask of the catalog, for a tagged document about to be saved."""
    catalog = doc.Catalog
    catalog.__NoDefault__ = _CATALOG_KEYS  # reportlab writes only the catalog keys it lists
    catalog.StructTreeRoot = structure_root
    catalog.MarkInfo = PDFDictionary({"Marked": "true"})  # a bare token: a str formats as itself
    catalog.ViewerPreferences = PDFDictionary({"DisplayDocTitle": "true"})
    # Unfiltered, as PDF/A asks of metadata (so any tool can read the identification): reportlab
    # compresses only page streams and font files, and filters=[] would write an empty /Filter.
    catalog.Metadata = PDFStream(PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
                                 content=xmp_packet(doc, lang))
    catalog.OutputIntents = PDFArray([_output_intent(doc)])
