"""A route run on one case record (formgen/engine/routes.py): each document's body, what the record lacks
(one 422 for every document at once), routes whose forms are not registered yet, and status."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from formgen.core.councils import all_councils
from formgen.core.errors import ValidationFailed
from formgen.core.registry import all_forms
from formgen.engine import routes
from formgen.engine.routes import CaseRecordIncomplete, RouteNotReady

ROUTES = [(c, r.id) for c, p in all_councils().items() for r in p.routes]


def record(council_id: str, route_id: str) -> dict[str, Any]:
    found = routes.example_record(*routes.find(council_id, route_id))
    assert found is not None
    return copy.deepcopy(found)


def body_of(council_id: str, route_id: str, rec: dict[str, Any], form_id: str) -> dict[str, Any]:
    prepared = {p.form.id: p for p in routes.prepare(council_id, route_id, rec)}
    return prepared[form_id].body


# --------------------------------------------------------------------------------- building the bodies


def test_a_document_takes_the_shared_answers_then_the_routes_mapping_then_its_own_part() -> None:
    rec = record("shropshire", "3.b")
    agenda = body_of("shropshire", "3.b", rec, "shropshire-step-down-agenda")
    case = agenda["cases"][0]
    # From the shared vocabulary (the form's own `takes`): children with NHS numbers, the carefirst number.
    assert [c["full_name"] for c in case["children"]] == ["Amelia Price", "Noah Price"]
    assert case["children"][0]["nhs_number"] == "9990001006" and case["carefirst_number"] == "CF2284619"
    # From the route's mapping (councils/shropshire.toml): the meeting, the assessment, the lead professional.
    assert (agenda["date"], agenda["time"]) == ("2026-11-19", "14:00")
    assert case["assessment"] == rec["assessment"]["summary"]
    assert case["lead_professional"] == {"name": "Hannah Jones", "role": "Pastoral lead", "team": "Meole Brace School"}
    assert case["step_down_meeting_date"] == "2026-11-25"
    # Fixed by the route: a 3.b case on the weekly meeting.
    assert (agenda["meeting"], case["route"]) == ("weekly", "3.b")
    # Its own part: the consent reference and the service.
    assert case["consent_location"] == "carestore > Consent > 2026-11-16 SF consent"


def test_the_same_answers_reach_every_document_from_one_place() -> None:
    rec = record("shropshire", "4.b")
    bodies = {p.form.id: p.body for p in routes.prepare("shropshire", "4.b", rec)}
    consent, agenda = bodies["shropshire-strengthening-families-consent"], bodies["shropshire-step-down-agenda"]
    assert [c["full_name"] for c in consent["children"]] == [c["full_name"] for c in agenda["cases"][0]["children"]]
    assert consent["carefirst_number"] == agenda["cases"][0]["carefirst_number"] == "CF2284619"
    # The CP core group comes from the record's meetings (4.a's NB: straight from a CP plan, approved).
    assert agenda["cases"][0]["final_meeting"] == {"kind": "cp-core-group", "date": "2026-11-26", "time": "13:30"}


def test_herefordshire_maps_consent_dates_and_the_key_person_from_the_record() -> None:
    rec = record("herefordshire", "level-3-step-down")
    plan = body_of("herefordshire", "level-3-step-down", rec, "herefordshire-eha-step-down-plan")
    assert plan["consent"] == {"written_consent_obtained": True, "given_by": "Kayleigh Bevan", "relationship": "Mother",
                               "given_on": "2026-04-27", "plan_agreed": True}
    assert plan["key_person"]["family_agreed"] is True and plan["key_person"]["name"] == "Rhiannon Davies"
    assert "agreed_with_family" not in plan["key_person"]  # only the fields the form has
    assert (plan["decided_on"], plan["sent_on"], plan["case_closed_on"]) == ("2026-04-24", "2026-05-01", "2026-05-05")
    assert [c["case_id"] for c in plan["children"]] == ["712406", "712407", "712408"]
    assert plan["level_of_need"] == 3


def test_manchester_forthcoming_visits_are_the_records_meetings_by_the_routes_names() -> None:
    rec = record("manchester", "step-down")
    pro_forma = body_of("manchester", "step-down", rec, "manchester-allocations-pro-forma")
    assert [(v["date"], v["kind"]) for v in pro_forma["forthcoming"]] == [
        ("2026-11-26", "Joint handover visit to the family"),
        ("2026-12-10", "Multi-agency meeting with the allocated Social Worker")]
    assert pro_forma["planning_meeting_on"] == "2026-11-12" and pro_forma["request_type"] == "step-down"


# ------------------------------------------------------------------------------ what the record lacks


def test_a_record_missing_what_two_documents_need_is_one_422_naming_both() -> None:
    rec = record("shropshire", "3.b")
    del rec["address"]  # the consent form prints the family's address
    del rec["assessment"]  # the agenda gives the social work assessment and its recommendations
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("shropshire", "3.b", rec)
    failed = refused.value
    assert failed.status == 422
    assert set(failed.errors) == {"documents.shropshire-strengthening-families-consent.address",
                                  "documents.shropshire-step-down-agenda.cases.0.assessment",
                                  "documents.shropshire-step-down-agenda.cases.0.recommendations"}
    assert failed.rules["documents.shropshire-strengthening-families-consent.address"] == ["field-constraints"]
    assert failed.errors["documents.shropshire-strengthening-families-consent.address"] == ["Family address is required."]
    assert set(failed.documents) == {"shropshire-strengthening-families-consent", "shropshire-step-down-agenda"}
    assert "2 documents" in failed.detail and "shropshire-strengthening-families-consent" in failed.detail


def test_a_broken_rule_of_a_document_is_named_with_the_forms_rule() -> None:
    rec = record("herefordshire", "level-3-step-down")
    rec["consent"]["given_on"] = "2026-05-06"  # after the case was closed (000, social worker)
    rec["lead_professional"]["consulted"] = False
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("herefordshire", "level-3-step-down", rec)
    rules = refused.value.rules
    assert "consent-before-closure" in rules["documents.herefordshire-eha-step-down-plan.consent.given_on"]
    assert rules["documents.herefordshire-eha-step-down-plan.key_person.consulted"] == ["key-person-consulted"]


def test_names_the_route_does_not_know_and_answers_it_fixes_are_refused_with_the_documents() -> None:
    rec = record("manchester", "step-down")
    rec["events"]["plan_lost"] = "2026-11-17"
    rec["meetings"].append({"kind": "tea-party", "date": "2026-12-01"})
    rec["documents"]["manchester-allocations-pro-forma"]["request_type"] = "joint-worked"
    rec["documents"]["shropshire-step-down-agenda"] = {}
    del rec["worker"]  # the pro forma's referrer
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("manchester", "step-down", rec)
    rules = refused.value.rules
    assert rules["events.plan_lost"] == ["named-by-the-route"]
    assert rules["meetings.3.kind"] == ["named-by-the-route"]
    assert rules["documents.shropshire-step-down-agenda"] == ["named-by-the-route"]
    assert rules["documents.manchester-allocations-pro-forma.request_type"] == ["answer-fixed-by-the-route"]
    assert "documents.manchester-allocations-pro-forma.referrer" in rules
    assert "tea-party" in refused.value.errors["meetings.3.kind"][0]


def test_the_records_own_schema_comes_first() -> None:
    rec = record("manchester", "step-down")
    rec["children"][0]["nhs_number"] = "9990000019"
    with pytest.raises(ValidationFailed) as refused:
        routes.prepare("manchester", "step-down", rec)
    assert list(refused.value.errors) == ["children.0.nhs_number"]
    with pytest.raises(ValidationFailed):
        routes.prepare("manchester", "step-down", ["not", "an", "object"])


def test_an_optional_document_is_included_only_when_the_record_gives_its_part() -> None:
    _, route = routes.find("step-down-clinic", "step-down")
    assert "step-down-clinic-transfer" not in [d.form for d in routes.included(route, {"documents": {}})]
    assert "step-down-clinic-transfer" in [
        d.form for d in routes.included(route, {"documents": {"step-down-clinic-transfer": {}}})]


# ------------------------------------------------------------------------- forms not registered yet


def test_a_route_says_so_as_soon_as_one_of_its_forms_is_missing() -> None:
    forms = {k: v for k, v in all_forms().items() if k != "shropshire-step-down-agenda"}
    with pytest.raises(RouteNotReady) as refused:
        routes.prepare("shropshire", "3.b", record("shropshire", "3.b"), forms)
    assert refused.value.extra() == {"missing_forms": ["shropshire-step-down-agenda"]}
    listed = routes.route_json(*routes.find("shropshire", "3.b"), forms)
    assert listed["available"] is False and listed["missing_forms"] == ["shropshire-step-down-agenda"]
    assert [d["available"] for d in listed["documents"]] == [True, False]


# ------------------------------------------------------------------------------------------ status


def tasks(council_id: str, route_id: str, rec: dict[str, Any], on: dt.date) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in routes.status(council_id, route_id, rec, on)["tasks"]}


def test_status_says_done_due_and_late_with_dates_and_sources() -> None:
    rec = record("herefordshire", "level-3-step-down")
    del rec["events"]["plan_sent"], rec["events"]["case_closed"]
    rec["documents"]["herefordshire-eha-step-down-plan"].pop("actions_taken")
    before = tasks("herefordshire", "level-3-step-down", rec, dt.date(2026, 5, 6))
    plan = before["herefordshire-eha-step-down-plan"]
    assert (plan["state"], plan["due"], plan["kind"]) == ("due", "2026-05-07", "document")
    assert plan["ready"] is False and "actions_taken" in plan["missing"]
    assert plan["source"]["guidance"] == "000" and plan["source"]["reading"].startswith("formgen's reading")
    assert before["written-consent"]["state"] == "done" and before["written-consent"]["done_on"] == "2026-04-27"
    assert before["received-or-escalated"]["state"] == "waiting"  # counted from the closure, not yet recorded
    after = tasks("herefordshire", "level-3-step-down", rec, dt.date(2026, 5, 11))
    assert after["herefordshire-eha-step-down-plan"]["state"] == "late"
    assert after["case-closed"]["state"] == "late" and "by formgen's reading" in after["case-closed"]["says"]
    rec["events"]["plan_sent"] = "2026-05-11"
    late = tasks("herefordshire", "level-3-step-down", rec, dt.date(2026, 5, 12))["herefordshire-eha-step-down-plan"]
    assert (late["state"], late["on_time"], late["done_on"]) == ("done", False, "2026-05-11")


def test_no_verdict_is_drawn_from_a_setting_the_council_has_not_confirmed() -> None:
    """Shropshire's written-referral deadline is formgen's setting for the council to confirm (docs/councils.md)."""
    rec = record("shropshire", "step-up")
    del rec["events"]["marf_sent"]
    marf = tasks("shropshire", "step-up", rec, dt.date(2026, 12, 1))["multi-agency-referral-form"]
    assert marf["due"] == "2026-11-25T11:40" and marf["state"] == "due" and marf["on_time"] is None
    assert "formgen draws no verdict" in marf["says"]
    assert marf["deadline_source"]["status"] == "not-confirmed"


def test_meetings_are_arranged_held_or_not_yet_arranged() -> None:
    rec = record("shropshire", "3.b")
    found = tasks("shropshire", "3.b", rec, dt.date(2026, 11, 20))
    assert found["step-down-meeting"]["state"] == "held"
    assert found["first-ehpm"]["state"] == "scheduled" and found["first-ehpm"]["due"] == "2026-12-29T10:00"
    assert found["added-to-ecins"]["due"] == "2026-12-24"  # the working day before, over Christmas
    rec["meetings"] = [m for m in rec["meetings"] if m["kind"] != "ehpm"]
    found = tasks("shropshire", "3.b", rec, dt.date(2026, 11, 20))
    assert found["first-ehpm"]["state"] == "not-arranged" and found["added-to-ecins"]["state"] == "waiting"


def test_a_step_for_another_level_is_not_needed() -> None:
    rec = record("manchester", "step-down")
    found = tasks("manchester", "step-down", rec, dt.date(2026, 11, 17))
    assert found["presented-within-5-days"]["state"] == "not-needed"  # level 3: 3.8.1's 5 days are for level 4
    assert found["allocations-meeting"]["due"] == "2026-11-19"
    rec["level_of_need"] = 4
    found = tasks("manchester", "step-down", rec, dt.date(2026, 11, 24))
    assert found["presented-within-5-days"]["state"] == "late" and found["presented-within-5-days"]["due"] == "2026-11-23"


def test_status_works_for_a_route_whose_forms_are_not_registered_yet() -> None:
    rec = {"children": [{"full_name": "Test Child", "case_ids": {"LCS": "LC1"}}],
           "events": {"transfer_sent": "2026-11-20T09:15"}}
    forms = {k: v for k, v in all_forms().items() if k != "peterborough-lcs-ehm-transfer"}
    found = routes.status("peterborough", "1", rec, dt.date(2026, 11, 23), forms)
    review = {t["id"]: t for t in found["tasks"]}["ehh-review"]
    assert (review["state"], review["due"]) == ("late", "2026-11-21T09:15")
    assert found["available"] is False and found["missing_forms"] == ["peterborough-lcs-ehm-transfer"]


def test_status_reports_names_the_route_does_not_know_without_refusing() -> None:
    rec = record("manchester", "joint-worked")
    rec["events"]["plan_lost"] = "2026-11-17"
    found = routes.status("manchester", "joint-worked", rec, dt.date(2026, 11, 17))
    assert list(found["unknown_names"]) == ["events.plan_lost"]


# ------------------------------------------------- Peterborough (seed 004) and the Step Down Clinic (seed 003)


def test_a_referral_to_mash_is_refused_on_the_clinic_route_saying_where_it_belongs() -> None:
    """003's closing line: "Referrals to MASH which result in allocation to Early Help are NOT Step Downs"."""
    rec = record("step-down-clinic", "step-down")
    rec["documents"]["step-down-clinic-outcome"]["case_origin"] = "mash-referral"
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("step-down-clinic", "step-down", rec)
    assert refused.value.rules == {"documents.step-down-clinic-outcome.case_origin": ["answer-fixed-by-the-route"]}
    [message] = refused.value.errors["documents.step-down-clinic-outcome.case_origin"]
    assert "Referrals to MASH which result in allocation to Early Help are NOT Step Downs" in message


