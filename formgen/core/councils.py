"""Council profiles: what differs between councils, kept as data, each value with where it comes from.

Each file councils/<id>.toml is one council (read with tomllib). A form that serves several councils lets
the body choose one by id (`"council": "manchester"`) and reads what differs from its profile: where a
referral goes, the case system, the written-referral deadline after a phone referral, the meeting called
when worries are raised, the levels of need.

Provenance is data. Every setting is a table holding its `value` and either
- `guidance` and `section` (and `says`): a passage of the council's own guidance, so the value is the
  council's rule and documents print it with that citation; or
- a local setting: `set_by` (who put the value there), `until_confirmed` ("print": documents print it
  as a local practice setting not yet confirmed by the council, with no verdict drawn from it; "omit":
  documents leave it out), and, once the council confirms it, `source`, `confirmed_by` and
  `confirmed_on`. docs/councils.md shows how.
Adding a council is adding a file; no code changes.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from formgen.core.dates import add_working_days, uk_date
from formgen.core.errors import FormgenError
from formgen.core.paths import PROJECT_ROOT
from formgen.core.rules import GUIDANCE, SourceKind

if TYPE_CHECKING:
    from formgen.core.registry import FormSpec
    from formgen.core.routes import Route

COUNCILS_DIR = PROJECT_ROOT / "councils"

T = TypeVar("T")


class CouncilProfileError(ValueError):
    """A council profile file that is missing something or holds a value of the wrong kind."""


class UnknownCouncil(FormgenError):
    """No council profile has the requested id."""

    status = 404
    title = "Unknown council"
    problem_type = "/problems/unknown-council"

    def __init__(self, council_id: str, known: Iterable[str]) -> None:
        super().__init__(f"There is no council with id '{council_id}'. Known councils: {', '.join(known)}.")


class UnknownRoute(FormgenError):
    """The council's profile declares no route with the requested id."""

    status = 404
    title = "Unknown route"
    problem_type = "/problems/unknown-route"

    def __init__(self, profile: CouncilProfile) -> None:
        known = ", ".join(route.id for route in profile.routes) or "none"
        super().__init__(f"{profile.name} has no route with that id. Its routes: {known}.")


class Until(StrEnum):
    """What documents do with a local setting the council has not confirmed yet."""

    PRINT = "print"  # print it, saying it is a local practice setting not yet confirmed by the council
    OMIT = "omit"  # leave it out until the council confirms it


class Status(StrEnum):
    GUIDANCE = "from-guidance"  # a passage of the council's own guidance gives it
    CONFIRMED = "confirmed"  # a local setting the council has confirmed
    UNCONFIRMED = "not-confirmed"  # a local setting the council has not confirmed yet


@dataclass(frozen=True)
class Provenance:
    """Where one setting comes from: the council's guidance, or a local setting and who set and confirmed it."""

    seed: str = ""  # the guidance, by number ("002"), when the value comes from it
    section: str = ""
    says: str = ""  # a short quotation of the passage
    set_by: str = ""  # a local setting: who put the value in the profile
    note: str = ""  # why this value, in a few words a document can print
    source: str = ""  # a confirmed local setting: the council's own document or decision
    confirmed_by: str = ""
    confirmed_on: dt.date | None = None
    until_confirmed: Until = Until.PRINT

    @property
    def status(self) -> Status:
        if self.seed:
            return Status.GUIDANCE
        return Status.CONFIRMED if self.confirmed_on is not None else Status.UNCONFIRMED

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"status": str(self.status)}
        if self.seed:
            found |= {"guidance": self.seed, "guidance_title": GUIDANCE[self.seed], "section": self.section}
        else:
            found |= {"set_by": self.set_by, "source": self.source, "confirmed_by": self.confirmed_by,
                      "confirmed_on": self.confirmed_on.isoformat() if self.confirmed_on else None,
                      "until_confirmed": str(self.until_confirmed)}
        if self.says:
            found["says"] = self.says
        if self.note:
            found["note"] = self.note
        return found


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One value of a council's profile and where it comes from."""

    key: str
    value: T
    provenance: Provenance
    words: str  # the value in plain words

    @property
    def label(self) -> str:
        return SETTINGS[self.key].label

    @property
    def is_councils(self) -> bool:
        """The council's own rule: from its guidance, or a local setting it has confirmed."""
        return self.provenance.status is not Status.UNCONFIRMED

    @property
    def printed(self) -> bool:
        """Documents print it: the council's own rule, or an unconfirmed setting the profile says to print."""
        return self.is_councils or self.provenance.until_confirmed is Until.PRINT

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": _plain(self.value), "words": self.words,
                "source": self.provenance.to_json()}


