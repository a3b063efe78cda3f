"""Shropshire's step-down meeting agenda (seed 001, 3.a-4.b, Appendix A): one meeting and its cases."""

from __future__ import annotations

import html
import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest
from bodies import DROP as _DROP
from bodies import Body, Change, changed
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from helpers import docx_text, pdf_reader, pdf_text, squash
from web_journey import start, tasks

import forms.shropshire_step_down_agenda as agenda
from formgen.core.errors import ValidationFailed
from formgen.core.fields import TIME_24H
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind
from formgen.engine import pipeline
from forms.shropshire_step_down_agenda import CHECKLIST, WEEKLY_EXAMPLE, example_with_cases

FORM = get_form("shropshire-step-down-agenda")

# Appendix A of seed 001, copied from the seed, slips and all: the document prints these words unchanged.
APPENDIX_A_LEAD_IN = ("The following questions need to be discuss at step down meetings to ensure robust step down to "
                      "Targeted Early Help/Early Help Services takes place;")
APPENDIX_A_QUESTIONS = [
    "The social worker will have gained consent to share the following information with those involved in the "
    "stepping down process and the child and parent/carer and fully engaged with the requirement for a further plan "
    "to provide support and or intervention.",
    "What were the risks and needs in this situation that required social work intervention.",
    "What work has been done to address/reduce level of risk and strengthen family functioning?",
    "What are the current protective factors? (the things that keep the child safe and well)",
    "Why is the case stepping down at this time?",
    "What are the outcomes that still need to be achieved through our integrated working model of Early Help?",
    "How do these outcomes relate to the Strengthening Family \u2018problem\u2019 criteria? (Social worker/LP)",
    "What would it look like if risk were to increase? (early warning signs)",
    "What actions should be taken if risk increases?",
    "Have you provided all the most recent information to the child, parent/carer and professionals that are "
    "required to provide the next level of support and or intervention?",
    "Has a closure summary been fully completed which identifies all professionals involved and criteria for a step "
    "up should risk increase?",
]


def body_with(change: Change, base: Body | None = None) -> Body:
    return changed(base or FORM.example, change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)


def refused(body: Body) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value


def docx_of(body: Body) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


# ---------------------------------------------------------------- rules, each naming the case and its rule id

@pytest.mark.parametrize(
    ("change", "field", "rule_id", "words"),
    [
        (_set("cases.1.route", "3.b"), "cases.1.route", "route-matches-meeting",
         "Case 2 (carefirst CF2280002) is route 3.b, which goes to the weekly meeting"),
        (_set("cases.2.consent_location", _DROP), "cases.2.consent_location", "consent-saved-on-carestore",
         "Case 3 (carefirst CF2280003): say where the signed Strengthening Families consent form is saved"),
        (_set("cases.2.consent_location", ""), "cases.2.consent_location", "consent-saved-on-carestore", "carestore"),
        (_set("cases.1.lead_professional", _DROP), "cases.1.lead_professional", "lead-professional-for-3b-4b",
         "Case 2 (carefirst CF2280002) is route 4.b"),
        (_set("cases.0.final_meeting", _DROP), "cases.0.final_meeting", "final-meeting-for-4a-4b",
         "Final CIN review or CP core group"),
        (_set("cases.3.final_meeting", None), "cases.3.final_meeting", "final-meeting-for-4a-4b",
         "Case 4 (carefirst CF2280004)"),
        (_set("cases.1.service_manager_approval", _DROP), "cases.1.service_manager_approval",
         "straight-from-cp-plan-needs-approval", "give the service manager who approved it"),
        (_set("cases.0.final_meeting.date", "2026-11-18"), "cases.0.final_meeting.date",
         "final-meeting-not-before-this-meeting", "must be on or after this meeting's date"),
        (_set("cases.3.carefirst_number", "CF2280001"), "cases.3.carefirst_number", "each-case-once",
         "same carefirst number as case 1"),
        (_many(_set("place", None), _set("online_link", None)), "place", "meeting-place-or-link",
         "online meeting link"),
        (_set("time", "2pm"), "time", "field-constraints", "24-hour clock"),
        (_set("cases.0.final_meeting.time", "25:00"), "cases.0.final_meeting.time", "field-constraints",
         "24-hour clock"),
        (_set("cases.0.route", "5.a"), "cases.0.route", "field-constraints", "one of: 3.a, 3.b, 4.a, 4.b"),
        (_set("cases", []), "cases", "field-constraints", "between 1 and 40"),
        (_set("cases.0.checklist.why_now", "x" * 1501), "cases.0.checklist.why_now", "field-constraints",
         "1500 characters or fewer"),
    ],
)
def test_rule_breaks_name_the_case_and_the_rule(change: Change, field: str, rule_id: str, words: str) -> None:
    failed = refused(body_with(change))
    assert field in failed.errors, failed.errors
    assert any(words in message for message in failed.errors[field]), failed.errors[field]
    assert rule_id in failed.rules[field]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("cases.0.route", "4.a"), "cases.0.route", "which goes to the monthly meeting: move it there"),
        (_set("cases.1.lead_professional", _DROP), "cases.1.lead_professional", "route 3.b"),
        (_set("cases.0.consent_location", None), "cases.0.consent_location", "(3.a)"),
    ],
)
def test_weekly_meetings_have_their_own_rules(change: Callable[[Body], None], field: str, words: str) -> None:
    errors = errors_for(body_with(change, WEEKLY_EXAMPLE))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_the_module_raises_errors_only_through_its_rules() -> None:
    assert "ValidationError" not in inspect.getsource(agenda)
    assert {found.id for found in FORM.rules} >= {
        "route-matches-meeting", "consent-saved-on-carestore", "step-down-meeting-date-for-3b",
        "weekly-meeting-attendees", "monthly-meeting-attendees", "havenbrook-short-breaks-review-date",
        "straight-from-cp-plan-has-no-final-cin-review", "straight-from-cp-plan-only-on-4a-4b",
    }


