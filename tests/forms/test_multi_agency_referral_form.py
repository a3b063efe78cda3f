"""The MARF (seeds 001, 002, 003): its rules, where it sends a referral and why, and the timescales it prints,
each from the council's own guidance or marked as a local setting the council has not confirmed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import drop_path as _drop
from bodies import set_path as _set
from helpers import docx_document, docx_text, pdf_text, squash, strings_in

from formgen.core.councils import Provenance, all_councils
from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind
from formgen.engine import pipeline

FORM = get_form("multi-agency-referral-form")


def body_with(*changes: Change) -> Body:
    return changed(FORM.example, *changes)


def refused(body: Body) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value


def docx_words(body: Body) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


def both_formats(body: Body) -> list[str]:
    return [squash(pdf_text(pipeline.render(FORM, body, "pdf").content)), docx_words(body)]


def not_child_protection(council: str, level: int = 4) -> tuple[Change, ...]:
    # The example's Micare id is not a Mosaic id (digits only): Herefordshire's child has one of its own.
    case_id = (_set("children.0.case_id", "517734"),) if council == "herefordshire" else ()
    return _set("council", council), _set("level_of_need", level), _set("child_protection_concern", False), *case_id


LABEL = "Domestic abuse, neglect, parental mental health and substance misuse concerns"


@pytest.mark.parametrize(
    ("changes", "field", "rule_id", "words"),
    [
        # Consent (formgen's input checks: the guidance says nothing of what a MARF records about consent).
        ((_set("consent.family_told", False), _set("consent.consent_given", False), _drop("consent.given_by")),
         "consent.why_not", "consent-why-not", "why consent was not sought"),
        ((_set("consent.consent_given", False), _drop("consent.given_by")), "consent.why_not", "consent-why-not",
         "put a child at risk"),
        ((_set("consent.family_told", False),), "consent.consent_given", "consent-needs-the-family-told",
         "were not told about"),
        ((_drop("consent.given_by"),), "consent.given_by", "consent-says-who-gave-it", "who gave consent"),
        # The case summary and the rationale are asked of every MARF: plain field constraints.
        ((_drop("case_summary"),), "case_summary", "field-constraints", "Latest case summary is required."),
        ((_set("step_up_rationale", "  "),), "step_up_rationale", "field-constraints", "must not be blank"),
        # A child needs a date of birth or an expected date of delivery.
        ((_drop("children.1.expected_delivery_date"),), "children.1.date_of_birth", "child-date-of-birth-or-due-date",
         "expected date of delivery"),
        ((_set("children.0.expected_delivery_date", "2027-01-10"),), "children.0.expected_delivery_date",
         "child-date-of-birth-or-due-date", "not both"),
        ((_set("children.1.expected_delivery_date", "2026-11-01"),), "children.1.expected_delivery_date",
         "child-date-of-birth-or-due-date", "has been born"),
        ((_set("children.0.date_of_birth", tomorrow()),), "children.0.date_of_birth", "field-constraints",
         "today or in the past"),
        ((_set("children", []),), "children", "field-constraints", "between 1 and 10"),
        ((_set("children.0.nhs_number", "999 000 1234"),), "children.0.nhs_number", "field-constraints",
         "not a valid NHS number"),
        ((_set("children.0.nhs_number", "99900"),), "children.0.nhs_number", "field-constraints", "10 digits"),
        # A danger statement that is only a label (formgen's input check).
        ((_set("danger_statements.0.behaviour", LABEL),), "danger_statements.0.behaviour",
         "danger-statement-not-a-label", "is a label"),
        ((_set("danger_statements.0.impact", "Significant harm"),), "danger_statements.0.impact",
         "danger-statement-not-a-label", "Describe what happens in this family"),
        ((_drop("danger_statements.0.safety_goal"),), "danger_statements.0.safety_goal", "field-constraints",
         "Safety goal is required"),
        # Levels of need come from the council's profile (Manchester: Appendix 1).
        ((_set("level_of_need", 3), _set("child_protection_concern", False)), "level_of_need",
         "level-meets-the-threshold", "not children's social care: choose level 4 or 5"),
        ((_set("level_of_need", 6),), "level_of_need", "level-of-need-is-one-of-the-councils",
         "Choose one of Manchester City Council's levels: 1 (Universal)"),
        ((_set("council", "shropshire"),), "level_of_need", "level-of-need-is-one-of-the-councils",
         "Shropshire Council's levels (not yet confirmed by the council)"),
        ((_set("council", "leeds"),), "council", "field-constraints", "manchester, peterborough, shropshire"),
        # Level 5 is a child at risk of, or suffering, significant harm (Appendix 1): a child protection concern.
        ((_set("child_protection_concern", False),), "child_protection_concern",
         "significant-harm-is-a-child-protection-concern", "a child protection concern: answer yes"),
        ((_set("level_of_need", 4),), "level_of_need", "significant-harm-is-a-child-protection-concern",
         "is level 5 in Manchester"),
        ((_drop("child_protection_concern"),), "child_protection_concern", "field-constraints", "is required"),
        # Dates in order.
        ((_set("phone_referral.made_at", "2026-11-11T09:00"),), "phone_referral.made_at", "dates-in-order",
         "must be on or before the date of this referral"),
        ((_set("worries_raised_on", "2026-11-11"),), "worries_raised_on", "dates-in-order",
         "must be on or before the date of this referral"),
        ((_set("taf_meeting_on", "2026-11-06"),), "taf_meeting_on", "dates-in-order",
         "must be on or after the date they were raised"),
        ((_set("stepped_down_from.stepped_down_on", "2026-11-11"),), "stepped_down_from.stepped_down_on",
         "dates-in-order", "must be on or before the date of this referral"),
        # Formats.
        ((_set("phone_referral.made_at", "09/11/2026 14:10"),), "phone_referral.made_at", "field-constraints",
         "YYYY-MM-DDTHH:MM"),
        ((_set("blank_answers", "n/a"),), "blank_answers", "field-constraints", "not-known, not-applicable"),
        ((_set("referrer.email", "rhiannon-at-example"),), "referrer.email", "field-constraints", "email address"),
        ((_set("nickname", "Amy"),), "nickname", "field-constraints", "Unknown field"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(changes: tuple[Change, ...], field: str, rule_id: str,
                                                 words: str) -> None:
    error = refused(body_with(*changes))
    assert field in error.errors, error.errors
    assert any(words in message for message in error.errors[field]), error.errors[field]
    assert rule_id in error.rules[field]


def test_no_rule_cites_a_passage_that_does_not_say_it() -> None:
    """The old danger-statement refusals cited 'Manchester Appendix 3', which is about Early Help assessments."""
    for found in FORM.rules:
        for source in found.sources:
            assert "Appendix 3" not in source.citation, found.id
    danger = next(found for found in FORM.rules if found.id == "danger-statement-not-a-label")
    assert {source.kind for source in danger.sources} == {SourceKind.FORMGEN_READING}
    consent = [found for found in FORM.rules if found.id.startswith("consent")]
    assert consent and all(s.kind is SourceKind.FORMGEN_READING for found in consent for s in found.sources)


def test_a_short_danger_statement_that_names_the_behaviour_is_accepted() -> None:
    """No minimum word count: 'Jordan hit Amara with a belt.' is a danger statement, not a label."""
    body = body_with(_set("danger_statements.0.behaviour", "Jordan hit Amara with a belt."),
                     _set("danger_statements.0.impact", "Amara could be badly hurt."))
    pipeline.validate(FORM, body)


def test_a_referral_without_consent_that_says_why_is_accepted_and_printed() -> None:
    why = "Telling Jordan could put Chiamaka and Amara at risk of significant harm before a safety plan is in place."
    body = body_with(_set("consent.family_told", False), _set("consent.consent_given", False),
                     _drop("consent.given_by"), _set("consent.why_not", why))
    text = docx_words(body)
    assert f"If not, why not {why}" in text
    assert "Who gave consent Not applicable: no consent was given." in text


# ------------------------------------------------------------------------------------- the example


def test_the_example_follows_manchesters_guidance_in_both_formats() -> None:
    """A level 5 child protection concern: phoned through to the Contact Centre / MASH the day the worries were
    raised (4.2.1, 4.3), followed up in writing within 48 hours (Appendix 1), the TAF meeting within 5 working
    days (4.3); 4.4 says which team is likely to be allocated, not where the referral goes."""
    example = FORM.example
    assert example["phone_referral"]["made_at"].startswith(example["worries_raised_on"])  # without delay
    for text in both_formats(example):
        assert "Child protection concern Yes This referral goes to The Contact Centre / MASH, without delay" in text
        assert ("A child protection concern goes to the Contact Centre / MASH (Manchester's guidance, 4.3; Appendix 1, "
                "level 5). It is referred without delay (Manchester's guidance, 4.2.1 and 4.3).") in text
        assert ("Which team is likely to be allocated The family stepped down from North Area Social Work Team on 14 "
                "September 2026, within 3 months of this referral. A case stepped back up within 3 months is allocated "
                "to the team that stepped it down (Manchester's guidance, 4.4), so North Area Social Work Team is "
                "likely to be allocated. This says which team is allocated, not where the referral is sent.") in text
        assert "goes to North Area Social Work Team" not in text
        assert ("By 14:10 on Wednesday 11 November 2026: 48 hours after the phone referral (Manchester's guidance, "
                "Appendix 1, level 5). On time: this referral is dated 10 November 2026.") in text
        assert ("Team around the Family (TAF) meeting The Team around the Family (TAF) meeting is planned for Thursday "
                "12 November 2026, 3 working days after the worries were raised on Monday 9 November 2026, expected "
                "within 5 working days of the worries being raised (Manchester's guidance, 4.3).") in text
        assert "Child 1 of 2: Amara Okafor (NHS number 999 000 1235)" in text
        assert "Unborn: expected date of delivery 3 February 2027" in text
        assert "LATE" not in text and "OVERDUE" not in text
        assert "not yet confirmed" not in text  # every Manchester value comes from its guidance


# ------------------------------------------------------------------------------------------ routing


@pytest.mark.parametrize("stepped_down_on", ["2026-10-01", "2026-05-02"])
def test_a_child_protection_concern_goes_to_the_front_door_whenever_the_family_stepped_down(
        stepped_down_on: str) -> None:
    text = docx_words(body_with(_set("stepped_down_from.stepped_down_on", stepped_down_on)))
    assert "This referral goes to The Contact Centre / MASH, without delay" in text


def test_level_5_goes_to_mash_without_delay_as_a_child_protection_concern() -> None:
    text = docx_words(FORM.example)
    assert "Level 5 (Significant harm)" in text
    assert "Referral pathway: MASH (Manchester's guidance, Appendix 1)." in text


@pytest.mark.parametrize(("stepped_down_on", "allocation"), [
    ("2026-08-10", "within 3 months of this referral. A case stepped back up within 3 months is allocated to the team "
                   "that stepped it down (Manchester's guidance, 4.4), so North Area Social Work Team is likely to be "
                   "allocated."),  # exactly 3 months before the referral of 10 November
    ("2026-08-09", "more than 3 months before this referral. The return to the team that stepped a family down applies "
                   "within 3 months (Manchester's guidance, 4.4); for an older step-down, Manchester's guidance does "
                   "not say which team is allocated."),
])
def test_without_a_child_protection_concern_manchester_steps_up_to_the_area_team_and_44_is_only_allocation(
        stepped_down_on: str, allocation: str) -> None:
    body = body_with(*not_child_protection("manchester"), _set("stepped_down_from.stepped_down_on", stepped_down_on))
    text = docx_words(body)
    assert "This referral goes to The area Social Work team Why Without a child protection concern" in text
    assert "(Manchester's guidance, 4.3.1)" in text
    assert allocation in text
    assert "goes to Contact Centre / MASH (4.4)" not in text and "goes to North Area" not in text


def test_no_step_down_recorded_means_no_allocation_note() -> None:
    text = docx_words(body_with(_drop("stepped_down_from")))
    assert "Which team is likely to be allocated No step-down from social work is recorded." in text
    assert "Previous social work team Not known Step-down date Not known" in text


# --------------------------------------------------- councils whose guidance is silent: no invented rules


@pytest.mark.parametrize(("council", "door", "deadline"), [
    ("shropshire", "COMPASS (a local practice setting, not yet confirmed by Shropshire Council)",
     "By 14:10 on Wednesday 11 November 2026: 2 working days after the phone referral (a local practice setting, not "
     "yet confirmed by Shropshire Council"),
    ("herefordshire", "The Herefordshire MASH (a local practice setting, not yet confirmed by Herefordshire Council)",
     "By 14:10 on Tuesday 10 November 2026: 24 hours after the phone referral (a local practice setting, not yet "
     "confirmed by Herefordshire Council"),
    ("peterborough", "Children's Social Care, through the Customer Services Centre",
     "By 14:10 on Tuesday 10 November 2026: 24 hours after the phone referral (a local practice setting, not yet "
     "confirmed by Peterborough City Council"),
])
def test_unconfirmed_settings_are_printed_as_such_and_give_no_verdict(council: str, door: str, deadline: str) -> None:
    # Written a week after the phone referral, the meeting not held 10 working days on: no LATE, no OVERDUE.
    body = body_with(*not_child_protection(council), _set("referral_date", "2026-11-23"), _drop("taf_meeting_on"))
    for text in both_formats(body):
        assert f"This referral goes to {door}" in text
        assert deadline in text
        assert "formgen gives no verdict on whether this referral is on time until" in text
        assert "LATE" not in text and "OVERDUE" not in text and "On time" not in text
        assert "within 5 working days" not in text and "within 3 months" not in text
        assert "formgen does not judge whether this referral meets" in text


@pytest.mark.parametrize(("council", "meeting"), [
    ("manchester", "Team around the Family (TAF) meeting"),
    ("shropshire", "Early Help Partnership Meeting (EHPM)"),
    ("herefordshire", "Multi-agency meeting (MAG)"),
    ("peterborough", "Team around the Child (TAF) meeting"),
    ("step-down-clinic", "Discussion with the Senior Practitioner"),
])
def test_each_council_names_its_own_meeting(council: str, meeting: str) -> None:
    text = docx_words(body_with(*not_child_protection(council)))
    named = all_councils()[council].meeting.value
    assert f"{meeting} The {named} is planned for Thursday 12 November 2026" in text
    assert f"{meeting} 12 November 2026 Previous social work team" in text
    if council != "manchester":
        assert "Team around the Family (TAF)" not in text


def test_a_confirmed_local_setting_is_the_councils_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once Shropshire confirms its deadline (docs/councils.md), the document cites it and judges by it."""
    shropshire = all_councils()["shropshire"]
    confirmed = Provenance(set_by="formgen", source="Shropshire Council MARF procedure, 2027",
                           confirmed_by="Head of Early Help (fictional)", confirmed_on=dt.date(2027, 1, 15))
    follow_up = dataclasses.replace(shropshire.follow_up, provenance=confirmed)
    monkeypatch.setitem(all_councils(), "shropshire", dataclasses.replace(shropshire, follow_up=follow_up))
    text = docx_words(body_with(*not_child_protection("shropshire"), _set("referral_date", "2026-11-23")))
    assert ("2 working days after the phone referral (Shropshire Council's local setting: Shropshire Council MARF "
            "procedure, 2027, confirmed by Head of Early Help (fictional) on 15 January 2027). LATE: this referral "
            "is dated 23 November 2026, after the deadline.") in text


