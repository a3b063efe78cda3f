"""The Early Help Step Down Clinic: the joint visit of the Social Worker and the Early Help Family Worker
(seed 003, Step Down 4).

"A joint visit should be arranged between the Social Worker and the Early Help Family Worker" (Step Down 4).
The document is the visit as arranged (when, where, with whom, what for) and, once it has been held, what was
agreed with the family.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import long_date, uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, rule
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from forms.common import AddressSchema, address_text, person_row
from forms.step_down_clinic_common import (
    AUTHORITY,
    SEED_FILE,
    STEP_4,
    ChildSchema,
    FamilyMemberSchema,
    PersonSchema,
    children_text,
    cite,
    person_text,
    same_person,
    shared_children,
    shared_worker,
    social_worker_of,
    taken_children,
    taken_person,
)

FORM_ID = "step-down-clinic-joint-visit"

STATUSES = {"arranged": "Arranged", "held": "Held"}

# ---------------------------------------------------------------- rules

TWO_WORKERS = rule(
    "joint-visit-by-both-workers",
    "The joint visit is between the Social Worker and the Early Help Family Worker: two different people.",
    cite("Step Down 4", STEP_4),
    ("early_help_family_worker.name",), {"early_help_family_worker.name": "Rebecca Thornton"},
)
HELD_RECORDS_AGREEMENT = rule(
    "held-visit-records-what-was-agreed",
    "A joint visit recorded as held says what was agreed with the family.",
    [cite("Step Down 4", STEP_4),
     formgen_reading("The guidance asks for the joint visit but not for a record of it; a visit recorded as held "
                     "with nothing agreed leaves the Early Help Family Worker without the handover the visit is for.",
                     "Step Down 4")],
    ("agreed",), {"agreed": DELETE},
)
HELD_NOT_IN_FUTURE = rule(
    "held-visit-not-in-the-future",
    "A joint visit recorded as held is dated today or earlier; a visit still to come is recorded as arranged.",
    [cite("Step Down 4", STEP_4),
     formgen_reading("A held visit dated in the future is mistyped, or not yet held: the family's handover would "
                     "appear done when it is not.", "Step Down 4")],
    ("visit_date",), {"visit_date": "2099-06-01"},
)

RULES = (TWO_WORKERS, HELD_RECORDS_AGREEMENT, HELD_NOT_IN_FUTURE)

# ---------------------------------------------------------------- fixed words the document prints

JOINT_VISIT = Wording(
    "joint-visit",
    "A joint visit between the Social Worker and the Early Help Family Worker (Step Down 4).",
    cite("Step Down 4", STEP_4),
)
NOT_YET_HELD = Wording(
    "not-yet-held",
    "To be recorded after the visit.",
    formgen_reading("An arranged visit has nothing agreed yet; the space is left for it.", "Step Down 4"),
)
WORDING = (JOINT_VISIT, NOT_YET_HELD)

# ---------------------------------------------------------------- schema


class JointVisitSchema(f.FormSchema):
    status = f.choice("The visit is", STATUSES)
    visit_date = f.date("Date of the visit")
    visit_time = f.time_of_day("Time of the visit")
    address = f.group(AddressSchema, "Family's address")
    place = f.line("Where, if not at the family's address", required=False)
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    family_members = f.rows(FamilyMemberSchema, "Family members", minimum=1, maximum=15)
    social_worker = f.group(PersonSchema, "Social worker")
    early_help_family_worker = f.group(PersonSchema, "Early Help Family Worker")
    purpose = f.text("Purpose of the visit", max_length=1500,
                     hint="For example: to introduce the Early Help Family Worker and agree the next steps.")
    agreed = f.required_when(f.text("What was agreed with the family", required=False, max_length=4000),
                             "when the visit has been held")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        if same_person(data.get("social_worker"), data.get("early_help_family_worker")):
            errors.add(TWO_WORKERS, "early_help_family_worker.name")
        if data.get("status") == "held":
            if not data.get("agreed"):
                errors.add(HELD_RECORDS_AGREEMENT, "agreed")
            day = data.get("visit_date")
            if day and day > dt.date.today():
                errors.add(HELD_NOT_IN_FUTURE, "visit_date",
                           f"The visit is recorded as held but dated {uk_date(day)}, after today: record it as "
                           "arranged until it has taken place.")
        errors.raise_any()


# ---------------------------------------------------------------- the document


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    day = data["visit_date"]
    when = f"{long_date(day)} at {data['visit_time']}"
    held = data["status"] == "held"
    return {
        "intro": f"{AUTHORITY}. {JOINT_VISIT.text}",
        "status": f"{'Held on' if held else 'Arranged for'} {when}",
        "where": data.get("place") or "At the family's address",
        "children": children_text(data["children"]),
        "family_members": [person_row(m, day) for m in data["family_members"]],
        "social_worker": person_text(data["social_worker"], "Social Worker"),
        "early_help_family_worker": person_text(data["early_help_family_worker"], "Early Help Family Worker"),
        "purpose": data["purpose"],
        "agreed": data["agreed"] if held and data.get("agreed") else NOT_YET_HELD.text,
        "address": address_text(data["address"]),
    }


# ---------------------------------------------------------------- prefill


VISIT_KIND = "Joint visit by the Social Worker and the Early Help Family Worker"


def shares(body: Mapping[str, Any]) -> SharedCase:
    return drop_empty({
        "as_of": iso(body.get("visit_date")),
        "children": shared_children(body.get("children") or []),
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": iso(m.get("date_of_birth")), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "worker": shared_worker(body.get("social_worker"), "Social Worker"),
        "early_help_worker": shared_worker(body.get("early_help_family_worker"), "Early Help Family Worker"),
        "visits": [{"date": iso(body.get("visit_date")), "time": body.get("visit_time"), "kind": VISIT_KIND,
                    "place": body.get("place"), "joint": True, "held": body.get("status") == "held"}]
        if body.get("visit_date") else [],
    })


def _arranged_joint_visit(case: SharedCase) -> dict[str, Any]:
    """A joint visit of the social worker and Early Help still to come (Manchester's joint handover visit is
    one): this record starts as arranged. A visit already held is that visit's own record."""
    visit = next((v for v in case.get("visits") or [] if v.get("joint") and v.get("held") is False), None)
    if visit is None:
        return {}
    return {"status": "arranged", "visit_date": visit.get("date"), "visit_time": visit.get("time"),
            "place": visit.get("place")}


