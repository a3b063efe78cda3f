"""The MARF (seeds 001, 002, 003): its rules, the routing and timescales it prints, and council profiles."""

from __future__ import annotations

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import drop_path as _drop
from bodies import errors_for as _errors_for
from bodies import set_path as _set
from helpers import docx_document, docx_text, pdf_text, squash, strings_in

from formgen.core.registry import get_form
from formgen.engine import pipeline

FORM = get_form("multi-agency-referral-form")


def body_with(*changes: Change) -> Body:
    return changed(FORM.example, *changes)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)


def docx_words(body: Body) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


LABEL = "Domestic abuse, neglect, parental mental health and substance misuse concerns"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        # Consent: a referral without consent says why it was not sought.
        ((_set("consent.family_told", False), _set("consent.consent_given", False), _drop("consent.given_by")),
         "consent.why_not", "why consent was not sought"),
        ((_set("consent.consent_given", False), _drop("consent.given_by")), "consent.why_not", "put a child at risk"),
        ((_set("consent.family_told", False),), "consent.consent_given", "were not told about"),
        ((_drop("consent.given_by"),), "consent.given_by", "who gave consent"),
        # The case summary and the rationale are required (003, Step Up 2).
        ((_drop("case_summary"),), "case_summary", "latest case summary and the rationale"),
        ((_set("case_summary", "   "),), "case_summary", "(Step Up, 2)"),
        ((_drop("step_up_rationale"),), "step_up_rationale", "(Step Up, 2)"),
        ((_set("step_up_rationale", ""),), "step_up_rationale", "must not be blank"),
        # A child needs a date of birth or an expected date of delivery.
        ((_drop("children.1.expected_delivery_date"),), "children.1.date_of_birth", "expected date of delivery"),
        ((_set("children.0.expected_delivery_date", "2027-01-10"),), "children.0.expected_delivery_date", "not both"),
        ((_set("children.1.expected_delivery_date", "2026-11-01"),), "children.1.expected_delivery_date",
         "has been born"),
        ((_set("children.0.date_of_birth", tomorrow()),), "children.0.date_of_birth", "today or in the past"),
        ((_set("children", []),), "children", "between 1 and 10"),
        # Danger statements name the behaviour and its impact, not a label.
        ((_set("danger_statements.0.behaviour", LABEL),), "danger_statements.0.behaviour", "is a label"),
        ((_set("danger_statements.0.behaviour", "Neglect"),), "danger_statements.0.behaviour", "is a label"),
        ((_set("danger_statements.0.behaviour", "Jordan shouts at Chiamaka."),), "danger_statements.0.behaviour",
         "at least 8 words"),
        ((_set("danger_statements.0.impact", "Significant harm"),), "danger_statements.0.impact", "is a label"),
        ((_set("danger_statements.0.impact", "Amara is scared at home."),), "danger_statements.0.impact",
         "at least 8 words"),
        ((_drop("danger_statements.0.safety_goal"),), "danger_statements.0.safety_goal", "Safety goal is required"),
        ((_drop("danger_statements.0.who_is_worried"),), "danger_statements.0.who_is_worried", "Who is worried"),
        ((_set("danger_statements", []),), "danger_statements", "between 1 and 10"),
        # Levels of need come from the council's profile, and a MARF must meet the social care threshold.
        ((_set("level_of_need", 3),), "level_of_need", "threshold"),
        ((_set("level_of_need", 6),), "level_of_need", "has no level 6"),
        ((_set("council", "shropshire"),), "level_of_need", "Shropshire Council has no level 5"),
        ((_set("council", "leeds"),), "council", "herefordshire, manchester, peterborough, shropshire"),
        # Dates and formats.
        ((_set("phone_referral.made_at", "2026-11-14T09:00"),), "phone_referral.made_at", "cannot be after"),
        ((_set("phone_referral.made_at", "12/11/2026 11:40"),), "phone_referral.made_at", "YYYY-MM-DDTHH:MM"),
        ((_set("phone_referral.made_at", "2026-11-31T11:40"),), "phone_referral.made_at", "real date and time"),
        ((_set("worries_raised_on", "2026-11-16"),), "worries_raised_on", "after the date of this referral"),
        ((_set("taf_meeting_on", "2026-11-06"),), "taf_meeting_on", "(4.3)"),
        ((_set("stepped_down_from.stepped_down_on", "2026-11-14"),), "stepped_down_from.stepped_down_on",
         "after the date of this referral"),
        ((_set("children.0.nhs_number", "999 000 1234"),), "children.0.nhs_number", "check digit"),
        ((_set("blank_answers", "n/a"),), "blank_answers", "not-known, not-applicable"),
        ((_set("referrer.email", "rhiannon-at-example"),), "referrer.email", "email address"),
        ((_set("household.0.date_of_birth", tomorrow()),), "household.0.date_of_birth", "in the past"),
        ((_set("nickname", "Amy"),), "nickname", "Unknown field"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(changes: tuple[Change, ...], field: str, words: str) -> None:
    errors = errors_for(body_with(*changes))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_a_referral_without_consent_that_says_why_is_accepted_and_printed() -> None:
    why = "Telling Jordan could put Chiamaka and Amara at risk of significant harm before a safety plan is in place."
    body = body_with(_set("consent.family_told", False), _set("consent.consent_given", False),
                     _drop("consent.given_by"), _set("consent.why_not", why))
    text = docx_words(body)
    assert f"If not, why not {why}" in text
    assert "Who gave consent Not applicable: no consent was given." in text


def test_the_example_routes_back_to_the_stepping_down_team_in_both_formats() -> None:
    pdf = squash(pdf_text(pipeline.render(FORM, FORM.example, "pdf").content))
    docx = docx_words(FORM.example)
    for text in (pdf, docx):
        assert "This referral goes to North Area Social Work Team" in text
        assert ("The family stepped down from North Area Social Work Team on 14 September 2026, within 3 months of "
                "this referral, so the case steps back up to the team that stepped it down (4.4).") in text
        assert "Child 2 of 2: Unborn baby of Chiamaka Okafor" in text
        assert "Unborn: expected date of delivery 3 February 2027" in text
        assert "Danger statement 1: who is worried" in text


@pytest.mark.parametrize(("stepped_down_on", "back_to_team"), [
    ("2026-08-13", True),    # exactly 3 months before the referral of 13 November
    ("2026-08-12", False),
    ("2026-05-02", False),
])
def test_routing_back_holds_for_three_months_only(stepped_down_on: str, back_to_team: bool) -> None:
    text = docx_words(body_with(_set("stepped_down_from.stepped_down_on", stepped_down_on)))
    if back_to_team:
        assert "This referral goes to North Area Social Work Team" in text
    else:
        assert "This referral goes to Contact Centre / MASH" in text
        assert "more than 3 months before this referral, so it goes to Contact Centre / MASH (4.4)" in text


def test_without_a_step_down_the_referral_goes_to_the_councils_front_door() -> None:
    text = docx_words(body_with(_drop("stepped_down_from"), _set("council", "shropshire"), _set("level_of_need", 4)))
    assert "This referral goes to COMPASS" in text
    assert "Previous social work team Not known Step-down date Not known" in text


@pytest.mark.parametrize(("council", "due"), [
    ("manchester", "By 11:40 on Saturday 14 November 2026: 48 hours after the phone referral in Manchester (Appendix 1)."),
    ("shropshire", "By 11:40 on Monday 16 November 2026: 2 working days after the phone referral in Shropshire."),
    ("herefordshire", "By 11:40 on Friday 13 November 2026: 24 hours after the phone referral in Herefordshire."),
])
def test_the_same_referral_prints_each_councils_follow_up_deadline(council: str, due: str) -> None:
    body = body_with(_set("council", council), _set("level_of_need", 5 if council == "manchester" else 4))
    pdf = squash(pdf_text(pipeline.render(FORM, body, "pdf").content))
    assert due in pdf
    assert due in docx_words(body)


def test_council_profile_names_the_case_system_id() -> None:
    assert "Micare ID MC0517734" in docx_words(FORM.example)
    body = body_with(_set("council", "peterborough"), _set("level_of_need", 4))
    assert "LCS ID MC0517734" in docx_words(body)


def test_a_written_referral_after_the_deadline_is_flagged_late() -> None:
    text = docx_words(body_with(_set("referral_date", "2026-11-16")))
    assert "LATE: this referral is dated 16 November 2026, after the deadline." in text
    assert "On time" in docx_words(FORM.example)


def test_working_day_deadlines_skip_the_august_bank_holiday() -> None:
    body = body_with(_set("council", "shropshire"), _set("level_of_need", 4), _set("referral_date", "2026-09-01"),
                     _set("phone_referral.made_at", "2026-08-28T15:00"), _set("worries_raised_on", "2026-08-24"),
                     _set("taf_meeting_on", "2026-08-27"), _drop("stepped_down_from"))
    assert "By 15:00 on Wednesday 2 September 2026: 2 working days after the phone referral" in docx_words(body)


def test_without_a_phone_referral_no_deadline_is_computed() -> None:
    text = docx_words(body_with(_drop("phone_referral")))
    assert "No phone referral: this written referral is the referral." in text
    assert "Not applicable: no phone referral to follow up." in text


def test_team_around_the_family_meeting_within_five_working_days() -> None:
    text = docx_words(FORM.example)
    assert ("The meeting on Thursday 12 November 2026 was 3 working days after the worries were raised on Monday "
            "9 November 2026, expected within 5 working days of the worries being raised (4.3).") in text
    assert "LATE" not in text


def test_a_late_team_around_the_family_meeting_is_flagged() -> None:
    text = docx_words(body_with(_set("worries_raised_on", "2026-11-02")))
    assert "LATE: The meeting on Thursday 12 November 2026 was 8 working days after the worries were raised" in text


def test_a_team_around_the_family_meeting_not_yet_held_is_flagged_when_overdue() -> None:
    text = docx_words(body_with(_drop("taf_meeting_on"), _set("worries_raised_on", "2026-11-02")))
    assert "OVERDUE: No Team Around the Family meeting yet. It was due by Monday 9 November 2026" in text
    on_time = docx_words(body_with(_drop("taf_meeting_on")))
    assert "No Team Around the Family meeting yet. It was due by Monday 16 November 2026" in on_time
    assert "OVERDUE" not in on_time


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
    assert all(s.strip() for s in strings_in(context)), "an empty answer in the context"
    document = docx_document(pipeline.render(FORM, body, "docx").content)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                assert cell.text.strip(), f"an empty box in row {[c.text for c in row.cells]}"
    text = docx_words(body)
    assert f"Religion {phrase}" in text
    assert f"Complicating factors {phrase}" in text
    assert f"Parental responsibility Chiamaka Okafor Mother {phrase} {phrase}" in text


def test_what_a_manchester_pro_forma_shares_prefills_the_marf() -> None:
    pro_forma = get_form("manchester-allocations-pro-forma")
    assert pro_forma.shares is not None and FORM.takes is not None
    body = FORM.takes(pro_forma.shares(pro_forma.example))
    assert body["council"] == "manchester"  # from the Micare ID
    assert body["children"][0] == {"full_name": "Zofia Wójcik", "date_of_birth": "2017-05-09", "case_id": "MC0481923"}
    assert body["stepped_down_from"] == {"team": "North Area Social Work Team", "social_worker": "Priya Natarajan"}
    assert "referrer" not in body  # the social worker who stepped the family down is not the referrer
    assert [m["full_name"] for m in body["household"]][:2] == ["Katarzyna Wójcik", "Leo Wójcik"]
    assert body["worried_about"] == pro_forma.example["worried_about"]
    assert body["level_of_need"] == 3
    assert "referral_date" not in body


def test_a_marf_prefills_a_new_marf_with_the_same_family_and_referrer() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    again = FORM.takes(FORM.shares(FORM.example))
    assert again["council"] == "manchester"
    assert again["referrer"]["name"] == "Rhiannon Pryce"
    assert [c["full_name"] for c in again["children"]] == [c["full_name"] for c in FORM.example["children"]]
    assert again["children"][0]["case_id"] == "MC0517734"
    assert again["children"][0]["sex"] == "female"
    assert [m["full_name"] for m in again["household"]] == [m["full_name"] for m in FORM.example["household"]]