def test_unconfirmed_levels_draw_no_threshold_verdict() -> None:
    """Shropshire's numbering is formgen's: level 3 is not refused there, as Manchester's level 3 is."""
    text = docx_words(body_with(*not_child_protection("shropshire", level=3)))
    assert ("Level 3 (Targeted Early Help): Needs support or intervention from Targeted Early Help Services") in text
    assert "not yet confirmed by Shropshire Council: formgen's numbering" in text
    assert "formgen does not judge whether this referral meets Shropshire Council's threshold" in text


# ------------------------------------------------------------ 003: the Senior Practitioner completes the MARF


def test_in_the_step_down_clinic_council_the_senior_practitioner_completes_the_marf() -> None:
    body = body_with(*not_child_protection("step-down-clinic"))
    text = docx_words(body)
    assert "This referral goes to MASH Why A referral to children's social care goes to MASH" in text
    assert ("Who completes this referral The Senior Practitioner (the Step Down Clinic council's guidance, Step Up 1 "
            "and 2)") in text
    error = refused(changed(body, _set("referrer.role", "Early Help Family Worker")))
    assert error.rules["referrer.role"] == ["completed-by-the-senior-practitioner"]
    assert "the Senior Practitioner completes the MARF" in error.errors["referrer.role"][0]


def test_other_councils_do_not_require_a_senior_practitioner() -> None:
    body = body_with(_set("referrer.role", "Early Help Family Worker"))
    pipeline.validate(FORM, body)
    assert "Who completes this referral" not in docx_words(body)


