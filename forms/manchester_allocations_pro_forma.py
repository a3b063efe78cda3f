"""Manchester: Early Help Allocations Pro Forma (seed 002, Appendix 2; rules from 2.1, 3.8, 3.9, 5.1, 5.5, Appendix 1).

A social worker stepping a family down to an Early Help Hub, or asking for joint work, attaches this
to the Children & Family Referral on Micare in place of its section 5. At most two pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import add_months, add_working_days, age_text, bank_holiday, long_date, next_working_weekday, uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, guidance, rule
from formgen.core.shared import SharedCase, drop_empty, is_cafa, iso
from forms.common import AddressSchema, address_text, contact_text, join_lines, person_row

FORM_ID = "manchester-allocations-pro-forma"


@dataclass(frozen=True)
class LevelOfNeed:
    """One row of Appendix 1 (Child and Whole Family Decision Framework), in its own words."""

    description: str
    pathway: str

    @property
    def called(self) -> str:
        """The level's description without the response after its dash ("– complete an early help assessment"):
        the column is "Level description / response", and the description is what names the level."""
        return self.description.split(" – ", 1)[0].rstrip(".")


LEVELS_OF_NEED: dict[int, LevelOfNeed] = {
    1: LevelOfNeed("Child, Young Person or families whose needs are being met, or whose needs can be met by "
                   "universal services.", "Universal Services"),
    2: LevelOfNeed("Child, Young Person or family with additional needs that can be met by single agency "
                   "providing additional support or by signposting to an additional agency – complete an early "
                   "help assessment (EHA).", "Early Help Hub"),
    3: LevelOfNeed("Child, Young Person, or family who would benefit from a coordinated programme of support from "
                   "more than one agency using the early Help Assessment and team around the child meeting.",
                   "Early Help Hub"),
    4: LevelOfNeed("Child, Young Person or family who requires intensive and coordinated support for complex issues "
                   "via targeted services / Early Help Hubs and where support at Level 3 has not improved outcomes "
                   "– an EHA should have previously been completed.", "Early Help Hub (or MASH)"),
    5: LevelOfNeed("Child or young person at risk of, or suffering significant harm, due to compromised parenting, "
                   "or whose needs require acute services or care away from their home – Referral to MASH 0161 219 "
                   "2843 where practitioners can access specialist advice on safeguarding concerns, you must follow "
                   "up the referral in writing in 48 hours.", "MASH"),
}

HOUSING = {
    "private-rented": "Private rented",
    "home-owner": "Home owner",
    "housing-association": "Housing association",
    "other": "Other",
}

REQUEST_TYPES = {"step-down": "Step-down", "joint-worked": "Joint worked"}
STATUS = {"step-down": "Step Down", "joint-worked": "Joint Social Work"}  # Appendix 2's own words

# 3.8.2: "Allocation Meetings take place every Thursday in each hub".
THURSDAY = 3
# 3.8.1: a level 4 case goes to the next allocations meeting, "this should be within 5 days".
PRESENT_WITHIN_DAYS = 5
# 3.9: a step-down after a "recent" CAFA needs no Early Help Assessment; its next sentence's window.
RECENT_ASSESSMENT_MONTHS = 6

# ---------------------------------------------------------------- rules

LEVEL_1_UNIVERSAL = rule(
    "level-1-universal-services",
    "Level 1 needs are met by universal services (Appendix 1), so this is not a referral to Early Help "
    "allocations. Signpost the family to universal services instead.",
    guidance("002", "Appendix 1", says="Level 1 ... needs can be met by universal services. Referral Pathway: "
                                       "Universal Services"),
    ("level_of_need",), {"level_of_need": 1},
    error="Level 1 needs are met by universal services: signpost the family to them, not to Early Help allocations "
          "(Appendix 1).",
)
LEVEL_5_JOINT_ONLY = rule(
    "level-5-joint-work-only",
    "Level 5 is a referral to MASH (Appendix 1). Early Help can support a level 5 case only as joint work "
    "alongside social work (5.1): choose joint-worked, or refer to MASH.",
    [guidance("002", "Appendix 1", says="Level 5 ... Referral Pathway: MASH"),
     guidance("002", "5.1", says="Early Help may have a role in supporting some children and families with "
                                 "on-going Social Work involvement (this could be Level 5 ...)")],
    ("request_type",), {"level_of_need": 5, "request_type": "step-down"},
    error="Level 5 is a referral to MASH: choose joint-worked, or refer to MASH (Appendix 1, 5.1).",
)
JOINT_WORK_TIMESCALES = rule(
    "joint-work-intervention-timescales",
    "A joint-worked request must give timescales for the evidence-based intervention (5.5).",
    guidance("002", "5.5", says="The pro forma for requesting joint working cases ... includes: ... Timescales "
                                "for the evidence based intervention."),
    ("intervention_timescales",), {"request_type": "joint-worked"},
)
CAFA_OR_PLANNING_DATE = rule(
    "cafa-or-planning-meeting-date",
    "Give the date the Child and Family Assessment (CAFA) was completed, the date of the planning meeting, "
    "or both.",
    guidance("002", "Appendix 2", says="Date CAFA Completed &/or Planning Meeting"),
    ("cafa_completed_on", "planning_meeting_on"), {"cafa_completed_on": DELETE, "planning_meeting_on": DELETE},
)
REFERRER_CONTACT = rule(
    "referrer-contact-details",
    "Give the referrer's contact details, a telephone number or an email address (or both), so the Early Help "
    "Social Worker who screens the referral can reach you.",
    [guidance("002", "Appendix 2", says="Referrer contact details: YOUR NAME AND CONTACT DETAILS"),
     guidance("002", "3.8.1", says="The referral will be screened by the EH Social Worker")],
    ("referrer.telephone", "referrer.email"), {"referrer.telephone": DELETE, "referrer.email": DELETE},
    error="Give the referrer's telephone number or email address, so the Early Help Social Worker screening the "
          "referral can reach you.",
)
FAMILY_AGREES = rule(
    "family-agrees-to-the-plan",
    "Early Help is consent based: the family should understand and be part of the plan before a case is "
    "stepped down or joint worked (2.1, 3.3, 3.8).",
    [guidance("002", "2.1", says="The model of Early Help is consent based and requests for Early Help should "
                                 "always be where possible with the agreement of the family."),
     guidance("002", "3.3", says="The triage process within the Early Help Hubs will be completed with the "
                                 "agreement from the family."),
     guidance("002", "3.8", says="The family should understand and be part of the plan.")],
    ("family_agrees",), {"family_agrees": False},
    error="Send the request only when the family understands, is part of and agrees to the plan: Early Help is "
          "consent based (2.1, 3.8).",
)
_HOUSING_SOURCES = [
    guidance("002", "Appendix 2", says="Housing provider: Private rented, Home Owner, Housing Association."),
    formgen_reading("Appendix 2 lists three housing providers; formgen adds Other, which is then named so the "
                    "hub knows who the landlord is.", "Appendix 2"),
]
HOUSING_OTHER_NAMED = rule(
    "housing-provider-other-named", "Say who the housing provider is when you choose Other.",
    _HOUSING_SOURCES, ("housing_provider_other",), {"housing_provider": "other"},
)
HOUSING_OTHER_ONLY_WITH_OTHER = rule(
    "housing-provider-other-only-with-other", "Only give another housing provider when you choose Other.",
    _HOUSING_SOURCES, ("housing_provider", "housing_provider_other"), {"housing_provider_other": "Manchester Council"},
)
CAFR_NOT_AFTER_COMPLETION = rule(
    "cafr-date-not-after-completion",
    "The CAFR date cannot be after the date this pro forma was completed: the pro forma is section 5 of "
    "that referral.",
    guidance("002", "Appendix 2", says="This form is to be completed in place of section 5 of CAFR"),
    ("cafr_date",), {"cafr_date": "2026-11-17"},
    error="The CAFR date must be on or before the date this pro forma was completed, as it is section 5 of that "
          "referral.",
)
CAFR_NOT_BEFORE_BIRTH = rule(
    "cafr-date-not-before-birth", "The CAFR date cannot be before the child's date of birth.",
    formgen_reading("A referral about a child cannot be dated before the child was born: one of the two dates "
                    "is mistyped."),
    ("cafr_date",), {"cafr_date": "2016-01-01"},
)
FORTHCOMING_NOT_BEFORE_COMPLETION = rule(
    "forthcoming-visits-not-before-completion",
    "A forthcoming meeting or visit cannot be before the date this pro forma was completed.",
    guidance("002", "3.8", says="Dates of forthcoming meeting / visits to family for joint handover."),
    ("forthcoming.*.date",), {"forthcoming.0.date": "2026-11-01"},
)

RULES = (LEVEL_1_UNIVERSAL, LEVEL_5_JOINT_ONLY, JOINT_WORK_TIMESCALES, CAFA_OR_PLANNING_DATE, REFERRER_CONTACT,
         FAMILY_AGREES, HOUSING_OTHER_NAMED, HOUSING_OTHER_ONLY_WITH_OTHER, CAFR_NOT_AFTER_COMPLETION,
         CAFR_NOT_BEFORE_BIRTH, FORTHCOMING_NOT_BEFORE_COMPLETION)

# ---------------------------------------------------------------- fixed words the document prints

INTRO = Wording(
    "in-place-of-cafr-section-5",
    "Completed in place of section 5 of the CAFR (Children & Family Referral) on Micare, whose section 5 says "
    "\u201csee attached pro forma\u201d.",
    guidance("002", "Appendix 2", says="This form is to be completed in place of section 5 of CAFR*. PLEASE ADD "
                                       "TO SECTION 5 of CAFR SEE ATTACHED PROFORMA"),
)
FAMILY_AGREEMENT = Wording(
    "family-agreement",
    "Yes: the family understands and is part of the plan, and agrees to this request (2.1, 3.8).",
    guidance("002", "3.8", says="The family should understand and be part of the plan."),
)
LEVEL_4_ALLOCATIONS = Wording(
    "level-4-allocations-meeting",
    "Screened by the Early Help Social Worker and presented to the next multi-agency allocations meeting, "
    "which should be within 5 days (3.8.1). Next Thursday meeting: {meeting}.",
    guidance("002", "3.8.1", says="presented to the next multi agency allocations meeting were the case is a "
                                  "Level 4 (this should be within 5 days)"),
)
LEVEL_3_ADVICE = Wording(
    "level-3-advice-and-guidance",
    "Level 3: the Early Help Social Worker may give advice and guidance on Early Help services without the "
    "case being presented to allocations or allocated to an Early Help Practitioner (3.8.1). If it is "
    "presented, the next allocations meeting is {meeting}.",
    guidance("002", "3.8.1", says="In the event that the case being stepped down is Level 3 the Early Help Social "
                                  "Worker may provide advice and guidance ..."),
)
JOINT_WORK_SCREENING = Wording(
    "joint-work-screening",
    "Screened by the Early Help Social Worker, with oversight from the Interventions Manager (5.5).",
    guidance("002", "5.5", says="Requests for joint worked Social Work cases will be screened by the Early Help "
                                "Social Worker and have oversight from the Interventions Manager"),
)
NO_MEETING_IN_TIME = Wording(
    "no-allocations-meeting-in-time",
    "{holidays}, so no Thursday meeting falls within 5 working days of completion (by {due}): agree with the hub "
    "how the case will be presented by then.",
    formgen_reading("Meetings are every Thursday (3.8.2) and a level 4 case should be presented within 5 days "
                    "(3.8.1); when bank holidays leave no Thursday meeting in time, the 5 days come first, so "
                    "the case does not wait weeks unnoticed.", "3.8.1 and 3.8.2"),
)
MEETING_READING = Wording(
    "allocations-meeting-date-reading",
    "Date worked out by formgen, not set by Manchester: the guidance says meetings are every Thursday (3.8.2) "
    "and a level 4 case goes to the next one, within 5 days (3.8.1). formgen takes the first Thursday after "
    "the day this pro forma was completed (the referral is screened first) that is not a bank holiday in "
    "England, and counts the 5 days as working days. The hub confirms the date.",
    formgen_reading("3.8.1 does not say whether a meeting on the day of completion can take the case, whether "
                    "its 5 days are working days, or what happens when Thursday is a bank holiday. Counting "
                    "working days is the one reading under which the next weekly meeting is always in time; "
                    "a same-day or bank-holiday date would name a meeting the case cannot reach.",
                    "3.8.1 and 3.8.2"),
)
NO_NEW_EHA = Wording(
    "no-new-eha-after-recent-cafa",
    "CAFA completed within the last six months: no Early Help Assessment; the Early Help Practitioner "
    "progresses with a plan only (3.9; \u201crecently\u201d read by formgen as within six months).",
    guidance("002", "3.9", says="for step down cases that have recently had a Child and Family Assessment an "
                                "Early Help Assessment will not be completed – the Early Help Practitioner will "
                                "progress with a plan only"),
)
AGREE_EHA = Wording(
    "agree-eha-at-handover",
    "No CAFA recorded in the last six months: at the handover Child in Need meeting, agree with the family "
    "whether an Early Help Assessment would be worthwhile (3.9).",
    guidance("002", "3.9", says="If an assessment has not taken place within the last six months at the handover "
                                "Child in Need meeting it should be agreed with the family whether it would be "
                                "worthwhile completing an Early Help Assessment"),
)
LEVEL_WORDING = tuple(
    Wording(f"level-{number}", f"{level.description} Referral pathway: {level.pathway}.",
            guidance("002", "Appendix 1", says=f"Level {number}"))
    for number, level in LEVELS_OF_NEED.items()
)
WORDING = (INTRO, *LEVEL_WORDING, LEVEL_4_ALLOCATIONS, LEVEL_3_ADVICE, JOINT_WORK_SCREENING, NO_MEETING_IN_TIME,
           MEETING_READING, NO_NEW_EHA, AGREE_EHA, FAMILY_AGREEMENT)

# ---------------------------------------------------------------- schema


class ChildSchema(f.FormSchema):
    name = f.line("Subject child's full name")
    nhs_number = f.nhs_number()
    micare_id = f.case_id("Micare ID", "Micare", hint="The child's Micare number, for example MC0481923.")
    date_of_birth = f.date("Subject child's date of birth", past=True)


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the child", max_length=60, hint="For example: mother, brother, stepfather.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a father is absent, the contact arrangements in place.")


class ReferrerSchema(f.FormSchema):
    """The social worker making the request: Appendix 2 asks for "YOUR NAME AND CONTACT DETAILS"."""

    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or agency", required=False)
    telephone = f.required_when(f.line("Telephone", required=False, max_length=40), "when no email is given")
    email = f.required_when(f.email(), "when no telephone number is given")


class VisitSchema(f.FormSchema):
    date = f.date("Date of the meeting or visit")
    kind = f.line("Meeting or visit", max_length=120, hint="For example: joint handover visit, final Child in Need meeting.")
    with_whom = f.line("With whom", max_length=200)


class ProFormaSchema(f.FormSchema):
    date_completed = f.date("Date completed", past=True)
    child = f.group(ChildSchema, "Subject child")
    family_members = f.rows(FamilyMemberSchema, "Family composition", minimum=1, maximum=15,
                            hint="Siblings and parents, with full names; note absent fathers' contact arrangements.")
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    email = f.email("Family email")
    housing_provider = f.choice("Housing provider", HOUSING)
    housing_provider_other = f.required_when(f.line("Other housing provider", required=False),
                                             "when the housing provider is Other")
    cafr_date = f.date("Date referred to Early Help (date of CAFR)", past=True)
    reason_for_referral = f.text("Reason being referred to Allocations", max_length=1500)
    referrer = f.group(ReferrerSchema, "Referrer")
    worried_about = f.text("What are we worried about?", max_length=4000)
    cafa_completed_on = f.required_when(f.date("Date CAFA completed", required=False, past=True),
                                        "when no planning meeting date is given")
    planning_meeting_on = f.required_when(f.date("Date of planning meeting", required=False),
                                          "when no CAFA completion date is given")
    level_of_need = f.integer("Level of need", minimum=1, maximum=5,
                              words={number: level.called for number, level in LEVELS_OF_NEED.items()},
                              words_source=guidance("002", "Appendix 1", says="Level of Need | Level description / "
                                                                             "response | Referral Pathway"),
                              hint="Manchester's Level of Need, 1 to 5 (Appendix 1).")
    previous_eha_completed = f.boolean(
        "An Early Help Assessment has been completed before", required=False,
        hint="Appendix 1 expects one before level 4; a step-down after a recent CAFA needs none (3.9).")
    request_type = f.choice("Step-down or joint worked", REQUEST_TYPES)
    intervention_timescales = f.required_when(
        f.text("Timescales for the evidence-based intervention", required=False, max_length=1000),
        "when the request is joint worked (5.5)")
    family_agrees = f.boolean("The family understands and agrees to the plan",
                              hint="Early Help is consent based (2.1, 3.3, 3.8).")
    working_well = f.text("What's working well / strengths?", max_length=4000)
    needs_to_happen = f.text("What needs to happen? (areas of identified need)", max_length=4000)
    forthcoming = f.rows(VisitSchema, "Forthcoming meetings and visits", minimum=1, maximum=10,
                         hint="Dates of forthcoming meetings or visits to the family for the joint handover (3.8, 5.5).")
    status_notes = f.text("Status of intervention: notes", required=False, max_length=500)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        _route_rules(data, errors)
        _detail_rules(data, errors)
        _date_rules(data, errors)
        errors.raise_any()


def _route_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    level = data.get("level_of_need")
    request = data.get("request_type")
    if level == 1:
        errors.add(LEVEL_1_UNIVERSAL, "level_of_need")
    if level == 5 and request == "step-down":
        errors.add(LEVEL_5_JOINT_ONLY, "request_type")
    if request == "joint-worked" and not data.get("intervention_timescales"):
        errors.add(JOINT_WORK_TIMESCALES, "intervention_timescales")
    if data.get("family_agrees") is False:
        errors.add(FAMILY_AGREES, "family_agrees")


def _detail_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    referrer = data.get("referrer") or {}
    if "referrer" in data and not referrer.get("telephone") and not referrer.get("email"):
        errors.add(REFERRER_CONTACT, "referrer.telephone")
        errors.add(REFERRER_CONTACT, "referrer.email")
    housing = data.get("housing_provider")
    if housing == "other" and not data.get("housing_provider_other"):
        errors.add(HOUSING_OTHER_NAMED, "housing_provider_other")
    if housing not in (None, "other") and data.get("housing_provider_other"):
        errors.add(HOUSING_OTHER_ONLY_WITH_OTHER, "housing_provider_other")


def _date_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    if not data.get("cafa_completed_on") and not data.get("planning_meeting_on"):
        errors.add(CAFA_OR_PLANNING_DATE, "cafa_completed_on")
        errors.add(CAFA_OR_PLANNING_DATE, "planning_meeting_on")
    completed: dt.date | None = data.get("date_completed")
    born = (data.get("child") or {}).get("date_of_birth")
    cafr = data.get("cafr_date")
    if completed and cafr and cafr > completed:
        errors.add(CAFR_NOT_AFTER_COMPLETION, "cafr_date")
    if born and cafr and cafr < born:
        errors.add(CAFR_NOT_BEFORE_BIRTH, "cafr_date")
    for index, visit in enumerate(data.get("forthcoming") or []):
        if completed and visit.get("date") and visit["date"] < completed:
            errors.add(FORTHCOMING_NOT_BEFORE_COMPLETION, f"forthcoming.{index}.date")


# ---------------------------------------------------------------- the allocations meeting (3.8.1, 3.8.2)


@dataclass(frozen=True)
class AllocationsMeeting:
    """The next Thursday allocations meeting after completion, as formgen reads 3.8.1 and 3.8.2."""

    date: dt.date
    due_by: dt.date  # 5 working days after completion (3.8.1, read as working days)
    bank_holidays: tuple[dt.date, ...]  # Thursdays passed over: no meeting on a bank holiday

    @property
    def in_time(self) -> bool:
        return self.date <= self.due_by


def allocations_meeting(completed: dt.date) -> AllocationsMeeting:
    meeting = next_working_weekday(completed, THURSDAY)
    first = completed + dt.timedelta(days=(THURSDAY - completed.weekday() - 1) % 7 + 1)
    passed_over = tuple(first + dt.timedelta(weeks=n) for n in range((meeting - first).days // 7))
    return AllocationsMeeting(meeting, add_working_days(completed, PRESENT_WITHIN_DAYS), passed_over)


def _holidays_text(days: tuple[dt.date, ...]) -> str:
    named = [f"{long_date(day)} ({bank_holiday(day)})" for day in days]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    return f"{listed} {'is a bank holiday' if len(named) == 1 else 'are bank holidays'}"


def _shows_meeting(level: int, request: str) -> bool:
    """Level 4 goes to the allocations meeting; a level 3 step-down may (3.8.1)."""
    return level == 4 or (level == 3 and request == "step-down")


def _meeting_lines(level: int, request: str, completed: dt.date) -> list[str]:
    """What happens next to the request, and when (3.8.1, 3.8.2, 5.5)."""
    lines: list[str] = []
    if _shows_meeting(level, request):
        meeting = allocations_meeting(completed)
        wording = LEVEL_4_ALLOCATIONS if level == 4 else LEVEL_3_ADVICE
        lines.append(wording.text.format(meeting=long_date(meeting.date)))
        if meeting.bank_holidays and level == 4 and not meeting.in_time:
            lines.append(NO_MEETING_IN_TIME.text.format(holidays=_holidays_text(meeting.bank_holidays),
                                                        due=long_date(meeting.due_by)))
        elif meeting.bank_holidays:
            lines.append(f"{_holidays_text(meeting.bank_holidays)}.")
    if request == "joint-worked":
        lines.append(JOINT_WORK_SCREENING.text)
    return lines


def _level_text(level: int, request: str) -> str:
    found = LEVELS_OF_NEED[level]
    return join_lines([
        f"Level {level} (Appendix 1): {found.description}",
        f"Referral pathway: {found.pathway}.",
        f"{REQUEST_TYPES[request]}.",
    ])


def _assessment_text(data: Mapping[str, Any]) -> str:
    """The dates, and what 3.9 says follows from them for a step-down."""
    cafa: dt.date | None = data.get("cafa_completed_on")
    completed: dt.date = data["date_completed"]
    lines = [
        f"CAFA completed {uk_date(cafa)}" if cafa else "",
        f"Planning meeting {uk_date(data['planning_meeting_on'])}" if data.get("planning_meeting_on") else "",
    ]
    if data["request_type"] == "step-down":
        recent = cafa is not None and cafa >= add_months(completed, -RECENT_ASSESSMENT_MONTHS)
        lines.append(NO_NEW_EHA.text if recent else AGREE_EHA.text)
    if data.get("previous_eha_completed") is not None:
        lines.append(f"Early Help Assessment completed before: {'Yes' if data['previous_eha_completed'] else 'No'}.")
    return join_lines(lines)


def _child_text(child: Mapping[str, Any], completed: dt.date) -> str:
    nhs = f", NHS number {f.format_nhs_number(child['nhs_number'])}" if child.get("nhs_number") else ""
    return join_lines([
        f"{child['name']}{nhs}, Micare ID {child['micare_id']}",
        f"Born {uk_date(child['date_of_birth'])} (age {age_text(child['date_of_birth'], completed)})",
    ])


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed: dt.date = data["date_completed"]
    housing = data["housing_provider"]
    request = data["request_type"]
    level = data["level_of_need"]
    contact = join_lines([
        address_text(data["address"]),
        f"Tel {data['telephone']}" if data.get("telephone") else "",
        data.get("email") or "",
    ])
    status = STATUS[request]
    if data.get("status_notes"):
        status = f"{status}\n{data['status_notes']}"
    return {
        "intro": INTRO.text,
        "date_completed": uk_date(completed),
        "child": _child_text(data["child"], completed),
        "family_members": [person_row(m, completed) for m in data["family_members"]],
        "address": contact,
        "housing_provider": data["housing_provider_other"] if housing == "other" else HOUSING[housing],
        "cafr_date": uk_date(data["cafr_date"]),
        "reason_for_referral": data["reason_for_referral"],
        "referrer": contact_text(data["referrer"]),
        "worried_about": data["worried_about"],
        "assessment_dates": _assessment_text(data),
        "level_of_need": _level_text(level, request),
        "next_steps": join_lines(_meeting_lines(level, request, completed)),
        "meeting_reading": MEETING_READING.text if _shows_meeting(level, request) else "",
        "intervention_timescales": data.get("intervention_timescales") or "",
        "family_agreement": FAMILY_AGREEMENT.text,
        "working_well": data["working_well"],
        "needs_to_happen": data["needs_to_happen"],
        "forthcoming": [
            {"date": uk_date(v["date"]), "kind": v["kind"], "with_whom": v["with_whom"]}
            for v in sorted(data["forthcoming"], key=lambda v: v["date"])
        ],
        "status_of_intervention": status,
    }


CAFA = "Child and Family Assessment"


def _shared_visits(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The forthcoming meetings and visits, still to come. Every one is "for joint handover" (3.8, 5.5), so a
    visit among them is a joint handover visit by the social worker and Early Help; a meeting is not a visit."""
    return [{"date": iso(v.get("date")), "kind": v.get("kind"), "with_whom": v.get("with_whom"), "held": False,
             "joint": "visit" in str(v.get("kind") or "").lower()}
            for v in body.get("forthcoming") or []]


