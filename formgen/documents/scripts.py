"""Every script prints: which embedded font sets each character, bidi and shaping for the PDF.

The template's font (Arial, printed as Liberation Sans) covers Latin with diacritics, Greek and
Cyrillic. Every other character falls back, in order, to the first font shipped in formgen/documents/fonts/
that has a glyph for it (FALLBACKS): Noto for Arabic and Urdu, Hebrew, Bengali, Gurmukhi, Devanagari
and Ethiopic, Droid Sans Fallback for Chinese and Japanese kana, Symbola for emoji (monochrome:
reportlab cannot draw colour emoji). A character no shipped font covers prints as its Unicode name in
brackets ("[SHAKING FACE]"), never as an empty box.

reportlab shapes text with HarfBuzz (uharfbuzz) and reorders right-to-left text line by line with
its optional `rlbidi` module, which is not published on PyPI; `_log2vis` below gives reportlab the
same function from python-bidi, so this module must be imported before reportlab's text object
(formgen.documents.pdf_layout imports it first).
"""

from __future__ import annotations

import copy
import re
import sys
import types
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import algorithm as _bidi


def _log2vis(text: str, base_direction: str | None = "LTR", clean: bool = True,
             positions_V_to_L: list[int] | None = None, **_: Any) -> str:  # noqa: N803 - rlbidi's name
    """rlbidi.log2vis: the visual order of one line of logical text (Unicode bidi algorithm)."""
    storage = _bidi.get_empty_storage()
    direction = (base_direction or "").upper()
    level = {"LTR": 0, "RTL": 1}.get(direction, _bidi.get_base_level(text))
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    _bidi.get_embedding_levels(text, storage, False, False)
    for index, char in enumerate(storage["chars"]):
        char["logical"] = index
    _bidi.explicit_embed_and_overrides(storage, False)
    _bidi.resolve_weak_types(storage, False)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    _bidi.reorder_resolved_levels(storage, False)
    _bidi.apply_mirroring(storage, False)
    if positions_V_to_L is not None:
        positions_V_to_L[:] = [char["logical"] for char in storage["chars"]]
    return "".join(char["ch"] for char in storage["chars"])


def install_bidi() -> None:
    """Offer reportlab its optional bidi module, unless a real rlbidi is installed."""
    try:
        import rlbidi  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        module = types.ModuleType("rlbidi")
        module.log2vis = _log2vis  # type: ignore[attr-defined]
        sys.modules["rlbidi"] = module


install_bidi()

from reportlab.lib.fonts import addMapping  # noqa: E402 - after install_bidi, see the docstring
from reportlab.pdfbase import pdfmetrics, ttfonts  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus.paragraph import Paragraph  # noqa: E402

from formgen.core.paths import FONTS_DIR  # noqa: E402
from formgen.documents.fonts import BODY_FONT  # noqa: E402

