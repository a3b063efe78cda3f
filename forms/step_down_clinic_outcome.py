"""The Early Help Step Down Clinic: the case-discussion outcome note for EHM (seed 003, Step Down 2).

"A case note should be added to EHM detailing the outcome of the discussion and the rationale for decision
making", and "A date will be given to complete assessment" (Step Down 2). The note records who took part,
the outcome, the rationale, the assessment and the date given to complete it, and what follows from the
outcome: the transfer form, allocation and joint visit (Step Down 3 and 4), or a joint review by the
Operational Managers where the services disagree (disputes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import RuleErrors, Wording, formgen_reading, rule, template_default
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from forms.step_down_clinic_common import (
    AUTHORITY,
    DISPUTES,
    SEED_FILE,
    STEP_2_DATE,
    STEP_2_NOTE,
    STEP_3_ALLOCATE,
    STEP_3_TRANSFER,
    STEP_4,
    SYSTEMS,
    TEAM_MANAGER_READING,
    TEAM_MANAGER_READING_TEXT,
    ChildSchema,
    PersonSchema,
    case_origin_field,
    children_text,
    cite,
    not_a_step_down,
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

FORM_ID = "step-down-clinic-outcome"

FAMILY_WORKER_TEAM = "early-help-family-worker-team"
OTHER_EARLY_HELP = "other-early-help"
STAYS = "stays-with-social-work"
DISPUTE = "dispute"
OUTCOMES = {
    FAMILY_WORKER_TEAM: "Step down: allocated to the Early Help Family Worker Team",
    OTHER_EARLY_HELP: "Step down to other Early Help support (named below)",
    STAYS: "Not stepping down now: the case stays with social work",
    DISPUTE: "No agreement on which service is right: for a joint review by the Operational Managers for Early "
             "Help and MASH",
}

# ---------------------------------------------------------------- rules

NOT_A_STEP_DOWN = not_a_step_down("case_origin", "case_origin")
TEAM_MANAGER_NOT_SOCIAL_WORKER = team_manager_is_another_person(
    "team_manager.name", {"team_manager.name": "Rebecca Thornton"})
ASSESSMENT_DATE_AFTER_DISCUSSION = rule(
    "assessment-date-not-before-the-discussion",
    "The date given to complete assessment is a date given at the case discussion for work still to do: it is not "
    "before the discussion.",
    cite("Step Down 2", STEP_2_DATE),
    ("assessment_due",), {"assessment_due": "2026-11-20"},
)
_OTHER_OUTCOMES = formgen_reading(
    "Step Down 3 says what follows \u201cif the case is allocated to Early Help Family Worker Team\u201d, so a case "
    "discussion can end otherwise; the guidance does not list the other outcomes. formgen offers other Early Help "
    "support (named), the case staying with social work, and a dispute for the Operational Managers.", "Step Down 3")
OTHER_EARLY_HELP_NAMED = rule(
    "other-early-help-support-named",
    "When the outcome is other Early Help support, say which support, so the note on EHM names where the case goes.",
    [_OTHER_OUTCOMES, cite("Step Down 2", STEP_2_NOTE)],
    ("outcome_detail",), {"outcome": OTHER_EARLY_HELP, "outcome_detail": None},
)
FAMILY_WORKER_ONLY_WHEN_ALLOCATED = rule(
    "family-worker-only-when-allocated-to-the-team",
    "An identified Early Help Family Worker is named only when the case is allocated to the Early Help Family "
    "Worker Team.",
    cite("Step Down 3", f"{STEP_3_TRANSFER} {STEP_3_ALLOCATE}"),
    ("early_help_family_worker",), {"outcome": STAYS, "early_help_family_worker": {"name": "Laila Rahman"}},
    error="Remove the Early Help Family Worker, or choose allocation to the Early Help Family Worker Team "
          "(Step Down 3).",
)

RULES = (NOT_A_STEP_DOWN, TEAM_MANAGER_NOT_SOCIAL_WORKER, ASSESSMENT_DATE_AFTER_DISCUSSION, OTHER_EARLY_HELP_NAMED,
         FAMILY_WORKER_ONLY_WHEN_ALLOCATED)

# ---------------------------------------------------------------- fixed words the document prints

CASE_NOTE = Wording(
    "case-note-for-ehm",
    f"The case note for {SYSTEMS.early_help_system}: the outcome of the case discussion and the rationale for the "
    "decision (Step Down 2).",
    cite("Step Down 2", STEP_2_NOTE),
)
NEXT_FAMILY_WORKER_TEAM = Wording(
    "next-family-worker-team",
    "A transfer form is completed, with a copy of the most recent assessment (Step Down 3). The Early Help Senior "
    "Practitioner allocates the case to the identified Early Help Family Worker (Step Down 3). A joint visit is "
    "arranged between the Social Worker and the Early Help Family Worker (Step Down 4).",
    cite("Step Down 3 and 4", f"{STEP_3_TRANSFER} {STEP_3_ALLOCATE} ... {STEP_4}"),
)
NEXT_DISPUTE = Wording(
    "next-dispute",
    "The Operational Managers for Early Help and MASH review the case jointly (disputes).",
    cite("disputes", DISPUTES),
)
NEXT_OTHER = Wording(
    "next-other-outcomes",
    "The guidance sets no further step for this outcome: the rationale above records the decision.",
    _OTHER_OUTCOMES,
)
OUTCOME_WORDING = Wording(
    "outcome-choices",
    "The guidance names allocation to the Early Help Family Worker Team (Step Down 3) and disputes between the "
    "services; the other outcomes this note offers are formgen's, for the council to confirm.",
    template_default("The outcomes formgen offers: " + "; ".join(OUTCOMES.values()) + "."),
)
TEAM_MANAGER_WORDING = Wording("team-manager-reading", TEAM_MANAGER_READING_TEXT, TEAM_MANAGER_READING)
WORDING = (CASE_NOTE, NEXT_FAMILY_WORKER_TEAM, NEXT_DISPUTE, NEXT_OTHER, OUTCOME_WORDING, TEAM_MANAGER_WORDING)

# ---------------------------------------------------------------- schema


class OtherPresentSchema(f.FormSchema):
    name = f.line("Name")
    role = f.line("Role and team")


class OutcomeSchema(f.FormSchema):
    discussion_date = f.date("Date of the case discussion", past=True)
    case_origin = case_origin_field()
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    social_worker = f.group(PersonSchema, "Allocated social worker")
    team_manager = f.group(PersonSchema, "Team Manager from Social Work")
    early_help_team_manager = f.group(PersonSchema, "Team Manager from Early Help",
                                      hint="Step Down 2: \u201ca Team Manager from Social Work and Early Help\u201d.")
    others_present = f.rows(OtherPresentSchema, "Others at the discussion", maximum=6)
    outcome = f.choice("Outcome of the discussion", OUTCOMES)
    outcome_detail = f.required_when(
        f.text("Which Early Help support", required=False, max_length=600),
        "when the outcome is other Early Help support")
    rationale = f.text("Rationale for the decision", max_length=4000,
                       hint="Why this outcome: it goes on EHM with the outcome (Step Down 2).")
    assessment = f.line("Assessment to complete",
                        hint="Which assessment the date below is for, for example: Early Help Assessment.")
    assessment_due = f.date("Date given to complete the assessment")
    early_help_family_worker = f.required_when(
        f.group(PersonSchema, "Identified Early Help Family Worker", required=False),
        "only when the case is allocated to the Early Help Family Worker Team, if already identified")
    recorded_by = f.group(PersonSchema, f"Case note added to {SYSTEMS.early_help_system} by")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        if data.get("case_origin") == "mash-referral":
            errors.add(NOT_A_STEP_DOWN, "case_origin")
        if same_person(data.get("team_manager"), data.get("social_worker")):
            errors.add(TEAM_MANAGER_NOT_SOCIAL_WORKER, "team_manager.name")
        held, due = data.get("discussion_date"), data.get("assessment_due")
        if held and due and due < held:
            errors.add(ASSESSMENT_DATE_AFTER_DISCUSSION, "assessment_due",
                       f"The date to complete the assessment must be on or after the case discussion, "
                       f"{uk_date(held)} (Step Down 2).")
        outcome = data.get("outcome")
        if outcome == OTHER_EARLY_HELP and not data.get("outcome_detail"):
            errors.add(OTHER_EARLY_HELP_NAMED, "outcome_detail")
        if outcome and outcome != FAMILY_WORKER_TEAM and data.get("early_help_family_worker"):
            errors.add(FAMILY_WORKER_ONLY_WHEN_ALLOCATED, "early_help_family_worker")
        errors.raise_any()


# ---------------------------------------------------------------- the document


def _next_steps(data: Mapping[str, Any]) -> str:
    outcome = data["outcome"]
    if outcome == FAMILY_WORKER_TEAM:
        worker = data.get("early_help_family_worker")
        named = f" Identified Early Help Family Worker: {person_text(worker)}." if worker else ""
        return NEXT_FAMILY_WORKER_TEAM.text + named
    if outcome == DISPUTE:
        return NEXT_DISPUTE.text
    return NEXT_OTHER.text


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    outcome = OUTCOMES[data["outcome"]]
    if data.get("outcome_detail"):
        outcome = f"{outcome}\n{data['outcome_detail']}"
    present = [person_text(data["social_worker"], "Allocated Social Worker"),
               person_text(data["team_manager"], "Team Manager, Social Work"),
               person_text(data["early_help_team_manager"], "Team Manager, Early Help"),
               *(f"{p['name']}, {p['role']}" for p in data["others_present"])]
    return {
        "intro": f"{AUTHORITY}. Early Help Step Down Clinic, case discussion on {uk_date(data['discussion_date'])}. "
                 f"{CASE_NOTE.text}",
        "children": children_text(data["children"]),
        "present": "\n".join(present),
        "outcome": outcome,
        "rationale": data["rationale"],
        "assessment": f"{data['assessment']}: to be completed by {uk_date(data['assessment_due'])}",
        "next_steps": _next_steps(data),
        "recorded_by": person_text(data["recorded_by"]),
        "team_manager_reading": TEAM_MANAGER_WORDING.text,
        "outcome_choices": OUTCOME_WORDING.text,
    }


# ---------------------------------------------------------------- prefill


def shares(body: Mapping[str, Any]) -> SharedCase:
    steps_down = body.get("outcome") in (FAMILY_WORKER_TEAM, OTHER_EARLY_HELP)
    return drop_empty({
        "as_of": iso(body.get("discussion_date")),
        "open_to_social_work": shared_origin(body.get("case_origin")),
        # The rationale of a step-down says why the case no longer needs social work; of any other outcome, not.
        "reason": body.get("rationale") if steps_down else None,
        "children": shared_children(body.get("children") or []),
        "worker": shared_worker(body.get("social_worker"), "Social Worker"),
        "team_manager": shared_worker(body.get("team_manager"), "Team Manager, Social Work"),
        "early_help_worker": shared_worker(body.get("early_help_family_worker"), "Early Help Family Worker"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    # The rationale is the discussion's own, for its decision: a reason written before it is not taken.
    case = with_children_of_family(case)  # a brother or sister listed among the family is one of the children
    return drop_empty({
        "case_origin": taken_origin(case),
        "children": taken_children(case.get("children") or []),
        "social_worker": taken_person(social_worker_of(case.get("worker"))),
        "team_manager": taken_person(case.get("team_manager")),
        "early_help_family_worker": taken_person(case.get("early_help_worker")),
    })


# ---------------------------------------------------------------- example (fictional people only)

EXAMPLE: dict[str, Any] = {
    "discussion_date": "2026-11-24",
    "case_origin": "open-to-social-work",
    "children": [
        {"full_name": "Aisha Mensah", "nhs_number": "9993010006", "date_of_birth": "2016-03-03", "lcs_id": "4471203"},
        {"full_name": "Kwame Mensah", "nhs_number": "9993020001", "date_of_birth": "2020-07-19", "lcs_id": "4471204"},
    ],
    "social_worker": {"name": "Rebecca Thornton", "team": "Children in Need Team 2", "telephone": "01632 960 418",
                      "email": "rebecca.thornton@example.org"},
    "team_manager": {"name": "Gareth Pryce", "team": "Children in Need Team 2"},
    "early_help_team_manager": {"name": "Helen Okoro", "team": "Early Help Family Worker Team North"},
    "others_present": [{"name": "Tomasz Wiśniewski", "role": "Early Help Senior Practitioner"}],
    "outcome": FAMILY_WORKER_TEAM,
    "rationale": (
        "The child in need plan's actions have been met over six months: Aisha's attendance is 96% this term, "
        "the home is safe and warm, and Mum is managing the children's routines. The worries that remain (Kwame's "
        "speech, debt, Mum's isolation since moving) do not need social work but do need a coordinated plan. Mum "
        "agrees and asked for an Early Help Family Worker."
    ),
    "assessment": "Early Help Assessment",
    "assessment_due": "2026-12-22",
    "recorded_by": {"name": "Tomasz Wiśniewski", "team": "Early Help Family Worker Team North"},
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The discussion", ("discussion_date", "case_origin")),
    ("Children", ("children",)),
    ("Who was there", ("social_worker", "team_manager", "early_help_team_manager")),
    ("Others at the discussion", ("others_present",)),
    ("Outcome", ("outcome", "outcome_detail", "rationale", "assessment", "assessment_due")),
    ("Early Help", ("early_help_family_worker", "recorded_by")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Step Down Clinic case discussion: outcome note",
    authority=AUTHORITY,
    description="The case note for EHM after a Step Down Clinic case discussion: outcome, rationale and the date "
                "given to complete assessment (Step Down 2).",
    source=f"{SEED_FILE}, Step Down Process 2 (and 3, 4, disputes)",
    schema=OutcomeSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=lambda data: f"step-down-clinic-outcome-{data['children'][0]['lcs_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