def _plain(value: Any) -> Any:
    """A setting's value as JSON: dataclasses become objects."""
    if isinstance(value, Mapping):
        return [_plain(item) for item in value.values()] if all(isinstance(k, int) for k in value) else \
            {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


@dataclass(frozen=True)
class Level:
    """One level of need in a council's threshold document."""

    number: int
    name: str
    meaning: str
    pathway: str
    meets_threshold: bool  # meets the threshold for a referral to children's social care
    child_protection: bool = False  # the level is itself a child protection concern (significant harm)


@dataclass(frozen=True)
class CaseSystem:
    name: str
    id_name: str
    early_help_system: str


@dataclass(frozen=True)
class FollowUp:
    """How long after a phone referral the written referral is due: hours, or working days."""

    hours: int | None
    working_days: int | None

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


Levels = dict[int, Level]


@dataclass(frozen=True)
class CouncilProfile:
    id: str
    name: str
    short_name: str
    guidance: tuple[str, ...]  # the guidance the profile follows, by number ("002")
    front_door: Setting[str]  # where a referral to children's social care goes
    case_system: Setting[CaseSystem]
    follow_up: Setting[FollowUp]
    meeting: Setting[str]  # the multi-agency meeting (or discussion) when worries are raised
    levels: Setting[Levels]
    child_protection: Setting[str] | None = None  # when a child protection concern is referred ("without delay")
    step_up_route: Setting[str] | None = None  # where a step-up without a child protection concern goes
    meeting_within: Setting[int] | None = None  # that meeting, within this many working days
    step_back: Setting[int] | None = None  # back to the team that stepped down, within this many months
    marf_completed_by: Setting[str] | None = None  # who completes the MARF
    routes: tuple[Route, ...] = ()  # its step-down and step-up routes (formgen/core/routes.py)

    @property
    def settings(self) -> tuple[Setting[Any], ...]:
        found = [getattr(self, key) for key in SETTINGS]
        return tuple(s for s in found if s is not None)

    def level(self, number: int) -> Level | None:
        return self.levels.value.get(number)

    def levels_text(self) -> str:
        """'1 (Universal), 2 (Additional), ...': for messages that list the council's levels."""
        return ", ".join(f"{n} ({level.name})" for n, level in sorted(self.levels.value.items()))

    def cite(self, setting: Setting[Any]) -> str:
        """Where a setting comes from, in words a document prints (in brackets after the value)."""
        return self.cite_source(setting.provenance)

    def cite_source(self, p: Provenance) -> str:
        """Where a value, a route or a step comes from, in words a document or a calendar prints."""
        if p.seed:
            return f"{self.short_name}'s guidance, {p.section}"
        if p.confirmed_on is not None:
            return f"{self.name}'s local setting: {p.source}, confirmed by {p.confirmed_by} on {uk_date(p.confirmed_on)}"
        return f"a local practice setting, not yet confirmed by {self.name}" + (f": {p.note}" if p.note else "")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "short_name": self.short_name,
                "guidance": [{"number": n, "title": GUIDANCE[n]} for n in self.guidance],
                "settings": [s.to_json() for s in self.settings]}

    def unconfirmed(self) -> list[Setting[Any]]:
        return [s for s in self.settings if not s.is_councils]

    def route(self, route_id: str) -> Route:
        found = next((route for route in self.routes if route.id == route_id), None)
        if found is None:
            raise UnknownRoute(self)
        return found


# ------------------------------------------------------------------------------------------------ reading

_KINDS = {int: "whole number", str: "text", bool: "true or false", list: "list", dict: "table"}


