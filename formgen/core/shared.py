"""What forms share, so a family's story is never typed twice (Manchester 1.4).

Each form may give two functions in its FormSpec:
- `shares(body) -> SharedCase`: what its (valid) body says about the case, in the shared vocabulary;
- `takes(case) -> dict`: the part of its own body it can fill from a SharedCase.

Prefilling form B from a document of form A is `B.takes(A.shares(body_of_A))`. Every key is optional;
dates stay ISO strings so a shared case is plain JSON. A form shares and takes an answer only where the
two forms' questions mean the same thing: a near miss is left for the person to answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, TypedDict

from formgen.core.dates import age_on

ADULT_AGE = 18  # a child is anyone under 18 (Children Act 1989, s.105(1))


class SharedPerson(TypedDict, total=False):
    full_name: str
    relationship: str          # to the subject child: "Mother", "Brother"...
    date_of_birth: str         # YYYY-MM-DD
    gender: str
    lives_in_household: bool
    notes: str


class SharedChild(TypedDict, total=False):
    full_name: str
    date_of_birth: str
    gender: str
    nhs_number: str            # 10 digits: the consistent child identifier (Children Act 2004, s.16LC)
    case_ids: dict[str, str]   # case system -> id, e.g. {"Micare": "MC0481923", "Mosaic": "603918"}


class SharedAddress(TypedDict, total=False):
    line_1: str
    line_2: str
    town: str
    postcode: str


class SharedWorker(TypedDict, total=False):
    name: str
    role: str
    team: str
    telephone: str
    email: str


class SharedAssessment(TypedDict, total=False):
    """The latest assessment of the family, as the case record's `assessment` (docs/case-record.md)."""

    kind: str                  # in words: "Child and Family Assessment", "Section 47 enquiry"
    completed_on: str          # YYYY-MM-DD
    summary: str               # what it found
    recommendations: str


class SharedVisit(TypedDict, total=False):
    """A meeting or a visit to the family, held or still to come."""

    date: str                  # YYYY-MM-DD
    time: str                  # HH:MM, UK local time
    kind: str                  # in words: "Joint handover visit to the family", "Final CIN review"
    with_whom: str
    place: str
    joint: bool                # a visit by the social worker and Early Help together (a joint handover)
    held: bool                 # True: it has taken place; False: arranged, still to come


class SharedCase(TypedDict, total=False):
    as_of: str                             # the source document's own date: ages are counted on it
    children: list[SharedChild]            # the subject child first
    family_members: list[SharedPerson]     # everyone else in the family
    address: SharedAddress
    telephone: str
    email: str
    worker: SharedWorker                   # the practitioner who wrote the source document
    lead_professional: SharedWorker        # who leads the Early Help plan (team: their agency)
    team_manager: SharedWorker             # the social work Team Manager overseeing the case (seed 003, Step Down 2)
    early_help_worker: SharedWorker        # the Early Help practitioner the case goes to (seed 003, Step Down 3)
    worried_about: str
    working_well: str
    complicating_factors: str
    needs_to_happen: str
    level_of_need: int
    reason: str                            # why the case is referred on at this step: the reason for referral
    family_agrees: bool                    # the family understands and agrees to the step and its plan
    assessment: SharedAssessment           # the assessment the step follows
    visits: list[SharedVisit]              # meetings and visits to the family (handover, final CIN review)
    open_to_social_work: bool              # open to an allocated social worker: a step-down, not a referral
                                           # to MASH allocated to Early Help (seed 003, closing line)


def drop_empty(value: Any) -> Any:
    """Remove None, empty strings, empty lists and empty objects, recursively."""
    if isinstance(value, Mapping):
        cleaned = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (drop_empty(item) for item in value) if v not in (None, "", [], {})]
    return value


def iso(value: Any) -> Any:
    """A shared case is plain JSON: a loaded date (or date and time) goes back to YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return value.isoformat() if isinstance(value, dt.date) else value


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# Children of the family, by their relationship to the subject child: brothers and sisters (half-, step-,
# foster, twin), the child's own children, and a household's "child" or "baby". "Brother-in-law" and
# "sister's partner" are not among them.
_CHILD_WORDS = frozenset({
    "brother", "sister", "sibling", "siblings", "twin", "son", "daughter", "child", "baby",
    "stepbrother", "stepsister", "stepsibling", "stepson", "stepdaughter", "halfbrother", "halfsister",
})
# A parent or carer stays among the family even when under 18: they are the children's parent.
_PARENT_WORDS = frozenset({"mother", "father", "mum", "dad", "parent", "carer", "guardian", "stepmother",
                           "stepfather", "stepmum", "stepdad", "partner"})


def _head_word(relationship: str | None) -> str:
    """The word that says who the person is: 'half-brother' -> brother, 'mother's partner' -> partner,
    'son of mum's partner' -> son, 'brother-in-law' -> law."""
    text = re.sub(r"\([^)]*\)", " ", (relationship or "").lower())
    text = re.split(r"[,;/]| of ", text)[0]
    text = re.split(r"['\u2019]s\b", text)[-1]  # a possessive: the person is what follows it
    words = re.findall(r"[a-z]+", text)
    return words[-1] if words else ""


def is_child_of_family(person: Mapping[str, Any], on: Any = None) -> bool:
    """Whether a family member is a child of the family, so a form with a list of children lists them there.

    A date of birth decides when it is given: under 18 on `on` (the source document's date; today when it has
    none) is a child, 18 or over an adult, whatever the relationship says (an adult brother stays family).
    Without one, the relationship decides: a brother, sister, half- or step-sibling, son or daughter.
    """
    head = _head_word(person.get("relationship"))
    born = _day(person.get("date_of_birth"))
    if born is not None:
        return age_on(born, _day(on) or dt.date.today()) < ADULT_AGE and head not in _PARENT_WORDS
    return head in _CHILD_WORDS


def _name_key(name: Any) -> str:
    return " ".join(str(name or "").split()).casefold()


def with_children_of_family(case: SharedCase) -> SharedCase:
    """The case with each family member who is a child of the family moved to the end of its children (for a
    form with a list of children); adults stay family members. The child keeps their name, date of birth and
    gender; one already among the children (by name) is not listed twice."""
    members = list(case.get("family_members") or [])
    moved = [m for m in members if is_child_of_family(m, case.get("as_of"))]
    if not moved:
        return case
    children: list[SharedChild] = list(case.get("children") or [])
    named = {_name_key(c.get("full_name")) for c in children}
    for member in moved:
        if _name_key(member.get("full_name")) not in named:
            named.add(_name_key(member.get("full_name")))
            children.append(drop_empty({"full_name": member.get("full_name"),
                                        "date_of_birth": member.get("date_of_birth"), "gender": member.get("gender")}))
    found: SharedCase = {**case, "children": children, "family_members": [m for m in members if m not in moved]}
    return found


def is_cafa(assessment: Mapping[str, Any] | None) -> bool:
    """Whether an assessment is a Child and Family Assessment (CAFA; Peterborough's "Single Assessment")."""
    kind = " ".join(str((assessment or {}).get("kind") or "").lower().replace("&", "and").split())
    return kind in ("cafa", "single assessment") or "child and family assessment" in kind
