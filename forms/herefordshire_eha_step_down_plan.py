"""Herefordshire: Early Help Assessment step-down plan (seed 000, Step-Down guidance, March 2021).

When a s47 enquiry or a Child and Family Assessment finds remaining needs at 'Intensive' level
(level 3) that Early Help could meet, the social worker obtains written consent, identifies a key
person with the family, completes this plan (sections 1 to 4) and, following a discussion with an
early help co-ordinator, sends it to the Early Help Co-ordinator team. One plan covers one child or a
sibling group; `?split=child` gives one copy per child, each filed on that child's record.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates, validates_schema

from formgen.core import fields as f
from formgen.core.dates import add_working_days, age_text, uk_date, working_days_between
from formgen.core.registry import FormSpec
from formgen.core.shared import SharedCase, drop_empty
from forms.common import (
    AddressSchema,
    ContactSchema,
    address_text,
    contact_text,
    join_lines,
    person_row,
    with_messages,
)

FORM_ID = "herefordshire-eha-step-down-plan"

# The seed has no paragraph numbers: messages cite the guidance by name.
GUIDANCE = "Step-Down guidance, March 2021"
ROLES = "Step-Down guidance, March 2021: roles and responsibilities"

STEP_DOWN_LEVEL = 3
# Step-down completed and the case closed to social care within 10 working days (roles and responsibilities).
CLOSURE_WORKING_DAYS = 10
# "Send it through to the Early Help Co-ordinator team within two weeks" of the decision. We read two
# weeks as 10 working days, not 14 calendar days: the team works weekdays, and a calendar reading can
# fall on a bank holiday (a decision on Friday 18 December 2026 would be due on 1 January 2027).
SEND_WORKING_DAYS = 10

FOLLOWS = {
    "s47-enquiry": "Section 47 enquiry",
    "child-and-family-assessment": "Child and Family Assessment",
}

FAMILY_SUPPORT_WORK = {
    "none": "No social care family support work was open.",
    "completed": "Social care family support work is complete.",
    "outstanding": "Social care family support work is still outstanding.",
}

MAPPING = {
    "worried_about": "What are we worried about? - wellbeing concerns",
    "working_well": "What's working well? - existing strengths",
    "complicating_factors": "Complicating factors",
    "existing_wellbeing": "Existing wellbeing",
}

_CASE_ID = re.compile(r"^[A-Za-z0-9-]{1,20}$")


class ChildSchema(f.FormSchema):
    """A row of the sibling table: id, name, date of birth (age computed), gender, start date."""

    case_id = f.line("Case ID", max_length=20, hint="The child's Mosaic ID, for example 603918.")
    full_name = f.line("Child's full name")
    date_of_birth = f.date("Child's date of birth", past=True)
    gender = f.line("Gender", max_length=40)
    start_date = f.date("Start date", past=True, hint="As on the Mosaic sibling table: when the current involvement started.")

    @validates("case_id")
    def _case_id(self, value: str, **_: Any) -> None:
        if not _CASE_ID.match(value):
            raise ValidationError("Case ID must be letters, digits or hyphens only, like 603918.")

    @validates_schema
    def _dates(self, data: Mapping[str, Any], **_: Any) -> None:
        born, start = data.get("date_of_birth"), data.get("start_date")
        if born and start and start < born:
            raise ValidationError({"start_date": ["The start date cannot be before the child's date of birth."]})


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=60, hint="For example: mother, stepfather, grandmother.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a parent lives and the contact arrangements.")


class ConsentSchema(f.FormSchema):
    written_consent_obtained = f.boolean("Written consent to the step-down has been obtained")
    given_by = with_messages(
        f.line("Consent given by", hint="The parent, carer or young person who gave written consent."),
        required=f"Say who gave written consent to the step-down ({GUIDANCE}).",
    )
    relationship = f.line("Relationship of the person who consented", max_length=60,
                          hint="For example: mother, father, young person.")
    given_on = with_messages(
        f.date("Date written consent was given", past=True),
        required=f"Give the date written consent was given ({GUIDANCE}).",
    )
    plan_agreed = f.boolean("The family has been shown the plan and agrees with the actions")


class CoordinatorSchema(f.FormSchema):
    name = f.line("Early help co-ordinator's name")
    consulted_on = f.date("Date the early help co-ordinator was consulted", past=True)


class AssessmentMappingSchema(f.FormSchema):
    """The Signs of Safety mapping of the family's most recent assessment, to prefill section 3."""

    kind = f.line("Latest assessment: which assessment", required=False, max_length=120,
                  hint="For example: Child and Family Assessment.")
    completed_on = f.date("Latest assessment: date completed", required=False, past=True)
    worried_about = f.text(f"Latest assessment: {MAPPING['worried_about']}", required=False, max_length=4000)
    working_well = f.text(f"Latest assessment: {MAPPING['working_well']}", required=False, max_length=4000)
    complicating_factors = f.text(f"Latest assessment: {MAPPING['complicating_factors']}", required=False, max_length=4000)
    existing_wellbeing = f.text(f"Latest assessment: {MAPPING['existing_wellbeing']}", required=False, max_length=4000)