def _get(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is not ...:
            return default
        raise CouncilProfileError(f"{where}: '{key}' is missing.")
    value = table[key]
    # bool is an int in Python; a profile's numbers must not be true/false.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise CouncilProfileError(f"{where}: '{key}' must be {_KINDS[kind]}.")
    if isinstance(value, str) and not value.strip():
        raise CouncilProfileError(f"{where}: '{key}' must not be blank.")
    return value


def _positive(table: Mapping[str, Any], key: str, where: str) -> int:
    value: int = _get(table, key, int, where)
    if value < 1:
        raise CouncilProfileError(f"{where}: '{key}' must be 1 or more.")
    return value


def _date(table: Mapping[str, Any], key: str, where: str) -> dt.date:
    value = table[key]
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CouncilProfileError(f"{where}: '{key}' must be a date, like 2027-01-15.")


_FROM_GUIDANCE = {"guidance", "section", "says", "note"}
_LOCAL = {"set_by", "note", "source", "confirmed_by", "confirmed_on", "until_confirmed"}


def parse_provenance(table: Mapping[str, Any], where: str) -> Provenance:
    """Where a setting comes from: its guidance passage, or who set it and whether the council confirmed it."""
    keys = set(table) - {"value"}
    note = _get(table, "note", str, where, "")
    if "guidance" in table:
        stray = sorted(keys - _FROM_GUIDANCE)
        if stray:
            raise CouncilProfileError(f"{where}: a value from the guidance has no local-setting keys ({', '.join(stray)}).")
        seed = _get(table, "guidance", str, where)
        if seed not in GUIDANCE:
            raise CouncilProfileError(f"{where}: 'guidance' must be one of {', '.join(GUIDANCE)}.")
        return Provenance(seed=seed, section=_get(table, "section", str, where), says=_get(table, "says", str, where, ""),
                          note=note)
    if "section" in table or "says" in table:
        raise CouncilProfileError(f"{where}: 'section' and 'says' cite the guidance: give its number as 'guidance' too.")
    stray = sorted(keys - _LOCAL)
    if stray:
        raise CouncilProfileError(f"{where}: unknown key(s) {', '.join(stray)}. A value comes from the guidance "
                                  "('guidance', 'section') or is a local setting ('set_by', 'until_confirmed').")
    set_by = _get(table, "set_by", str, where)
    if ("confirmed_by" in table) != ("confirmed_on" in table):
        raise CouncilProfileError(f"{where}: a confirmed setting gives both 'confirmed_by' and 'confirmed_on'.")
    if "confirmed_on" in table:
        return Provenance(set_by=set_by, note=note, source=_get(table, "source", str, where),
                          confirmed_by=_get(table, "confirmed_by", str, where),
                          confirmed_on=_date(table, "confirmed_on", where))
    until = _get(table, "until_confirmed", str, where)
    if until not in set(Until):
        raise CouncilProfileError(f"{where}: 'until_confirmed' must be 'print' or 'omit'.")
    return Provenance(set_by=set_by, note=note, source=_get(table, "source", str, where, ""), until_confirmed=Until(until))


def _text(raw: Any, where: str) -> tuple[str, str]:
    value: str = _get({"value": raw}, "value", str, where)
    return value, value


def _number(raw: Any, where: str) -> tuple[int, str]:
    value = _positive({"value": raw}, "value", where)
    return value, str(value)


def _case_system(raw: Any, where: str) -> tuple[CaseSystem, str]:
    table = _get({"value": raw}, "value", dict, where)
    system = CaseSystem(name=_get(table, "name", str, where), id_name=_get(table, "id_name", str, where),
                        early_help_system=_get(table, "early_help_system", str, where))
    return system, f"{system.name} (the child's {system.id_name}); Early Help records on {system.early_help_system}"


def _follow_up(raw: Any, where: str) -> tuple[FollowUp, str]:
    table = _get({"value": raw}, "value", dict, where)
    if ("hours" in table) == ("working_days" in table):
        raise CouncilProfileError(f"{where}: 'value' gives either 'hours' or 'working_days', not both or neither.")
    follow = FollowUp(hours=_positive(table, "hours", where) if "hours" in table else None,
                      working_days=_positive(table, "working_days", where) if "working_days" in table else None)
    return follow, f"{follow.words} after a phone referral"


def _levels(raw: Any, where: str) -> tuple[Levels, str]:
    items = _get({"value": raw}, "value", list, where)
    levels: Levels = {}
    for index, item in enumerate(items):
        at = f"{where} level {index + 1}"
        if not isinstance(item, dict):
            raise CouncilProfileError(f"{at}: must be a table.")
        number = _positive(item, "number", at)
        if number in levels:
            raise CouncilProfileError(f"{at}: level {number} is given twice.")
        levels[number] = Level(number=number, name=_get(item, "name", str, at), meaning=_get(item, "meaning", str, at),
                               pathway=_get(item, "pathway", str, at),
                               meets_threshold=_get(item, "meets_threshold", bool, at),
                               child_protection=_get(item, "child_protection", bool, at, False))
    if not levels:
        raise CouncilProfileError(f"{where}: give at least one level.")
    if not any(level.meets_threshold for level in levels.values()):
        raise CouncilProfileError(f"{where}: at least one level must meet the threshold for children's social care.")
    ordered = dict(sorted(levels.items()))
    return ordered, "; ".join(f"{n} {lv.name} ({lv.pathway})" for n, lv in ordered.items())


@dataclass(frozen=True)
class SettingKind:
    label: str
    read: Callable[[Any, str], tuple[Any, str]]
    required: bool = True


# Every setting a profile may hold, in the order the profile and `formgen councils` list them.
SETTINGS: dict[str, SettingKind] = {
    "front_door": SettingKind("Where a referral to children's social care goes", _text),
    "child_protection": SettingKind("When a child protection concern is referred", _text, required=False),
    "step_up_route": SettingKind("Where a step-up without a child protection concern goes", _text, required=False),
    "marf_completed_by": SettingKind("Who completes the Multi-Agency Referral Form", _text, required=False),
    "case_system": SettingKind("The case system and the child's id on it", _case_system),
    "follow_up": SettingKind("When the written referral after a phone referral is due", _follow_up),
    "meeting": SettingKind("The multi-agency meeting (or discussion) when worries are raised", _text),
    "meeting_within": SettingKind("That meeting is held within (working days of the worries being raised)", _number,
                                  required=False),
    "step_back": SettingKind("A case stepped back up within this many months of its step-down is allocated to the "
                             "team that stepped it down", _number, required=False),
    "levels": SettingKind("Levels of need", _levels),
}
_TOP = {"name", "short_name", "guidance", "routes", *SETTINGS}


def _setting(raw: Mapping[str, Any], key: str, where: str) -> Setting[Any] | None:
    kind = SETTINGS[key]
    if key not in raw:
        if kind.required:
            raise CouncilProfileError(f"{where}: [{key}] is missing.")
        return None
    at = f"{where} [{key}]"
    table = _get(raw, key, dict, where)
    if "value" not in table:
        raise CouncilProfileError(f"{at}: 'value' is missing.")
    value, words = kind.read(table["value"], at)
    return Setting(key=key, value=value, provenance=parse_provenance(table, at), words=words)


def parse_profile(council_id: str, raw: Mapping[str, Any], where: str) -> CouncilProfile:
    """A CouncilProfile from a parsed TOML table, or CouncilProfileError naming what is wrong."""
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise CouncilProfileError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    followed = _get(raw, "guidance", list, where)
    if not followed or not all(isinstance(n, str) and n in GUIDANCE for n in followed):
        raise CouncilProfileError(f"{where}: 'guidance' must list the guidance the profile follows, by number "
                                  f"({', '.join(GUIDANCE)}).")
    settings = {key: _setting(raw, key, where) for key in SETTINGS}
    for key, setting in settings.items():
        if setting is not None and setting.provenance.seed and setting.provenance.seed not in followed:
            raise CouncilProfileError(f"{where} [{key}]: guidance {setting.provenance.seed} is not in the profile's "
                                      "'guidance' list.")
    # Read here, not at import: formgen/core/routes.py builds on this module's readers.
    from formgen.core.routes import parse_routes

    routes = parse_routes(raw.get("routes", []), where, tuple(followed))
    return CouncilProfile(id=council_id, name=_get(raw, "name", str, where),
                          short_name=_get(raw, "short_name", str, where), guidance=tuple(followed),
                          routes=routes, **settings)  # type: ignore[arg-type]


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
    councils = all_councils()
    if council_id not in councils:
        raise UnknownCouncil(council_id, councils)
    return councils[council_id]


# ------------------------------------------------------------------------------- what a council confirms


def serves(form: FormSpec, profile: CouncilProfile) -> bool:
    """The form is one of the council's: its authority is the council, or lists it among several."""
    return profile.name in (part.strip() for part in form.authority.split(","))


def to_confirm(profile: CouncilProfile, forms: Iterable[FormSpec]) -> dict[str, Any]:
    """What the council still has to confirm: its unconfirmed local settings, every timescale of its routes
    that formgen reads where the guidance does not say how to count it, and in its forms every
    template-default wording and every rule that rests on formgen's own reading."""
    mine = [form for form in forms if serves(form, profile)]
    return {
        "council": profile.id,
        "name": profile.name,
        "settings": [s.to_json() for s in profile.unconfirmed()],
        "route_readings": [{"route": route.id, "task": task.id, "name": task.name, "reading": task.reading}
                           for route in profile.routes for task in route.tasks if task.reading],
        "wording": [{"form": form.id, **words.to_json()} for form in mine for words in form.wording
                    if words.source.kind is SourceKind.TEMPLATE_DEFAULT],
        "rules": [{"form": form.id, **found.to_json()} for form in mine for found in form.rules
                  if any(source.kind is SourceKind.FORMGEN_READING for source in found.sources)],
    }


def council_json(profile: CouncilProfile) -> dict[str, Any]:
    """One council's profile, each value with its source, and what it still has to confirm in its forms."""
    from formgen.core.registry import all_forms  # at call time: the registry imports forms, which read profiles

    return {**profile.to_json(), "to_confirm": to_confirm(profile, all_forms().values())}
