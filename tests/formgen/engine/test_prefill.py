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
from formgen.engine.prefill import (
    MAX_UPLOAD_BYTES,
    UploadKind,
    keep_known,
    merge,
    prefill_body,
    prefill_from_upload,
    read_upload,
    sniff,
)

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
    # Leo, Zofia's brother, is one of the plan's sibling group, not a family member (issue 16, item 7).
    assert [c["full_name"] for c in body["children"]] == ["Zofia Wójcik", "Leo Wójcik"]
    assert body["address"]["postcode"] == "M13 0XY"
    assert [m["full_name"] for m in body["family_members"]] == ["Katarzyna Wójcik", "Daniel Ó Súilleabháin"]


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
    with pytest.raises(BadDocument, match="share no answers") as caught:
        prefill_body(lonely, MANCHESTER, _manchester())
    # Named as the document it is, with no article to get wrong ("A Early Help ..." was).
    assert caught.value.detail.startswith("This Early Help Allocations Pro Forma cannot fill in the Lonely form:")


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


# Everything the family told once travels (issue 16, item 7) ---------------------------------------------

HEREFORDSHIRE = "herefordshire-eha-step-down-plan"


def _upload(form_id: str, body: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"form": form_id, "data": body}).encode()
    return pipeline.render(all_forms()[form_id], body, fmt).content


@pytest.mark.parametrize("fmt", ["pdf", "docx", "json"])
def test_a_manchester_pro_forma_gives_the_plan_the_agreement_the_cafa_and_the_reason(fmt: str) -> None:
    body = prefill_from_upload(all_forms()[HEREFORDSHIRE], _upload(MANCHESTER, _manchester(), fmt)).body
    assert body["consent"] == {"plan_agreed": True}  # the family's agreement; written consent is asked for itself
    assert body["follows"] == "child-and-family-assessment"
    assert body["assessment_completed_on"] == "2026-11-02"
    assert body["presenting_needs"] == _manchester()["reason_for_referral"]
    # The handover visit is still to come: the plan's actions taken are what was done, so none is forced there.
    assert "actions_taken" not in body


def test_a_pro_forma_after_a_planning_meeting_only_says_no_cafa() -> None:
    body = _manchester()
    del body["cafa_completed_on"]
    taken, _ = prefill_body(all_forms()[HEREFORDSHIRE], MANCHESTER, body)
    assert "follows" not in taken and "assessment_completed_on" not in taken


def test_the_plan_gives_a_pro_forma_the_agreement_the_cafa_and_the_reason() -> None:
    plan = all_forms()[HEREFORDSHIRE]
    taken, _ = prefill_body(all_forms()[MANCHESTER], HEREFORDSHIRE, copy.deepcopy(dict(plan.example)))
    assert taken["family_agrees"] is True
    assert taken["cafa_completed_on"] == "2026-04-23"
    assert taken["reason_for_referral"] == plan.example["presenting_needs"]
    after_s47 = {**copy.deepcopy(dict(plan.example)), "follows": "s47-enquiry"}
    taken, _ = prefill_body(all_forms()[MANCHESTER], HEREFORDSHIRE, after_s47)
    assert "cafa_completed_on" not in taken  # a s47 enquiry's date is not a CAFA's


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_handover_visit_arranges_the_joint_visit_and_comes_back_as_forthcoming(fmt: str) -> None:
    joint = all_forms()["step-down-clinic-joint-visit"]
    body = prefill_from_upload(joint, _upload(MANCHESTER, _manchester(), fmt)).body
    # Only the visit: the Team Around the Family meeting is not a visit to the family.
    assert {k: body[k] for k in ("status", "visit_date")} == {"status": "arranged", "visit_date": "2026-11-26"}
    arranged = {**copy.deepcopy(dict(joint.example)), "status": "arranged", "agreed": None}
    taken, _ = prefill_body(all_forms()[MANCHESTER], joint.id, arranged)
    assert taken["forthcoming"] == [{"date": "2026-11-27",
                                     "kind": "Joint visit by the Social Worker and the Early Help Family Worker"}]
    held, _ = prefill_body(all_forms()[MANCHESTER], joint.id, copy.deepcopy(dict(joint.example)))
    assert "forthcoming" not in held  # a visit already held is not a forthcoming one


