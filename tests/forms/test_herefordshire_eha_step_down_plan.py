"""Herefordshire's step-down plan (seed 000): rules, sibling groups, timescales, prefill."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from bodies import Body, Change, changed
from bodies import drop_path as _drop
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_body_text, pdf_text, squash

import forms.herefordshire_eha_step_down_plan as plan
from formgen.core.dates import add_working_days
from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind
from formgen.engine import pipeline

FORM = get_form("herefordshire-eha-step-down-plan")


def body_with(*change: Change) -> Body:
    return changed(FORM.example, *change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)


MANCHESTER = get_form("manchester-allocations-pro-forma")


def docx_of(body: Mapping[str, Any]) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


def pdf_of(body: Mapping[str, Any]) -> str:
    """The PDF's text without running headers and footers, so a cell that breaks across pages reads whole."""
    return squash(pdf_body_text(pipeline.render(FORM, body, "pdf").content))


def _no_mapping(key: str) -> Callable[[Body], None]:
    """Neither the request nor the latest assessment gives this mapping area."""
    def change(body: Body) -> None:
        body.pop(key, None)
        body["latest_assessment"].pop(key, None)
    return change


def rules_for(body: Body) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The field errors of a body that must fail, and the ids of the rules each field broke."""
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value.errors, caught.value.rules


FIELD = "field-constraints"

# The example's dates: assessment completed Thursday 23 April 2026, decision 24 April, consent 27 April,
# co-ordinator consulted 28 April, plan completed 30 April, sent 1 May, case closed Tuesday 5 May.
RULES = [
    # The need is at level 3.
    (_set("level_of_need", 2), "level_of_need", "level-3-intensive-only", "'Intensive' level (level 3)"),
    (_set("level_of_need", 4), "level_of_need", "level-3-intensive-only", "stay with social care"),
    (_set("level_of_need", 5), "level_of_need", FIELD, "from 1 to 4"),
    # It follows a s47 enquiry or a Child and Family Assessment: which, and its date.
    (_drop("follows"), "follows", FIELD, "s47 enquiry or a Child and Family Assessment"),
    (_set("follows", "strategy-discussion"), "follows", FIELD, "s47-enquiry, child-and-family-assessment"),
    (_drop("assessment_completed_on"), "assessment_completed_on", FIELD, "Give the date of the s47 enquiry"),
    (_set("assessment_completed_on", "2026-04-25"), "assessment_completed_on", "decision-follows-assessment",
     "must be on or before the date of the decision"),
    # Written consent: obtained, from whom, when; it comes first; the family agrees the plan before closure.
    (_drop("consent"), "consent", FIELD, "Written consent is needed"),
    (_set("consent.written_consent_obtained", False), "consent.written_consent_obtained", "written-consent",
     "Obtain the family's written consent"),
    (_drop("consent.given_by"), "consent.given_by", FIELD, "Say who gave written consent"),
    (_drop("consent.given_on"), "consent.given_on", FIELD, "Give the date written consent was given"),
    (_set("consent.given_on", "2026-05-01"), "consent.given_on", "consent-before-plan",
     "cannot be given after the plan was completed on 30 April 2026"),
    (_set("consent.given_on", "2026-05-06"), "consent.given_on", "consent-before-closure", "before the case is closed"),
    (_set("consent.plan_agreed", False), "consent.plan_agreed", "family-agrees-plan", "agree the actions"),
    # A key person, agreed with the family and consulted.
    (_drop("key_person"), "key_person", FIELD, "Name the key person"),
    (_set("key_person.family_agreed", False), "key_person.family_agreed", "key-person-agreed-with-family",
     "agreed with the family"),
    (_set("key_person.consulted", False), "key_person.consulted", "key-person-consulted",
     "Consult the nominated key person"),
    # Outstanding social care family support work is complete before transfer.
    (_set("family_support_work", "outstanding"), "family_support_work",
     "family-support-work-complete-before-transfer", "completed before transfer"),
    # The early help co-ordinator was consulted, before the plan was sent.
    (_drop("early_help_coordinator"), "early_help_coordinator", FIELD, "Name the early help co-ordinator"),
    (_set("early_help_coordinator.consulted_on", "2026-05-05"), "early_help_coordinator.consulted_on",
     "coordinator-consulted-before-sending", "must be on or before the date the plan was sent"),
    # Section 3: each mapping area from the request or the latest assessment.
    (_no_mapping("worried_about"), "worried_about", "mapping-areas-given", "What are we worried about?"),
    (_no_mapping("working_well"), "working_well", "mapping-areas-given", "the latest assessment's mapping"),
    (_no_mapping("complicating_factors"), "complicating_factors", "mapping-areas-given", "Complicating factors"),
    (_no_mapping("existing_wellbeing"), "existing_wellbeing", "mapping-areas-given", "Existing wellbeing"),
    # Sibling groups: each child once (by Mosaic ID and by NHS number), formats checked on the field.
    (_set("subject_child", "999999"), "subject_child", "subject-child-in-the-group", "712406, 712407, 712408"),
    (_set("children.1.case_id", "712406"), "children.1.case_id", "each-child-once", "already in the list"),
    (_set("children.2.nhs_number", "999 421 1013"), "children.2.nhs_number", "each-child-once",
     "this NHS number is already in the list"),
    (_set("children.0.case_id", "71 24/06"), "children.0.case_id", FIELD,
     "Case ID must be digits only (up to 12), like 603918."),
    (_set("children.0.case_id", "MC712406"), "children.0.case_id", FIELD, "digits only"),  # Mosaic ids are numbers
    (_set("children.0.nhs_number", "9994211014"), "children.0.nhs_number", FIELD, "not a valid NHS number"),
    (_set("children.0.nhs_number", "99942110"), "children.0.nhs_number", FIELD, "must be 10 digits"),
    (_set("children", []), "children", FIELD, "between 1 and 10"),
    (_set("children.2.start_date", "2025-12-01"), "children.2.start_date", "start-date-after-birth",
     "before their date of birth"),
    # Dates in order.
    (_set("date_completed", "2026-04-23"), "date_completed", "plan-after-decision", "before the decision"),
    (_set("sent_on", "2026-04-29"), "sent_on", "sent-after-completed", "before the date it was completed"),
    (_set("case_closed_on", "2026-04-23"), "case_closed_on", "closure-after-decision", "before the decision"),
    (_set("case_closed_on", "2026-04-29"), "date_completed", "plan-before-closure",
     "on or before the date the case was closed, 29 April 2026"),
    (_set("decided_on", (dt.date.today() + dt.timedelta(days=1)).isoformat()), "decided_on", FIELD,
     "today or in the past"),
    (_set("wellbeing_plan", []), "wellbeing_plan", FIELD, "between 1 and 20"),
    (_set("colour", "blue"), "colour", FIELD, "Unknown field"),
]


@pytest.mark.parametrize(("change", "field", "rule_id", "words"), RULES)
def test_rule_breaks_name_the_field_and_the_rule(change: Callable[[Body], None], field: str, rule_id: str,
                                                 words: str) -> None:
    errors, rules = rules_for(body_with(change))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]
    assert rule_id in rules[field], rules


def test_every_rule_cites_herefordshire_guidance_or_says_it_is_formgen_s_reading() -> None:
    for found in FORM.rules:
        kinds = {source.kind for source in found.sources}
        assert kinds <= {SourceKind.GUIDANCE, SourceKind.FORMGEN_READING}, found.id
        assert all("Herefordshire" in source.citation or source.kind is SourceKind.FORMGEN_READING
                   for source in found.sources), found.id


SEEDS = Path("/work/shared/seeds")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the councils' guidance (seeds) is not on this machine")
def test_the_levels_of_need_carry_the_guidance_s_own_words_and_only_those() -> None:
    """Seed 000 names one level: 'Intensive' (Level 3). Levels 1, 2 and 4 are named nowhere: numbers alone."""
    seed = " ".join(next(SEEDS.glob("000_*.txt")).read_text(encoding="utf-8").split())
    meta = plan.StepDownPlanSchema().fields["level_of_need"].metadata
    assert meta["options"] == {"1": "1", "2": "2", "3": "3 - Intensive", "4": "4"}
    assert "'Intensive' (Level 3)" in seed and meta["options_source"]["says"] in seed
    assert meta["options_source"]["kind"] == "guidance" and "Herefordshire" in meta["options_source"]["citation"]


def test_the_module_raises_errors_only_through_its_rules() -> None:
    assert "ValidationError" not in inspect.getsource(plan)
    # The case ID's format is a field constraint, published in the JSON Schema's metadata.
    assert plan.ChildSchema().fields["case_id"].metadata["format_pattern"] == r"^[0-9]{1,12}$"


# Consent comes first; the plan is completed before the case is closed --------------------------------


def test_consent_given_after_the_plan_was_completed_is_refused_and_on_the_day_is_accepted() -> None:
    # The guidance's order: obtain written consent, identify a key person, complete the plan, send it.
    _, rules = rules_for(body_with(_set("consent.given_on", "2026-05-01")))
    assert rules == {"consent.given_on": ["consent-before-plan"]}
    pipeline.validate(FORM, body_with(_set("consent.given_on", "2026-04-30")))


def test_consent_given_after_the_plan_was_sent_is_refused() -> None:
    # Sent before it was completed, and consent between the two: the sending is still before consent.
    body = body_with(_many(_set("date_completed", "2026-05-01"), _set("sent_on", "2026-04-28"),
                           _set("consent.given_on", "2026-04-29"),
                           _set("early_help_coordinator.consulted_on", "2026-04-28")))
    errors, rules = rules_for(body)
    assert "consent-before-plan" in rules["consent.given_on"]
    assert any("after the plan was sent on 28 April 2026" in m for m in errors["consent.given_on"])


def test_a_plan_completed_after_the_case_was_closed_is_refused() -> None:
    body = body_with(_many(_set("case_closed_on", "2026-04-29"), _set("sent_on", "2026-04-30")))
    _, rules = rules_for(body)
    assert rules == {"date_completed": ["plan-before-closure"]}
    # Closing on the day the plan is completed is accepted, and so is sending it after the closure:
    # the guidance escalates step-downs "not received within 10 days of the closure".
    pipeline.validate(FORM, body_with(_many(_set("case_closed_on", "2026-04-30"), _set("sent_on", "2026-05-06"))))


def test_the_example_is_a_sibling_group() -> None:
    assert len(FORM.example["children"]) >= 2
    text = docx_of(FORM.example)
    assert "A sibling group of 3 children: one plan for all of them." in text
    assert ("712407 Tyler Bevan NHS number 999 421 8816 2 November 2019 (6 years) Male 9 March 2026 Sibling group"
            in text)


# Timescales: the guidance's words, and formgen's reading of the dates -----------------------------------


def test_the_example_prints_the_dates_the_guidance_gives_across_the_may_bank_holiday() -> None:
    # Counted from Thursday 23 April 2026 (the assessment). Two weeks: 14 calendar days end on Thursday
    # 7 May; 10 working days skip Monday 4 May (the early May bank holiday) and end on Friday 8 May, so
    # the earlier, 7 May, is due. The closure's 10 working days end on Friday 8 May. The case closed on
    # Tuesday 5 May: escalate if the plan is not received by Friday 15 May (10 working days: Tuesday 19 May).
    pipeline.validate(FORM, FORM.example)
    docx = docx_of(FORM.example)
    pdf = pdf_of(FORM.example)
    for text in (docx, pdf):
        assert ("By formgen's reading (see below): by Thursday 7 May 2026, 14 calendar days after 23 April 2026, "
                "when the Child and Family Assessment was completed (10 working days would end on Friday 8 May "
                "2026).") in text
        assert "Sent 1 May 2026: on time by formgen's reading." in text
        assert ("By formgen's reading (see below): by Friday 8 May 2026, 10 working days after 23 April 2026, when "
                "the Child and Family Assessment was completed") in text
        assert "Closed 5 May 2026: on time by formgen's reading." in text
        assert ("escalate if the plan is not received by Friday 15 May 2026, 10 calendar days after the case was "
                "closed on 5 May 2026 (10 working days would end on Tuesday 19 May 2026).") in text
        assert "Sent 1 May 2026: within the 10 days by formgen's reading." in text
        assert "late by" not in text and "after the escalation date" not in text


def test_the_timescales_print_the_guidance_s_words_and_mark_formgen_s_readings_with_their_passages() -> None:
    docx = docx_of(FORM.example)
    pdf = pdf_of(FORM.example)
    assert [w.id for w in FORM.wording] == [
        "send-within-two-weeks", "closed-within-10-working-days", "escalate-within-10-days-of-closure",
        "reading-start-point", "reading-two-weeks", "reading-10-days-of-closure"]
    for words in FORM.wording:
        assert squash(words.text) in docx and squash(words.text) in pdf, words.id
    readings = [w for w in FORM.wording if w.id.startswith("reading-")]
    assert all(w.source.kind is SourceKind.FORMGEN_READING for w in readings)
    assert all(w.text.startswith("formgen's reading, not the council's rule:") for w in readings)
    assert '"send it through to the Early Help Co-ordinator team within two weeks"' in docx
    assert '"step down is completed and case closed within 10 working days timescale"' in docx
    assert '"To escalate any step-downs not received within 10 days of the closure"' in docx
    assert "roles and responsibilities: early help co-ordinator manager" in docx
    assert "counted from the decision" not in docx


@pytest.mark.parametrize(
    ("start", "send", "closure"),
    [
        # Two weeks: the earlier of 14 calendar days and 10 working days. Closure: 10 working days.
        ("2026-04-23", "2026-05-07", "2026-05-08"),   # the early May bank holiday, 4 May
        ("2026-11-05", "2026-11-19", "2026-11-19"),   # two weekends, no bank holiday: the readings agree
        ("2026-04-01", "2026-04-15", "2026-04-17"),   # Good Friday 3 April and Easter Monday 6 April
        ("2026-08-28", "2026-09-11", "2026-09-14"),   # the summer bank holiday, 31 August
        ("2026-12-18", "2027-01-01", "2027-01-06"),   # 25, 28 December (Boxing Day observed) and 1 January
        ("2026-11-07", "2026-11-20", "2026-11-20"),   # from a Saturday, 10 working days end first
    ],
)
def test_due_dates_take_the_earlier_reading_with_england_s_bank_holidays(start: str, send: str, closure: str) -> None:
    day = dt.date.fromisoformat(start)
    assert plan.send_due(day) == dt.date.fromisoformat(send)
    assert plan.closure_due(day) == dt.date.fromisoformat(closure)


@pytest.mark.parametrize(
    ("closed", "escalate"),
    [("2026-05-05", "2026-05-15"), ("2026-12-18", "2026-12-28"), ("2026-08-21", "2026-08-31")],
)
def test_the_escalation_date_is_10_calendar_days_after_the_closure_never_later(closed: str, escalate: str) -> None:
    day = dt.date.fromisoformat(closed)
    assert plan.escalation_due(day) == dt.date.fromisoformat(escalate)
    assert plan.escalation_due(day) <= add_working_days(day, 10)


def test_the_timescales_count_from_the_assessment_when_it_came_before_the_decision() -> None:
    # Assessment completed Thursday 16 April, decision 24 April: both timescales end on Thursday 30 April,
    # counted from the assessment (from the decision they would end on 8 May). Sent 1 May is 1 working
    # day late; closed 5 May is 2 working days late (the bank holiday on 4 May is not counted).
    body = body_with(_set("assessment_completed_on", "2026-04-16"))
    for text in (docx_of(body), pdf_of(body)):
        assert ("by Thursday 30 April 2026, 14 calendar days, and 10 working days, after 16 April 2026, when the "
                "Child and Family Assessment was completed.") in text
        assert "Sent 1 May 2026: late by 1 working day, by formgen's reading." in text
        assert "Closed 5 May 2026: late by 2 working days, by formgen's reading." in text


def test_a_late_plan_is_still_rendered_with_its_lateness_across_christmas() -> None:
    # Assessment and decision on Friday 19 December 2025. Two weeks: 14 calendar days end on Friday
    # 2 January 2026, before 10 working days (25, 26 December and 1 January skipped) on Wednesday
    # 7 January. Sent 9 January: 5 working days after 2 January. Closed 12 January: 3 after 7 January.
    body = body_with(_many(
        _set("assessment_completed_on", "2025-12-19"), _set("decided_on", "2025-12-19"),
        _set("consent.given_on", "2025-12-22"), _set("early_help_coordinator.consulted_on", "2025-12-23"),
        _set("date_completed", "2026-01-08"), _set("sent_on", "2026-01-09"), _set("case_closed_on", "2026-01-12"),
    ))
    docx = docx_of(body)
    pdf = pdf_of(body)
    for text in (docx, pdf):
        assert "by Friday 2 January 2026, 14 calendar days after 19 December 2025" in text
        assert "Sent 9 January 2026: late by 5 working days, by formgen's reading." in text
        assert "by Wednesday 7 January 2026, 10 working days after 19 December 2025" in text
        assert "Closed 12 January 2026: late by 3 working days, by formgen's reading." in text
        assert "escalate if the plan is not received by Thursday 22 January 2026" in text


def test_a_two_week_date_on_a_bank_holiday_names_the_working_day_before() -> None:
    data = {"assessment_completed_on": dt.date(2026, 12, 18), "decided_on": dt.date(2026, 12, 18),
            "follows": "s47-enquiry"}
    printed = plan.send_timescale(data).splitlines()
    assert printed[1] == ("By formgen's reading (see below): by Friday 1 January 2027, 14 calendar days after "
                          "18 December 2026, when the Section 47 enquiry was completed (10 working days would end "
                          "on Wednesday 6 January 2027).")
    assert printed[2] == ("That is not a working day in England: the last working day before it is Thursday "
                          "31 December 2026.")
    assert printed[3] == "Not yet sent."


def test_a_plan_sent_after_the_escalation_date_says_so() -> None:
    text = docx_of(body_with(_set("sent_on", "2026-05-16")))
    assert "Sent 16 May 2026: after the escalation date by formgen's reading." in text


def test_dates_not_yet_given_say_so_under_the_due_date() -> None:
    text = docx_of(body_with(_many(_set("sent_on", None), _drop("case_closed_on"))))
    assert "by Thursday 7 May 2026" in text and "by Friday 8 May 2026" in text
    assert "Not yet sent." in text and "Not yet closed." in text
    assert "The case is not yet closed to social care: the date is counted from the closure." in text
    assert "Late by" not in text and "late by" not in text


# Section 3 prefill from the latest assessment ----------------------------------------------------


def test_the_latest_assessment_fills_what_the_request_leaves_out_and_the_request_wins() -> None:
    text = docx_of(FORM.example)
    # The request gives its own worries: they win over the assessment's.
    assert "Mum says she feels low and alone" in text
    assert "- Ellie-Mae's attendance and lateness." not in text
    # The other three areas come from the assessment, and the document says so.
    assert "Maternal grandmother lives nearby" in text
    assert "Rosie is meeting her milestones" in text
    assert ("From Child and Family Assessment, completed 23 April 2026: What's working well? - existing "
            "strengths; Complicating factors; Existing wellbeing.") in text


def test_without_a_latest_assessment_the_request_gives_all_four_areas_and_no_source_line() -> None:
    def change(body: Body) -> None:
        latest = body.pop("latest_assessment")
        for key in ("working_well", "complicating_factors", "existing_wellbeing"):
            body[key] = latest[key]
    text = docx_of(body_with(change))
    assert "Taken from the latest assessment" not in text
    assert "Maternal grandmother lives nearby" in text


# Sibling groups and ?split=child ------------------------------------------------------------------


def _zip_of(fmt: str, body: Body | None = None) -> zipfile.ZipFile:
    document = pipeline.render_split(FORM, body or FORM.example, fmt)
    assert document.filename == f"eha-step-down-plan-712406-group-{fmt}.zip"
    return zipfile.ZipFile(io.BytesIO(document.content))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_split_gives_one_document_per_child_naming_that_child_and_the_siblings(fmt: str) -> None:
    archive = _zip_of(fmt)
    names = archive.namelist()
    assert names == [f"eha-step-down-plan-{case_id}.{fmt}" for case_id in ("712406", "712407", "712408")]
    read = docx_text if fmt == "docx" else pdf_text
    tyler = squash(read(archive.read(f"eha-step-down-plan-712407.{fmt}")))
    assert "Subject child Tyler Bevan (case ID 712407, NHS number 999 421 8816)" in tyler
    assert "Siblings in this step-down Ellie-Mae Bevan, Rosie Bevan" in tyler
    assert "This copy is for Tyler Bevan's record. The plan covers the sibling group of 3 children." in tyler
    # The subject child is listed first, then the siblings.
    assert tyler.index("712407 Tyler Bevan") < tyler.index("712406 Ellie-Mae Bevan") < tyler.index("712408 Rosie")
    assert "Tyler Bevan NHS number 999 421 8816 2 November 2019 (6 years) Male 9 March 2026 Subject child" in tyler


def test_each_split_body_is_itself_valid_and_names_its_subject() -> None:
    assert FORM.split_by_child is not None
    for stem, child_body in FORM.split_by_child(FORM.example):
        data = pipeline.validate(FORM, child_body)
        assert stem == f"eha-step-down-plan-{data['subject_child']}"
        assert FORM.filename(data) == stem


def test_a_single_child_needs_no_sibling_group() -> None:
    body = body_with(_set("children", [FORM.example["children"][0]]))
    assert "Step-down for One child." in docx_of(body)
    assert FORM.split_by_child is not None
    [(_, only)] = FORM.split_by_child(body)
    assert "Siblings in this step-down None in this step-down" in docx_of(dict(only))


def test_split_over_http_answers_a_zip(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{FORM.id}/render?format=docx&split=child", data=json.dumps(FORM.example),
                           content_type="application/json")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 3


# Prefill with Manchester's pro forma, both ways ------------------------------------------------------


def test_a_manchester_pro_forma_prefills_this_plan() -> None:
    assert FORM.takes is not None and MANCHESTER.shares is not None
    taken = FORM.takes(MANCHESTER.shares(MANCHESTER.example))
    # The NHS number, the consistent child identifier, travels with the child.
    nhs_number = MANCHESTER.example["child"]["nhs_number"].replace(" ", "")
    assert taken["children"][0] == {"full_name": "Zofia Wójcik", "nhs_number": nhs_number, "date_of_birth": "2017-05-09"}
    # Leo, Zofia's brother, joins the sibling group; the adults stay family members.
    assert taken["children"][1:] == [{"full_name": "Leo Wójcik", "date_of_birth": "2021-08-30"}]
    assert [m["full_name"] for m in taken["family_members"]] == ["Katarzyna Wójcik", "Daniel Ó Súilleabháin"]
    assert taken["address"] == MANCHESTER.example["address"]
    assert taken["social_worker"] == MANCHESTER.example["referrer"]
    assert taken["worried_about"] == MANCHESTER.example["worried_about"]
    assert taken["working_well"] == MANCHESTER.example["working_well"]
    assert taken["wellbeing_plan"] == [{"what_needs_to_happen": MANCHESTER.example["needs_to_happen"]}]
    assert "level_of_need" not in taken  # Manchester's levels (1-5) are not Herefordshire's (1-4)


def test_this_plan_prefills_a_manchester_pro_forma() -> None:
    assert FORM.shares is not None and MANCHESTER.takes is not None
    taken = MANCHESTER.takes(FORM.shares(FORM.example))
    assert taken["child"]["name"] == "Ellie-Mae Bevan"
    names = [m["full_name"] for m in taken["family_members"]]
    assert names == ["Kayleigh Bevan", "Jordan Pugh", "Tyler Bevan", "Rosie Bevan"]
    assert taken["worried_about"] == FORM.example["worried_about"]
    # Mapping areas the plan took from the latest assessment travel too.
    assert taken["working_well"] == FORM.example["latest_assessment"]["working_well"]
    assert "Attendance plan with Ellie-Mae's school" in taken["needs_to_happen"]


def test_a_plan_prefills_another_plan_with_the_whole_sibling_group() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    again = FORM.takes(FORM.shares(body_with(_set("subject_child", "712408"))))
    assert [c["case_id"] for c in again["children"]] == ["712408", "712406", "712407"]
    assert again["complicating_factors"] == FORM.example["latest_assessment"]["complicating_factors"]
    # The family's agreement to the plan travels; written consent (who gave it, when) is each plan's own.
    assert "decided_on" not in again and again["consent"] == {"plan_agreed": True}


# NHS numbers: the consistent child identifier (Children Act 2004, s.16LC) -------------------------------


def test_each_child_s_nhs_number_prints_beside_their_name_in_both_formats() -> None:
    body = body_with(_drop("children.2.nhs_number"))
    for text in (docx_of(body), pdf_of(body)):
        assert "712406 Ellie-Mae Bevan NHS number 999 421 1013 21 March 2015" in text
        assert "712407 Tyler Bevan NHS number 999 421 8816 2 November 2019" in text
        assert "712408 Rosie Bevan 30 January 2026" in text  # not known: nothing printed
    assert "Subject child Rosie Bevan (case ID 712408) Siblings" in docx_of(body_with(
        _drop("children.2.nhs_number"), _set("subject_child", "712408")))


def test_an_nhs_number_typed_with_spaces_is_kept_as_its_10_digits() -> None:
    data = pipeline.validate(FORM, body_with(_set("children.0.nhs_number", "999 421 1013")))
    assert data["children"][0]["nhs_number"] == "9994211013"


def test_nhs_numbers_travel_with_each_child_when_one_plan_prefills_another() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)
    assert [c.get("nhs_number") for c in shared["children"]] == ["9994211013", "9994218816", "9994230514"]
    taken = FORM.takes(shared)
    assert [(c["case_id"], c["nhs_number"]) for c in taken["children"]] == [
        ("712406", "9994211013"), ("712407", "9994218816"), ("712408", "9994230514")]
