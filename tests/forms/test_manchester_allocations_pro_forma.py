"""Manchester's rules (seed 002): each has a body that breaks it and the message that says so."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import errors_for as _errors_for
from bodies import many as _many
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_body_text, pdf_text, squash
from web_journey import start, tasks

from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.engine import pipeline
from formgen.service.web.schema_form import describe
from forms.manchester_allocations_pro_forma import allocations_meeting

FORM = get_form("manchester-allocations-pro-forma")


def body_with(change: Change) -> Body:
    return changed(FORM.example, change)


def errors_for(body: Body) -> dict[str, list[str]]:
    return _errors_for(FORM, body)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set("level_of_need", 1), "level_of_need", "universal services"),
        (_many(_set("level_of_need", 5), _set("request_type", "step-down")), "request_type",
         "choose joint-worked, or refer to MASH (Appendix 1, 5.1)"),
        (_set("request_type", "joint-worked"), "intervention_timescales", "(5.5)"),
        (_set("housing_provider", "other"), "housing_provider_other", "Other"),
        (_set("housing_provider_other", "Council"), "housing_provider_other", "Only give"),
        (_many(_set("cafa_completed_on", None), _set("planning_meeting_on", None)), "cafa_completed_on", "or both"),
        (_many(_set("cafa_completed_on", None), _set("planning_meeting_on", None)), "planning_meeting_on", "or both"),
        (_many(_set("referrer.telephone", None), _set("referrer.email", None)), "referrer.telephone",
         "telephone number or email address"),
        (_set("child.nhs_number", "999 000 0019"), "child.nhs_number", "Modulus 11"),
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
        (_set("email", "wojcik-family-at-example"), "email", "email address"),
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


def test_age_is_computed_from_the_date_of_birth_at_the_date_completed() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "9 May 2017 (age 9 years)" in text
    assert "Leo Wójcik Brother 30 August 2021 5 years" in text


def test_joint_worked_prints_the_intervention_timescales() -> None:
    body = body_with(_many(_set("request_type", "joint-worked"),
                           _set("intervention_timescales", "Triple P over ten weeks, starting 7 December.")))
    text = squash(docx_text(pipeline.render(FORM, body, "docx").content))
    assert "Timescales for the evidence-based intervention (5.5) Triple P over ten weeks" in text
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


# ---------------------------------------------------------------- the allocations meeting (3.8.1, 3.8.2)

def _level_four(completed: str) -> Body:
    """A level 4 step-down completed on `completed`, its dates kept in order around it."""
    return body_with(_many(_set("level_of_need", 4), _set("date_completed", completed), _set("cafr_date", completed),
                           _set("cafa_completed_on", "2025-12-01"), _set("planning_meeting_on", None),
                           _set("forthcoming.0.date", "2026-11-30"), _set("forthcoming.1.date", "2026-12-10")))


def _printed(body: Body) -> str:
    return squash(docx_text(pipeline.render(FORM, body, "docx").content))


@pytest.mark.parametrize(
    ("completed", "meeting", "due", "holidays"),
    [
        ("2026-11-16", "2026-11-19", "2026-11-23", ()),  # Monday: that week's Thursday
        ("2026-11-18", "2026-11-19", "2026-11-25", ()),  # Wednesday: the next day
        ("2026-11-19", "2026-11-26", "2026-11-26", ()),  # Thursday: not the same day (screened first)
        ("2026-11-20", "2026-11-26", "2026-11-27", ()),  # Friday: 6 days on, 4 working days
        ("2025-12-19", "2026-01-08", "2025-12-30", ("2025-12-25", "2026-01-01")),  # Christmas, New Year
    ],
)
def test_the_next_allocations_meeting_is_a_thursday_after_completion_that_is_not_a_bank_holiday(
        completed: str, meeting: str, due: str, holidays: tuple[str, ...]) -> None:
    found = allocations_meeting(dt.date.fromisoformat(completed))
    assert found.date == dt.date.fromisoformat(meeting)
    assert found.date.weekday() == 3
    assert found.due_by == dt.date.fromisoformat(due)
    assert found.bank_holidays == tuple(dt.date.fromisoformat(day) for day in holidays)


def test_a_pro_forma_completed_on_a_thursday_names_next_weeks_meeting_not_the_same_day() -> None:
    text = _printed(_level_four("2026-11-19"))
    assert "Next Thursday meeting: Thursday 26 November 2026." in text
    assert "Thursday 19 November 2026" not in text


def test_a_pro_forma_completed_on_a_friday_says_how_its_5_days_are_counted() -> None:
    text = _printed(_level_four("2026-11-20"))
    # Six calendar days on, but within 5 working days: the document says that is formgen's reading.
    assert "Next Thursday meeting: Thursday 26 November 2026." in text
    assert "Date worked out by formgen, not set by Manchester" in text
    assert "counts the 5 days as working days" in text
    assert "no Thursday meeting falls within 5 working days" not in text


def test_no_meeting_is_named_on_christmas_day_and_the_5_days_come_first() -> None:
    text = _printed(_level_four("2025-12-19"))
    assert "Next Thursday meeting: Thursday 25 December 2025" not in text
    assert "Next Thursday meeting: Thursday 8 January 2026." in text
    assert ("Thursday 25 December 2025 (Christmas Day) and Thursday 1 January 2026 (New Year's Day) are bank "
            "holidays, so no Thursday meeting falls within 5 working days of completion (by Tuesday 30 December "
            "2025): agree with the hub how the case will be presented by then.") in text
    assert "(3.8.1)" in text and "(3.8.2)" in text


# ---------------------------------------------------------------- rules as the guidance gives them

def test_a_level_four_step_down_after_a_cafa_needs_no_earlier_eha() -> None:
    # 3.9: after a recent Child and Family Assessment no Early Help Assessment is completed; the case stays
    # at level 4, so it still goes to the allocations meeting (3.8.1).
    body = body_with(_many(_set("level_of_need", 4), _set("previous_eha_completed", False)))
    text = _printed(body)
    assert "no Early Help Assessment; the Early Help Practitioner progresses with a plan only (3.9" in text
    assert "Next Thursday meeting: Thursday 19 November 2026." in text
    assert "consider level 3" not in text


def test_a_step_down_without_a_recent_cafa_agrees_the_eha_at_handover() -> None:
    body = body_with(_many(_set("level_of_need", 4), _set("cafa_completed_on", "2026-03-02")))
    assert ("No CAFA recorded in the last six months: at the handover Child in Need meeting, agree with the family "
            "whether an Early Help Assessment would be worthwhile (3.9).") in _printed(body)


def test_level_four_prints_appendix_1s_own_words_and_pathway() -> None:
    text = _printed(body_with(_set("level_of_need", 4)))
    assert ("Level 4 (Appendix 1): Child, Young Person or family who requires intensive and coordinated support for "
            "complex issues via targeted services / Early Help Hubs and where support at Level 3 has not improved "
            "outcomes – an EHA should have previously been completed. Referral pathway: Early Help Hub (or MASH).") in text
    assert "threshold" not in text.lower()


def test_the_referrer_must_give_contact_details_and_either_way_will_do() -> None:
    body = body_with(_many(_set("referrer.telephone", None), _set("referrer.email", None)))
    with pytest.raises(ValidationFailed) as refused:
        pipeline.validate(FORM, body)
    assert refused.value.rules["referrer.telephone"] == ["referrer-contact-details"]
    assert refused.value.rules["referrer.email"] == ["referrer-contact-details"]
    pipeline.validate(FORM, body_with(_set("referrer.telephone", None)))
    pipeline.validate(FORM, body_with(_set("referrer.email", None)))


def test_the_cafa_or_planning_meeting_rule_names_both_dates() -> None:
    body = body_with(_many(_set("cafa_completed_on", None), _set("planning_meeting_on", None)))
    with pytest.raises(ValidationFailed) as refused:
        pipeline.validate(FORM, body)
    assert refused.value.rules["cafa_completed_on"] == ["cafa-or-planning-meeting-date"]
    assert refused.value.rules["planning_meeting_on"] == ["cafa-or-planning-meeting-date"]


@pytest.mark.parametrize("name", ["cafa_completed_on", "planning_meeting_on", "intervention_timescales",
                                  "housing_provider_other"])
def test_answers_needed_in_some_cases_are_not_called_optional(client: FlaskClient, name: str) -> None:
    described = {found.name: found for found in describe(FORM.schema)}
    assert described[name].required_when
    label = described[name].label
    task = next(task for task in tasks(FORM) if task.owns(name))
    page = html.unescape(client.get(f"{start(client, FORM)}/{task.slug}").text)
    assert label in page  # the page that asks it
    assert f"{label} (optional)" not in page
    assert f"Needed {described[name].required_when}." in page


def test_the_referrers_telephone_and_email_say_when_they_are_needed() -> None:
    referrer = {found.name: found for found in describe(FORM.schema)}["referrer"]
    needed = {found.name: found.required_when for found in referrer.children}
    assert needed["telephone"] == "when no email is given"
    assert needed["email"] == "when no telephone number is given"


# ---------------------------------------------------------------- what the document prints

@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_familys_agreement_is_printed(fmt: str) -> None:
    content = pipeline.render(FORM, FORM.example, fmt).content
    text = squash(docx_text(content) if fmt == "docx" else pdf_text(content))
    assert "Family's agreement Yes: the family understands and is part of the plan, and agrees to this request" in text


APPENDIX_2_ORDER = [
    "Subject Child Name & Micare ID", "Family Composition (DOB and ages)", "Address / Contact Details",
    "Housing provider", "Family referred to Early Help (date of CAFR)", "Reason being referred to Allocations",
    "Referrer contact details", "What are we worried about?", "Date CAFA Completed &/or Planning Meeting",
    "Level of Need / Is this step-down or to be joint worked?", "What's working well / strengths?",
    "What needs to happen? (Areas of identified need)", "Dates of forthcoming meetings / visits to family planned",
    "Status of Intervention",
]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_sections_follow_appendix_2s_order_and_labels_without_headings_of_formgens_own(fmt: str) -> None:
    content = pipeline.render(FORM, FORM.example, fmt).content
    text = squash(docx_text(content) if fmt == "docx" else pdf_body_text(content))
    places = [text.find(label) for label in APPENDIX_2_ORDER]
    assert -1 not in places, [label for label, at in zip(APPENDIX_2_ORDER, places, strict=True) if at == -1]
    assert places == sorted(places)
    for heading in ("Signs of Safety mapping", "Referral Level"):
        assert heading not in text


def test_the_two_page_limit_is_the_guidances_and_the_example_keeps_to_it() -> None:
    limit = next(found for found in FORM.rulebook() if found.id == "page-limit")
    assert "Appendix 2" in limit.sources[0].citation
    assert "maximum of 2 pages" in limit.sources[0].says
    assert (pipeline.render(FORM, FORM.example, "pdf").pages or 0) <= 2


def test_the_nhs_number_prints_beside_the_childs_name_and_is_shared() -> None:
    text = _printed(FORM.example)
    assert "Zofia Wójcik, NHS number 999 000 0018, Micare ID MC0481923" in text
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)
    assert shared["children"][0]["nhs_number"] == "9990000018"
    assert FORM.takes(shared)["child"]["nhs_number"] == "9990000018"
    spaced = body_with(_set("child.nhs_number", "999 000 0018"))
    assert pipeline.validate(FORM, spaced)["child"]["nhs_number"] == "9990000018"


def test_the_example_prints_the_route_and_dates_the_guidance_gives() -> None:
    example = FORM.example
    text = _printed(example)
    # Appendix 1, level 3: the Early Help Hub; a level 3 step-down may not go to allocations (3.8.1).
    assert "Level 3 (Appendix 1): Child, Young Person, or family who would benefit from a coordinated programme" in text
    assert "Referral pathway: Early Help Hub. Step-down." in text
    assert "without the case being presented to allocations" in text
    # Completed Monday 16 November 2026: that week's Thursday meeting (3.8.2).
    assert "the next allocations meeting is Thursday 19 November 2026." in text
    # The CAFR is the referral this pro forma completes (Appendix 2), after the CAFA it steps down from (3.8).
    assert "Family referred to Early Help (date of CAFR) 16 November 2026" in text
    assert example["cafa_completed_on"] <= example["cafr_date"] == example["date_completed"]
    assert "CAFA completed within the last six months: no Early Help Assessment" in text
    # The joint handover follows allocation (3.8.3, Appendix 3 c).
    handover = example["forthcoming"][0]
    assert "handover" in handover["kind"] and handover["date"] > "2026-11-19"
    assert "Status of Intervention Step Down" in text


SEEDS = Path("/work/shared/seeds")


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the councils' guidance (seeds) is not on this machine")
def test_the_levels_of_need_are_offered_in_appendix_1_s_own_words() -> None:
    """Each radio reads "N - " and the level's description from Appendix 1's row N, word for word, without the
    response after its dash ("– complete an early help assessment (EHA)")."""
    seed = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    rows = dict(line.split("\t", 1) for line in seed.split("Appendix 1", 2)[-1].splitlines()
                if line[:1].isdigit() and "\t" in line)
    meta = FORM.schema().fields["level_of_need"].metadata
    assert list(meta["options"]) == ["1", "2", "3", "4", "5"] == sorted(rows)
    for number, words in meta["options"].items():
        prefix, _, description = words.partition(" - ")
        assert prefix == number and description, words
        assert rows[number].startswith(description), (words, rows[number])
        assert " – " not in description
    assert meta["options"]["1"] == ("1 - Child, Young Person or families whose needs are being met, or whose needs "
                                    "can be met by universal services")
    assert meta["options_source"]["citation"].endswith("Appendix 1")