def test_times_are_field_constraints_on_the_24_hour_clock() -> None:
    schema = agenda.AgendaSchema()
    assert schema.fields["time"].metadata["format_pattern"] == TIME_24H
    final = agenda.FinalMeetingSchema()
    assert final.fields["time"].metadata["format_pattern"] == TIME_24H


# ---------------------------------------------------------------- 3.b: the step-down meeting's date

def test_a_3b_case_needs_the_date_of_its_step_down_meeting() -> None:
    failed = refused(body_with(_set("cases.1.step_down_meeting_date", _DROP), WEEKLY_EXAMPLE))
    field = "cases.1.step_down_meeting_date"
    assert failed.rules[field] == ["step-down-meeting-date-for-3b"]
    assert "Case 2 (carefirst CF2280012) is route 3.b" in failed.errors[field][0]
    # 3.a has no such meeting: the weekly example's 3.a case has none and is valid.
    assert "step_down_meeting_date" not in WEEKLY_EXAMPLE["cases"][0]
    pipeline.validate(FORM, WEEKLY_EXAMPLE)


def test_the_3b_step_down_meeting_is_still_due_to_take_place() -> None:
    failed = refused(body_with(_set("cases.1.step_down_meeting_date", "2026-11-12"), WEEKLY_EXAMPLE))
    assert failed.rules["cases.1.step_down_meeting_date"] == ["step-down-meeting-not-before-this-meeting"]


def test_the_3b_step_down_meeting_date_is_printed_and_asked_for_on_the_web_page() -> None:
    text = docx_of(body_with(_set("cases.1.step_down_meeting_date", "2026-11-25"), WEEKLY_EXAMPLE))
    assert "Step-down meeting with the setting, family and agencies 25 November 2026" in text
    field = agenda.CaseSchema().fields["step_down_meeting_date"]
    assert field.metadata["required_when"] == "when the route is 3.b"


# ---------------------------------------------------------------- straight from a CP plan

def test_the_example_steps_down_from_a_cp_plan_at_a_cp_core_group() -> None:
    case = FORM.example["cases"][1]
    assert case["straight_from_cp_plan"] is True and case["final_meeting"]["kind"] == "cp-core-group"
    assert all(c["final_meeting"]["kind"] == "final-cin-review" for c in FORM.example["cases"]
               if c.get("final_meeting") and not c.get("straight_from_cp_plan"))