def test_the_clinic_documents_take_the_team_manager_and_family_worker_from_the_record_once() -> None:
    rec = record("step-down-clinic", "step-down")
    bodies = {p.form.id: p.body for p in routes.prepare("step-down-clinic", "step-down", rec)}
    assert bodies["step-down-clinic-agenda"]["cases"][0]["team_manager"]["name"] == "Gareth Pryce"
    assert bodies["step-down-clinic-outcome"]["team_manager"]["name"] == "Gareth Pryce"
    assert bodies["step-down-clinic-transfer"]["team_manager"]["name"] == "Gareth Pryce"
    for form_id in ("step-down-clinic-outcome", "step-down-clinic-transfer", "step-down-clinic-joint-visit"):
        assert bodies[form_id]["early_help_family_worker"]["name"] == "Laila Rahman"
    assert {bodies[f]["case_origin"] for f in ("step-down-clinic-outcome", "step-down-clinic-transfer")} == \
        {"open-to-social-work"}
    assert bodies["step-down-clinic-agenda"]["cases"][0]["slot"] == "10:00"
    assert bodies["step-down-clinic-joint-visit"]["visit_date"] == "2026-11-27"


def test_without_the_transfer_part_the_clinic_pack_has_three_documents() -> None:
    rec = record("step-down-clinic", "step-down")
    del rec["documents"]["step-down-clinic-transfer"]
    assert [p.form.id for p in routes.prepare("step-down-clinic", "step-down", rec)] == [
        "step-down-clinic-agenda", "step-down-clinic-outcome", "step-down-clinic-joint-visit"]