class WellbeingPlanRowSchema(f.FormSchema):
    what_needs_to_happen = f.text("What needs to happen", max_length=1000)
    by_whom = f.line("By whom")
    outcome = f.text("Outcome", max_length=1000)
    timescale = f.line("Achievable timescale", max_length=120, hint="For example: by the February half term.")


class KeyPersonSchema(ContactSchema):
    family_agreed = f.boolean("The family agreed the key person")
    consulted = f.boolean("The key person has been consulted about their role")


class ActionSchema(f.FormSchema):
    date = f.date("Date of the action", past=True)
    action = f.text("Action taken", max_length=1000)


class StepDownPlanSchema(f.FormSchema):
    date_completed = f.date("Date the plan was completed", past=True)
    children = f.rows(ChildSchema, "Children (one child or a sibling group)", minimum=1, maximum=10)
    subject_child = f.line("Subject child's case ID", required=False, max_length=20,
                           hint="Leave out for one plan covering the sibling group; ?split=child fills it for each copy.")
    family_members = f.rows(FamilyMemberSchema, "Family members", minimum=1, maximum=15,
                            hint="Parents, carers and others in the family who are not children in this step-down.")
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    email = f.line("Family email", required=False, max_length=254)
    social_worker = f.group(ContactSchema, "Social worker completing the plan")
    level_of_need = f.integer("Level of need", minimum=1, maximum=4,
                              hint="Step-down is for remaining needs at 'Intensive' level (level 3).")
    follows = with_messages(
        f.choice("Step-down follows", FOLLOWS),
        required=f"Say whether the step-down follows a s47 enquiry or a Child and Family Assessment ({GUIDANCE}).",
    )
    assessment_completed_on = with_messages(
        f.date("Date the s47 enquiry or Child and Family Assessment was completed", past=True),
        required=f"Give the date of the s47 enquiry or Child and Family Assessment the step-down follows ({GUIDANCE}).",
    )
    decided_on = f.date("Date of the decision to step down", past=True,
                        hint="The timescales (10 working days) are counted from this date.")
    consent = with_messages(
        f.group(ConsentSchema, "Written consent"),
        required=f"Written consent is needed before a step-down: give who consented and when ({GUIDANCE}).",
    )
    family_support_work = f.choice("Social care family support work", FAMILY_SUPPORT_WORK,
                                   hint="Any outstanding work should be completed before transfer.")
    early_help_coordinator = with_messages(
        f.group(CoordinatorSchema, "Early help co-ordinator consulted"),
        required="Name the early help co-ordinator you discussed the step-down with, and when: the plan is sent "
                 f"following that discussion ({GUIDANCE}).",
    )
    presenting_needs = f.text("Summary of presenting needs", max_length=4000)
    worried_about = f.text(MAPPING["worried_about"], required=False, max_length=4000)
    working_well = f.text(MAPPING["working_well"], required=False, max_length=4000)
    complicating_factors = f.text(MAPPING["complicating_factors"], required=False, max_length=4000)
    existing_wellbeing = f.text(MAPPING["existing_wellbeing"], required=False, max_length=4000)
    latest_assessment = f.group(AssessmentMappingSchema, "Latest assessment's mapping", required=False,
                                hint="Fills any mapping area this request leaves out; what the request gives wins.")
    wellbeing_plan = f.rows(WellbeingPlanRowSchema, "Wellbeing plan", minimum=1, maximum=20,
                            hint="Completed with the family: the work required, by whom, outcome and timescale.")
    key_person = with_messages(
        f.group(KeyPersonSchema, "Key person"),
        required=f"Name the key person who will lead on this step-down, agreed with the family ({GUIDANCE}).",
    )
    actions_taken = f.rows(ActionSchema, "Actions taken", minimum=1, maximum=20)
    sent_on = f.date("Date the plan was sent to the Early Help Co-ordinator team", required=False, past=True)
    case_closed_on = f.date("Date the case was closed to social care", required=False, past=True)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        level = data.get("level_of_need")
        if level is not None and level < STEP_DOWN_LEVEL:
            errors["level_of_need"] = [
                f"A step-down plan is for remaining needs at 'Intensive' level (level 3) that Early Help could "
                f"meet ({GUIDANCE}). Level {level} needs do not need this plan."
            ]
        elif level is not None and level > STEP_DOWN_LEVEL:
            errors["level_of_need"] = [
                f"Needs at level {level} stay with social care: step down to Early Help only when the remaining "
                f"needs are at 'Intensive' level (level 3) ({GUIDANCE})."
            ]
        consent = data.get("consent") or {}
        if consent.get("written_consent_obtained") is False:
            errors["consent.written_consent_obtained"] = [
                "Obtain the family's written consent before stepping down: Early Help goes ahead only if the "
                f"parent or young person agrees ({GUIDANCE})."
            ]
        if consent.get("plan_agreed") is False:
            errors["consent.plan_agreed"] = [
                "Show the family the step-down plan and agree the actions with them before the case is closed "
                f"to social care ({ROLES})."
            ]
        key_person = data.get("key_person") or {}
        if key_person.get("family_agreed") is False:
            errors["key_person.family_agreed"] = [
                f"The key person must be agreed with the family; agree one with them before sending the plan ({GUIDANCE})."
            ]
        if key_person.get("consulted") is False:
            errors["key_person.consulted"] = [
                f"Consult the nominated key person about their role in the step-down plan before sending it ({ROLES})."
            ]
        if data.get("family_support_work") == "outstanding":
            errors["family_support_work"] = [
                "Any outstanding work by social care family support should be completed before transfer: "
                f"complete it, then send the plan ({GUIDANCE})."
            ]
        latest = data.get("latest_assessment") or {}
        for key, label in MAPPING.items():
            if not data.get(key) and not latest.get(key):
                errors[key] = [
                    f"Give '{label}', or send the family's most recent assessment mapping in latest_assessment "
                    f"to fill it (section 3, {GUIDANCE})."
                ]
        errors.update(_date_errors(data))
        errors.update(_children_errors(data))
        if errors:
            raise ValidationError(_nest(errors))


