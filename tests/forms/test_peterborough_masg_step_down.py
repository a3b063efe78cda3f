"""Peterborough's MASG step-down presentation (seed 004, section 2): each rule has a body that breaks it."""

from __future__ import annotations

import html

import pytest
from bodies import DROP, Body, Change, changed
from bodies import many as _many
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_body_text, squash
from web_journey import start, tasks

from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.engine import pipeline
from formgen.service.web.schema_form import describe

FORM = get_form("peterborough-masg-step-down")


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
        (_set("assessment_outcome", "nfa"), "assessment_outcome", "outcome-referral-to-early-help-not-nfa",
         "not NFA: NFA is for single agency support"),
        (_set("outcome_narrative", "Assessment complete; closing the case."), "outcome_narrative",
         "narrative-records-step-down-via-masg", "stepped down via the MASG"),
        (_set("outcome_narrative", "Stepped down to the Early Help Hub."), "outcome_narrative",
         "narrative-records-step-down-via-masg", "stepped down via the MASG"),
        (_set("early_help_discussion", DROP), "early_help_discussion", "discussed-with-early-help-service-first",
         "discussion with the Early Help Service, and who it was with"),
        (_set("early_help_discussion", None), "early_help_discussion", "discussed-with-early-help-service-first",
         "Early Help Service"),
        (_set("early_help_discussion.date", "2026-11-20"), "early_help_discussion.date",
         "discussed-with-early-help-service-first",
         "must be on or before the date of the MASG"),
        (_set("consent.agrees_to_support_plan", False), "consent.agrees_to_support_plan",
         "parent-agrees-to-continuing-support-plan", "continuing support plan in Early Help"),
        (_set("consent.shares_assessment_with_masg", False), "consent.shares_assessment_with_masg",
         "consent-to-share-assessment-with-masg",
         "consents to sharing the Child and Family Assessment with the MASG's agencies"),
        (_set("consent.noted_on_liquid_logic", False), "consent.noted_on_liquid_logic",
         "consent-noted-on-liquid-logic", "Note the consent"),
        (_set("consent.given_on", "2026-11-20"), "consent.given_on", "consent-before-the-masg",
         "on or before the date of the MASG, 19 November 2026"),
        (_set("assessment_completed_on", "2026-11-20"), "assessment_completed_on", "assessment-before-the-masg",
         "completed on or before the date of the MASG"),
        (_set("social_worker_attends", False), "presenter", "someone-presents-the-needs", "Name who presents"),
        (_set("closed_on", "2026-11-11"), "closed_on", "closed-only-after-masg-accepts", "accepted it"),
        (_many(_set("accepted_on", DROP), _set("closed_on", "2026-11-13")), "closed_on",
         "closed-only-after-masg-accepts", "once the MASG has accepted it"),
        (_set("children.0.nhs_number", "999 452 1005"), "children.0.nhs_number", "field-constraints", "Modulus 11"),
        (_set("children", []), "children", "field-constraints", "between 1 and 8"),
        (_set("children.1.lcs_id", DROP), "children.1.lcs_id", "field-constraints", "LCS ID is required"),
        (_set("assessment_outcome", "closed"), "assessment_outcome", "field-constraints",
         "one of: referral-to-early-help, nfa"),
        (_set("consent.noted_on_liquid_logic", "yes"), "consent.noted_on_liquid_logic", "field-constraints",
         "true or false"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Change, field: str, rule_id: str, words: str) -> None:
    failed = refused(body_with(change))
    assert field in failed.errors, failed.errors
    assert any(words in message for message in failed.errors[field]), failed.errors[field]
    assert rule_id in failed.rules[field]


@pytest.mark.parametrize("narrative", [
    "To step down via the Multi-Agency Support Group.",
    "Stepped down via the multi-agency support group, as agreed with mum.",
    "Step down via masg.",
])
def test_the_narrative_may_name_the_masg_either_way(narrative: str) -> None:
    pipeline.validate(FORM, body_with(_set("outcome_narrative", narrative)))