def test_the_step_down_clinic_council_sets_no_written_referral_deadline() -> None:
    text = docx_words(body_with(*not_child_protection("step-down-clinic")))
    assert ("No deadline is set: Early Help Step Down Clinic council has not confirmed one (its guidance describes no "
            "phone referral before the MARF). formgen's reading: send the written referral as soon as possible.") in text


# ------------------------------------------------------------------------- timescales from the guidance


def test_a_written_referral_after_manchesters_deadline_is_flagged_late() -> None:
    text = docx_words(body_with(_set("referral_date", "2026-11-12")))
    assert "LATE: this referral is dated 12 November 2026, after the deadline." in text


def test_working_day_deadlines_skip_the_august_bank_holiday() -> None:
    body = body_with(*not_child_protection("shropshire"), _set("referral_date", "2026-09-01"),
                     _set("phone_referral.made_at", "2026-08-28T15:00"), _set("worries_raised_on", "2026-08-24"),
                     _set("taf_meeting_on", "2026-08-27"), _drop("stepped_down_from"))
    assert "By 15:00 on Wednesday 2 September 2026: 2 working days after the phone referral" in docx_words(body)


def test_without_a_phone_referral_no_deadline_is_computed() -> None:
    text = docx_words(body_with(_drop("phone_referral")))
    assert "No phone referral: this written referral is the referral." in text
    assert "Not applicable: no phone referral to follow up." in text


