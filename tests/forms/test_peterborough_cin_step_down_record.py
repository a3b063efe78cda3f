"""Peterborough's Child in Need meeting step-down record (seed 004, section 3)."""

from __future__ import annotations

import pytest
from bodies import DROP, Body, Change, changed
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_body_text, squash

from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind
from formgen.engine import pipeline

FORM = get_form("peterborough-cin-step-down-record")

ONE_AGENCY = [
    {"name": "Tom Ashworth", "role": "Social Worker", "agency": "Peterborough Children's Social Care"},
    {"name": "Claire Dunmore", "role": "Head of Year 9", "agency": "Fenland View Academy"},
    {"name": "Ben Ward", "role": "Pastoral Lead", "agency": "  fenland view  ACADEMY "},
    {"name": "Ama Boateng", "role": "Team Manager", "agency": "CSC Children in Need Team 1"},
]


def body_with(*changes: Change) -> Body:
    return changed(FORM.example, *changes)


def refused(body: Body) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value


def printed(body: Body, fmt: str = "docx") -> str:
    content = pipeline.render(FORM, body, fmt).content
    return squash(docx_text(content) if fmt == "docx" else pdf_body_text(content))


@pytest.mark.parametrize(
    ("change", "field", "rule_id", "words"),
    [
        (_set("taf_agreed", False), "taf_agreed", "agreement-to-step-down-to-taf-recorded",
         "only when the Child in Need meeting agrees and its notes record it"),
        (_set("lead_professional", DROP), "lead_professional", "nominated-lead-professional-named",
         "goes to the MASG"),
        (_set("lead_professional", None), "lead_professional", "nominated-lead-professional-named",
         "nominated Lead Professional"),
        (_set("lead_professional.agency", "Peterborough Children's Social Care"), "lead_professional.agency",
         "lead-professional-from-an-early-help-partner-agency", "Early Help partner agency"),
        (_set("lead_professional.agency", "CSC"), "lead_professional.agency",
         "lead-professional-from-an-early-help-partner-agency", "not from Children's Social Care"),
        (_set("team_around_the_child", ONE_AGENCY), "team_around_the_child",
         "established-multi-agency-team-around-the-child", "at least two agencies besides Children's Social Care"),
        (_set("smart_plan", []), "smart_plan", "existing-smart-action-plan", "SMART action plan"),
        (_set("smart_plan", DROP), "smart_plan", "existing-smart-action-plan", "SMART action plan"),
        (_set("outcome", "nfa"), "outcome", "outcome-referral-to-early-help-not-nfa", "not NFA"),
        (_set("family_agrees", False), "family_agrees", "family-agrees-to-continuing-support",
         "continuing support in Early Help"),
        (_set("closure_date", "2026-11-16"), "closure_date", "closure-not-before-the-cin-meeting",
         "must be on or after the date of the Child in Need meeting"),
        (_set("smart_plan.0.by_when", DROP), "smart_plan.0.by_when", "field-constraints", "By when is required"),
        (_set("smart_plan.1.measure", " "), "smart_plan.1.measure", "field-constraints", "must not be blank"),
        (_set("lead_professional.email", "claire-at-school"), "lead_professional.email", "field-constraints",
         "email address"),
        (_set("children.0.nhs_number", "999452120"), "children.0.nhs_number", "field-constraints", "10 digits"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Change, field: str, rule_id: str, words: str) -> None:
    failed = refused(body_with(change))
    assert field in failed.errors, failed.errors
    assert any(words in message for message in failed.errors[field]), failed.errors[field]
    assert rule_id in failed.rules[field]


def test_two_agencies_besides_childrens_social_care_make_a_multi_agency_team() -> None:
    team = [*ONE_AGENCY, {"name": "Sarah Okoye", "role": "School Nurse", "agency": "School nursing"}]
    pipeline.validate(FORM, body_with(_set("team_around_the_child", team)))


def test_the_family_agreement_is_formgens_reading_and_the_document_says_so() -> None:
    found = next(r for r in FORM.rules if r.id == "family-agrees-to-continuing-support")
    assert found.sources[0].kind is SourceKind.GUIDANCE and "section 2, Note" in found.sources[0].citation
    assert found.sources[1].kind is SourceKind.FORMGEN_READING
    assert "Asked by formgen, for Peterborough to confirm: section 3 does not mention it" in printed(FORM.example)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_record_prints_what_section_3_asks_for(fmt: str) -> None:
    text = printed(FORM.example, fmt)
    assert "Oliwia Nowak, NHS number 999 452 1209 LCS3980412 14 September 2012 14 years" in text
    assert ("Agreement to step down to TAF Yes: the multi-disciplinary team supporting the Child in Need plan agrees "
            "to step down to TAF, as recorded in the notes of this meeting (section 3).") in text
    assert ("Nominated Lead Professional Claire Dunmore, Head of Year 9, Fenland View Academy Tel 01733 496 851 · "
            "c.dunmore@example.org From an Early Help partner agency; picks the case up following closure to "
            "Children's Social Care (section 3).") in text
    assert "Outcome on Liquid Logic Referral to Early Help. Selected on Liquid Logic; not NFA (section 3)." in text
    assert "MASG Not needed: this case is not presented to any of the three MASG panels" in text
    assert "Six sessions on sleep and worry with Oliwia at school. Sarah Okoye 29 January 2027" in text
    assert "Closure to Children's Social Care Tuesday 24 November 2026." in text


def test_a_closure_date_not_yet_set_is_said_so() -> None:
    assert "Closure to Children's Social Care Date not yet set." in printed(body_with(_set("closure_date", DROP)))


def test_the_lead_professional_is_shared_and_taken_back() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)
    assert shared["lead_professional"] == {"name": "Claire Dunmore", "role": "Head of Year 9",
                                           "team": "Fenland View Academy", "telephone": "01733 496 851",
                                           "email": "c.dunmore@example.org"}
    again = FORM.takes(shared)
    assert again["lead_professional"] == FORM.example["lead_professional"]
    assert again["children"] == FORM.example["children"]
    assert "meeting_date" not in again and "taf_agreed" not in again  # a new meeting records its own


def test_a_422_names_the_nfa_rule(client: FlaskClient) -> None:
    problem = client.post(f"/api/forms/{FORM.id}/validate", json=body_with(_set("outcome", "nfa"))).json
    assert problem["rules"] == {"outcome": ["outcome-referral-to-early-help-not-nfa"]}