@pytest.mark.parametrize(
    ("change", "base", "field", "rule_id"),
    [
        (_set("cases.1.final_meeting.kind", "final-cin-review"), None, "cases.1.final_meeting.kind",
         "straight-from-cp-plan-has-no-final-cin-review"),
        (_many(_set("cases.0.straight_from_cp_plan", True),
               _set("cases.0.service_manager_approval", {"name": "Catrin Lloyd", "date": "2026-11-10"})),
         WEEKLY_EXAMPLE, "cases.0.straight_from_cp_plan", "straight-from-cp-plan-only-on-4a-4b"),
        (_set("cases.1.straight_from_cp_plan", False), None, "cases.1.straight_from_cp_plan",
         "cp-core-group-means-straight-from-cp-plan"),
        (_set("cases.0.straight_from_cp_plan", True), None, "cases.0.service_manager_approval",
         "straight-from-cp-plan-needs-approval"),
    ],
)
def test_contradictions_about_a_cp_plan_are_refused(change: Change, base: Body | None, field: str,
                                                    rule_id: str) -> None:
    failed = refused(body_with(change, base))
    assert rule_id in failed.rules.get(field, []), failed.errors


def test_a_4b_approval_says_it_is_formgens_reading() -> None:
    text = docx_of(FORM.example)
    assert ("Without a period of child in need planning (4.a): approved by Catrin Lloyd (service manager) on "
            "10 November 2026.") in text
    assert squash(agenda.APPROVAL_READING) in text
    assert "CP core group 26 November 2026 at 13:30" in text


# ---------------------------------------------------------------- who attends

@pytest.mark.parametrize(
    ("base", "change", "rule_id", "add"),
    [
        (None, _set("meeting", "weekly"), "weekly-meeting-attendees",
         "Add an Assessment Team Manager to the attendees of this weekly step-down meeting (3.a)."),
        (WEEKLY_EXAMPLE, _set("attendees.1.attends_as", "case-management-manager"), "weekly-meeting-attendees",
         "Add an Assessment Team Manager to the attendees"),
        (None, _set("attendees.0.attends_as", "other"), "monthly-meeting-attendees",
         "Add an Early Help Manager to the attendees of this monthly step-down meeting (4.a)."),
        (None, _many(_set("attendees.1.attends_as", "other"), _set("attendees.2.attends_as", "other")),
         "monthly-meeting-attendees", "Add at least one Case Management Manager to the attendees"),
    ],
)
def test_each_meeting_has_the_managers_the_guidance_names(base: Body | None, change: Change, rule_id: str,
                                                           add: str) -> None:
    failed = refused(body_with(change, base))
    assert rule_id in failed.rules["attendees"]
    assert add in " ".join(failed.errors["attendees"])


def test_attendees_are_printed_with_what_they_attend_as() -> None:
    text = docx_of(WEEKLY_EXAMPLE)
    assert "Dafydd Roberts, Early Help Manager" in text
    assert "Lowri Davies, Assessment Team Manager, Assessment Team 2" in text
    assert "An EH Manager will meet with an Assessment Team Manager at a weekly step down meeting" in text


# ---------------------------------------------------------------- Havenbrook short breaks (3.a, 3.b)

def test_short_breaks_at_havenbrook_need_a_review_date() -> None:
    failed = refused(body_with(_set("cases.1.short_breaks_review_date", _DROP), WEEKLY_EXAMPLE))
    assert failed.rules["cases.1.short_breaks_review_date"] == ["havenbrook-short-breaks-review-date"]
    assert "(3.a, 3.b)" in failed.errors["cases.1.short_breaks_review_date"][0]


def test_the_havenbrook_manager_is_to_be_invited_to_the_ehpm() -> None:
    weekly = docx_of(WEEKLY_EXAMPLE)
    assert ("Short breaks at Havenbrook In place; review date for the short breaks 4 February 2027. Invite the "
            "registered manager for Havenbrook to the Early Help Partnership Meeting (EHPM) (3.a, 3.b).") in weekly
    assert "formgen's reading of 3.a and 3.b" not in weekly
    # 4.a and 4.b are silent: the document says the invitation there is formgen's reading.
    assert squash(agenda.HAVENBROOK_READING) in docx_of(FORM.example)


