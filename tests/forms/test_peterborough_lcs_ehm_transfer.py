"""Peterborough's Transfer from LCS to EHM (seed 004, section 1) and the Early Help Hub's 24-hour review."""

from __future__ import annotations

import datetime as dt

import pytest
from bodies import DROP, Body, Change, changed
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_body_text, squash

from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind
from formgen.engine import pipeline
from forms.peterborough_lcs_ehm_transfer import review_due

FORM = get_form("peterborough-lcs-ehm-transfer")


def body_with(*changes: Change) -> Body:
    return changed(FORM.example, *changes)


def refused(body: Body) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value


def printed(body: Body, fmt: str = "docx") -> str:
    content = pipeline.render(FORM, body, fmt).content
    return squash(docx_text(content) if fmt == "docx" else pdf_body_text(content))


def tomorrow_at_nine() -> str:
    return f"{dt.date.today() + dt.timedelta(days=1)}T09:00"


@pytest.mark.parametrize(
    ("change", "field", "rule_id", "words"),
    [
        (_set("consent.consented", False), "consent.consented", "family-consents-to-early-help",
         "only once the family has consented"),
        (_set("consent.given_on", "2026-11-28"), "consent.given_on", "consent-before-the-transfer",
         "must be on or before the date the Transfer was sent"),
        (_set("referral_outcome", "nfa"), "referral_outcome", "referral-outcome-step-down-not-nfa",
         "with the outcome step down to Early Help, not NFA"),
        (_set("assessment_decision", "assessment-completed"), "assessment_decision",
         "transfer-follows-a-referral-without-assessment",
         "step down through the MASG or a single agency referral, not a Transfer"),
        (_set("referral_date", "2026-11-28"), "referral_date", "referral-before-the-transfer",
         "referral date must be on or before the date the Transfer was sent"),
        (_set("consent", DROP), "consent", "field-constraints", "The family's consent is required."),
        (_set("sent_at", "2026-11-27 15:40"), "sent_at", "field-constraints", "YYYY-MM-DDTHH:MM"),
        (_set("sent_at", "2026-11-27T25:40"), "sent_at", "field-constraints", "a real date and time"),
        (_set("sent_at", tomorrow_at_nine()), "sent_at", "field-constraints", "today or in the past"),
        (_set("needs", ""), "needs", "field-constraints", "must not be blank"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Change, field: str, rule_id: str, words: str) -> None:
    failed = refused(body_with(change))
    assert field in failed.errors, failed.errors
    assert any(words in message for message in failed.errors[field]), failed.errors[field]
    assert rule_id in failed.rules[field]


def test_consent_and_the_referral_on_the_day_of_the_transfer_are_in_order() -> None:
    pipeline.validate(FORM, body_with(_set("consent.given_on", "2026-11-27"), _set("referral_date", "2026-11-27")))


# ---------------------------------------------------------------- the Early Help Hub's review: 24 hours

@pytest.mark.parametrize(
    ("sent", "due"),
    [
        ("2026-11-24T09:00", "2026-11-25T09:00"),
        ("2026-11-27T15:40", "2026-11-28T15:40"),  # Friday afternoon: Saturday, not the next working day
        ("2025-12-24T10:30", "2025-12-25T10:30"),  # Christmas Eve: Christmas Day
        ("2026-02-28T23:59", "2026-03-01T23:59"),
        ("2028-02-28T08:00", "2028-02-29T08:00"),  # a leap day
    ],
)
def test_the_review_is_due_24_hours_after_the_transfer_is_sent(sent: str, due: str) -> None:
    assert review_due(dt.datetime.fromisoformat(sent)) == dt.datetime.fromisoformat(due)


@pytest.mark.parametrize(
    ("sent", "line", "day_off"),
    [
        ("2026-11-24T09:00", "reviews the Transfer by Wednesday 25 November 2026 at 09:00: 24 hours after it was sent.",
         None),
        ("2026-11-27T15:40", "reviews the Transfer by Saturday 28 November 2026 at 15:40: 24 hours after it was sent.",
         "The review falls on a Saturday, not a working day: the guidance counts 24 hours, not working days."),
        ("2025-12-24T10:30", "reviews the Transfer by Thursday 25 December 2025 at 10:30",
         "The review falls on a bank holiday (Christmas Day), not a working day"),
    ],
)
def test_the_document_shows_the_review_deadline_and_a_day_off(sent: str, line: str, day_off: str | None) -> None:
    body = body_with(_set("sent_at", sent), _set("referral_date", sent[:10]), _set("consent.given_on", sent[:10]))
    text = printed(body)
    assert line in text
    if day_off:
        assert day_off in text
    else:
        assert "not a working day" not in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_deadline_cites_the_seed_and_says_applying_it_to_a_transfer_is_formgens_reading(fmt: str) -> None:
    text = printed(FORM.example, fmt)
    assert "Sent to the Early Help Hub Friday 27 November 2026 at 15:40" in text
    assert ("Deadline worked out by formgen, for Peterborough to confirm: the guidance gives the Early Help Hub 24 "
            "hours from receipt to review contacts reassigned to it (section 1, Contacts not meeting Children's "
            "Social Care Thresholds) and gives no time for reviewing a Transfer") in text
    wording = {w.id: w for w in FORM.wording}
    assert wording["ehh-review-due"].source.kind is SourceKind.GUIDANCE
    assert "within 24 hours of receipt" in wording["ehh-review-due"].source.says
    assert wording["ehh-review-reading"].source.kind is SourceKind.FORMGEN_READING


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_transfer_details_the_decision_the_needs_and_consent(fmt: str) -> None:
    text = printed(FORM.example, fmt)
    assert "Aisha Bashir, NHS number 999 452 1306 LCS5102277 10 August 2026 3 months" in text
    assert "Child and Family Assessment The decision is not to complete a Child and Family Assessment." in text
    assert "Outcome on the Referral record Step down to Early Help. Recorded on the Referral record; not NFA" in text
    assert "The decision The health visitor's worries are about Aisha's weight gain" in text
    assert "Needs identified for Early Help - Aisha (3 months) has dropped" in text
    assert "Yes: Sadia Bashir consented to Early Help support on 25 November 2026 (by telephone)." in text
    assert "this may include linking to an existing Early Help Episode, starting an Early Help Hub Enquiry" in text


def test_a_422_names_the_consent_rule(client: FlaskClient) -> None:
    problem = client.post(f"/api/forms/{FORM.id}/validate", json=body_with(_set("consent.consented", False))).json
    assert problem["rules"] == {"consent.consented": ["family-consents-to-early-help"]}
