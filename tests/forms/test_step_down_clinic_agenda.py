"""The Early Help Step Down Clinic's agenda (seed 003, Step Down 1 and 2): each case booked, its social worker
and team manager, and the rules of the route."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bodies import DROP, Body, changed, many
from bodies import errors_for as _errors_for
from bodies import set_path as _set
from helpers import docx_text, pdf_text, squash

from formgen.core.registry import get_form
from formgen.core.rules import GUIDANCE
from formgen.engine import pipeline

FORM = get_form("step-down-clinic-agenda")
OUTCOME = get_form("step-down-clinic-outcome")


def errors_for(*changes: Callable[[Body], None]) -> dict[str, list[str]]:
    return _errors_for(FORM, changed(FORM.example, *changes))


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set("cases.0.case_origin", "mash-referral"), "cases.0.case_origin",
     "stays with MASH's allocation"),
    (_set("cases.1.team_manager.name", "  imran QURESHI "), "cases.1.team_manager.name",
     "who is not the allocated social worker"),
    (_set("early_help.0.role", "family-worker"), "early_help", "Add an Early Help Team Manager"),
    (many(_set("place", DROP), _set("online_link", DROP)), "place", "place of the clinic, an online meeting link"),
    (_set("cases.1.children.0.lcs_id", "4471204"), "cases.1.children.0.lcs_id",
     "Ruby Castellano (LCS ID 4471204) is already booked in case 1"),
    (_set("cases.1.slot", "10:00"), "cases.1.slot", "booked at 10:00, the slot of case 1"),
    (_set("cases.0.slot", "09:00"), "cases.0.slot", "Case 1's slot (09:00) is before the clinic starts (09:30)"),
    (_set("cases.0.slot", "10 am"), "cases.0.slot", "24-hour clock"),
    (_set("cases.0.children.0.nhs_number", "999 301 0007"), "cases.0.children.0.nhs_number", "Modulus 11"),
    (_set("cases.0.social_worker", DROP), "cases.0.social_worker", "Allocated social worker is required"),
    (_set("cases.0.team_manager", DROP), "cases.0.team_manager", "Team Manager from Social Work is required"),
    (_set("cases", []), "cases", "between 1 and 20"),
])
def test_each_rule_refuses_with_a_message_naming_the_field(change: Callable[[Body], None], field: str,
                                                           words: str) -> None:
    errors = errors_for(change)
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_a_referral_to_mash_is_refused_saying_where_it_belongs() -> None:
    message = errors_for(_set("cases.1.case_origin", "mash-referral"))["cases.1.case_origin"][0]
    assert "is not a step-down" in message and "it stays with MASH's allocation" in message
    assert "does not come through the clinic" in message


def test_every_rule_cites_the_clinic_guidance() -> None:
    for found in FORM.rules:
        assert any(GUIDANCE["003"] in source.citation for source in found.sources), found.id


def test_the_agenda_lists_the_cases_in_slot_order_with_their_workers() -> None:
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        text = squash(read(pipeline.render(FORM, FORM.example, fmt).content))
        ruby, aisha = text.index("1. 09:30: Ruby Castellano"), text.index("2. 10:00: Aisha Mensah and Kwame Mensah")
        assert ruby < aisha
        assert "Aisha Mensah, NHS number 999 301 0006, LCS ID 4471203, born 3 March 2016" in text
        assert "Allocated social worker Rebecca Thornton, Children in Need Team 2 Tel 01632 960 418" in text
        assert "Team Manager from Social Work Gareth Pryce, Children in Need Team 2" in text
        assert "Helen Okoro, Early Help Team Manager" in text


def test_the_agenda_says_what_the_guidance_says_and_what_is_formgen_s_reading() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "Social workers book a case discussion slot by adding their details directly to this agenda " \
           "(Step Down 1)" in text
    assert "A date is given to complete assessment" in text
    assert "Referrals to MASH which result in allocation to Early Help are not step-downs" in text
    assert "Bring the most recent assessment" in text and "formgen's reading, for the council to confirm" in text
    assert "is read by formgen as a Team Manager from each service" in text


def test_user_text_prints_literally() -> None:
    body = changed(FORM.example, _set("cases.0.summary", "{{ cases }} <b>not bold</b> & {%p if x %}"))
    assert "{{ cases }} <b>not bold</b> & {%p if x %}" in docx_text(pipeline.render(FORM, body, "docx").content)


def test_an_outcome_note_books_the_same_case_and_the_agenda_fills_an_outcome_note() -> None:
    assert FORM.takes is not None and FORM.shares is not None and OUTCOME.takes is not None
    assert OUTCOME.shares is not None
    booked = FORM.takes(OUTCOME.shares(OUTCOME.example))["cases"][0]
    assert [c["full_name"] for c in booked["children"]] == ["Aisha Mensah", "Kwame Mensah"]
    assert booked["children"][0]["nhs_number"] == "9993010006" and booked["children"][0]["lcs_id"] == "4471203"
    assert booked["social_worker"]["name"] == "Rebecca Thornton"
    assert booked["team_manager"] == {"name": "Gareth Pryce", "team": "Children in Need Team 2"}
    note = OUTCOME.takes(FORM.shares(FORM.example))
    assert note["team_manager"]["name"] == "Gareth Pryce" and note["social_worker"]["name"] == "Rebecca Thornton"


def test_a_referrer_from_another_agency_is_not_taken_as_the_allocated_social_worker() -> None:
    assert FORM.takes is not None
    taken = FORM.takes({"children": [{"full_name": "Ruby Castellano"}],
                        "worker": {"name": "Dr Amal Farah", "role": "GP", "team": "Northfield Surgery"}})
    assert "social_worker" not in taken["cases"][0]
