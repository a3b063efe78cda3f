"""Every script prints: real glyphs in the right order in the PDF, right-to-left runs marked in the DOCX.

Each form's example gets names and free text in many scripts (its longest free text field, and its
first name field); both formats are opened and read back.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import unicodedata
from typing import Any

import pytest
from helpers import docx_document, pdf_reader, squash
from hypothesis import given, settings
from hypothesis import strategies as st

from formgen.core.errors import ValidationFailed
from formgen.core.registry import FormSpec
from formgen.documents import scripts
from formgen.documents.fonts import BODY_FONT, register_fonts
from formgen.engine import pipeline

# Fictional people. Shaped scripts (Arabic, Urdu, Bengali, Gurmukhi) are read back differently.
SAMPLES = {
    "latin": "Zoë Ó Súilleabháin-Nguyễn Łukasz Dvořák",
    "greek": "Αλέξανδρος Παπαδόπουλος",
    "cyrillic": "Анастасия Кузнецова",
    "arabic": "مريم الحسيني",
    "urdu": "عائشہ خان",
    "bengali": "রহিম উদ্দিন",
    "gurmukhi": "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",
    "ethiopic": "ሰላም ተስፋዬ",
    "chinese": "王小明",
    "emoji": "😀 👍 ❤",
}
MIXED_URDU = "Mum said: وہ اسکول جاتی ہے 3 دن a week"  # right to left, mixed with English and digits

FONT_FOR = {
    "latin": BODY_FONT, "greek": BODY_FONT, "cyrillic": BODY_FONT, "arabic": "NotoNaskhArabic",
    "urdu": "NotoNaskhArabic", "bengali": "NotoSansBengali", "gurmukhi": "NotoSansGurmukhi",
    "ethiopic": "NotoSansEthiopic", "chinese": "DroidSansFallbackCJK", "emoji": "SymbolaEmoji",
}
SHAPED = {"arabic", "urdu", "bengali", "gurmukhi"}


@pytest.mark.parametrize("script", list(SAMPLES))
def test_each_character_has_a_glyph_in_the_font_chosen_for_it(script: str) -> None:
    register_fonts()
    pieces = list(scripts.segments(SAMPLES[script], BODY_FONT))
    assert "".join(text for _, text in pieces) == SAMPLES[script]
    for font, text in pieces:
        assert all(scripts.has_glyph(font, char) for char in text), (font, text)
    letters = [font for font, text in pieces if any(c.isalpha() or ord(c) > 0x2000 for c in text)]
    assert set(letters) == {FONT_FOR[script]}


@pytest.mark.parametrize(("text", "printed"), [
    ("\U0001FAE0", "[MELTING FACE]"),  # newer than any shipped font: its name, never a box
    ("👍🏽", "👍"),  # skin tones are left out (Symbola draws them as swatches)
    ("❤️", "❤"),  # the emoji variation selector is invisible
    ("👨‍👩‍👧", "👨👩👧"),  # a family sequence prints as its people
    ("a\nb\tc", "a\nb\tc"),
])
def test_characters_no_font_has_never_print_as_boxes(text: str, printed: str) -> None:
    register_fonts()
    assert "".join(piece for _, piece in scripts.segments(text, BODY_FONT)) == printed


@pytest.mark.parametrize(("text", "spans"), [
    ("Maryam", [(False, "Maryam")]),
    ("مريم الحسيني", [(True, "مريم الحسيني")]),
    ("Name: مريم الحسيني (Maryam)", [(False, "Name: "), (True, "مريم الحسيني"), (False, " (Maryam)")]),
    (MIXED_URDU, [(False, "Mum said: "), (True, "وہ اسکول جاتی ہے 3 دن"), (False, " a week")]),
])
def test_right_to_left_spans(text: str, spans: list[tuple[bool, str]]) -> None:
    assert scripts.rtl_spans(text) == spans


def test_reportlab_reorders_right_to_left_text_whatever_is_imported_first() -> None:
    code = "import api, formgen.engine.pipeline; from reportlab.pdfgen import textobject; print(textobject.rtlSupport)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


RTL_TEXT = f"Name: {SAMPLES['arabic']} (Maryam), and {SAMPLES['urdu']}.\n{MIXED_URDU}"
LTR_TEXT = " and ".join(v for k, v in SAMPLES.items() if k not in ("arabic", "urdu"))


Path = tuple[str | int, ...]


def _text_paths(value: Any, path: Path = ()) -> list[tuple[Path, str]]:
    """Every string with a space in a body (free text, names), at any depth."""
    if isinstance(value, str):
        return [(path, value)] if " " in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else []
    return [found for key, item in items for found in _text_paths(item, (*path, key))]


def _set(body: Any, path: Path, value: str) -> None:
    for key in path[:-1]:
        body = body[key]
    body[path[-1]] = value


def _body(form: FormSpec, example: dict[str, Any]) -> dict[str, Any]:
    """Left-to-right scripts in the longest free text field that takes them, right-to-left ones in the
    next (one paragraph cannot be both shaped by HarfBuzz and reordered: docs/fidelity.md)."""
    paths = [path for path, _ in sorted(_text_paths(example), key=lambda found: -len(found[1]))]
    placed: list[Path] = []
    for text in (LTR_TEXT, RTL_TEXT):
        for path in paths:
            if path in placed:
                continue
            trial = copy.deepcopy(example)
            _set(trial, path, text)
            try:
                pipeline.validate(form, trial)
            except ValidationFailed:
                continue
            example = trial
            placed.append(path)
            break
    assert len(placed) == 2, f"{form.id}: no two free text fields take the samples"
    return example


def _pdf_text(content: bytes) -> str:
    return unicodedata.normalize("NFKC", squash("\n".join(p.extract_text() or "" for p in pdf_reader(content).pages)))


def _pdf_fonts(content: bytes) -> set[str]:
    fonts: set[str] = set()
    for page in pdf_reader(content).pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def test_every_script_prints_in_the_pdf(form: FormSpec, example: dict[str, Any]) -> None:
    pdf = pipeline.render(form, _body(form, example), "pdf").content
    text = _pdf_text(pdf)
    for script, sample in SAMPLES.items():
        if script in SHAPED:
            # Joined letters read back as their letters (NFKC); their order on the line is
            # checked where it is made (test_right_to_left_lines_are_drawn_in_visual_order).
            for word in sample.split():
                if script in ("arabic", "urdu"):
                    assert word in text, (script, word)
            continue
        assert sample in text, script
    fonts = _pdf_fonts(pdf)
    for script in SAMPLES:
        family = FONT_FOR[script]
        stem = family if family == BODY_FONT else next(f.file for f in scripts.FALLBACKS if f.family == family).split("-")[0]
        assert any(font.startswith(stem) for font in fonts), (script, stem)
    assert "[U+" not in text


@pytest.mark.parametrize("text", [
    RTL_TEXT.split("\n")[0], MIXED_URDU, SAMPLES["arabic"],
    "Flat 2, 14 شارع النصر, Manchester M13 0XY (Mum: 0161 496 0732)",
])
def test_right_to_left_lines_are_drawn_in_visual_order(text: str) -> None:
    """Each drawn line equals the visual order of python-bidi's Rust implementation (an independent one)."""
    from bidi import get_display
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    style = ParagraphStyle("t", fontName=BODY_FONT, fontSize=10, leading=11.5)
    style.bidi = True  # type: ignore[attr-defined]
    paragraph = scripts.BidiParagraph(scripts.markup(text, BODY_FONT), style)
    paragraph.wrap(1000, 100)
    (line,) = paragraph.blPara.lines
    if paragraph.blPara.kind == 0:  # one font: (extra space, words)
        drawn = " ".join(scripts._visual_line(line, 0)[1])
        logical = " ".join(line[1])
    else:
        drawn = "".join(frag.text for frag in scripts._visual_line(line, 1).words)
        logical = "".join(frag.text for frag in line.words)
    assert drawn.strip() == get_display(logical.strip(), base_dir="L")
    assert unicodedata.normalize("NFKC", logical) == unicodedata.normalize("NFKC", text)


