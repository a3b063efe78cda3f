"""Shropshire's step-down meeting agenda (seed 001, 3.a-4.b, Appendix A): one meeting and its cases."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bodies import DROP as _DROP
from bodies import Body, Change, changed
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from helpers import docx_text, pdf_reader, pdf_text, squash

from formgen.core.registry import get_form
from formgen.engine import pipeline
from forms.shropshire_step_down_agenda import CHECKLIST, WEEKLY_EXAMPLE, example_with_cases

FORM = get_form("shropshire-step-down-agenda")


def body_with(change: Change, base: Body | None = None) -> Body:
    return changed(base or FORM.example, change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)




@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("cases.1.route", "3.b"), "cases.1.route", "Case 2 (carefirst CF2280002) is route 3.b, but a monthly"),
        (_set("meeting", "weekly"), "cases.0.route", "a weekly step-down meeting takes routes 3.a and 3.b only"),
        (_set("cases.2.consent_location", _DROP), "cases.2.consent_location", "Case 3 (carefirst CF2280003) has no consent"),
        (_set("cases.2.consent_location", ""), "cases.2.consent_location", "carestore"),
        (_set("cases.1.lead_professional", _DROP), "cases.1.lead_professional", "Case 2 (carefirst CF2280002) is route 4.b"),
        (_set("cases.0.final_meeting", _DROP), "cases.0.final_meeting", "Final CIN review or CP core group"),
        (_set("cases.3.final_meeting", None), "cases.3.final_meeting", "Case 4 (carefirst CF2280004)"),
        (_set("cases.1.service_manager_approval", _DROP), "cases.1.service_manager_approval", "service manager's approval"),
        (_set("cases.0.straight_from_cp_plan", True), "cases.0.service_manager_approval", "(4.a)"),
        (_set("cases.0.final_meeting.date", "2026-11-18"), "cases.0.final_meeting", "before this meeting"),
        (_set("cases.3.carefirst_number", "CF2280001"), "cases.3.carefirst_number", "same carefirst number as case 1"),
        (_many(_set("place", None), _set("online_link", None)), "place", "online meeting link"),
        (_set("time", "2pm"), "time", "24-hour clock"),
        (_set("cases.0.final_meeting.time", "25:00"), "cases.0.final_meeting.time", "24-hour clock"),
        (_set("cases.0.route", "5.a"), "cases.0.route", "one of: 3.a, 3.b, 4.a, 4.b"),
        (_set("cases", []), "cases", "between 1 and 40"),
        (_set("cases.0.checklist.why_now", "x" * 1501), "cases.0.checklist.why_now", "1500 characters or fewer"),
    ],
)
def test_rule_breaks_name_the_case_and_the_rule(change: Callable[[Body], None], field: str, words: str) -> None:
    errors = errors_for(body_with(change))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("cases.0.route", "4.a"), "cases.0.route", "Put it on the monthly meeting's agenda"),
        (_set("cases.1.lead_professional", _DROP), "cases.1.lead_professional", "route 3.b"),
        (_set("cases.0.consent_location", None), "cases.0.consent_location", "(3.a, 4.a)"),
    ],
)
def test_weekly_meetings_have_their_own_rules(change: Callable[[Body], None], field: str, words: str) -> None:
    errors = errors_for(body_with(change, WEEKLY_EXAMPLE))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_the_weekly_example_is_valid_and_needs_no_final_meeting() -> None:
    pipeline.validate(FORM, WEEKLY_EXAMPLE)
    assert "final_meeting" not in WEEKLY_EXAMPLE["cases"][0]


def test_the_example_has_at_least_four_cases_across_two_routes() -> None:
    cases = FORM.example["cases"]
    assert len(cases) >= 4
    assert len({c["route"] for c in cases}) >= 2


def test_front_page_lists_the_cases_in_order_then_each_case_follows() -> None:
    reader = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content)
    front = squash(reader.pages[0].extract_text())
    positions = [front.find(f"CF228000{n}") for n in range(1, 5)]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    assert "Monthly step-down meeting: Case Management Managers and Early Help Manager" in front
    assert "19 November 2026 at 14:00" in front
    # Each case starts a page and is a bookmark for the chair.
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [t for t in titles if t.startswith("Case ")] == [
        "Case 1: Amelia Price, Noah Price (carefirst CF2280001)",
        "Case 2: Kai Whitfield (carefirst CF2280002)",
        "Case 3: Lina Haddad (carefirst CF2280003)",
        "Case 4: Ellie Bennett, Josh Bennett (carefirst CF2280004)",
    ]
    starts = [squash(page.extract_text())[:7] for page in reader.pages[1:]]
    assert starts == ["Case 1:", "Case 2:", "Case 3:", "Case 4:"]


def test_every_case_carries_all_eleven_appendix_a_questions_and_its_details() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    for question in CHECKLIST.values():
        assert text.count(squash(question)) == 4, question
    assert "Neglect of routines; Noah's speech delay unaddressed" in text
    assert "Final CIN review 28 November 2026 at 10:00" in text
    assert "Approved by Catrin Lloyd (service manager) on 10 November 2026" in text
    assert "Identified lead professional Priya Shah, Family Support Worker, Shrewsbury Family Hub" in text
    assert "carestore > Consent > 2026-11-19 SF consent" in text


def test_a_forty_case_agenda_renders_in_both_formats() -> None:
    body = example_with_cases(40)
    pipeline.validate(FORM, body)
    pdf = pipeline.render(FORM, body, "pdf")
    assert pdf.pages is not None and pdf.pages >= 41
    text = squash(pdf_text(pdf.content))
    assert "40 cases" in text and "Case 40: Child 40 Example" in text
    docx = squash(docx_text(pipeline.render(FORM, body, "docx").content))
    assert docx.count(squash(CHECKLIST["closure_summary"])) == 40


def test_example_with_cases_builds_weekly_agendas_too() -> None:
    body = example_with_cases(6, meeting="weekly")
    pipeline.validate(FORM, body)
    assert {c["route"] for c in body["cases"]} == {"3.a", "3.b"}
