"""What forms share, so a family's story is never typed twice (Manchester 1.4).

Each form may give two functions in its FormSpec:
- `shares(body) -> SharedCase`: what its (valid) body says about the case, in the shared vocabulary;
- `takes(case) -> dict`: the part of its own body it can fill from a SharedCase.

Prefilling form B from a document of form A is `B.takes(A.shares(body_of_A))`. Every key is optional;
dates stay ISO strings so a shared case is plain JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict


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


class SharedCase(TypedDict, total=False):
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


def drop_empty(value: Any) -> Any:
    """Remove None, empty strings, empty lists and empty objects, recursively."""
    if isinstance(value, Mapping):
        cleaned = {k: drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (drop_empty(item) for item in value) if v not in (None, "", [], {})]
    return value
