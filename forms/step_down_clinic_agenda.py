"""The Early Help Step Down Clinic: the agenda social workers book their cases into (seed 003, Step Down 1 and 2).

Social workers book a case discussion slot "by adding their details directly to the meeting agenda" (Step
Down 1). The case discussion involves the allocated Social Worker and a Team Manager from Social Work and
Early Help (Step Down 2). The document is the clinic's agenda: when and where, who from Early Help, and each
case booked in (its children, allocated social worker and team manager), with what the discussion decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import long_date, uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, rule
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from forms.step_down_clinic_common import (
    AUTHORITY,
    CLOSING,
    SEED_FILE,
    STEP_1,
    STEP_2_DATE,
    STEP_2_NOTE,
    STEP_2_WHO,
    SYSTEMS,
    TEAM_MANAGER_READING,
    TEAM_MANAGER_READING_TEXT,
    ChildSchema,
    PersonSchema,
    assessment_line,
    case_origin_field,
    children_text,
    cite,
    not_a_step_down,
    parsed_assessment,
    person_text,
    same_person,
    shared_children,
    shared_origin,
    shared_worker,
    social_worker_of,
    taken_children,
    taken_origin,
    taken_person,
    team_manager_is_another_person,
)

FORM_ID = "step-down-clinic-agenda"

EARLY_HELP_ROLES = {
    "team-manager": "Early Help Team Manager",
    "senior-practitioner": "Early Help Senior Practitioner",
    "family-worker": "Early Help Family Worker",
    "operational-manager": "Operational Manager for Early Help",
}

# ---------------------------------------------------------------- rules

NOT_A_STEP_DOWN = not_a_step_down("cases.*.case_origin", "cases.0.case_origin")
TEAM_MANAGER_NOT_SOCIAL_WORKER = team_manager_is_another_person(
    "cases.*.team_manager.name", {"cases.0.team_manager.name": "Rebecca Thornton"})
EARLY_HELP_TEAM_MANAGER = rule(
    "early-help-team-manager-at-the-clinic",
    "Early Help's attendees at the clinic include an Early Help Team Manager: the case discussion involves a Team "
    "Manager from Social Work and Early Help (Step Down 2, read as a Team Manager from each service).",
    [cite("Step Down 2", STEP_2_WHO), TEAM_MANAGER_READING],
    ("early_help",), {"early_help.0.role": "senior-practitioner"},
    error="Add an Early Help Team Manager to Early Help's attendees: the case discussion involves one (Step Down 2).",
)
PLACE_OR_LINK = rule(
    "clinic-place-or-link",
    "The agenda says where the clinic is held: a place, an online meeting link, or both.",
    [cite("Step Down 1", STEP_1),
     formgen_reading("The guidance does not say where the clinic meets; an agenda that says neither leaves the "
                     "social workers who booked unable to join.", "Step Down 1")],
    ("place", "online_link"), {"place": DELETE, "online_link": DELETE},
)
EACH_CASE_ONCE = rule(
    "each-case-booked-once",
    f"Each case is booked once: no child's {SYSTEMS.id_name} appears in two cases.",
    [cite("Step Down 1", STEP_1), cite("Step Down 2", STEP_2_NOTE),
     formgen_reading("A case booked twice would be discussed twice, and its outcome recorded twice on EHM, possibly "
                     "differently.", "Step Down 1 and 2")],
    ("cases.*.children.*.lcs_id",), {"cases.1.children.0.lcs_id": "4471203"},
)
ONE_CASE_PER_SLOT = rule(
    "one-case-per-slot",
    "Each slot holds one case discussion: no two cases are booked at the same time.",
    cite("Step Down 1", STEP_1),
    ("cases.*.slot",), {"cases.1.slot": "10:00"},
)
SLOT_IN_THE_CLINIC = rule(
    "slot-not-before-the-clinic-starts",
    "A case's slot is not before the time the clinic starts.",
    [cite("Step Down 1", STEP_1),
     formgen_reading("A slot before the clinic starts is mistyped: the social worker and the Team Manager would "
                     "come to a discussion that is not held.", "Step Down 1")],
    ("cases.*.slot",), {"cases.0.slot": "08:30"},
)

RULES = (NOT_A_STEP_DOWN, TEAM_MANAGER_NOT_SOCIAL_WORKER, EARLY_HELP_TEAM_MANAGER, PLACE_OR_LINK, EACH_CASE_ONCE,
         ONE_CASE_PER_SLOT, SLOT_IN_THE_CLINIC)

# ---------------------------------------------------------------- fixed words the document prints

BOOKING = Wording(
    "booking",
    "Social workers book a case discussion slot by adding their details directly to this agenda (Step Down 1).",
    cite("Step Down 1", STEP_1),
)
DISCUSSION = Wording(
    "at-each-case-discussion",
    "Each case discussion involves the allocated Social Worker and a Team Manager from Social Work and Early "
    "Help. A date is given to complete assessment, and a case note is added to EHM with the outcome of the "
    "discussion and the rationale for the decision (Step Down 2).",
    cite("Step Down 2", f"{STEP_2_WHO} {STEP_2_DATE} {STEP_2_NOTE}"),
)
BRING = Wording(
    "bring-the-most-recent-assessment",
    "Bring the most recent assessment: if the case is allocated to the Early Help Family Worker Team, a copy goes "
    "with the transfer form (Step Down 3). Asking for it here is formgen's reading, for the council to confirm.",
    formgen_reading("The guidance does not say what a social worker brings to the clinic; the transfer form that "
                    "may follow needs a copy of the most recent assessment (Step Down 3).", "Step Down 1 and 3"),
)
NOT_MASH = Wording("not-mash-referrals", "Referrals to MASH which result in allocation to Early Help are not step-downs "
                   "and are not booked here (closing line).", cite("closing line", CLOSING))
TEAM_MANAGER_WORDING = Wording("team-manager-reading", TEAM_MANAGER_READING_TEXT, TEAM_MANAGER_READING)

WORDING = (BOOKING, DISCUSSION, BRING, NOT_MASH, TEAM_MANAGER_WORDING)

# ---------------------------------------------------------------- schemas


class EarlyHelpAttendeeSchema(f.FormSchema):
    name = f.line("Name")
    role = f.choice("Role", EARLY_HELP_ROLES,
                    hint="The case discussion involves a Team Manager from Early Help (Step Down 2).")


class CaseSchema(f.FormSchema):
    slot = f.time_of_day("Slot", hint="The time booked for this case discussion, 24-hour clock, for example 10:30.")
    case_origin = case_origin_field()
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    social_worker = f.group(PersonSchema, "Allocated social worker",
                            hint="The social worker who books the slot adds their own details (Step Down 1).")
    team_manager = f.group(PersonSchema, "Team Manager from Social Work")
    most_recent_assessment = f.line("Most recent assessment", required=False, max_length=200,
                                    hint="What it is and when it was completed, for example: Child and Family "
                                         "Assessment, completed 13 November 2026.")
    summary = f.text("For discussion", required=False, max_length=1000,
                     hint="Briefly, why the case no longer needs social work involvement.")


class AgendaSchema(f.FormSchema):
    clinic_date = f.date("Date of the clinic")
    start_time = f.time_of_day("Time the clinic starts")
    place = f.line("Place", required=False)
    online_link = f.line("Online meeting link", required=False, max_length=500)
    early_help = f.rows(EarlyHelpAttendeeSchema, "Early Help at the clinic", minimum=1, maximum=8,
                        hint="Including an Early Help Team Manager (Step Down 2).")
    cases = f.rows(CaseSchema, "Cases booked", minimum=1, maximum=20)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        if not data.get("place") and not data.get("online_link"):
            errors.add(PLACE_OR_LINK, "place", "Give the place of the clinic, an online meeting link, or both.")
        roles = {attendee.get("role") for attendee in data.get("early_help") or []}
        if data.get("early_help") and "team-manager" not in roles:
            errors.add(EARLY_HELP_TEAM_MANAGER, "early_help")
        _check_cases(errors, data)
        errors.raise_any()


def _check_cases(errors: RuleErrors, data: Mapping[str, Any]) -> None:
    start = data.get("start_time")
    booked: dict[str, int] = {}
    slots: dict[str, int] = {}
    for index, case in enumerate(data.get("cases") or []):
        at = f"cases.{index}"
        if case.get("case_origin") == "mash-referral":
            errors.add(NOT_A_STEP_DOWN, f"{at}.case_origin")
        if same_person(case.get("team_manager"), case.get("social_worker")):
            errors.add(TEAM_MANAGER_NOT_SOCIAL_WORKER, f"{at}.team_manager.name")
        slot = case.get("slot")
        if slot and start and slot < start:
            errors.add(SLOT_IN_THE_CLINIC, f"{at}.slot", f"Case {index + 1}'s slot ({slot}) is before the clinic "
                                                         f"starts ({start}).")
        if slot in slots:
            errors.add(ONE_CASE_PER_SLOT, f"{at}.slot", f"Case {index + 1} is booked at {slot}, the slot of case "
                                                        f"{slots[slot] + 1}: choose another slot.")
        elif slot:
            slots[slot] = index
        for child_index, child in enumerate(case.get("children") or []):
            number = child.get("lcs_id")
            if number in booked and booked[number] != index:
                errors.add(EACH_CASE_ONCE, f"{at}.children.{child_index}.lcs_id",
                           f"{child.get('full_name')} ({SYSTEMS.id_name} {number}) is already booked in case "
                           f"{booked[number] + 1}: book each case once.")
            elif number:
                booked[number] = index


# ---------------------------------------------------------------- the document


def _case_context(position: int, case: Mapping[str, Any]) -> dict[str, Any]:
    names = [child["full_name"] for child in case["children"]]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    details = [("Most recent assessment", case.get("most_recent_assessment")), ("For discussion", case.get("summary"))]
    return {
        "heading": f"{position + 1}. {case['slot']}: {listed}",
        "children": children_text(case["children"]),
        "social_worker": person_text(case["social_worker"]),
        "team_manager": person_text(case["team_manager"]),
        "details": [{"label": label, "value": value} for label, value in details if value],
    }


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    cases = sorted(enumerate(data["cases"]), key=lambda item: item[1]["slot"])
    where = "\n".join(p for p in (data.get("place"), data.get("online_link")) if p)
    return {
        "title_line": f"{AUTHORITY}. Clinic on {long_date(data['clinic_date'])}.",
        "when": f"{uk_date(data['clinic_date'])}, starting at {data['start_time']}",
        "where": where,
        "early_help": "\n".join(f"{a['name']}, {EARLY_HELP_ROLES[a['role']]}" for a in data["early_help"]),
        "case_count": f"{len(cases)} case{'s' if len(cases) != 1 else ''}",
        "booking": BOOKING.text,
        "discussion": DISCUSSION.text,
        "bring": BRING.text,
        "not_mash": NOT_MASH.text,
        "team_manager_reading": TEAM_MANAGER_WORDING.text,
        "cases": [_case_context(position, case) for position, (_, case) in enumerate(cases)],
    }


# ---------------------------------------------------------------- prefill


def shares(body: Mapping[str, Any]) -> SharedCase:
    """The agenda's first case (an agenda holds many families; only one is shared, so none are mixed)."""
    case = (body.get("cases") or [{}])[0]
    return drop_empty({
        "as_of": iso(body.get("clinic_date")),
        "children": shared_children(case.get("children") or []),
        "worker": shared_worker(case.get("social_worker"), "Social Worker"),
        "team_manager": shared_worker(case.get("team_manager"), "Team Manager, Social Work"),
        "open_to_social_work": shared_origin(case.get("case_origin")),
        "reason": case.get("summary"),  # "why the case no longer needs social work involvement"
        "assessment": parsed_assessment(case.get("most_recent_assessment")),
    })