@pytest.mark.parametrize(("route_id", "path", "value"), [
    ("1", "referral_outcome", "nfa"), ("2", "assessment_outcome", "nfa"), ("3", "outcome", "nfa")])
def test_a_peterborough_step_down_is_never_nfa(route_id: str, path: str, value: str) -> None:
    """004, sections 1 to 3: the outcome is step down / 'Referral to Early Help', never NFA."""
    rec = record("peterborough", route_id)
    form_id = next(iter(rec["documents"]))
    rec["documents"][form_id][path] = value
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("peterborough", route_id, rec)
    assert refused.value.rules == {f"documents.{form_id}.{path}": ["answer-fixed-by-the-route"]}


def test_a_peterborough_record_without_consent_is_one_422_naming_the_consent() -> None:
    """004, section 1, Note: sent to the Early Help Hub only where the family consented."""
    rec = record("peterborough", "1")
    del rec["consent"]
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("peterborough", "1", rec)
    assert set(refused.value.errors) == {"documents.peterborough-lcs-ehm-transfer.consent.given_by",
                                         "documents.peterborough-lcs-ehm-transfer.consent.given_on"}
    rec = record("peterborough", "1")
    rec["documents"]["peterborough-lcs-ehm-transfer"]["consent"]["consented"] = False
    with pytest.raises(CaseRecordIncomplete) as refused:
        routes.prepare("peterborough", "1", rec)
    assert refused.value.rules == {
        "documents.peterborough-lcs-ehm-transfer.consent.consented": ["family-consents-to-early-help"]}


def test_peterborough_route_3_takes_the_lead_professional_agency_from_the_record() -> None:
    rec = record("peterborough", "3")
    body = body_of("peterborough", "3", rec, "peterborough-cin-step-down-record")
    assert body["lead_professional"] == {"name": "Claire Dunmore", "role": "Head of Year 9",
                                         "agency": "Fenland View Academy", "telephone": "01733 496 851",
                                         "email": "c.dunmore@example.org"}
    assert (body["meeting_date"], body["closure_date"], body["outcome"]) == ("2026-11-17", "2026-11-24",
                                                                              "referral-to-early-help")
