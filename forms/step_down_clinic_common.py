"""What the Early Help Step Down Clinic's four documents share (seed 003): its words, the child, the workers,
the rule that a referral to MASH allocated to Early Help is not a step-down, and prefill helpers.

Seed 003 has no paragraph numbers: its passages are cited by their place, "Step Down 1" to "Step Down 4" (the
numbered steps of its Step Down Process), "disputes" (the paragraph after the steps) and "closing line".
The council's profile (councils/step-down-clinic.toml) gives its name and its case systems: LCS, and EHM for
Early Help records.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from formgen.core import fields as f
from formgen.core.councils import get_council
from formgen.core.dates import uk_date
from formgen.core.rules import Rule, Source, formgen_reading, guidance, rule
from formgen.core.shared import SharedAssessment, SharedCase, SharedChild, SharedWorker, drop_empty, iso
from forms.common import NOT_KNOWN

COUNCIL = get_council("step-down-clinic")
AUTHORITY = COUNCIL.name
SYSTEMS = COUNCIL.case_system.value  # LCS (the child's LCS ID) and EHM, from the guidance (Step Down 2; Step Up 3)
SEED_FILE = "003_d21c09425c3703d5.txt"

# ---------------------------------------------------------------- the guidance's words, by passage

OPENING = ("When our support and interventions with children, young people and their families no longer require "
           "social work involvement it is important that families receive ongoing support if appropriate.")
STEP_1 = ("The social worker will book a case discussion slot at the Early Help Step Down Clinic by adding their "
          "details directly to the meeting agenda")
STEP_2_WHO = ("The Case Discussion will involve the allocated Social Worker, a Team Manager from Social Work and "
              "Early Help.")
STEP_2_DATE = "A date will be given to complete assessment."
STEP_2_NOTE = ("A case note should be added to EHM detailing the outcome of the discussion and the rationale for "
               "decision making.")
STEP_3_TRANSFER = ("If the case is allocated to Early Help Family Worker Team, a transfer form should be completed to "
                   "include a copy of the most recent assessment.")
STEP_3_ALLOCATE = "The Early Help Senior Practitioner will allocate to the identified Early Help Family Worker"
STEP_4 = "A joint visit should be arranged between the Social Worker and the Early Help Family Worker."
DISPUTES = ("Where there are any disputes as to which service is right for the child, young person, and family, "
            "Operational Managers for Early Help and MASH should jointly review cases.")
CLOSING = "Referrals to MASH which result in allocation to Early Help are NOT Step Downs"


def cite(passage: str, says: str) -> Source:
    return guidance("003", passage, says=says)


# ---------------------------------------------------------------- a referral to MASH is not a step-down

CASE_ORIGINS = {
    "open-to-social-work": "Open to social work, with an allocated social worker: stepping down to Early Help",
    "mash-referral": "A referral to MASH that resulted in allocation to Early Help",
}
NOT_A_STEP_DOWN_TEXT = (
    "A referral to MASH that results in allocation to Early Help is not a step-down (the guidance's closing line): "
    "it stays with MASH's allocation to Early Help and does not come through the Early Help Step Down Clinic, its "
    "case-discussion outcome note or its transfer form. This route is for a case open to an allocated social worker "
    "that no longer needs social work involvement."
)


def not_a_step_down(path: str, breach_path: str) -> Rule:
    """The closing line as a rule on one form: `path` names the field, `breach_path` one instance of it."""
    return rule(
        "mash-referral-is-not-a-step-down", NOT_A_STEP_DOWN_TEXT,
        [cite("closing line", CLOSING), cite("opening", OPENING)],
        (path,), {breach_path: "mash-referral"},
        error="A referral to MASH allocated to Early Help is not a step-down: it stays with MASH's allocation and "
              "does not come through the clinic (closing line).",
    )


def case_origin_field() -> f.Text:
    return f.choice("How the case comes to Early Help", CASE_ORIGINS,
                    hint="Only a case open to social work steps down. A referral to MASH that MASH allocated to "
                         "Early Help is not a step-down (closing line of the guidance).")


# ---------------------------------------------------------------- the Team Manager "from Social Work and Early Help"

TEAM_MANAGER_READING_TEXT = (
    "\u201cA Team Manager from Social Work and Early Help\u201d (Step Down 2) is read by formgen as a Team Manager "
    "from each service, so that both services' managers are party to the decision: formgen's reading, for the council "
    "to confirm."
)
TEAM_MANAGER_READING = formgen_reading(
    "Step Down 2 can be read as one Team Manager (from Social Work) with Early Help present, or as a Team Manager "
    "from each service; formgen asks for both, the reading under which neither service's manager is missing from "
    "the decision.", "Step Down 2")

TEAM_MANAGER_IS_ANOTHER_PERSON_TEXT = (
    "The Team Manager from Social Work is someone other than the allocated social worker: the case discussion "
    "involves both (Step Down 2)."
)


def team_manager_is_another_person(path: str, breach: Mapping[str, Any]) -> Rule:
    return rule("team-manager-is-not-the-social-worker", TEAM_MANAGER_IS_ANOTHER_PERSON_TEXT,
                cite("Step Down 2", STEP_2_WHO), (path,), breach,
                error="Give a Team Manager from Social Work who is not the allocated social worker (Step Down 2).")


def same_person(one: Mapping[str, Any] | None, other: Mapping[str, Any] | None) -> bool:
    """Two people given by name are the same when their names match, ignoring case and spacing."""
    def key(person: Mapping[str, Any] | None) -> str:
        return " ".join(str((person or {}).get("name") or "").split()).casefold()
    return bool(key(one)) and key(one) == key(other)


# ---------------------------------------------------------------- schemas


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    nhs_number = f.nhs_number()
    date_of_birth = f.date("Child's date of birth", required=False, past=True)
    lcs_id = f.case_id(SYSTEMS.id_name, SYSTEMS.name, hint=f"The child's number on {SYSTEMS.name}.")
    ehm_id = f.case_id(f"{SYSTEMS.early_help_system} ID", SYSTEMS.early_help_system, required=False,
                       hint=f"The child's number on {SYSTEMS.early_help_system}, once Early Help has a record.")


class PersonSchema(f.FormSchema):
    name = f.line("Name")
    team = f.line("Team", required=False)
    telephone = f.line("Telephone", required=False, max_length=40)
    email = f.email()


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=60, hint="For example: mother, stepfather.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a parent lives elsewhere, the contact arrangements.")


# ---------------------------------------------------------------- printing


def child_text(child: Mapping[str, Any]) -> str:
    """'Aisha Mensah, NHS number 999 301 0006, LCS ID 4471203, born 3 March 2016'."""
    parts = [child["full_name"]]
    if child.get("nhs_number"):
        parts.append(f"NHS number {f.format_nhs_number(child['nhs_number'])}")
    parts.append(f"{SYSTEMS.id_name} {child['lcs_id']}")
    if child.get("ehm_id"):
        parts.append(f"{SYSTEMS.early_help_system} ID {child['ehm_id']}")
    if child.get("date_of_birth"):
        parts.append(f"born {uk_date(child['date_of_birth'])}")
    return ", ".join(parts)


def children_text(children: Iterable[Mapping[str, Any]]) -> str:
    return "\n".join(child_text(child) for child in children)


def person_text(person: Mapping[str, Any] | None, role: str = "") -> str:
    """Name, role and team on the first line; telephone and email on the second."""
    if not person:
        return NOT_KNOWN
    first = ", ".join(p for p in (person.get("name"), role, person.get("team")) if p)
    contact = " \u00b7 ".join(p for p in (f"Tel {person['telephone']}" if person.get("telephone") else "",
                                          person.get("email") or "") if p)
    return f"{first}\n{contact}" if contact else first


# ---------------------------------------------------------------- prefill (formgen/core/shared.py)


def shared_children(children: Iterable[Mapping[str, Any]]) -> list[SharedChild]:
    return [
        drop_empty({"full_name": c.get("full_name"), "date_of_birth": iso(c.get("date_of_birth")),
                    "nhs_number": c.get("nhs_number"),
                    "case_ids": {SYSTEMS.name: c.get("lcs_id"), SYSTEMS.early_help_system: c.get("ehm_id")}})
        for c in children
    ]


def taken_children(children: Iterable[SharedChild]) -> list[dict[str, Any]]:
    return [
        {"full_name": c.get("full_name"), "nhs_number": c.get("nhs_number"), "date_of_birth": c.get("date_of_birth"),
         "lcs_id": (c.get("case_ids") or {}).get(SYSTEMS.name),
         "ehm_id": (c.get("case_ids") or {}).get(SYSTEMS.early_help_system)}
        for c in children
    ]


def shared_worker(person: Mapping[str, Any] | None, role: str) -> SharedWorker:
    person = person or {}
    return drop_empty({"name": person.get("name"), "role": role if person.get("name") else None,
                       "team": person.get("team"), "telephone": person.get("telephone"),
                       "email": person.get("email")})


def taken_person(worker: SharedWorker | None) -> dict[str, Any]:
    worker = worker or {}
    return {"name": worker.get("name"), "team": worker.get("team"), "telephone": worker.get("telephone"),
            "email": worker.get("email")}


def social_worker_of(worker: SharedWorker | None) -> SharedWorker | None:
    """The source document's author, when a social worker wrote it (or its role is not given): the allocated
    social worker on these forms. A referrer from another agency is not taken as the social worker."""
    if not worker:
        return None
    role = (worker.get("role") or "").casefold()
    return worker if not role or "social work" in role else None


def shared_origin(origin: Any) -> bool | None:
    """Whether the case is open to social work (a step-down), from the form's case origin."""
    return {"open-to-social-work": True, "mash-referral": False}.get(origin)