def _date_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    completed = data.get("date_completed")
    assessed = data.get("assessment_completed_on")
    decided = data.get("decided_on")
    sent = data.get("sent_on")
    closed = data.get("case_closed_on")
    consented = (data.get("consent") or {}).get("given_on")
    consulted = (data.get("early_help_coordinator") or {}).get("consulted_on")
    if assessed and decided and assessed > decided:
        errors["assessment_completed_on"] = [
            "The decision to step down follows the s47 enquiry or Child and Family Assessment: its date cannot "
            "be after the date of the decision."
        ]
    if decided and completed and completed < decided:
        errors["date_completed"] = ["The plan cannot be completed before the decision to step down."]
    if sent and completed and sent < completed:
        errors["sent_on"] = ["The plan cannot be sent before the date it was completed."]
    if closed and decided and closed < decided:
        errors["case_closed_on"] = ["The case cannot be closed to social care before the decision to step down."]
    if consented and closed and consented > closed:
        errors["consent.given_on"] = [f"Consent must be obtained before the case is closed to social care ({ROLES})."]
    if consulted and sent and consulted > sent:
        errors["early_help_coordinator.consulted_on"] = [
            "The plan is sent following a discussion with an early help co-ordinator: the discussion cannot be "
            f"after the date the plan was sent ({GUIDANCE})."
        ]
    return errors