def shares(body: Mapping[str, Any]) -> SharedCase:
    child = body.get("child") or {}
    cafa = body.get("cafa_completed_on")
    return drop_empty({
        "as_of": iso(body.get("date_completed")),
        "children": [{"full_name": child.get("name"), "date_of_birth": iso(child.get("date_of_birth")),
                      "nhs_number": child.get("nhs_number"),
                      "case_ids": {"Micare": child.get("micare_id")} if child.get("micare_id") else {}}],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": iso(m.get("date_of_birth")), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "email": body.get("email"),
        "worker": body.get("referrer"),
        "worried_about": body.get("worried_about"),
        "working_well": body.get("working_well"),
        "needs_to_happen": body.get("needs_to_happen"),
        "level_of_need": body.get("level_of_need"),
        "reason": body.get("reason_for_referral"),
        "family_agrees": body.get("family_agrees"),
        "assessment": {"kind": CAFA, "completed_on": iso(cafa)} if cafa else None,
        "visits": _shared_visits(body),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    children = case.get("children") or []
    child = children[0] if children else {}
    members = [dict(m) for m in case.get("family_members") or []]
    # Siblings named as children in the source become family members here: the pro forma is about one child.
    for sibling in children[1:]:
        members.append({"full_name": sibling.get("full_name"), "relationship": "Sibling",
                        "date_of_birth": sibling.get("date_of_birth")})
    assessment = case.get("assessment") or {}
    return drop_empty({
        "child": {"name": child.get("full_name"), "nhs_number": child.get("nhs_number"),
                  "date_of_birth": child.get("date_of_birth"),
                  "micare_id": (child.get("case_ids") or {}).get("Micare")},
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in members
        ],
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        "email": case.get("email"),
        "referrer": case.get("worker"),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "needs_to_happen": case.get("needs_to_happen"),
        "level_of_need": case.get("level_of_need"),
        "reason_for_referral": case.get("reason"),
        "family_agrees": case.get("family_agrees"),
        # Only a CAFA's date is a CAFA date: a s47 enquiry's is not.
        "cafa_completed_on": assessment.get("completed_on") if is_cafa(assessment) else None,
        "forthcoming": [{"date": v.get("date"), "kind": v.get("kind"), "with_whom": v.get("with_whom")}
                        for v in case.get("visits") or [] if v.get("held") is False],
    })


# A level 3 step-down completed on Monday 16 November 2026, the day of the CAFR, two weeks after the CAFA
# (3.8, 3.9); the joint handover visit follows the Thursday 19 November allocations meeting (3.8.2, 3.8.3).
EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-11-16",
    "child": {"name": "Zofia Wójcik", "nhs_number": "9990000018", "micare_id": "MC0481923",
              "date_of_birth": "2017-05-09"},
    "family_members": [
        {"full_name": "Katarzyna Wójcik", "relationship": "Mother", "date_of_birth": "1991-02-14",
         "notes": "Main carer. Works part time at a local bakery."},
        {"full_name": "Leo Wójcik", "relationship": "Brother", "date_of_birth": "2021-08-30", "notes": ""},
        {"full_name": "Daniel Ó Súilleabháin", "relationship": "Father", "date_of_birth": "1988-10-03",
         "notes": "Lives separately in Stockport. Contact every other weekend, arranged by the parents; "
                  "supervision is not needed."},
    ],
    "address": {"line_1": "14 Birchfield Grove", "town": "Manchester", "postcode": "M13 0XY"},
    "telephone": "0161 496 0732",
    "housing_provider": "housing-association",
    "cafr_date": "2026-11-16",
    "reason_for_referral": (
        "The Child and Family Assessment is complete. The worries that led to it have reduced, and the "
        "remaining needs (school attendance, Leo's speech and language, and routines at home) can be met "
        "by a coordinated Early Help plan. Mum asked for support to continue after social work closes."
    ),
    "referrer": {"name": "Priya Natarajan", "role": "Social Worker", "team": "North Area Social Work Team",
                 "telephone": "0161 496 0418", "email": "priya.natarajan@example.org"},
    "worried_about": (
        "- Zofia's school attendance this term is 86%; most absences are Mondays.\n"
        "- Mum has found it hard to keep bedtime and morning routines since Leo started nursery.\n"
        "- Leo (5) has delayed speech and is waiting for a speech and language therapy assessment.\n"
        "- Mum feels isolated since moving to the area and has few people she can call on."
    ),
    "cafa_completed_on": "2026-11-02",
    "planning_meeting_on": "2026-11-12",
    "level_of_need": 3,
    "request_type": "step-down",
    "family_agrees": True,
    "working_well": (
        "- Mum engaged well with the assessment and is honest about what she finds hard.\n"
        "- Zofia is doing well in school when she attends and has a good relationship with her teacher.\n"
        "- Dad keeps to the contact arrangements and supports Zofia getting to school on his weekends.\n"
        "- Maternal aunt (Ewa) visits weekly and helps with the school run on Mondays."
    ),
    "needs_to_happen": (
        "- Family plan agreed at the joint handover visit, reviewed at a Team Around the Family meeting.\n"
        "- Support with morning routines and school attendance, working with the school's attendance lead.\n"
        "- Early Help to follow up Leo's speech and language referral with the health visitor.\n"
        "- Link Mum with the local parents' group and the family hub's stay-and-play sessions."
    ),
    "forthcoming": [
        {"date": "2026-11-26", "kind": "Joint handover visit to the family",
         "with_whom": "Priya Natarajan (Social Worker) and the allocated Early Help practitioner"},
        {"date": "2026-12-10", "kind": "Team Around the Family meeting",
         "with_whom": "Family, school attendance lead, health visitor, Early Help practitioner"},
    ],
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the referral", ("date_completed", "cafr_date", "reason_for_referral")),
    ("Subject child", ("child",)),
    ("Family composition", ("family_members",)),
    ("Address and housing", ("address", "telephone", "email", "housing_provider", "housing_provider_other")),
    ("Referrer", ("referrer",)),
    ("Worries and strengths", ("worried_about", "working_well", "needs_to_happen")),
    ("Assessment and level of need", (
        "cafa_completed_on", "planning_meeting_on", "level_of_need", "previous_eha_completed",
        "request_type", "intervention_timescales", "family_agrees",
    )),
    ("Forthcoming meetings and visits", ("forthcoming",)),
    ("Status of intervention", ("status_notes",)),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Early Help Allocations Pro Forma",
    authority="Manchester City Council",
    description="Step-down or joint-worked request from social work to an Early Help Hub (Appendix 2).",
    source="002_cb5f9c2c56a44ba2.txt, Appendix 2",
    schema=ProFormaSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=2,
    filename=lambda data: f"allocations-pro-forma-{data['child']['micare_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    page_limit_source=guidance("002", "Appendix 2", says="Please keep to maximum of 2 pages in total."),
    wording=WORDING,
)