def case_row(case: SharedCase) -> dict[str, Any]:
    """One case booked in from a shared case: how it comes to Early Help, its children, allocated social worker,
    team manager, most recent assessment and why it no longer needs social work. The slot is the clinic's to
    give: no document knows it."""
    case = with_children_of_family(case)  # a brother or sister listed among the family is one of the children
    return drop_empty({
        "case_origin": taken_origin(case),
        "children": taken_children(case.get("children") or []),
        "social_worker": taken_person(social_worker_of(case.get("worker"))),
        "team_manager": taken_person(case.get("team_manager")),
        "most_recent_assessment": assessment_line(case.get("assessment")),
        "summary": case.get("reason"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    """One case for the agenda (case_row)."""
    row = case_row(case)
    return {"cases": [row]} if row else {}


# ---------------------------------------------------------------- example (fictional people only)

EXAMPLE: dict[str, Any] = {
    "clinic_date": "2026-11-24",
    "start_time": "09:30",
    "place": "Room 2, Northfield Family Hub, 5 Market Street",
    "online_link": "https://meet.example.org/step-down-clinic",
    "early_help": [
        {"name": "Helen Okoro", "role": "team-manager"},
        {"name": "Tomasz Wiśniewski", "role": "senior-practitioner"},
    ],
    "cases": [
        {"slot": "10:00", "case_origin": "open-to-social-work",
         "children": [
             {"full_name": "Aisha Mensah", "nhs_number": "9993010006", "date_of_birth": "2016-03-03", "lcs_id": "4471203"},
             {"full_name": "Kwame Mensah", "nhs_number": "9993020001", "date_of_birth": "2020-07-19", "lcs_id": "4471204"},
         ],
         "social_worker": {"name": "Rebecca Thornton", "team": "Children in Need Team 2", "telephone": "01632 960 418",
                           "email": "rebecca.thornton@example.org"},
         "team_manager": {"name": "Gareth Pryce", "team": "Children in Need Team 2"},
         "most_recent_assessment": "Child and Family Assessment, completed 13 November 2026",
         "summary": "The child in need plan's actions are met: school attendance is back above 95% and Mum is "
                    "managing the children's routines. Mum wants support with Kwame's speech and with money worries."},
        {"slot": "09:30", "case_origin": "open-to-social-work",
         "children": [{"full_name": "Ruby Castellano", "nhs_number": "9993030007", "date_of_birth": "2012-10-08",
                       "lcs_id": "4398120"}],
         "social_worker": {"name": "Imran Qureshi", "team": "Assessment Team 1", "email": "imran.qureshi@example.org"},
         "team_manager": {"name": "Sophie Lindqvist", "team": "Assessment Team 1"},
         "most_recent_assessment": "Child and Family Assessment, completed 6 November 2026"},
    ],
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The clinic", ("clinic_date", "start_time", "place", "online_link")),
    ("Early Help at the clinic", ("early_help",)),
    ("Cases booked", ("cases",)),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Early Help Step Down Clinic agenda",
    authority=AUTHORITY,
    description="The clinic's agenda: each case booked for a step-down case discussion, with its allocated social "
                "worker and team manager (Step Down 1 and 2).",
    source=f"{SEED_FILE}, Step Down Process 1 and 2",
    schema=AgendaSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=lambda data: f"step-down-clinic-agenda-{data['clinic_date'].isoformat()}",
    shares=shares,
    takes=takes,
    row_takes=("cases", case_row),
    rules=RULES,
    wording=WORDING,
)