# ---------------------------------------------------------------- Appendix A, word for word

def test_appendix_a_is_printed_word_for_word_for_every_case() -> None:
    assert list(CHECKLIST.values()) == APPENDIX_A_QUESTIONS
    docx = docx_of(FORM.example)
    pdf = squash(pdf_text(pipeline.render(FORM, FORM.example, "pdf").content))
    for text in (docx, pdf):
        assert text.count("Appendix A: Step down meeting agenda") == 4
        assert text.count(APPENDIX_A_LEAD_IN) == 4
    for question in APPENDIX_A_QUESTIONS:
        assert docx.count(question) == 4, question


def test_appendix_a_wording_is_declared_with_its_source() -> None:
    declared = {words.text: words.source for words in FORM.wording}
    for text in [APPENDIX_A_LEAD_IN, *APPENDIX_A_QUESTIONS]:
        source = declared[text]
        assert source.kind is SourceKind.GUIDANCE and source.citation.endswith("Appendix A"), text


# ---------------------------------------------------------------- the web page

def test_the_consent_reference_is_not_called_optional(client: Any) -> None:
    cases = next(task for task in tasks(FORM) if task.owns("cases"))
    assert cases.rows is not None  # each case has its own page
    page = html.unescape(client.get(f"{start(client, FORM)}/{cases.slug}/new").text)
    label = re.search(r'for="f-cases-0-consent_location">\s*(.*?)\s*</label>', page, re.S)
    assert label is not None
    assert label.group(1) == "Where the signed Strengthening Families consent is saved on carestore"
    assert "Needed for every case, whatever its route" in page


# ---------------------------------------------------------------- the NHS number

def test_each_child_has_an_nhs_number_printed_beside_the_name() -> None:
    text = docx_of(FORM.example)
    assert "Amelia Price, NHS number 999 001 2342 (born 21 March 2012)" in text
    assert "Josh Bennett (born 19 July 2013)" in text  # none given, none printed
    front = squash(pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).pages[0].extract_text())
    assert "Amelia Price NHS 999 001 2342" in front


def test_an_nhs_number_that_fails_its_check_is_refused() -> None:
    errors = errors_for(body_with(_set("cases.0.children.0.nhs_number", "999 001 2343")))
    assert "Modulus 11" in errors["cases.0.children.0.nhs_number"][0]


def test_the_first_case_is_shared_with_its_nhs_numbers_and_taken_back() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)  # as prefill reads it: the JSON embedded in the document
    assert FORM.shares(pipeline.validate(FORM, FORM.example)) == shared
    assert [c.get("nhs_number") for c in shared["children"]] == ["9990012342", "9990024685"]
    assert shared["children"][0]["case_ids"] == {"carefirst": "CF2280001"}
    assert [m["full_name"] for m in shared["family_members"]] == ["Rhiannon Price", "Tomasz Nowak"]
    taken = FORM.takes(shared)["cases"][0]
    assert taken["carefirst_number"] == "CF2280001"
    assert taken["family"] == "Rhiannon Price (mother), Tomasz Nowak (stepfather)"
    assert taken["children"][0] == {"full_name": "Amelia Price", "nhs_number": "9990012342",
                                    "date_of_birth": "2012-03-21"}


# ---------------------------------------------------------------- the examples and the layout

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
    # A case may run onto a second page; the next case still starts a new one.
    starts = [squash(page.extract_text())[:7] for page in reader.pages[1:]]
    assert starts[0] == "Case 1:"
    assert [s for s in starts if s.startswith("Case ")] == ["Case 1:", "Case 2:", "Case 3:", "Case 4:"]


def test_every_case_carries_all_eleven_appendix_a_questions_and_its_details() -> None:
    text = docx_of(FORM.example)
    for question in CHECKLIST.values():
        assert text.count(squash(question)) == 4, question
    assert "Neglect of routines; Noah's speech delay unaddressed" in text
    assert "Final CIN review 28 November 2026 at 10:00" in text
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