def test_a_late_team_around_the_family_meeting_is_flagged_in_manchester() -> None:
    text = docx_words(body_with(_set("worries_raised_on", "2026-11-02"), _set("phone_referral.made_at",
                                                                               "2026-11-02T10:00"),
                                _set("referral_date", "2026-11-03")))
    assert "LATE: The Team around the Family (TAF) meeting is planned for Thursday 12 November 2026, 8 working days" in text


def test_a_meeting_not_yet_held_is_flagged_when_overdue_in_manchester() -> None:
    text = docx_words(body_with(_drop("taf_meeting_on"), _set("worries_raised_on", "2026-11-02"),
                                _set("phone_referral.made_at", "2026-11-02T10:00")))
    assert ("OVERDUE: No Team around the Family (TAF) meeting is recorded yet. It is due by Monday 9 November 2026"
            in text)
    on_time = docx_words(body_with(_drop("taf_meeting_on")))
    assert "No Team around the Family (TAF) meeting is recorded yet. It is due by Monday 16 November 2026" in on_time
    assert "OVERDUE" not in on_time


def test_council_profile_names_the_case_system_id() -> None:
    assert "Micare ID MC0517734" in docx_words(FORM.example)
    assert "LCS ID MC0517734" in docx_words(body_with(*not_child_protection("peterborough")))