_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[Any]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF (emoji) written as UTF-16 pairs.

    reportlab writes them as odd-length hex ("<1F600>"), which readers reject, so an emoji could not
    be copied or read aloud from the PDF.
    """
    cmap = _reportlab_to_unicode(fontname, subset)
    for code in subset:
        if isinstance(code, int) and code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"> <{code:04X}>", f"> <{utf16}>")
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


@dataclass(frozen=True)
class Fallback:
    family: str
    file: str
    covers: str
    shaped: bool = False  # the script needs HarfBuzz shaping (joining, conjuncts, vowel signs)


FALLBACKS: tuple[Fallback, ...] = (
    # Arabic letters are joined by arabic-reshaper (presentation forms), not HarfBuzz: see BidiParagraph.
    Fallback("NotoNaskhArabic", "NotoNaskhArabic-Regular.ttf", "Arabic, Urdu, Persian, Pashto"),
    Fallback("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "Hebrew"),
    Fallback("NotoSansBengali", "NotoSansBengali-Regular.ttf", "Bengali, Sylheti in Bengali script", shaped=True),
    Fallback("NotoSansGurmukhi", "NotoSansGurmukhi-Regular.ttf", "Punjabi in Gurmukhi", shaped=True),
    Fallback("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", "Hindi, Nepali, Marathi", shaped=True),
    Fallback("NotoSansEthiopic", "NotoSansEthiopic-Regular.ttf", "Amharic, Tigrinya (Ge'ez)"),
    Fallback("DroidSansFallbackCJK", "DroidSansFallback-CJK.ttf", "Chinese (common ideographs), Japanese kana"),
    Fallback("SymbolaEmoji", "Symbola-Emoji.ttf", "emoji, arrows and symbols, in black and white"),
)
_BY_FAMILY = {f.family: f for f in FALLBACKS}
ARABIC = "NotoNaskhArabic"

# Invisible characters: kept with the font before them when it has a glyph, otherwise left out.
_IGNORABLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A),
     *range(0xFE00, 0xFE10), *range(0xE0020, 0xE0080)]
)
# Emoji skin tones: Symbola draws them as colour swatches, which read as boxes; left out (docs/fidelity.md).
_SKIN_TONES = frozenset(range(0x1F3FB, 0x1F400))
_RTL_CLASSES = frozenset(("R", "AL"))


@cache
def _cmap(font_name: str) -> frozenset[int]:
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


@cache
def fallback_font(family: str) -> str:
    """Register a fallback family (its one face stands in for bold and italic) and return its name."""
    fallback = _BY_FAMILY[family]
    pdfmetrics.registerFont(TTFont(family, str(FONTS_DIR / fallback.file)))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(family, bold, italic, family)
    return family


def has_glyph(font_name: str, char: str) -> bool:
    return ord(char) in _cmap(font_name)


def font_for(char: str, base: str) -> str | None:
    """The font that prints `char`: the base font if it has the glyph, else the first fallback that does."""
    if has_glyph(base, char):
        return base
    for fallback in FALLBACKS:
        if has_glyph(fallback_font(fallback.family), char):
            return fallback.family
    return None


def _stand_in(char: str) -> str:
    return f"[{unicodedata.name(char, f'U+{ord(char):04X}')}]"


@cache
def _plain_in(base: str) -> frozenset[int]:
    """Characters that print in `base` as they are: control characters (the layout turns them into
    markup) and every glyph of the font, less what `segments` drops or re-routes."""
    return frozenset(range(0x20)) | (_cmap(base) - _SKIN_TONES - _IGNORABLE)


@cache
def _ascii_plain(base: str) -> bool:
    """Whether every ASCII character but DEL (which fonts lack) prints in `base` as it is: then such text
    needs no set of its characters built."""
    return frozenset(range(0x7F)) <= _plain_in(base)


def segments(text: str, base: str) -> Iterator[tuple[str, str]]:
    """`text` as (font, text) pieces, each printable in its font: the PDF's font fallback.

    Spaces and combining marks stay in the font before them when it has them, so a name in one
    script is one piece; characters no font has are replaced by their names in brackets.
    """
    # Most text prints in the base font whole: one set lookup instead of a walk per character
    # (the general walk below gives the same single piece; tests/formgen/documents/test_scripts.py).
    ascii_plain = text.isascii() and "\x7f" not in text and _ascii_plain(base)
    if text and (ascii_plain or set(map(ord, text)) <= _plain_in(base)):
        yield base, text
        return
    yield from _segments_by_character(text, base)


def _segments_by_character(text: str, base: str) -> Iterator[tuple[str, str]]:
    pieces: list[list[str]] = []  # [font, text]
    for char in text:
        code = ord(char)
        previous = pieces[-1][0] if pieces else None
        if code in _SKIN_TONES:
            continue
        if code < 0x20:  # line breaks and tabs: the layout turns them into markup
            if previous == base:
                pieces[-1][1] += char
            else:
                pieces.append([base, char])
            continue
        if code in _IGNORABLE or (previous not in (None, base) and (char.isspace() or unicodedata.combining(char))):
            if previous is not None and has_glyph(previous, char):
                pieces[-1][1] += char
            elif code not in _IGNORABLE and (font := font_for(char, base)) is not None:
                pieces.append([font, char])
            continue
        font = font_for(char, base)
        if font is None:
            font, char = base, _stand_in(char)
        if previous == font:
            pieces[-1][1] += char
        else:
            pieces.append([font, char])
    for font, piece in pieces:
        yield font, piece


def markup(text: str, base: str) -> str:
    """reportlab paragraph markup for user text in the base font, with fallback fonts where needed."""
    out = []
    for font, piece in segments(text, base):
        if font == ARABIC:
            piece = arabic_reshaper.reshape(piece)  # joined letter forms, still in logical order
        escaped = escape(piece)
        out.append(escaped if font == base else f'<font name="{font}">{escaped}</font>')
    return "".join(out)


def is_rtl(char: str) -> bool:
    return unicodedata.bidirectional(char) in _RTL_CLASSES


# Every right-to-left character (bidi class R or AL) lies in these blocks, or is the RIGHT-TO-LEFT MARK
# (checked over all of Unicode in tests/formgen/documents/test_scripts.py): a regular expression finds the
# candidates at C speed, and only they are asked for their class.
_RTL_CANDIDATES = re.compile(
    "[\u0590-\u08ff\u200f\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


# The UTF-8 encodings of those blocks (lead bytes, and the bytes after them that narrow them down): a superset,
# so UTF-8 text with no match holds no right-to-left character (checked over all of Unicode in the tests).
# It starts with one class of lead bytes, so re skips to them at C speed; U+200F is looked for on its own.
_RTL_CANDIDATES_UTF8 = re.compile(
    rb"[\xd6-\xdf\xe0\xef\xf0](?:(?<=[\xd6-\xdf])|(?<=\xe0)[\xa0-\xa3]|(?<=\xef)[\xac-\xbb]|(?<=\xf0)[\x90\x9e])"
)


_NOT_LEAD_BYTES = bytes(sorted(set(range(256)) - {*range(0xD6, 0xE1), 0xEF, 0xF0}))


def may_have_rtl(utf8: bytes) -> bool:
    """False when UTF-8 text holds no right-to-left character (found at C speed in the bytes, where the
    candidates in a str of mostly ASCII take longer to scan); True when it may."""
    if b"\xe2\x80\x8f" in utf8:
        return True
    # Most text holds none of the lead bytes at all: deleting every other byte says so fastest.
    return bool(utf8.translate(None, _NOT_LEAD_BYTES)) and _RTL_CANDIDATES_UTF8.search(utf8) is not None


def has_rtl(text: str) -> bool:
    return any(is_rtl(found.group()) for found in _RTL_CANDIDATES.finditer(text))


def needs_shaping(text: str, base: str = BODY_FONT) -> bool:
    """True when some character of `text` is set in a font of a script that must be shaped."""
    return any(_BY_FAMILY[f].shaped for f in _fallbacks_used(text, base))


def _fallbacks_used(text: str, base: str = BODY_FONT) -> set[str]:
    """The fallback fonts `text` is set in: a character the base font has (a dash, a curly quote) is set
    in the base font, as `segments` sets it, and loads no fallback font to find out."""
    used: set[str] = set()
    for char in text:
        if ord(char) < 0x0370 or has_glyph(base, char):
            continue
        font = font_for(char, base)
        if font is not None:
            used.add(font)
    return used


def rtl_spans(text: str) -> list[tuple[bool, str]]:
    """`text` cut into (right_to_left, piece): an RTL piece runs from one strong RTL character to
    the last one before the next strong left-to-right character (spaces and digits between stay in it)."""
    out: list[tuple[bool, str]] = []
    start = 0
    index = 0
    length = len(text)
    while index < length:
        if is_rtl(text[index]):
            end = index
            probe = index + 1
            while probe < length and unicodedata.bidirectional(text[probe]) != "L":
                if is_rtl(text[probe]):
                    end = probe
                probe += 1
            if start < index:
                out.append((False, text[start:index]))
            out.append((True, text[index: end + 1]))
            start = index = end + 1
        else:
            index += 1
    if start < length:
        out.append((False, text[start:]))
    return out


def style_flags(text: str, base: str = BODY_FONT) -> tuple[bool, bool]:
    """(shaping, bidi) a paragraph of `text` needs: HarfBuzz shaping (Indic scripts) only where nothing
    needs reordering, since shaped text cannot be; right to left reordered line by line when drawn."""
    # Every character below U+0370: ASCII text says so at once (CPython knows it), other text at C speed.
    if text.isascii() or max(text, default=" ") < "\u0370":
        return False, False
    bidi = has_rtl(text)
    return needs_shaping(text, base) and not bidi, bidi


def text_style(style: Any, text: str, shaping: bool, bidi: bool) -> Any:
    """A variant of a reportlab ParagraphStyle that shapes and/or reorders, as `style_flags` said."""
    from reportlab.lib.styles import ParagraphStyle

    variant = ParagraphStyle(f"{style.name}-{shaping}-{bidi}", parent=style, shaping=int(shaping))
    variant.bidi = bidi
    variant.keep_with_next = getattr(style, "keep_with_next", False)
    return variant


class BidiParagraph(Paragraph):
    """A reportlab Paragraph that draws right-to-left text right to left, line by line, and never sets
    a line longer than its width.

    reportlab reorders only paragraphs set in one font; ours mix the template's font with fallback
    fonts. Lines are broken (and split across pages) in logical order, as Word does, and each line is
    reordered by the Unicode bidi algorithm only when drawn, when the style asks for it (`bidi`).
    Mirrored characters (brackets) are mirrored; arabic-reshaper has already joined the letters.

    A line may end after a hyphen inside a word, as in Word (the styles' embeddedHyphenation). But once
    reportlab has split a word at a hyphen or a URL's slash it no longer splits the rest, however
    long ("step-" and 300 letters ran 1,700 pt past the page): a paragraph whose lines run over is
    broken again with whole words, where splitLongWords cuts a word longer than a line.
    """

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        width, height = super().wrap(availWidth, availHeight)
        laid: Any = self  # reportlab's attributes, untyped
        if getattr(laid.style, "embeddedHyphenation", 0) and _runs_over(laid.blPara):
            laid.style = whole_words(laid.style)
            width, height = super().wrap(availWidth, availHeight)
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803 - reportlab's names
        """As reportlab's, but the part on the next page does not start with the line break that ended
        the last line on this one: reportlab gives it an empty first line, Word does not."""
        parts = super().split(availWidth, availHeight)
        if len(parts) == 2:
            rest = parts[1].frags
            if rest and isinstance(rest[0], list) and len(rest[0]) == 2 and getattr(rest[0][1][0], "lineBreak", False):
                del rest[0]
        return parts

    def drawPara(self, debug: int = 0) -> Any:  # noqa: N802 - reportlab's name
        logical = getattr(self, "blPara", None)
        if logical is None or not getattr(self.style, "bidi", False):
            return super().drawPara(debug)
        visual = copy.copy(logical)
        visual.lines = [_visual_line(line, logical.kind) for line in logical.lines]
        self.blPara = visual
        try:
            return super().drawPara(debug)
        finally:
            self.blPara = logical


def _runs_over(lines: Any) -> bool:
    """Whether a line of reportlab's broken lines (blPara) is longer than the width it was broken for."""
    return any((line[0] if isinstance(line, tuple) else line.extraSpace) < -0.01 for line in lines.lines)


def whole_words(style: Any) -> Any:
    """`style` breaking lines only between words (and inside a word longer than a line), made once per
    style and kept on it (so it lives as long as the style does)."""
    from reportlab.lib.styles import ParagraphStyle

    variant = style.__dict__.get("_whole_words")
    if variant is None:
        variant = ParagraphStyle(f"{style.name} (whole words)", parent=style, embeddedHyphenation=0)
        for name in ("bidi", "keep_with_next"):
            if hasattr(style, name):
                setattr(variant, name, getattr(style, name))
        style._whole_words = variant
    return variant


def _visual_line(line: Any, kind: int) -> Any:
    if kind == 0:  # (extra space, [word, ...]) in one font
        extra, words = line
        return (extra, _log2vis(" ".join(words), "LTR").split(" "))
    frags = line.words
    if any(not isinstance(getattr(f, "text", None), str) or hasattr(f, "cbDefn") for f in frags):
        return line
    owners = [index for index, frag in enumerate(frags) for _ in frag.text]
    order: list[int] = []
    shown = _log2vis("".join(frag.text for frag in frags), "LTR", positions_V_to_L=order)
    pieces: list[tuple[int, str]] = []
    for char, logical in zip(shown, order, strict=True):
        owner = owners[logical]
        if pieces and pieces[-1][0] == owner:
            pieces[-1] = (owner, pieces[-1][1] + char)
        else:
            pieces.append((owner, char))
    reordered = copy.copy(line)
    reordered.words = [frags[owner].clone(text=text) for owner, text in pieces]
    return reordered
