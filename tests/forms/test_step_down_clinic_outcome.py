"""The Step Down Clinic's case-discussion outcome note for EHM (seed 003, Step Down 2): outcome, rationale,
the date given to complete assessment, and what follows from the outcome (Step Down 3 and 4, disputes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bodies import DROP, Body, changed, many, tomorrow
from bodies import errors_for as _errors_for
from bodies import set_path as _set
from helpers import docx_text, pdf_text, squash

from formgen.core.registry import get_form
from formgen.core.rules import GUIDANCE
from formgen.engine import pipeline

FORM = get_form("step-down-clinic-outcome")


def errors_for(*changes: Callable[[Body], None]) -> dict[str, list[str]]:
    return _errors_for(FORM, changed(FORM.example, *changes))


def text_of(*changes: Callable[[Body], None], fmt: str = "docx") -> str:
    content = pipeline.render(FORM, changed(FORM.example, *changes), fmt).content
    return squash(docx_text(content) if fmt == "docx" else pdf_text(content))


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set("case_origin", "mash-referral"), "case_origin", "is not a step-down"),
    (_set("team_manager.name", "Rebecca Thornton"), "team_manager.name",
     "who is not the allocated social worker"),
    (_set("assessment_due", "2026-11-23"), "assessment_due",
     "must be on or after the case discussion, 24 November 2026"),
    (_set("outcome", "other-early-help"), "outcome_detail", "say which support"),
    (many(_set("outcome", "dispute"), _set("early_help_family_worker", {"name": "Laila Rahman"})),
     "early_help_family_worker", "or choose allocation to the Early Help Family Worker Team"),
    (_set("discussion_date", tomorrow()), "discussion_date", "today or in the past"),
    (_set("rationale", "  "), "rationale", "must not be blank"),
    (_set("assessment_due", DROP), "assessment_due", "Date given to complete the assessment is required"),
    (_set("early_help_team_manager", DROP), "early_help_team_manager", "Team Manager from Early Help is required"),
    (_set("outcome", "nfa"), "outcome", "must be one of"),
])
def test_each_rule_refuses_with_a_message_naming_the_field(change: Callable[[Body], None], field: str,
                                                           words: str) -> None:
    errors = errors_for(change)
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_every_rule_cites_the_clinic_guidance() -> None:
    for found in FORM.rules:
        assert any(GUIDANCE["003"] in source.citation for source in found.sources), found.id


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_note_holds_the_outcome_the_rationale_and_the_date_given(fmt: str) -> None:
    text = text_of(fmt=fmt)
    assert "The case note for EHM: the outcome of the case discussion and the rationale for the decision " \
           "(Step Down 2)" in text
    assert "Outcome of the discussion Step down: allocated to the Early Help Family Worker Team" in text
    assert "Rationale for the decision The child in need plan's actions have been met" in text
    assert "Early Help Assessment: to be completed by 22 December 2026" in text
    assert "Aisha Mensah, NHS number 999 301 0006, LCS ID 4471203" in text
    assert "Helen Okoro, Team Manager, Early Help" in text
    assert "is read by formgen as a Team Manager from each service" in text


def test_allocation_to_the_family_worker_team_names_the_transfer_allocation_and_joint_visit() -> None:
    text = text_of(_set("early_help_family_worker", {"name": "Laila Rahman", "team": "Family Worker Team North"}))
    assert "A transfer form is completed, with a copy of the most recent assessment (Step Down 3)" in text
    assert "A joint visit is arranged between the Social Worker and the Early Help Family Worker (Step Down 4)" in text
    assert "Identified Early Help Family Worker: Laila Rahman, Family Worker Team North." in text


def test_a_dispute_goes_to_the_operational_managers() -> None:
    text = text_of(_set("outcome", "dispute"))
    assert "The Operational Managers for Early Help and MASH review the case jointly (disputes)" in text
    assert "transfer form" not in text


@pytest.mark.parametrize("change", [
    _set("outcome", "stays-with-social-work"),
    many(_set("outcome", "other-early-help"), _set("outcome_detail", "School-based family support, Northfield Academy")),
])
def test_other_outcomes_are_marked_as_formgen_s_and_claim_no_further_step(change: Callable[[Body], None]) -> None:
    text = text_of(change)
    assert "The guidance sets no further step for this outcome" in text
    assert "the other outcomes this note offers are formgen's, for the council to confirm" in text
    assert "A transfer form is completed" not in text


def test_other_early_help_support_is_printed_with_its_name() -> None:
    text = text_of(_set("outcome", "other-early-help"), _set("outcome_detail", "Young carers' service"))
    assert "Step down to other Early Help support (named below) Young carers' service" in text