# ---------------------------------------------------------------------------------- nothing blank


def _minimal() -> Body:
    """The example with every optional answer left out."""
    body = body_with(_drop("blank_answers"), _drop("phone_referral"), _drop("family_telephone"), _set("agencies", []),
                     _drop("complicating_factors"), _drop("taf_meeting_on"), _drop("stepped_down_from"))
    body["referrer"].pop("email")
    body["consent"] = {"family_told": True, "consent_given": True, "given_by": "Chiamaka Okafor (mother)"}
    body["children"] = [{"full_name": c["full_name"], **{k: c[k] for k in ("date_of_birth", "expected_delivery_date")
                                                          if k in c}} for c in body["children"]]
    body["household"] = [{"full_name": m["full_name"], "relationship": m["relationship"]} for m in body["household"]]
    return body


@pytest.mark.parametrize(("choice", "phrase"), [(None, "Not known"), ("not-known", "Not known"),
                                                 ("not-applicable", "Not applicable")])
def test_nothing_is_left_blank(choice: str | None, phrase: str) -> None:
    body = _minimal()
    if choice:
        body["blank_answers"] = choice
    data = pipeline.validate(FORM, body)
    context = FORM.build_context(data)
    assert all(s.strip() for s in strings_in({k: v for k, v in context.items() if k != "completed_by"})), \
        "an empty answer in the context"
    document = docx_document(pipeline.render(FORM, body, "docx").content)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                assert cell.text.strip(), f"an empty box in row {[c.text for c in row.cells]}"
    text = docx_words(body)
    assert f"Religion {phrase}" in text
    assert f"Complicating factors {phrase}" in text
    assert f"Amara Okafor (NHS number {phrase})" in text
    assert f"Parental responsibility Chiamaka Okafor Mother {phrase} {phrase}" in text


