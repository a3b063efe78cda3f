"""Herefordshire's step-down plan (seed 000): rules, sibling groups, timescales, prefill."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from bodies import Body, Change, changed
from bodies import drop_path as _drop
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_text, squash

from formgen.core.registry import get_form
from formgen.engine import pipeline
from forms.herefordshire_eha_step_down_plan import SEND_WORKING_DAYS, timescale

FORM = get_form("herefordshire-eha-step-down-plan")


def body_with(change: Change) -> Body:
    return changed(FORM.example, change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)
MANCHESTER = get_form("manchester-allocations-pro-forma")


def docx_of(body: Mapping[str, Any]) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


def _no_mapping(key: str) -> Callable[[Body], None]:
    """Neither the request nor the latest assessment gives this mapping area."""
    def change(body: Body) -> None:
        body.pop(key, None)
        body["latest_assessment"].pop(key, None)
    return change


RULES = [
    # The need is at level 3.
    (_set("level_of_need", 2), "level_of_need", "'Intensive' level (level 3)"),
    (_set("level_of_need", 4), "level_of_need", "stay with social care"),
    (_set("level_of_need", 5), "level_of_need", "from 1 to 4"),
    # It follows a s47 enquiry or a Child and Family Assessment: which, and its date.
    (_drop("follows"), "follows", "s47 enquiry or a Child and Family Assessment"),
    (_set("follows", "strategy-discussion"), "follows", "s47-enquiry, child-and-family-assessment"),
    (_drop("assessment_completed_on"), "assessment_completed_on", "Give the date of the s47 enquiry"),
    (_set("assessment_completed_on", "2026-11-06"), "assessment_completed_on", "cannot be after the date of the decision"),
    # Written consent: obtained, from whom, when; the family agrees the plan before closure.
    (_drop("consent"), "consent", "Written consent is needed"),
    (_set("consent.written_consent_obtained", False), "consent.written_consent_obtained", "Obtain the family's written consent"),
    (_drop("consent.given_by"), "consent.given_by", "Say who gave written consent"),
    (_drop("consent.given_on"), "consent.given_on", "Give the date written consent was given"),
    (_set("consent.given_on", "2026-11-19"), "consent.given_on", "before the case is closed"),
    (_set("consent.plan_agreed", False), "consent.plan_agreed", "agree the actions"),
    # A key person, agreed with the family and consulted.
    (_drop("key_person"), "key_person", "Name the key person"),
    (_set("key_person.family_agreed", False), "key_person.family_agreed", "agreed with the family"),
    (_set("key_person.consulted", False), "key_person.consulted", "Consult the nominated key person"),
    # Outstanding social care family support work is complete before transfer.
    (_set("family_support_work", "outstanding"), "family_support_work", "completed before transfer"),
    # The early help co-ordinator was consulted, before the plan was sent.
    (_drop("early_help_coordinator"), "early_help_coordinator", "Name the early help co-ordinator"),
    (_set("early_help_coordinator.consulted_on", "2026-11-16"), "early_help_coordinator.consulted_on",
     "following a discussion"),
    # Section 3: each mapping area from the request or the latest assessment.
    (_no_mapping("worried_about"), "worried_about", "What are we worried about?"),
    (_no_mapping("working_well"), "working_well", "latest_assessment"),
    (_no_mapping("complicating_factors"), "complicating_factors", "Complicating factors"),
    (_no_mapping("existing_wellbeing"), "existing_wellbeing", "Existing wellbeing"),
    # Sibling groups.
    (_set("subject_child", "999999"), "subject_child", "712406, 712407, 712408"),
    (_set("children.1.case_id", "712406"), "children.1.case_id", "already in the list"),
    (_set("children.0.case_id", "71 24/06"), "children.0.case_id", "letters, digits or hyphens"),
    (_set("children", []), "children", "between 1 and 10"),
    (_set("children.2.start_date", "2025-12-01"), "children.2.start_date", "before the child's date of birth"),
    # Dates in order.
    (_set("date_completed", "2026-11-04"), "date_completed", "before the decision"),
    (_set("sent_on", "2026-11-12"), "sent_on", "before the date it was completed"),
    (_set("case_closed_on", "2026-11-04"), "case_closed_on", "before the decision"),
    (_set("decided_on", (dt.date.today() + dt.timedelta(days=1)).isoformat()), "decided_on", "today or in the past"),
    (_set("wellbeing_plan", []), "wellbeing_plan", "between 1 and 20"),
    (_set("colour", "blue"), "colour", "Unknown field"),
]


@pytest.mark.parametrize(("change", "field", "words"), RULES)
def test_rule_breaks_name_the_field_and_the_rule(change: Callable[[Body], None], field: str, words: str) -> None:
    errors = errors_for(body_with(change))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_the_example_is_a_sibling_group() -> None:
    assert len(FORM.example["children"]) >= 2
    text = docx_of(FORM.example)
    assert "A sibling group of 3 children: one plan for all of them." in text
    assert "712407 Tyler Bevan 2 November 2019 (7 years) Male 14 September 2026 Sibling group" in text


# Timescales ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "due"),
    [
        ("2026-12-18", "Wednesday 6 January 2027"),   # skips 25, 26 (Sat), 28 Dec (Boxing Day observed), 1 Jan
        ("2026-11-05", "Thursday 19 November 2026"),  # two weekends, no bank holiday
        ("2026-04-01", "Friday 17 April 2026"),       # Good Friday 3 April and Easter Monday 6 April
        ("2026-08-28", "Monday 14 September 2026"),   # the summer bank holiday, 31 August
    ],
)
def test_due_dates_count_working_days_in_england(decided: str, due: str) -> None:
    printed = timescale(dt.date.fromisoformat(decided), SEND_WORKING_DAYS, None, "Sent", "Not yet sent.", "rule")
    assert printed.startswith(f"Due by {due}: rule")


def test_lateness_across_christmas_counts_working_days_only() -> None:
    decided = dt.date(2026, 12, 18)
    printed = timescale(decided, SEND_WORKING_DAYS, dt.date(2027, 1, 8), "Sent", "Not yet sent.", "rule")
    assert printed.splitlines()[1:] == ["Sent 8 January 2027.", "Late by 2 working days."]
    on_time = timescale(decided, SEND_WORKING_DAYS, dt.date(2027, 1, 6), "Sent", "Not yet sent.", "rule")
    assert on_time.splitlines()[1] == "Sent 6 January 2027: on time."


def test_a_late_plan_is_still_rendered_with_its_lateness_in_both_formats() -> None:
    # Decision on Friday 19 December 2025: 25, 26 December and 1 January are skipped, so both are due
    # on Wednesday 7 January 2026. Sent 9 January (2 working days late), closed 12 January (3 late).
    body = body_with(_many(
        _set("assessment_completed_on", "2025-12-17"), _set("decided_on", "2025-12-19"),
        _set("consent.given_on", "2025-12-22"), _set("early_help_coordinator.consulted_on", "2025-12-23"),
        _set("date_completed", "2026-01-08"), _set("sent_on", "2026-01-09"), _set("case_closed_on", "2026-01-12"),
    ))
    docx = docx_of(body)
    pdf = squash(pdf_text(pipeline.render(FORM, body, "pdf").content))
    for text in (docx, pdf):
        assert "Plan sent to the Early Help Co-ordinator team Due by Wednesday 7 January 2026" in text
        assert "Sent 9 January 2026. Late by 2 working days." in text
        assert "Closed 12 January 2026. Late by 3 working days." in text
        assert "within two weeks of the decision, read as 10 working days" in text


def test_dates_not_yet_given_say_so_under_the_due_date() -> None:
    text = docx_of(body_with(_many(_set("sent_on", None), _drop("case_closed_on"))))
    assert "Due by Thursday 19 November 2026" in text
    assert "Not yet sent." in text and "Not yet closed." in text
    assert "Late by" not in text


# Section 3 prefill from the latest assessment ----------------------------------------------------


def test_the_latest_assessment_fills_what_the_request_leaves_out_and_the_request_wins() -> None:
    text = docx_of(FORM.example)
    # The request gives its own worries: they win over the assessment's.
    assert "Mum says she feels low and alone" in text
    assert "- Ellie-Mae's attendance and lateness." not in text
    # The other three areas come from the assessment, and the document says so.
    assert "Maternal grandmother lives nearby" in text
    assert "Rosie is meeting her milestones" in text
    assert ("From Child and Family Assessment, completed 3 November 2026: What's working well? - existing "
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
    assert "Subject child Tyler Bevan (case ID 712407)" in tyler
    assert "Siblings in this step-down Ellie-Mae Bevan, Rosie Bevan" in tyler
    assert "This copy is for Tyler Bevan's record. The plan covers the sibling group of 3 children." in tyler
    # The subject child is listed first, then the siblings.
    assert tyler.index("712407 Tyler Bevan") < tyler.index("712406 Ellie-Mae Bevan") < tyler.index("712408 Rosie")
    assert "Tyler Bevan 2 November 2019 (7 years) Male 14 September 2026 Subject child" in tyler


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
    assert taken["children"] == [{"full_name": "Zofia Wójcik", "date_of_birth": "2017-05-09"}]
    assert [m["full_name"] for m in taken["family_members"]] == [
        m["full_name"] for m in MANCHESTER.example["family_members"]]
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
    assert "decided_on" not in again and "consent" not in again
