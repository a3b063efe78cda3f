"""User text is data: never a template, never markup, in either format."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
from helpers import docx_text, pdf_text, squash

from formgen.core.registry import get_form
from formgen.engine import pipeline

HOSTILE = [
    "{{ 7*7 }} and {% if true %}yes{% endif %}",
    "{_{ child_name }_} {_% x %_}",
    "<b>bold</b> <font color='red'>red</font> &amp; &lt;",
    "]]> <w:p/> </w:t></w:r>",
    "Tom & Jerry's \"quote\"",
]


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_text_that_looks_like_a_template_or_markup_prints_literally(text: str, fmt: str) -> None:
    form = get_form("manchester-allocations-pro-forma")
    body = copy.deepcopy(dict(form.example))
    body["reason_for_referral"] = text
    content = pipeline.render(form, body, fmt).content
    printed = squash(pdf_text(content) if fmt == "pdf" else docx_text(content))
    assert squash(text) in printed


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1b", "\ufffe"])
def test_characters_xml_cannot_hold_get_a_validation_error(char: str) -> None:
    form = get_form("manchester-allocations-pro-forma")
    body = copy.deepcopy(dict(form.example))
    body["child"]["name"] = f"Zofia{char}Wójcik"
    with pytest.raises(pipeline.ValidationFailed) as caught:
        pipeline.render(form, body, "docx")
    assert list(caught.value.errors) == ["child.name"]
    assert "control character" in caught.value.errors["child.name"][0]


def test_line_breaks_in_free_text_print_as_line_breaks() -> None:
    form = get_form("manchester-allocations-pro-forma")
    body = copy.deepcopy(dict(form.example))
    body["reason_for_referral"] = "First line\r\nSecond line"
    text = docx_text(pipeline.render(form, body, "docx").content)
    assert "First line\nSecond line" in text


@pytest.mark.parametrize("form_id", ["manchester-allocations-pro-forma", "shropshire-step-down-agenda"])
@pytest.mark.parametrize("text", ["plain", "two\nlines", "tab\there", "a\fpage", "bell\aend", "<w:p>&amp;\n"])
def test_listing_is_resolved_as_docxtpl_does(form_id: str, text: str) -> None:
    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import resolve_listing

    form = get_form(form_id)
    template = DocxTemplate(str(form.template_path))
    template.init_docx()
    xml = template.patch_xml(template.get_xml())
    xml = xml.replace("</w:t>", f"{text}</w:t>", 3)  # text with listing characters in a few runs
    assert resolve_listing(template, xml) == template.resolve_listing(xml)


def test_a_templates_escaped_tags_print_as_tags_as_docxtpl_prints_them(tmp_path: Path) -> None:
    """docxtpl prints a template's "{_{ ... }_}" as "{{ ... }}" (how a template shows a tag in its text):
    in the body as in headers, with the user's own braces still printed as they were typed."""
    import docx
    from docxtpl import DocxTemplate

    from formgen.documents.docx_fill import CompiledTemplate, docx_bytes

    path = tmp_path / "escaped.docx"
    made = docx.Document()
    made.add_paragraph("Type {_{ name }_} and {_% if %_} to print tags; the name: {{ name }}")
    made.sections[0].header.paragraphs[0].text = "Header {_{ x }_} {{ name }}"
    made.save(str(path))
    filled = docx.Document(io.BytesIO(docx_bytes(CompiledTemplate(path).fill({"name": "Ada {_{ Lovelace }_}"}))))
    body = "\n".join(p.text for p in filled.paragraphs)
    assert "Type {{ name }} and {% if %} to print tags; the name: Ada {_{ Lovelace }_}" in body
    assert filled.sections[0].header.paragraphs[0].text == "Header {{ x }} Ada {_{ Lovelace }_}"
    reference = DocxTemplate(str(path))
    reference.render({"name": "Ada"}, autoescape=True)
    assert "Type {{ name }} and {% if %} to print tags" in reference.paragraphs[0].text


class _Mapping(dict):  # a dict of another type: always the sandbox's own way
    pass


@pytest.mark.parametrize(("obj", "attribute"), [
    ({"name": "Ada"}, "name"), ({"name": "Ada"}, "missing"), ({"items": "shadowed"}, "items"),
    ({"get": 1}, "get"), ({}, "keys"), ({"__class__": "x"}, "__class__"), ({"_private": 1}, "_private"),
    ({"mro": 1}, "mro"), ({1: "one"}, "1"), (_Mapping(name="Ada"), "name"), (_Mapping(), "items"),
    (["a"], "append"), ("text", "upper"), (None, "name"), ({"name": None}, "name"),
])
def test_the_fills_environment_reads_a_name_as_jinjas_sandbox_does(obj: Any, attribute: str) -> None:
    """`case.name` read from a dict's item first (no AttributeError raised and caught each time) gives
    what the sandbox gives: the item, dict's own method where the name is one, Undefined, or the
    sandbox's refusal of an unsafe attribute."""
    from jinja2 import StrictUndefined, Undefined
    from jinja2.sandbox import SandboxedEnvironment

    from formgen.documents.docx_fill import _ENV

    sandbox = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    now, before = _ENV.getattr(obj, attribute), sandbox.getattr(obj, attribute)
    assert type(now) is type(before)
    if isinstance(before, Undefined):
        assert now._undefined_name == before._undefined_name and now._undefined_hint == before._undefined_hint
    else:
        assert now == before
