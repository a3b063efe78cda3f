"""Manchester's rules (seed 002): each has a body that breaks it and the message that says so."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from helpers import docx_text, squash

from formgen.core.registry import get_form
from formgen.engine import pipeline

FORM = get_form("manchester-allocations-pro-forma")


def body_with(change: Change) -> Body:
    return changed(FORM.example, change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("level_of_need", 1), "level_of_need", "universal services"),
        (_many(_set("level_of_need", 5), _set("request_type", "step-down")), "request_type", "(5.1)"),
        (_set("level_of_need", 4), "previous_eha_completed", "Early Help Assessment should have been completed"),
        (_set("request_type", "joint-worked"), "intervention_timescales", "(5.5)"),
        (_set("housing_provider", "other"), "housing_provider_other", "Other"),
        (_set("housing_provider_other", "Council"), "housing_provider_other", "Only give"),
        (_many(_set("cafa_completed_on", None), _set("planning_meeting_on", None)), "cafa_completed_on", "or both"),
        (_set("family_agrees", False), "family_agrees", "consent based"),
        (_set("child.date_of_birth", tomorrow()), "child.date_of_birth", "today or in the past"),
        (_set("cafr_date", tomorrow()), "cafr_date", "today or in the past"),
        (_set("cafr_date", "2016-01-01"), "cafr_date", "before the child's date of birth"),
        (_set("forthcoming.0.date", "2026-11-01"), "forthcoming.0.date", "cannot be before"),
        (_set("forthcoming", []), "forthcoming", "between 1 and 10"),
        (_set("family_members", []), "family_members", "between 1 and 15"),
        (_set("level_of_need", 6), "level_of_need", "from 1 to 5"),
        (_set("level_of_need", "3"), "level_of_need", "not text"),
        (_set("family_agrees", "yes"), "family_agrees", "true or false"),
        (_set("cafr_date", "2026-02-30"), "cafr_date", "real date"),
        (_set("cafr_date", "05/10/2026"), "cafr_date", "YYYY-MM-DD"),
        (_set("address.postcode", "NOT A CODE"), "address.postcode", "UK postcode"),
        (_set("referrer.email", "priya-at-example"), "referrer.email", "email address"),
        (_set("worried_about", "   "), "worried_about", "must not be blank"),
        (_set("worried_about", "x" * 4001), "worried_about", "4000 characters or fewer"),
        (_set("nickname", "Zo"), "nickname", "Unknown field"),
        (_set("family_members.1.date_of_birth", "2030-01-01"), "family_members.1.date_of_birth", "in the past"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Callable[[Body], None], field: str, words: str) -> None:
    errors = errors_for(body_with(change))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_level_five_is_accepted_as_joint_work() -> None:
    body = body_with(_many(_set("level_of_need", 5), _set("request_type", "joint-worked"),
                           _set("intervention_timescales", "Twelve weeks of parenting support from January.")))
    pipeline.validate(FORM, body)


def test_level_four_with_a_previous_eha_names_the_allocations_meeting() -> None:
    body = body_with(_many(_set("level_of_need", 4), _set("previous_eha_completed", True)))
    text = squash(docx_text(pipeline.render(FORM, body, "docx").content))
    # Completed Monday 16 November 2026: the next Thursday allocations meeting is 19 November.
    assert "allocations meeting on Thursday 19 November 2026" in text


def test_age_is_computed_from_the_date_of_birth_at_the_date_completed() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "9 May 2017 (age 9 years)" in text
    assert "Leo Wójcik Brother 30 August 2021 5 years" in text


def test_joint_worked_prints_the_intervention_timescales() -> None:
    body = body_with(_many(_set("request_type", "joint-worked"),
                           _set("intervention_timescales", "Triple P over ten weeks, starting 7 December.")))
    text = squash(docx_text(pipeline.render(FORM, body, "docx").content))
    assert "Timescales for the evidence-based intervention Triple P over ten weeks" in text
    assert "Joint Social Work" in text
    step_down = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "Timescales for the evidence-based intervention" not in step_down


@pytest.mark.parametrize("name", ["Wójcik", "Nguyễn Thị Minh", "Yılmaz", "Ó Súilleabháin", "Æsa Øvergård", "Łucja Żak"])
def test_latin_names_with_diacritics_print_in_the_pdf(name: str) -> None:
    from helpers import pdf_text

    body = body_with(_set("child.name", name))
    assert name in pdf_text(pipeline.render(FORM, body, "pdf").content)


def test_what_it_shares_fills_a_new_pro_forma_with_the_same_family() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    again = FORM.takes(FORM.shares(FORM.example))
    assert again["child"] == FORM.example["child"]
    assert [m["full_name"] for m in again["family_members"]] == [m["full_name"] for m in FORM.example["family_members"]]
    assert again["worried_about"] == FORM.example["worried_about"]
    assert "date_completed" not in again  # a new document gets a new date