def test_every_script_is_kept_in_the_docx_and_right_to_left_runs_are_marked(
    form: FormSpec, example: dict[str, Any]
) -> None:
    document = docx_document(pipeline.render(form, _body(form, example), "docx").content)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    runs = list(document.element.body.iter(f"{w}r"))
    text = "".join(t.text or "" for t in document.element.body.iter(f"{w}t"))
    for sample in [*SAMPLES.values(), "وہ اسکول جاتی ہے 3 دن"]:
        assert sample in text
    marked = ["".join(t.text or "" for t in r.iter(f"{w}t")) for r in runs if r.find(f"{w}rPr/{w}rtl") is not None]
    assert sorted(marked) == sorted([SAMPLES["arabic"], SAMPLES["urdu"], "وہ اسکول جاتی ہے 3 دن"])


# The fast paths give exactly what the character-by-character walks give, for any text.
_ANY_TEXT = st.text(alphabet=st.sampled_from(
    "aZ 09\n\t&<>é—\x7f" + "".join(s for s in SAMPLES.values()) + "\u200d\u200b\U0001F3FD\U0001FAE0" + "وہ"
), max_size=40) | st.text(max_size=20) | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_font_fallback_fast_path_matches_the_walk(text: str) -> None:
    register_fonts()
    assert list(scripts.segments(text, BODY_FONT)) == list(scripts._segments_by_character(text, BODY_FONT))


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_right_to_left_fast_path_matches_the_walk(text: str) -> None:
    assert scripts.has_rtl(text) == any(scripts.is_rtl(char) for char in text)


