"""The joint visit of the Social Worker and the Early Help Family Worker (seed 003, Step Down 4)."""

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
from formgen.engine.prefill import prefill_from_upload

FORM = get_form("step-down-clinic-joint-visit")
TRANSFER = get_form("step-down-clinic-transfer")


def errors_for(*changes: Callable[[Body], None]) -> dict[str, list[str]]:
    return _errors_for(FORM, changed(FORM.example, *changes))


@pytest.mark.parametrize(("change", "field", "words"), [
    (_set("early_help_family_worker.name", "REBECCA thornton"), "early_help_family_worker.name",
     "two different people"),
    (_set("agreed", DROP), "agreed", "says what was agreed with the family"),
    (_set("visit_date", tomorrow()), "visit_date", "recorded as held but dated"),
    (_set("status", "cancelled"), "status", "must be one of: arranged, held"),
    (_set("visit_time", "3pm"), "visit_time", "24-hour clock"),
    (_set("purpose", ""), "purpose", "must not be blank"),
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
def test_a_held_visit_prints_both_workers_and_what_was_agreed(fmt: str) -> None:
    content = pipeline.render(FORM, FORM.example, fmt).content
    text = squash(docx_text(content) if fmt == "docx" else pdf_text(content))
    assert "A joint visit between the Social Worker and the Early Help Family Worker (Step Down 4)" in text
    assert "The visit Held on Friday 27 November 2026 at 15:45" in text
    assert "Rebecca Thornton, Social Worker, Children in Need Team 2" in text
    assert "Laila Rahman, Early Help Family Worker, Early Help Family Worker Team North" in text
    assert "Laila will visit weekly on Thursdays after school" in text
    assert "Aisha Mensah, NHS number 999 301 0006" in text


def test_an_arranged_visit_may_be_in_the_future_and_leaves_room_for_what_is_agreed() -> None:
    body = changed(FORM.example, many(_set("status", "arranged"), _set("visit_date", "2099-01-15"), _set("agreed", DROP)))
    text = squash(docx_text(pipeline.render(FORM, body, "docx").content))
    assert "The visit Arranged for Thursday 15 January 2099 at 15:45" in text
    assert "What was agreed with the family To be recorded after the visit." in text


def test_the_transfer_form_fills_in_the_joint_visit() -> None:
    pdf = pipeline.render(TRANSFER, TRANSFER.example, "pdf").content
    body = prefill_from_upload(FORM, pdf).body
    assert [c["full_name"] for c in body["children"]] == ["Aisha Mensah", "Kwame Mensah"]
    assert body["address"] == TRANSFER.example["address"]
    assert [m["full_name"] for m in body["family_members"]] == ["Grace Mensah", "Kofi Mensah"]
    assert body["social_worker"]["name"] == "Rebecca Thornton"
    assert body["early_help_family_worker"] == TRANSFER.example["early_help_family_worker"]