def test_a_final_child_in_need_meeting_to_come_is_the_agendas_final_cin_review() -> None:
    body = _manchester()
    body["forthcoming"].append({"date": "2026-12-03", "kind": "Final Child in Need meeting", "with_whom": "Family"})
    taken, _ = prefill_body(all_forms()["shropshire-step-down-agenda"], MANCHESTER, body)
    assert taken["cases"][0]["final_meeting"] == {"kind": "final-cin-review", "date": "2026-12-03"}
    assert taken["cases"][0]["checklist"] == {"why_now": body["reason_for_referral"]}


_PAIRS: list[tuple[str, str, dict[str, Any]]] = [
    ("peterborough-masg-step-down", "peterborough-lcs-ehm-transfer",
     {"team_manager": "Marcus Bell", "consent": {"consented": True}}),
    ("peterborough-lcs-ehm-transfer", "peterborough-masg-step-down",
     {"team_manager": "Karen Lowe", "consent": {"agrees_to_support_plan": True}}),
    ("peterborough-cin-step-down-record", "peterborough-masg-step-down", {"consent": {"agrees_to_support_plan": True}}),
    ("peterborough-masg-step-down", "peterborough-cin-step-down-record", {"family_agrees": True}),
    ("peterborough-masg-step-down", MANCHESTER, {"family_agrees": True, "cafa_completed_on": "2026-11-04"}),
    ("step-down-clinic-transfer", "step-down-clinic-agenda",
     {"cases": [{"case_origin": "open-to-social-work",
                 "most_recent_assessment": "Child and Family Assessment, completed 13 November 2026"}]}),
    ("step-down-clinic-agenda", "step-down-clinic-transfer", {"case_origin": "open-to-social-work"}),
    ("step-down-clinic-agenda", "step-down-clinic-outcome", {"case_origin": "open-to-social-work"}),
    ("step-down-clinic-transfer", "step-down-clinic-transfer",
     {"most_recent_assessment": {"title": "Child and Family Assessment", "completed_on": "2026-11-13"}}),
]


def _contains(whole: Any, part: Any) -> bool:
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(_contains(whole.get(k), v) for k, v in part.items())
    if isinstance(part, list):
        return isinstance(whole, list) and len(whole) >= len(part) and all(map(_contains, whole, part))
    return bool(whole == part)


@pytest.mark.parametrize(("source_id", "target_id", "expected"), _PAIRS,
                         ids=[f"{s}->{t}" for s, t, _ in _PAIRS])
def test_agreement_assessment_team_manager_and_origin_travel_between_forms(source_id: str, target_id: str,
                                                                          expected: dict[str, Any]) -> None:
    source = all_forms()[source_id]
    taken, _ = prefill_body(all_forms()[target_id], source_id, copy.deepcopy(dict(source.example)))
    assert _contains(taken, expected), taken


def test_the_decision_of_a_peterborough_transfer_is_the_reason_for_referral() -> None:
    transfer = all_forms()["peterborough-lcs-ehm-transfer"]
    taken, _ = prefill_body(all_forms()[MANCHESTER], transfer.id, copy.deepcopy(dict(transfer.example)))
    assert taken["reason_for_referral"] == transfer.example["decision"]


def test_a_clinic_outcome_gives_the_agenda_its_rationale_only_for_a_step_down() -> None:
    outcome = all_forms()["step-down-clinic-outcome"]
    agenda = all_forms()["step-down-clinic-agenda"]
    taken, _ = prefill_body(agenda, outcome.id, copy.deepcopy(dict(outcome.example)))
    assert taken["cases"][0]["summary"] == outcome.example["rationale"]
    stays = {**copy.deepcopy(dict(outcome.example)), "outcome": "stays-with-social-work",
             "early_help_family_worker": None}
    taken, _ = prefill_body(agenda, outcome.id, stays)
    assert "summary" not in taken["cases"][0]  # why the case stays is not why it no longer needs social work


def test_a_shropshire_case_comes_back_whole_but_for_the_meetings_own_answers() -> None:
    agenda = all_forms()["shropshire-step-down-agenda"]
    example = copy.deepcopy(dict(agenda.example))
    example["cases"] = [example["cases"][1]]  # Kai: 4.b, with a lead professional and a CP core group
    taken, _ = prefill_body(agenda, agenda.id + "-copy", example, forms={
        **all_forms(), agenda.id + "-copy": agenda})
    case = taken["cases"][0]
    source = example["cases"][0]
    for key in ("carefirst_number", "assessment", "recommendations", "final_meeting"):
        assert case[key] == source[key], key
    assert case["lead_professional"] == source["lead_professional"]
    for key in ("route", "consent_location", "service", "service_role", "straight_from_cp_plan"):
        assert key not in case, key  # the meeting's to say


