"""Fonts for the PDF, registered once per process.

Liberation Sans is metric-compatible with Arial, the councils' template font, so lines break in the
PDF where Word breaks them; it covers Latin with diacritics, Greek and Cyrillic.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.pdfdoc import PDFArray, PDFObjectReference, PDFStream, PDFTrueTypeFont
from reportlab.pdfbase.ttfonts import TTFont

from formgen.core.paths import FONTS_DIR

BODY_FONT = "LiberationSans"

_FACES = {
    (0, 0): "Regular",
    (1, 0): "Bold",
    (0, 1): "Italic",
    (1, 1): "BoldItalic",
}

# Word font names the templates may use, and the embedded family that stands in for each.
WORD_FONTS = {"arial": BODY_FONT, "liberation sans": BODY_FONT, "helvetica": BODY_FONT, "calibri": BODY_FONT}


@cache
def register_fonts() -> str:
    """Register the body family (regular, bold, italic, bold italic) and return its name."""
    for (bold, italic), face in _FACES.items():
        name = f"{BODY_FONT}-{face}" if face != "Regular" else BODY_FONT
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / f"LiberationSans-{face}.ttf")))
        addMapping(BODY_FONT, bold, italic, name)
    return BODY_FONT


def pdf_font_for(word_font: str | None) -> str:
    register_fonts()
    return WORD_FONTS.get((word_font or "").lower(), BODY_FONT)


# The form fields' own font: the body font's WinAnsi characters as one embedded subset (PDF/A embeds
# every font a page or a field's appearance uses; the standard Helvetica a viewer supplies is not).
FIELD_FONT_KEY = "FormgenField"
_FIELD_FONT_OBJECT = "FormgenFieldFont"


def _winansi(code: int) -> int:
    """The character a byte stands for in WinAnsi (cp1252); the byte itself where cp1252 has none."""
    try:
        return ord(bytes([code]).decode("cp1252")) if code >= 0x80 else code
    except UnicodeDecodeError:
        return code


def field_font(doc: Any) -> Any:
    """A reference to the field font in `doc` (made once per document): a TrueType subset of the body
    font whose codes are WinAnsi bytes, so an appearance stream's Latin-1 text prints as it reads."""
    if _FIELD_FONT_OBJECT in doc.idToObject:
        return PDFObjectReference(_FIELD_FONT_OBJECT)
    register_fonts()
    face = pdfmetrics.getFont(BODY_FONT).face
    subset = [_winansi(code) for code in range(256)]
    name = f"FORMGN+{face.name.decode('pdfdoc')}"
    font = PDFTrueTypeFont()
    font.Name = FIELD_FONT_KEY
    font.BaseFont = name
    font.FirstChar, font.LastChar = 0, 255
    font.Widths = PDFArray([face.getCharWidth(code) for code in subset])
    to_unicode = PDFStream(content=ttfonts.makeToUnicodeCMap(name, subset))  # as patched by scripts.py
    font.ToUnicode = doc.Reference(to_unicode)
    font.FontDescriptor = face.addSubsetObjects(doc, name, subset)
    return doc.Reference(font, _FIELD_FONT_OBJECT)