def takes(case: SharedCase) -> dict[str, Any]:
    case = with_children_of_family(case)  # a brother or sister listed among the family is one of the children
    return drop_empty({
        **_arranged_joint_visit(case),
        "children": taken_children(case.get("children") or []),
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in case.get("family_members") or []
        ],
        "address": case.get("address"),
        "social_worker": taken_person(social_worker_of(case.get("worker"))),
        "early_help_family_worker": taken_person(case.get("early_help_worker")),
    })


# ---------------------------------------------------------------- example (fictional people only)

EXAMPLE: dict[str, Any] = {
    "status": "held",
    "visit_date": "2026-11-27",
    "visit_time": "15:45",
    "address": {"line_1": "27 Larch Avenue", "town": "Northfield", "postcode": "NF4 2QT"},
    "children": [
        {"full_name": "Aisha Mensah", "nhs_number": "9993010006", "date_of_birth": "2016-03-03", "lcs_id": "4471203"},
        {"full_name": "Kwame Mensah", "nhs_number": "9993020001", "date_of_birth": "2020-07-19", "lcs_id": "4471204"},
    ],
    "family_members": [
        {"full_name": "Grace Mensah", "relationship": "Mother", "date_of_birth": "1990-05-27", "notes": "Main carer."},
    ],
    "social_worker": {"name": "Rebecca Thornton", "team": "Children in Need Team 2", "telephone": "01632 960 418",
                      "email": "rebecca.thornton@example.org"},
    "early_help_family_worker": {"name": "Laila Rahman", "team": "Early Help Family Worker Team North",
                                 "telephone": "01632 960 552", "email": "laila.rahman@example.org"},
    "purpose": "To introduce Laila to Grace and the children after school, hand over from social work, and agree "
               "how the Early Help Assessment will be done.",
    "agreed": (
        "- Laila will visit weekly on Thursdays after school; the Early Help Assessment by 22 December 2026.\n"
        "- Laila will ring the school nursing team about Kwame's speech and language referral.\n"
        "- Grace will bring her rent and catalogue letters to the debt advice drop-in on 3 December.\n"
        "- Rebecca closes the social work case once the Early Help Assessment is under way; Grace knows how to "
        "contact Laila, and who to call if things get harder."
    ),
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The visit", ("status", "visit_date", "visit_time", "address", "place")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Workers", ("social_worker", "early_help_family_worker")),
    ("Purpose and agreement", ("purpose", "agreed")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Joint visit: Social Worker and Early Help Family Worker",
    authority=AUTHORITY,
    description="The joint visit of the Social Worker and the Early Help Family Worker after a step-down "
                "(Step Down 4): arranged, then what was agreed.",
    source=f"{SEED_FILE}, Step Down Process 4",
    schema=JointVisitSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=lambda data: f"joint-visit-{data['children'][0]['lcs_id']}-{data['visit_date'].isoformat()}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