def test_a_social_worker_who_cannot_attend_names_who_presents_and_the_document_says_it_is_formgens_reading() -> None:
    body = body_with(_set("social_worker_attends", False),
                     _set("presenter", "Marcus Bell, Team Manager, Family Safeguarding Team 2"))
    text = printed(body)
    assert ("Hannah Whitfield (social worker) cannot attend. Presenting the needs instead: Marcus Bell, Team "
            "Manager, Family Safeguarding Team 2.") in text
    assert "formgen's reading, for Peterborough to confirm" in text
    assert "formgen's reading" not in printed(FORM.example)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_document_prints_the_outcome_consent_and_attendance_as_section_2_asks(fmt: str) -> None:
    text = printed(FORM.example, fmt)
    assert "Ruby Adeyemi, NHS number 999 452 1004 LCS4471826" in text
    assert "Outcome on Liquid Logic Referral to Early Help. Selected on Liquid Logic; not NFA" in text
    assert "the case is to be stepped down via the MASG." in text
    assert ("Yes: consent given by Grace Adeyemi on 6 November 2026 to the Child and Family Assessment being "
            "shared with the agencies that make up the MASG.") in text
    assert "Yes: consent to share in this way is clearly noted on Liquid Logic (section 2, Note)." in text
    assert "Hannah Whitfield (social worker) attends to present the needs" in text
    assert "Joanne Price, Designated Safeguarding Lead, Welland Park Primary School. Attends the MASG: Yes." in text
    assert "Thursday 19 November 2026, Central MASG panel" in text
    assert "9 November 2026, with Jo Marsh, Senior Practitioner, Early Help Hub." in text
    assert "NFA (No Further Action)" not in text


@pytest.mark.parametrize(("change", "status"), [
    (_set("accepted_on", DROP), "Not yet accepted for discussion: the case stays open to Children's Social Care"),
    ((), "Accepted for discussion on 12 November 2026: the case can now be closed to Children's Social Care."),
    (_set("closed_on", "2026-11-13"),
     "Accepted for discussion on 12 November 2026; closed to Children's Social Care on 13 November 2026."),
])
def test_closure_follows_acceptance_by_the_masg(change: Change | tuple[()], status: str) -> None:
    body = body_with(change) if callable(change) else body_with()
    text = printed(body)
    assert ("The case can be closed to Children's Social Care once the case has been accepted for discussion at the "
            "MASG (section 2).") in text
    assert status in text


def test_the_example_keeps_section_2s_order_of_events() -> None:
    example = FORM.example
    consent, discussion = example["consent"], example["early_help_discussion"]
    assert example["assessment_completed_on"] <= consent["given_on"] <= discussion["date"] <= example["masg_date"]
    assert example["accepted_on"] <= example["masg_date"]
    assert example["assessment_outcome"] == "referral-to-early-help"


def test_the_guidance_gives_no_page_limit_so_none_is_claimed() -> None:
    assert FORM.max_pages is None
    assert "page-limit" not in {found.id for found in FORM.rulebook()}


def test_a_422_names_the_nfa_rule(client: FlaskClient) -> None:
    problem = client.post(f"/api/forms/{FORM.id}/validate", json=body_with(_set("assessment_outcome", "nfa"))).json
    assert problem["rules"] == {"assessment_outcome": ["outcome-referral-to-early-help-not-nfa"]}


def test_answers_needed_in_some_cases_are_not_called_optional(client: FlaskClient) -> None:
    described = {found.name: found for found in describe(FORM.schema)}
    draft = start(client, FORM)

    def page_asking(name: str) -> str:
        task = next(task for task in tasks(FORM) if task.owns(name))
        page = html.unescape(client.get(f"{draft}/{task.slug}").text)
        assert described[name].label in page
        return page

    presenter = described["presenter"]
    page = page_asking("presenter")
    assert f"{presenter.label} (optional)" not in page
    assert "Needed when the social worker cannot attend the MASG." in page
    # A group's legend carries no "(optional)" either; its condition is in the schema for case systems.
    discussion = described["early_help_discussion"]
    assert f"{discussion.label} (optional)" not in page_asking("early_help_discussion")
    assert discussion.required_when.startswith("before the MASG hears the case")