def _children_errors(data: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, child in enumerate(data.get("children") or []):
        case_id = child.get("case_id")
        if case_id in seen:
            errors[f"children.{index}.case_id"] = ["Each child appears once: this case ID is already in the list."]
        if case_id:
            seen.add(case_id)
    subject = data.get("subject_child")
    if subject and subject not in seen:
        errors["subject_child"] = [
            "The subject child must be one of the children in this step-down: give one of their case IDs "
            f"({', '.join(sorted(seen))})."
        ]
    return errors


def _nest(flat: Mapping[str, list[str]]) -> dict[str, Any]:
    """{'consent.given_on': [...]} -> {'consent': {'given_on': [...]}}, so errors sit on their fields."""
    nested: dict[Any, Any] = {}
    for path, messages in flat.items():
        target = nested
        *parents, last = path.split(".")
        for part in parents:
            key: Any = int(part) if part.isdigit() else part
            target = target.setdefault(key, {})
        target[int(last) if last.isdigit() else last] = messages
    return nested


# What the document prints ---------------------------------------------------------------------


def mapping(data: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The four mapping areas, the request's own answer winning over the latest assessment's; and
    the labels of the areas that came from the latest assessment."""
    latest = data.get("latest_assessment") or {}
    areas: dict[str, str] = {}
    taken: list[str] = []
    for key, label in MAPPING.items():
        if data.get(key):
            areas[key] = data[key]
        else:
            areas[key] = latest.get(key) or ""
            taken.append(label)
    return areas, taken


def _weekday_date(day: dt.date) -> str:
    return f"{day:%A} {uk_date(day)}"


def timescale(decided: dt.date, working_days: int, done: dt.date | None, what_done: str, not_yet: str,
              rule: str) -> str:
    """The due date counted from the decision and, where the request gives the date it was done,
    whether it was on time or how late: lateness is shown, never refused."""
    due = add_working_days(decided, working_days)
    lines = [f"Due by {_weekday_date(due)}: {rule}"]
    if done is None:
        lines.append(not_yet)
    elif done <= due:
        lines.append(f"{what_done} {uk_date(done)}: on time.")
    else:
        late = working_days_between(due, done)
        lines.append(f"{what_done} {uk_date(done)}.")
        lines.append(f"Late by {late} working day{'s' if late != 1 else ''}.")
    return "\n".join(lines)


def _ordered_children(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    children = list(data["children"])
    subject = data.get("subject_child")
    if subject:
        children.sort(key=lambda c: c["case_id"] != subject)
    return children


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed: dt.date = data["date_completed"]
    decided: dt.date = data["decided_on"]
    subject_id = data.get("subject_child")
    children = _ordered_children(data)
    count = len(children)
    subject = next((c for c in children if c["case_id"] == subject_id), None)
    if subject is not None:
        siblings = [c["full_name"] for c in children if c is not subject]
        scope = (f"This copy is for {subject['full_name']}'s record. The plan covers "
                 + (f"the sibling group of {count} children." if count > 1 else "one child."))
        sibling_text = ", ".join(siblings) if siblings else "None in this step-down"
    elif count > 1:
        scope = f"A sibling group of {count} children: one plan for all of them."
        sibling_text = ""
    else:
        scope = "One child."
        sibling_text = ""

    def role(child: Mapping[str, Any]) -> str:
        if subject is None:
            return "Sibling group" if count > 1 else "Child"
        return "Subject child" if child is subject else "Sibling"

    consent = data["consent"]
    coordinator = data["early_help_coordinator"]
    key_person = data["key_person"]
    areas, taken = mapping(data)
    latest = data.get("latest_assessment") or {}
    source = ""
    if taken:
        name = latest.get("kind") or "the most recent assessment"
        when = f", completed {uk_date(latest['completed_on'])}" if latest.get("completed_on") else ""
        source = f"From {name}{when}: {'; '.join(taken)}."
    follows = data["follows"]
    return {
        "date_completed": uk_date(completed),
        "scope": scope,
        "subject": f"{subject['full_name']} (case ID {subject['case_id']})" if subject is not None else "",
        "siblings": sibling_text,
        "children": [
            {"case_id": c["case_id"], "full_name": c["full_name"],
             "date_of_birth": f"{uk_date(c['date_of_birth'])} ({age_text(c['date_of_birth'], completed)})",
             "gender": c["gender"], "start_date": uk_date(c["start_date"]), "role": role(c)}
            for c in children
        ],
        "family_members": [person_row(m, completed) for m in data["family_members"]],
        "address": join_lines([
            address_text(data["address"]),
            f"Tel {data['telephone']}" if data.get("telephone") else "",
            data.get("email") or "",
        ]),
        "social_worker": contact_text(data["social_worker"]),
        "level_of_need": f"Level {data['level_of_need']}: 'Intensive'. Remaining needs that Early Help could meet.",
        "follows": f"{FOLLOWS[follows]}, completed {uk_date(data['assessment_completed_on'])}",
        "decided_on": uk_date(decided),
        "consent": join_lines([
            f"Written consent given by {consent['given_by']} ({consent['relationship']}) on {uk_date(consent['given_on'])}.",
            "The family has been shown this plan and agrees with the actions.",
        ]),
        "coordinator": f"{coordinator['name']}, consulted on {uk_date(coordinator['consulted_on'])}",
        "family_support_work": FAMILY_SUPPORT_WORK[data["family_support_work"]],
        "send_timescale": timescale(
            decided, SEND_WORKING_DAYS, data.get("sent_on"), "Sent", "Not yet sent.",
            "within two weeks of the decision, read as 10 working days (weekends and bank holidays in England "
            "not counted).",
        ),
        "closure_timescale": timescale(
            decided, CLOSURE_WORKING_DAYS, data.get("case_closed_on"), "Closed", "Not yet closed.",
            "within 10 working days of the decision (weekends and bank holidays in England not counted).",
        ),
        "presenting_needs": data["presenting_needs"],
        **areas,
        "mapping_source": source,
        "wellbeing_plan": [
            {"what": f"{row['what_needs_to_happen']}\nBy: {row['by_whom']}", "outcome": row["outcome"],
             "timescale": row["timescale"]}
            for row in data["wellbeing_plan"]
        ],
        "key_person": contact_text(key_person),
        "key_person_agreement": "Agreed with the family. The key person has been consulted about their role.",
        "actions_taken": [
            {"date": uk_date(a["date"]), "action": a["action"]}
            for a in sorted(data["actions_taken"], key=lambda a: a["date"])
        ],
    }


# Splitting and prefill -----------------------------------------------------------------------


def filename(data: Mapping[str, Any]) -> str:
    subject = data.get("subject_child")
    if subject:
        return f"eha-step-down-plan-{subject}"
    children = data["children"]
    suffix = "-group" if len(children) > 1 else ""
    return f"eha-step-down-plan-{children[0]['case_id']}{suffix}"


def split_by_child(body: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """One body per child of a (valid) body, each naming that child as the subject."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for child in body["children"]:
        case_id = str(child["case_id"]).strip()
        out.append((f"eha-step-down-plan-{case_id}", {**body, "subject_child": case_id}))
    return out


def shares(body: Mapping[str, Any]) -> SharedCase:
    children = list(body.get("children") or [])
    subject = body.get("subject_child")
    if subject:
        children.sort(key=lambda c: c.get("case_id") != subject)
    latest = body.get("latest_assessment") or {}
    plan = body.get("wellbeing_plan") or []
    return drop_empty({
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"), "gender": c.get("gender"),
             "case_ids": {"Mosaic": c.get("case_id")} if c.get("case_id") else {}}
            for c in children
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "email": body.get("email"),
        "worker": body.get("social_worker"),
        "worried_about": body.get("worried_about") or latest.get("worried_about"),
        "working_well": body.get("working_well") or latest.get("working_well"),
        "complicating_factors": body.get("complicating_factors") or latest.get("complicating_factors"),
        "needs_to_happen": "\n".join(
            f"- {row.get('what_needs_to_happen')} (by {row.get('by_whom')})" for row in plan
            if row.get("what_needs_to_happen")
        ),
        # level_of_need is not shared: Herefordshire's levels (1-4) are not Manchester's (1-5).
    })


def takes(case: SharedCase) -> dict[str, Any]:
    return drop_empty({
        "children": [
            {"case_id": (c.get("case_ids") or {}).get("Mosaic"), "full_name": c.get("full_name"),
             "date_of_birth": c.get("date_of_birth"), "gender": c.get("gender")}
            for c in case.get("children") or []
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in case.get("family_members") or []
        ],
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        "email": case.get("email"),
        "social_worker": case.get("worker"),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "complicating_factors": case.get("complicating_factors"),
        "wellbeing_plan": [{"what_needs_to_happen": case["needs_to_happen"]}] if case.get("needs_to_happen") else [],
    })


EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-11-13",
    "children": [
        {"case_id": "712406", "full_name": "Ellie-Mae Bevan", "date_of_birth": "2015-03-21", "gender": "Female",
         "start_date": "2026-09-14"},
        {"case_id": "712407", "full_name": "Tyler Bevan", "date_of_birth": "2019-11-02", "gender": "Male",
         "start_date": "2026-09-14"},
        {"case_id": "712408", "full_name": "Rosie Bevan", "date_of_birth": "2026-01-30", "gender": "Female",
         "start_date": "2026-09-14"},
    ],
    "family_members": [
        {"full_name": "Kayleigh Bevan", "relationship": "Mother", "date_of_birth": "1994-07-09",
         "notes": "Main carer for all three children."},
        {"full_name": "Jordan Pugh", "relationship": "Father of Tyler and Rosie", "date_of_birth": "1991-04-17",
         "notes": "Lives in Leominster. Sees the children every Saturday; no supervision needed."},
    ],
    "address": {"line_1": "12 Kestrel Close", "town": "Hereford", "postcode": "HR2 7ZQ"},
    "telephone": "01432 496 118",
    "social_worker": {"name": "Gareth Lloyd-Hughes", "role": "Social Worker", "team": "Hereford Assessment Team",
                      "telephone": "01432 496 402", "email": "gareth.lloyd-hughes@example.org"},
    "level_of_need": 3,
    "follows": "child-and-family-assessment",
    "assessment_completed_on": "2026-11-03",
    "decided_on": "2026-11-05",
    "consent": {"written_consent_obtained": True, "given_by": "Kayleigh Bevan", "relationship": "Mother",
                "given_on": "2026-11-09", "plan_agreed": True},
    "family_support_work": "completed",
    "early_help_coordinator": {"name": "Anjali Mistry", "consulted_on": "2026-11-10"},
    "presenting_needs": (
        "The Child and Family Assessment found no ongoing safeguarding concerns. Remaining needs are at "
        "'Intensive' level: Ellie-Mae's school attendance (88% this term), Tyler's behaviour at school and "
        "at home since Rosie was born, and Mum's low mood and isolation. Mum asked for help to continue."
    ),
    "worried_about": (
        "- Ellie-Mae is often late or absent on days when Mum is unwell; she is falling behind in maths.\n"
        "- Tyler has had two half-day exclusions for hitting other children this term.\n"
        "- Mum says she feels low and alone, and the family has rent arrears of about £600."
    ),
    "latest_assessment": {
        "kind": "Child and Family Assessment",
        "completed_on": "2026-11-03",
        "worried_about": "- Ellie-Mae's attendance and lateness.\n- Tyler's behaviour at school.",
        "working_well": (
            "- Mum is warm with the children and asks for help when she needs it.\n"
            "- Dad keeps to contact every Saturday and takes Tyler to football.\n"
            "- Maternal grandmother lives nearby and helps with the school run twice a week."
        ),
        "complicating_factors": (
            "- Mum's low mood since Rosie's birth; she is on the GP's waiting list for talking therapy.\n"
            "- Rent arrears and a recent change of benefits."
        ),
        "existing_wellbeing": (
            "- Rosie is meeting her milestones and attends baby clinic.\n"
            "- The children are well cared for and the home is warm and clean."
        ),
    },
    "wellbeing_plan": [
        {"what_needs_to_happen": "Attendance plan with Ellie-Mae's school, with a morning routine agreed with Mum.",
         "by_whom": "Key person with St Martin's Primary attendance lead", "outcome": "Attendance above 95%.",
         "timescale": "By the February half term"},
        {"what_needs_to_happen": "Support for Tyler's behaviour at school and at home (Triple P for Mum).",
         "by_whom": "Early Help family support worker and school SENCo", "outcome": "No further exclusions.",
         "timescale": "12 weeks from the first meeting"},
        {"what_needs_to_happen": "Help with the rent arrears and benefits; referral to talking therapy followed up.",
         "by_whom": "Key person, Citizens Advice and the GP", "outcome": "A repayment plan; Mum seen by the service.",
         "timescale": "Within 6 weeks"},
    ],
    "key_person": {"name": "Rhiannon Davies", "role": "Family Liaison Officer", "team": "St Martin's Primary School",
                   "telephone": "01432 496 733", "email": "rhiannon.davies@example.org",
                   "family_agreed": True, "consulted": True},
    "actions_taken": [
        {"date": "2026-11-05", "action": "Step-down discussed with Mum, who agreed to Early Help support."},
        {"date": "2026-11-09", "action": "Written consent obtained from Mum; key person agreed with the family."},
        {"date": "2026-11-10", "action": "Plan discussed with the early help co-ordinator at the Tuesday drop-in."},
        {"date": "2026-11-12", "action": "Key person consulted about their role and agreed to lead."},
    ],
    "sent_on": "2026-11-13",
    "case_closed_on": "2026-11-18",
}

FORM = FormSpec(
    id=FORM_ID,
    title="Early Help Assessment Step-Down Plan",
    authority="Herefordshire Council",
    description="Step-down from children's social care to Early Help at level 3, for one child or a sibling group.",
    source="000_d813ace460bad8eb.txt",
    schema=StepDownPlanSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=filename,
    split_by_child=split_by_child,
    shares=shares,
    takes=takes,
)