# Filling only blank answers ----------------------------------------------------------------------------


def test_an_answer_already_given_is_never_overwritten_and_a_different_one_is_reported() -> None:
    existing = {"telephone": "0161 496 0000", "address": {"line_1": "14 Birchfield Grove", "town": ""},
                "worried_about": "", "level_of_need": 3}
    incoming = {"telephone": "0161 496 0732", "address": {"line_1": "14 Birchfield Grove", "town": "Manchester",
                                                          "postcode": "M13 0XY"},
                "worried_about": "Attendance.", "level_of_need": 3}
    merged = merge(existing, incoming)
    assert merged.body == {"telephone": "0161 496 0000", "worried_about": "Attendance.", "level_of_need": 3,
                           "address": {"line_1": "14 Birchfield Grove", "town": "Manchester", "postcode": "M13 0XY"}}
    assert merged.filled == ("address.town", "address.postcode", "worried_about")
    assert merged.kept == ("telephone",)  # the same answer (level 3, line 1) is neither filled nor kept
    typed = merge({"level_of_need": "3", "family_agrees": "true", "date_completed": "2026-11-16 "},
                  {"level_of_need": 3, "family_agrees": True, "date_completed": "2026-11-16"})
    assert typed.kept == () and typed.filled == ()  # a page's text is the same answer as a document's value
    assert existing["address"]["town"] == ""  # what was given is not changed in place


def test_people_merge_by_name_keeping_their_answers_and_gaining_blanks() -> None:
    existing = {"family_members": [
        {"full_name": "Daniel Ó Súilleabháin", "relationship": "Father", "notes": ""},
        {},  # a blank row the page offered
        {"full_name": "Katarzyna Wójcik", "relationship": "Mum"},
    ]}
    incoming = {"family_members": [
        {"full_name": "Katarzyna  wójcik", "relationship": "Mother", "date_of_birth": "1991-02-14"},
        {"full_name": "Leo Wójcik", "relationship": "Brother"},
        {"full_name": "Daniel Ó Súilleabháin", "relationship": "Father", "notes": "Lives in Stockport."},
        {"full_name": "Ewa Nowak", "relationship": "Aunt"},
    ]}
    merged = merge(existing, incoming)
    assert merged.body["family_members"] == [
        {"full_name": "Daniel Ó Súilleabháin", "relationship": "Father", "notes": "Lives in Stockport."},
        {"full_name": "Leo Wójcik", "relationship": "Brother"},
        {"full_name": "Katarzyna Wójcik", "relationship": "Mum", "date_of_birth": "1991-02-14"},
        {"full_name": "Ewa Nowak", "relationship": "Aunt"},
    ]
    assert merged.filled == ("family_members.2.date_of_birth", "family_members.1.full_name",
                             "family_members.1.relationship", "family_members.0.notes",
                             "family_members.3.full_name", "family_members.3.relationship")
    assert merged.kept == ("family_members.2.relationship",)


def test_other_lists_merge_item_by_item() -> None:
    existing = {"forthcoming": [{"date": "2026-11-26", "kind": ""}], "cases": [{"slot": "10:00"}]}
    incoming = {"forthcoming": [{"date": "2026-11-27", "kind": "Joint handover visit"},
                                {"date": "2026-12-10", "kind": "TAF meeting"}]}
    merged = merge(existing, incoming)
    assert merged.body == {"forthcoming": [{"date": "2026-11-26", "kind": "Joint handover visit"},
                                           {"date": "2026-12-10", "kind": "TAF meeting"}],
                           "cases": [{"slot": "10:00"}]}
    assert merged.filled == ("forthcoming.0.kind", "forthcoming.1.date", "forthcoming.1.kind")
    assert merged.kept == ("forthcoming.0.date",)


def test_a_prefill_merged_into_a_blank_form_fills_every_answer_it_has() -> None:
    prefilled = prefill_from_upload(all_forms()[HEREFORDSHIRE], _upload(MANCHESTER, _manchester(), "json")).body
    merged = merge({}, prefilled)
    assert merged.body == prefilled and merged.kept == ()
    assert "children.1.full_name" in merged.filled and "consent.plan_agreed" in merged.filled
