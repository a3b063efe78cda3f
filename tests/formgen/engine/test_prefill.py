"""formgen/engine/prefill.py: read any formgen document or a JSON file, and fill in what another form shares."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from formgen.core import fields as f
from formgen.core.errors import BadDocument
from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import SharedCase
from formgen.engine import pipeline
from formgen.engine.prefill import MAX_UPLOAD_BYTES, UploadKind, keep_known, prefill_body, prefill_from_upload, read_upload, sniff

MANCHESTER = "manchester-allocations-pro-forma"


class _NoteSchema(f.FormSchema):
    child_name = f.line("Child's name")
    worries = f.text("Worries", required=False)


def _takes(case: SharedCase) -> dict[str, Any]:
    children = case.get("children") or [{}]
    return {"child_name": children[0].get("full_name"), "worries": case.get("worried_about")}


# A second form, made here, so the cross-form path is tested whatever forms are registered.
NOTE = FormSpec(id="test-note", title="Test note", authority="Test Council", schema=_NoteSchema,
                build_context=dict, example={"child_name": "Test"}, source="test", takes=_takes)


def _manchester() -> dict[str, Any]:
    return copy.deepcopy(dict(all_forms()[MANCHESTER].example))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_document_of_one_form_fills_in_another(fmt: str) -> None:
    content = pipeline.render(all_forms()[MANCHESTER], _manchester(), fmt).content
    result = prefill_from_upload(NOTE, content, forms={**all_forms(), NOTE.id: NOTE})
    assert result.kind is UploadKind(fmt)
    assert result.source_form == MANCHESTER
    assert result.body == {"child_name": "Zofia Wójcik", "worries": _manchester()["worried_about"]}


def test_every_registered_pair_that_shares_prefills_a_subset_of_the_target_schema() -> None:
    forms = all_forms()
    pairs = [(s, t) for s in forms.values() for t in forms.values() if s.shares and t.takes and s.id != t.id]
    for source, target in pairs:
        body, _ = prefill_body(target, source.id, copy.deepcopy(dict(source.example)))
        assert body, f"{source.id} -> {target.id} filled in nothing"
        assert keep_known(target.schema, body) == (body, 0)


def test_herefordshire_takes_the_child_family_and_address_from_a_manchester_pdf() -> None:
    target = all_forms().get("herefordshire-eha-step-down-plan")
    if target is None:
        pytest.skip("the Herefordshire step-down plan is not registered")
    pdf = pipeline.render(all_forms()[MANCHESTER], _manchester(), "pdf").content
    body = prefill_from_upload(target, pdf).body
    assert body["children"][0]["full_name"] == "Zofia Wójcik"
    assert body["address"]["postcode"] == "M13 0XY"
    assert [m["full_name"] for m in body["family_members"]] == ["Katarzyna Wójcik", "Leo Wójcik", "Daniel Ó Súilleabháin"]


def test_a_document_of_the_same_form_comes_back_whole() -> None:
    pdf = pipeline.render(all_forms()[MANCHESTER], _manchester(), "pdf").content
    result = prefill_from_upload(all_forms()[MANCHESTER], pdf)
    assert result.body == {k: v for k, v in _manchester().items()} | {"family_members": [
        {k: v for k, v in m.items() if v} for m in _manchester()["family_members"]]}
    assert result.dropped == 0


def test_a_case_system_json_keeps_only_what_the_form_has() -> None:
    raw = json.dumps({"child": {"name": "Ruby Okafor", "shoe_size": 3}, "mosaic_flag": True}).encode()
    result = prefill_from_upload(all_forms()[MANCHESTER], raw)
    assert result.source_form is None
    assert result.body == {"child": {"name": "Ruby Okafor"}}
    assert result.dropped == 1


@pytest.mark.parametrize(("content", "words"), [
    (b"", "The file is empty."),
    (b"GIF89a", "This service cannot read this file. Upload a PDF or Word (.docx) document made by this service"),
    (b"%PDF-1.7\n%%EOF", "The file is damaged and cannot be read."),
    (b"PK\x03\x04rest", "The file is damaged or not a Word document."),
    (b"{\"a\": ", "The file's data is not valid JSON in UTF-8."),
    (b"[1, 2]", "This service cannot read this file."),
    (b"{" + b" " * MAX_UPLOAD_BYTES + b"}", "The file is larger than 1 MB."),
], ids=["empty", "gif", "broken-pdf", "broken-docx", "bad-json", "json-list", "too-large"])
def test_unreadable_uploads_say_what_to_upload(content: bytes, words: str) -> None:
    with pytest.raises(BadDocument) as caught:
        read_upload(content)
    assert words in caught.value.detail
    assert "Upload a PDF or Word (.docx) document made by this service, or a JSON file." in caught.value.detail
    assert "formgen" not in caught.value.detail  # a social worker reads it: the product's name means nothing


def test_a_pdf_not_made_by_formgen_is_named_as_such() -> None:
    import io

    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(72, 720, "A letter")
    canvas.save()
    with pytest.raises(BadDocument, match="The PDF was not made by this service"):
        read_upload(out.getvalue())


def test_a_document_of_an_unknown_form_or_a_form_that_shares_nothing_is_refused() -> None:
    payload = json.dumps({"form": "no-such-form", "data": {"x": 1}}).encode()
    with pytest.raises(BadDocument, match="a form this service does not have"):
        prefill_from_upload(NOTE, payload)
    lonely = FormSpec(id="lonely", title="Lonely form", authority="Test Council", schema=_NoteSchema,
                      build_context=dict, example={}, source="test")
    with pytest.raises(BadDocument, match="share no answers"):
        prefill_body(lonely, MANCHESTER, _manchester())


def test_kinds_are_told_by_content_not_by_name() -> None:
    assert sniff(b"%PDF-1.7") is UploadKind.PDF
    assert sniff(b"PK\x03\x04") is UploadKind.DOCX
    assert sniff(b"\xef\xbb\xbf  {}") is UploadKind.JSON


def test_rows_past_a_forms_maximum_are_left_out_with_a_warning() -> None:
    rows = [{"full_name": f"Person {number}"} for number in range(2_000)]
    result = prefill_from_upload(all_forms()[MANCHESTER], json.dumps({"family_members": rows}).encode())
    assert len(result.body["family_members"]) == 15
    assert result.dropped == 1_985
    assert result.warnings == ("Family composition: the file has 2000; the form has room for 15, so only the first 15 "
                               "were filled in.",)


def test_data_another_form_cannot_read_is_a_bad_document_not_a_crash() -> None:
    payload = json.dumps({"form": MANCHESTER, "data": {"child": "not an object", "family_members": 7}}).encode()
    with pytest.raises(BadDocument, match="The file's data is not a valid"):
        prefill_from_upload(NOTE, payload, forms={**all_forms(), NOTE.id: NOTE})
