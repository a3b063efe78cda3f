"""tools/docx_drafting.lean: templates carry only the styles they use, and print exactly as before."""

from __future__ import annotations

import importlib
import re
import zipfile
from pathlib import Path

import pytest

from formgen.core.registry import FormSpec, all_forms
from formgen.documents.docx_fill import DocumentMeta, compiled
from formgen.documents.pdf_layout import layout_pdf
from formgen.engine import pipeline
from tools.docx_drafting import lean

FORMS = all_forms()


def _draft(form: FormSpec):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"tools.drafts.{form.id.replace('-', '_')}").draft()


def _pdf(template: Path, form: FormSpec) -> bytes:
    data = pipeline.validate(form, form.example)
    document = compiled(template).fill(form.build_context(data))
    return layout_pdf(document, DocumentMeta(title=form.title, subject=form.id, keywords=form.id),
                      template_key=f"{template}")


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_the_committed_template_is_its_lean_draft(form: FormSpec) -> None:
    with zipfile.ZipFile(form.template_path) as template:
        names = template.namelist()
        styles = template.read("word/styles.xml")
    assert "word/stylesWithEffects.xml" not in names
    assert b"latentStyles" not in styles
    assert len(styles) < 20_000  # python-docx's default is ~350 KB


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_trimming_the_styles_changes_nothing_printed(form: FormSpec, tmp_path: Path) -> None:
    full, trimmed = tmp_path / "full.docx", tmp_path / "trimmed.docx"
    _draft(form).save(full)
    lean(_draft(form)).save(trimmed)
    assert full.stat().st_size > 2 * trimmed.stat().st_size
    assert _pdf(full, form) == _pdf(trimmed, form)


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_style_the_template_uses_and_its_bases_are_kept(form: FormSpec) -> None:
    with zipfile.ZipFile(form.template_path) as template:
        styles = template.read("word/styles.xml").decode()
        text = "".join(template.read(n).decode() for n in template.namelist() if n.startswith("word/") and n.endswith(".xml"))
    referenced = set(re.findall(r'<w:(?:pStyle|rStyle|tblStyle|basedOn|link|next) w:val="([^"]+)"', text))
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    assert referenced and referenced <= defined
    assert "Heading9" not in defined  # one of the many built-in styles no template uses


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_no_template_holds_an_empty_run(form: FormSpec) -> None:
    """python-docx writes an empty <w:r/> for `paragraph.text = ""`; the drafts clear a cell instead, so no
    fill parses and saves, and no layout reads, a run that holds nothing (one in every cell, 2,782 in a
    40-case agenda)."""
    with zipfile.ZipFile(form.template_path) as package:
        for name in package.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                assert re.search(rb"<w:r\s*/>|<w:r>\s*</w:r>", package.read(name)) is None, name