def test_every_right_to_left_character_is_a_candidate() -> None:
    rtl = [chr(code) for code in range(0x110000) if scripts.is_rtl(chr(code))]
    assert len(rtl) > 1000
    assert all(scripts._RTL_CANDIDATES.match(char) for char in rtl)


def test_latin_text_with_a_dash_or_a_curly_quote_is_not_shaped_as_bengali() -> None:
    """A character the body font has is set in the body font: it asks nothing of the fallback fonts.
    It once found the first fallback holding the glyph (Bengali), so the paragraph was shaped."""
    from formgen.documents import scripts
    from formgen.documents.fonts import register_fonts

    register_fonts()
    for text in ("Mum said it’s fine — for now", "“Quoted”", "Point 1 – point 2…"):
        assert scripts.style_flags(text) == (False, False), text
    assert scripts.style_flags("রহিম উদ্দিন") == (True, False)
    assert scripts.style_flags("مريم الحسيني") == (False, True)


def test_fallback_fonts_load_only_for_their_scripts() -> None:
    """A fresh process rendering English (dashes and curly quotes included) loads no fallback font."""
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "from reportlab.pdfbase import pdfmetrics\n"
        "from formgen.core.registry import all_forms\n"
        "from formgen.engine import pipeline\n"
        "spec = all_forms()['manchester-allocations-pro-forma']\n"
        "body = dict(spec.example)\n"
        "key = max((k for k, v in body.items() if isinstance(v, str)), key=lambda k: len(body[k]))\n"
        "body[key] = 'Mum said it’s fine — for now: “quoted”.'\n"
        "pipeline.render(spec, body, 'pdf')\n"
        "print(sorted(pdfmetrics.getRegisteredFontNames()))\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == str(["LiberationSans", "LiberationSans-Bold", "LiberationSans-BoldItalic",
                                      "LiberationSans-Italic"])


def test_utf8_with_no_right_to_left_candidate_holds_no_right_to_left_character() -> None:
    """The bytes check is a superset: every candidate's UTF-8 encoding is found (then the text is read)."""
    missed = [code for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF
              and scripts._RTL_CANDIDATES.match(chr(code)) and not scripts.may_have_rtl(chr(code).encode())]
    assert missed == []
    assert not scripts.may_have_rtl("Zoë Ó Súilleabháin-Nguyễn — “quoted” 王小明 😀".encode())
    assert scripts.may_have_rtl("Mum said: وہ".encode())


@pytest.mark.parametrize("text", ["step-" + "a" * 300, "https://example.org/" + "b" * 300, "word " * 3 + "co-" + "c" * 200])
def test_a_word_split_at_its_hyphen_or_slash_is_still_cut_where_it_is_longer_than_a_line(text: str) -> None:
    """reportlab stops cutting a word once it has split it at a hyphen or a URL's slash: such a paragraph
    is broken again with whole words, and no line runs past its width."""
    from reportlab.lib.styles import ParagraphStyle

    from formgen.documents.scripts import BidiParagraph

    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12, splitLongWords=1, embeddedHyphenation=1)
    paragraph = BidiParagraph(text, style)
    paragraph.wrap(300, 1000)
    extras = [line[0] if isinstance(line, tuple) else line.extraSpace for line in paragraph.blPara.lines]
    assert len(extras) > 2 and min(extras) >= 0
    assert style.embeddedHyphenation == 1  # the paragraph's own style was replaced, not changed


def test_a_hyphen_still_ends_a_line_where_nothing_runs_over() -> None:
    from reportlab.lib.styles import ParagraphStyle

    from formgen.documents.scripts import BidiParagraph

    style = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12, splitLongWords=1, embeddedHyphenation=1)
    for filler in range(40):
        paragraph = BidiParagraph("word " * filler + "a step-down arrangement", style)
        paragraph.wrap(200, 1000)
        if any(line[1][-1] == "step-" for line in paragraph.blPara.lines if isinstance(line, tuple)):
            assert paragraph.style is style
            return
    raise AssertionError("no line ended after the hyphen of step-down")