# ------------------------------------------------------------------------------------------ prefill


def test_what_a_manchester_pro_forma_shares_prefills_the_marf() -> None:
    pro_forma = get_form("manchester-allocations-pro-forma")
    assert pro_forma.shares is not None and FORM.takes is not None
    body = FORM.takes(pro_forma.shares(pro_forma.example))
    assert body["council"] == "manchester"  # from the Micare ID
    assert body["children"][0]["full_name"] == "Zofia Wójcik"
    assert body["children"][0]["case_id"] == "MC0481923"
    assert body["stepped_down_from"] == {"team": "North Area Social Work Team", "social_worker": "Priya Natarajan"}
    assert "referrer" not in body  # the social worker who stepped the family down is not the referrer
    assert [m["full_name"] for m in body["household"]][:2] == ["Katarzyna Wójcik", "Leo Wójcik"]
    assert body["worried_about"] == pro_forma.example["worried_about"]
    assert body["level_of_need"] == 3
    assert "referral_date" not in body


def test_a_marf_prefills_a_new_marf_with_the_same_family_referrer_and_nhs_number() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)
    assert shared["children"][0]["nhs_number"] == "9990001235"  # the consistent child identifier, as 10 digits
    again = FORM.takes(shared)
    assert again["council"] == "manchester"
    assert again["referrer"]["name"] == "Rhiannon Pryce"
    assert [c["full_name"] for c in again["children"]] == [c["full_name"] for c in FORM.example["children"]]
    assert again["children"][0]["case_id"] == "MC0517734"
    assert again["children"][0]["nhs_number"] == "9990001235"
    assert again["children"][0]["sex"] == "female"
    assert [m["full_name"] for m in again["household"]] == [m["full_name"] for m in FORM.example["household"]]


def test_level_4_is_not_printed_as_meeting_the_threshold() -> None:
    """Appendix 1 gives level 4 the pathway "Early Help Hub (or MASH)": no claim that it meets the threshold."""
    for words in both_formats(changed(FORM.example, *not_child_protection("manchester", 4))):
        assert "Early Help Hub (or MASH)" in words
        assert "Meets the threshold" not in words
        assert "formgen does not say whether it meets the threshold" in words
    for words in both_formats(FORM.example):  # level 5 in Manchester: significant harm
        assert "Meets the threshold for a referral to children's social care" in words
