"""Council profiles: the numbers and names that differ between councils, kept as data.

Each file councils/<id>.toml is one council (read with tomllib). A form that serves several councils
lets the body choose one by id (`"council": "manchester"`) and reads what differs from its profile:
the deadline for the written referral after a phone referral, the case system and the name of its
id, the levels of need, and the step-up timescales. Adding a council is adding a file; no code changes.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from formgen.core.dates import add_working_days
from formgen.core.paths import PROJECT_ROOT

COUNCILS_DIR = PROJECT_ROOT / "councils"


class CouncilProfileError(ValueError):
    """A council profile file that is missing something or holds a value of the wrong kind."""


@dataclass(frozen=True)
class Level:
    """One level of need in a council's threshold document."""

    number: int
    name: str
    meaning: str
    pathway: str
    meets_threshold: bool  # meets the threshold for a referral to children's social care


@dataclass(frozen=True)
class FollowUp:
    """How long after a phone referral the written referral is due: hours, or working days."""

    hours: int | None
    working_days: int | None
    source: str

    def due(self, phoned_at: dt.datetime) -> dt.datetime:
        if self.hours is not None:
            return phoned_at + dt.timedelta(hours=self.hours)
        assert self.working_days is not None
        return dt.datetime.combine(add_working_days(phoned_at.date(), self.working_days), phoned_at.time())

    @property
    def words(self) -> str:
        if self.hours is not None:
            return f"{self.hours} hour{'s' if self.hours != 1 else ''}"
        return f"{self.working_days} working day{'s' if self.working_days != 1 else ''}"


@dataclass(frozen=True)
class CouncilProfile:
    id: str
    name: str
    short_name: str
    sources: tuple[str, ...]
    front_door: str
    case_system: str
    case_id_name: str
    early_help_system: str
    follow_up: FollowUp
    step_back_months: int
    step_back_source: str
    taf_working_days: int
    taf_source: str
    levels: Mapping[int, Level]

    def level(self, number: int) -> Level | None:
        return self.levels.get(number)

    def levels_text(self) -> str:
        """'1 (Universal), 2 (Additional), ...': for messages that list the council's levels."""
        return ", ".join(f"{n} ({level.name})" for n, level in sorted(self.levels.items()))


_KINDS = {int: "whole number", str: "text", bool: "true or false", list: "list", dict: "table"}


def _get(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in table:
        raise CouncilProfileError(f"{where}: '{key}' is missing.")
    value = table[key]
    # bool is an int in Python; a profile's numbers must not be true/false.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CouncilProfileError(f"{where}: '{key}' must be {_KINDS[kind]}.")
    # A citation may be empty where the council's guidance is silent; every other text must be given.
    if isinstance(value, str) and not key.endswith("source") and not value.strip():
        raise CouncilProfileError(f"{where}: '{key}' must not be blank.")
    return value


def _positive(table: Mapping[str, Any], key: str, where: str) -> int:
    value: int = _get(table, key, int, where)
    if value < 1:
        raise CouncilProfileError(f"{where}: '{key}' must be 1 or more.")
    return value


def parse_profile(council_id: str, raw: Mapping[str, Any], where: str) -> CouncilProfile:
    """A CouncilProfile from a parsed TOML table, or CouncilProfileError naming what is wrong."""
    known = {"name", "short_name", "sources", "front_door", "case_system", "follow_up", "step_up", "levels"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise CouncilProfileError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    case = _get(raw, "case_system", dict, where)
    follow = _get(raw, "follow_up", dict, where)
    step_up = _get(raw, "step_up", dict, where)
    if ("hours" in follow) == ("working_days" in follow):
        raise CouncilProfileError(f"{where}: [follow_up] must give either 'hours' or 'working_days', not both or neither.")
    follow_up = FollowUp(
        hours=_positive(follow, "hours", f"{where} [follow_up]") if "hours" in follow else None,
        working_days=_positive(follow, "working_days", f"{where} [follow_up]") if "working_days" in follow else None,
        source=_get(follow, "source", str, f"{where} [follow_up]"),
    )
    levels: dict[int, Level] = {}
    for index, item in enumerate(_get(raw, "levels", list, where)):
        at = f"{where} [[levels]] {index + 1}"
        if not isinstance(item, dict):
            raise CouncilProfileError(f"{at}: must be a table.")
        number = _positive(item, "number", at)
        if number in levels:
            raise CouncilProfileError(f"{at}: level {number} is given twice.")
        levels[number] = Level(number=number, name=_get(item, "name", str, at), meaning=_get(item, "meaning", str, at),
                               pathway=_get(item, "pathway", str, at),
                               meets_threshold=_get(item, "meets_threshold", bool, at))
    if not levels:
        raise CouncilProfileError(f"{where}: give at least one [[levels]] table.")
    if not any(level.meets_threshold for level in levels.values()):
        raise CouncilProfileError(f"{where}: at least one level must meet the threshold for children's social care.")
    sources = _get(raw, "sources", list, where)
    if not sources or not all(isinstance(s, str) for s in sources):
        raise CouncilProfileError(f"{where}: 'sources' must list the guidance the profile comes from.")
    return CouncilProfile(
        id=council_id,
        name=_get(raw, "name", str, where),
        short_name=_get(raw, "short_name", str, where),
        sources=tuple(sources),
        front_door=_get(raw, "front_door", str, where),
        case_system=_get(case, "name", str, f"{where} [case_system]"),
        case_id_name=_get(case, "id_name", str, f"{where} [case_system]"),
        early_help_system=_get(case, "early_help_system", str, f"{where} [case_system]"),
        follow_up=follow_up,
        step_back_months=_positive(step_up, "return_to_stepping_down_team_within_months", f"{where} [step_up]"),
        step_back_source=_get(step_up, "return_source", str, f"{where} [step_up]"),
        taf_working_days=_positive(step_up, "taf_meeting_within_working_days", f"{where} [step_up]"),
        taf_source=_get(step_up, "taf_source", str, f"{where} [step_up]"),
        levels=dict(sorted(levels.items())),
    )


def load_profiles(directory: Path = COUNCILS_DIR) -> dict[str, CouncilProfile]:
    """Every councils/<id>.toml in `directory`, by id (the file name), in id order."""
    found: dict[str, CouncilProfile] = {}
    for path in sorted(directory.glob("*.toml")):
        council_id = path.stem
        if not council_id.replace("-", "").isalnum() or council_id != council_id.lower():
            raise CouncilProfileError(f"{path.name}: a council's file name is its id: lowercase words joined by hyphens.")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CouncilProfileError(f"{path.name}: not valid TOML ({exc}).") from None
        found[council_id] = parse_profile(council_id, raw, path.name)
    return found


@cache
def all_councils() -> dict[str, CouncilProfile]:
    """The profiles in councils/, read once per process."""
    return load_profiles()


def get_council(council_id: str) -> CouncilProfile:
    return all_councils()[council_id]
