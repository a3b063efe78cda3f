"""Peterborough (seed 004): what its three step-down documents share.

The MASG step-down presentation (section 2), the Child in Need meeting step-down record (section 3) and the
Transfer from LCS to EHM (section 1) name the same children (with their LCS IDs and NHS numbers), family,
address and social worker, cite the same guidance, and prefill one another through the shared vocabulary
(formgen/core/shared.py). Each form declares its own rules: the same words in the guidance ("Referral to
Early Help", not NFA) come from a different passage for each route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from formgen.core import fields as f
from formgen.core.councils import get_council
from formgen.core.dates import age_text, uk_date
from formgen.core.shared import SharedCase, iso, with_children_of_family
from forms.common import NOT_KNOWN, contact_text

PROFILE = get_council("peterborough")
AUTHORITY = PROFILE.name
LCS = PROFILE.case_system.value  # Liquid Logic (LCS), the child's LCS ID; Early Help records on EHM

# Seed 004 numbers its three routes; its passages are cited by section and, inside section 1, by heading.
SECTION_1 = "section 1, Contacts made to Children's Social Care not meeting Threshold for Social Care Services"
SECTION_1_CONTACTS = "section 1, Contacts not meeting Children's Social Care Thresholds"
SECTION_1_REFERRALS = "section 1, Referrals not meeting Children's Social Care Thresholds"
SECTION_1_NOTE = "section 1, Note (consent)"
SECTION_2 = "section 2, Stepping-down Assessment/Family Safeguarding following Child and Family Assessment"
SECTION_2_NOTE = "section 2, Note (consent)"
SECTION_3 = "section 3, Stepping-down from Child in Need Plans"

# The outcome a social worker selects on Liquid Logic. The guidance names these two: "Referral to Early Help"
# for a step-down to Early Help, and NFA, which it forbids on these routes (sections 2 and 3).
OUTCOMES = {"referral-to-early-help": "Referral to Early Help", "nfa": "NFA (No Further Action)"}


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    nhs_number = f.nhs_number()
    lcs_id = f.case_id("LCS ID", LCS.name, hint="The child's Liquid Logic (LCS) number.")
    date_of_birth = f.date("Date of birth", past=True)


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=60,
                          hint="For example: mother, stepfather, maternal grandmother.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a parent lives and the contact arrangements.")


def children_field(label: str = "Children") -> Any:
    return f.rows(ChildSchema, label, minimum=1, maximum=8,
                  hint="The subject child first, then brothers and sisters the step-down is also about.")


def family_field() -> Any:
    return f.rows(FamilyMemberSchema, "Parents, carers and other family members", minimum=1, maximum=15)


# ---------------------------------------------------------------- printing


def child_rows(children: list[Mapping[str, Any]], on: dt.date) -> list[dict[str, str]]:
    """Each child as the children's table prints them: the NHS number beside the name (s.16LC)."""
    return [{
        "name": child["full_name"] + (f", NHS number {f.format_nhs_number(child['nhs_number'])}"
                                      if child.get("nhs_number") else ""),
        "lcs_id": child["lcs_id"],
        "date_of_birth": uk_date(child["date_of_birth"]),
        "age": age_text(child["date_of_birth"], on),
    } for child in children]


def family_rows(members: list[Mapping[str, Any]]) -> list[dict[str, str]]:
    return [{
        "full_name": m["full_name"],
        "relationship": m["relationship"],
        "date_of_birth": uk_date(m["date_of_birth"]) if m.get("date_of_birth") else NOT_KNOWN,
        "notes": m.get("notes") or "",
    } for m in members]


def worker_text(worker: Mapping[str, Any] | None) -> str:
    return contact_text(worker)


def when_text(moment: dt.datetime) -> str:
    """Friday 27 November 2026 at 15:40."""
    return f"{moment:%A} {uk_date(moment.date())} at {moment:%H:%M}"


def yes_no(value: bool | None) -> str:
    return "Yes" if value else "No"


# ---------------------------------------------------------------- sharing (formgen/core/shared.py)


def shared_children(children: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each child in the shared vocabulary (SharedChild), the LCS ID under Liquid Logic's name."""
    return [{"full_name": c.get("full_name"), "date_of_birth": iso(c.get("date_of_birth")),
             "nhs_number": c.get("nhs_number"),
             "case_ids": {LCS.name: c["lcs_id"]} if c.get("lcs_id") else {}} for c in children]


def shared_family(members: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": iso(m.get("date_of_birth")), "notes": m.get("notes")} for m in members]


WORKER_KEYS = ("name", "role", "team", "telephone", "email")  # SharedWorker's keys


def shared_worker(worker: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: (worker or {}).get(key) for key in WORKER_KEYS}


def taken_children(case: SharedCase) -> list[dict[str, Any]]:
    return [{"full_name": c.get("full_name"), "nhs_number": c.get("nhs_number"),
             "lcs_id": (c.get("case_ids") or {}).get(LCS.name), "date_of_birth": c.get("date_of_birth")}
            for c in case.get("children") or []]


def taken_family(case: SharedCase) -> list[dict[str, Any]]:
    return [{"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in case.get("family_members") or []]


def taken_social_worker(case: SharedCase) -> dict[str, Any] | None:
    """The source document's worker, when a social worker wrote it (or it does not say who they are): an
    Early Help practitioner or a referrer from another agency is not the social worker stepping down."""
    worker = case.get("worker") or {}
    role = (worker.get("role") or "").lower()
    if role and "social work" not in role:
        return None
    return {key: worker.get(key) for key in WORKER_KEYS}


def shared_team_manager(name: str | None) -> dict[str, Any] | None:
    """The social worker's Team Manager, whom these forms name in one line."""
    return {"name": name, "role": "Team Manager"} if name else None


def shared_case(body: Mapping[str, Any], worker_field: str, as_of: Any) -> dict[str, Any]:
    """What every Peterborough document shares (its social worker under `worker_field`, its own date `as_of`);
    a form adds its own."""
    return {
        "as_of": str(iso(as_of))[:10] if as_of else None,  # a date and time: its day
        "children": shared_children(body.get("children") or []),
        "family_members": shared_family(body.get("family_members") or []),
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "worker": shared_worker(body.get(worker_field)),
        "worried_about": body.get("worried_about"),
        "working_well": body.get("working_well"),
    }


def taken_case(case: SharedCase, worker_field: str) -> dict[str, Any]:
    """What every Peterborough document takes from a shared case (the social worker into `worker_field`).
    A brother or sister the source lists among the family is one of the children (formgen/core/shared.py)."""
    case = with_children_of_family(case)
    return {
        "children": taken_children(case),
        "family_members": taken_family(case),
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        worker_field: taken_social_worker(case),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
    }
