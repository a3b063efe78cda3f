"""Fonts for the PDF, registered once per process.

Liberation Sans is metric-compatible with Arial, the councils' template font, so lines break in the
PDF where Word breaks them; it covers Latin with diacritics, Greek and Cyrillic.
"""

from __future__ import annotations

from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
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