def taken_origin(case: SharedCase) -> str | None:
    """The form's case origin from a shared case, when the source says (the form refuses a MASH referral)."""
    found = case.get("open_to_social_work")
    return None if found is None else "open-to-social-work" if found else "mash-referral"


def shared_assessment(assessment: Mapping[str, Any] | None) -> SharedAssessment:
    """The most recent assessment (Step Down 3) in the shared vocabulary: which one, and when it was completed."""
    assessment = assessment or {}
    return drop_empty({"kind": assessment.get("title"), "completed_on": iso(assessment.get("completed_on"))})


_ASSESSMENT_LINE = re.compile(r"^(?P<kind>.+?),\s*completed\s+(?P<day>\d{1,2} [A-Za-z]+ \d{4})\.?$")


def parsed_assessment(line: str | None) -> SharedAssessment:
    """The agenda's most recent assessment, when written as its hint asks ('Child and Family Assessment, completed
    13 November 2026'); otherwise nothing, rather than a guess."""
    found = _ASSESSMENT_LINE.match(" ".join((line or "").split()))
    if not found:
        return {}
    try:
        day = dt.datetime.strptime(found["day"], "%d %B %Y").date()
    except ValueError:
        return {}
    return {"kind": found["kind"], "completed_on": day.isoformat()}


def assessment_line(assessment: SharedAssessment | None) -> str | None:
    """'Child and Family Assessment, completed 13 November 2026', as the agenda writes the most recent one."""
    assessment = assessment or {}
    if not assessment.get("kind"):
        return None
    try:
        when = uk_date(dt.date.fromisoformat(str(assessment.get("completed_on"))))
    except ValueError:
        return assessment["kind"]
    return f"{assessment['kind']}, completed {when}"
