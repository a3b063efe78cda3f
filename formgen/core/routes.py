"""Routes as data: a council's step-down and step-up routes, as its guidance gives them.

Each council profile (councils/<id>.toml) lists its routes in `[[routes]]` tables: the documents a route
needs (by form id, who completes each), the steps and meetings around them, and the deadlines, each with
its source exactly as a setting has one (formgen/core/councils.py): a passage of the council's guidance,
or a local setting with who set it and whether the council has confirmed it. Where the guidance gives a
timescale but not how to count it, `reading` says, in words a document can print, how formgen reads it:
the safest reading for the child. docs/routes.md describes the format.

A deadline (`due`) is counted from the first of its start references (`from`) that the case record gives,
through the earliest of its intervals (working days with England's bank holidays, calendar days, or
hours), or it is the next working weekday (a weekly meeting), or a profile setting gives the interval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from formgen.core.case import EVENT_NAME, FORM_ID, KIND, Moment, check_ref, day_of, lookup, moment
from formgen.core.councils import CouncilProfile, CouncilProfileError, Provenance, Setting, _get, parse_provenance
from formgen.core.dates import add_working_days, is_working_day, next_working_weekday

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4}
DIRECTIONS = {"step-down": "Step-down to Early Help", "step-up": "Step-up to children's social care",
              "joint-work": "Joint work between social work and Early Help"}
# Profile settings a deadline may take its interval from (formgen/core/councils.py).
INTERVAL_SETTINGS = ("follow_up", "meeting_within")


@dataclass(frozen=True)
class Interval:
    """One reading of a timescale: working days (negative: before), calendar days, or hours."""

    working_days: int | None = None
    days: int | None = None
    hours: int | None = None

    def after(self, start: Moment) -> Moment:
        if self.hours is not None:
            if isinstance(start, dt.datetime):
                return start + dt.timedelta(hours=self.hours)
            # From a date alone the hours end on a later day: the date it falls on, the earliest reading.
            return start + dt.timedelta(days=self.hours // 24)
        if self.days is not None:
            return start + dt.timedelta(days=self.days)
        assert self.working_days is not None
        day = day_of(start)
        if self.working_days < 0:
            return working_days_before(day, -self.working_days)  # by that day: the time of day does not carry
        due = add_working_days(day, self.working_days)
        return dt.datetime.combine(due, start.time()) if isinstance(start, dt.datetime) else due

    @property
    def words(self) -> str:
        if self.hours is not None:
            return f"{self.hours} hour{'s' if self.hours != 1 else ''}"
        if self.days is not None:
            return f"{self.days} calendar day{'s' if self.days != 1 else ''}"
        n = self.working_days or 0
        return f"{abs(n)} working day{'s' if abs(n) != 1 else ''}{' before' if n < 0 else ''}"


def working_days_before(day: dt.date, days: int) -> dt.date:
    current = day
    while days > 0:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


@dataclass(frozen=True)
class Due:
    """When a task is due: counted from the first start reference the case record gives."""

    start: tuple[str, ...]
    within: tuple[Interval, ...] = ()  # the earliest of these; none: due on the start itself
    next_weekday: int | None = None  # the first working day of that weekday after the start (a weekly meeting)
    setting: str | None = None  # a profile setting gives the interval

    def started(self, record: Mapping[str, Any]) -> tuple[str, Moment] | None:
        """The start reference the record gives, and its moment: the earliest of those given."""
        found = [(ref, moment(lookup(record, ref))) for ref in self.start]
        given = [(ref, at) for ref, at in found if at is not None]
        return min(given, key=lambda pair: (day_of(pair[1]), str(pair[1]))) if given else None

    def intervals(self, profile: CouncilProfile) -> tuple[Interval, ...]:
        if self.setting is None:
            return self.within
        chosen = _interval_setting(profile, self.setting)
        return (chosen,) if chosen is not None else ()

    def date(self, record: Mapping[str, Any], profile: CouncilProfile) -> Moment | None:
        started = self.started(record)
        if started is None or (self.setting is not None and not self.intervals(profile)):
            return None
        start = started[1]
        if self.next_weekday is not None:
            return next_working_weekday(day_of(start), self.next_weekday)
        readings = [interval.after(start) for interval in self.intervals(profile)]
        return min(readings, key=lambda at: (day_of(at), str(at))) if readings else start


def _interval_setting(profile: CouncilProfile, key: str) -> Interval | None:
    setting = getattr(profile, key, None)
    if setting is None:
        return None
    value = setting.value
    if key == "follow_up":
        return Interval(working_days=value.working_days, hours=value.hours)
    return Interval(working_days=int(value))


@dataclass(frozen=True)
class Task:
    """A document to complete, a step to take or a meeting to hold: who, when it is done, when it is due."""

    id: str
    name: str
    who: str
    provenance: Provenance
    reading: str = ""  # how formgen reads the guidance's timescale, where it does not say
    done_when: str | None = None  # the reference whose date says it was done
    due: Due | None = None
    meeting: str | None = None  # a meeting kind: the task is that meeting
    only_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # record path -> values it applies for

    def applies(self, record: Mapping[str, Any]) -> bool:
        return all(lookup(record, path) in values for path, values in self.only_if.items())

    def setting(self, profile: CouncilProfile) -> Setting[Any] | None:
        return getattr(profile, self.due.setting) if self.due and self.due.setting else None


@dataclass(frozen=True)
class RouteDocument(Task):
    """A document of a route: a form, who completes it, and what the route fills in."""

    form: str = ""
    per_child: bool = False  # one document per child (the form's split_by_child)
    optional: str = ""  # when it is needed; the pack includes it when the record has its documents part
    from_case: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # body path -> record references
    answers: Mapping[str, Any] = field(default_factory=dict)  # body path -> the value the route fixes


@dataclass(frozen=True)
class MeetingKind:
    kind: str
    name: str
    provenance: Provenance


@dataclass(frozen=True)
class Route:
    id: str
    name: str
    direction: str
    provenance: Provenance
    note: str = ""
    events: Mapping[str, str] = field(default_factory=dict)  # event name -> what happened, in words
    meetings: Mapping[str, MeetingKind] = field(default_factory=dict)
    documents: tuple[RouteDocument, ...] = ()
    steps: tuple[Task, ...] = ()

    @property
    def tasks(self) -> tuple[Task, ...]:
        return (*self.documents, *self.steps)

    def document(self, form_id: str) -> RouteDocument | None:
        return next((d for d in self.documents if d.form == form_id), None)


# ------------------------------------------------------------------------------------------- reading


_PROVENANCE_KEYS = {"guidance", "section", "says", "note", "set_by", "source", "confirmed_by", "confirmed_on",
                    "until_confirmed"}


def _provenance(table: Mapping[str, Any], where: str) -> Provenance:
    return parse_provenance({k: v for k, v in table.items() if k in _PROVENANCE_KEYS}, where)


def _only(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    stray = sorted(set(table) - allowed - _PROVENANCE_KEYS)
    if stray:
        raise CouncilProfileError(f"{where}: unknown key(s) {', '.join(stray)}.")


def _refs(value: Any, where: str, key: str) -> tuple[str, ...]:
    refs = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
    if not refs or not all(isinstance(ref, str) and ref for ref in refs):
        raise CouncilProfileError(f"{where}: '{key}' must be a reference into the case record, or a list of them.")
    return refs


def _interval(table: Any, where: str) -> Interval:
    if not isinstance(table, Mapping):
        raise CouncilProfileError(f"{where}: each interval is a table.")
    given = [key for key in ("working_days", "days", "hours") if key in table]
    if len(given) != 1 or set(table) - {"working_days", "days", "hours"}:
        raise CouncilProfileError(f"{where}: an interval gives one of 'working_days', 'days' or 'hours'.")
    value: int = _get(table, given[0], int, where)
    if value == 0 or (value < 0 and given[0] != "working_days"):
        raise CouncilProfileError(f"{where}: '{given[0]}' must not be 0 (only working days may count back).")
    return Interval(**{given[0]: value})


def _due(table: Any, where: str, check: Any) -> Due:
    if not isinstance(table, Mapping):
        raise CouncilProfileError(f"{where}: 'due' must be a table.")
    keys = set(table)
    if ("from" in keys) == ("on" in keys):
        raise CouncilProfileError(f"{where}: 'due' counts 'from' a reference, or falls 'on' one: give one of them.")
    start = _refs(table.get("from", table.get("on")), where, "from" if "from" in keys else "on")
    for ref in start:
        check(ref)
    counting = [k for k in ("within", "working_days", "days", "hours", "next_weekday", "setting") if k in keys]
    stray = keys - {"from", "on", "within", "working_days", "days", "hours", "next_weekday", "setting"}
    if stray or ("on" in keys and counting) or ("from" in keys and len(counting) != 1):
        raise CouncilProfileError(f"{where}: 'due' gives 'on', or 'from' with exactly one of 'within', 'working_days', "
                                  "'days', 'hours', 'next_weekday' or 'setting'.")
    if "within" in keys:
        items = _get(table, "within", list, where)
        if not items:
            raise CouncilProfileError(f"{where}: 'within' lists at least one interval.")
        return Due(start, tuple(_interval(item, where) for item in items))
    if "next_weekday" in keys:
        day = _get(table, "next_weekday", str, where)
        if day not in WEEKDAYS:
            raise CouncilProfileError(f"{where}: 'next_weekday' must be one of {', '.join(WEEKDAYS)}.")
        return Due(start, next_weekday=WEEKDAYS[day])
    if "setting" in keys:
        setting = _get(table, "setting", str, where)
        if setting not in INTERVAL_SETTINGS:
            raise CouncilProfileError(f"{where}: 'setting' must be one of {', '.join(INTERVAL_SETTINGS)}.")
        return Due(start, setting=setting)
    if counting:
        return Due(start, (_interval({counting[0]: table[counting[0]]}, where),))
    return Due(start)


def _task_fields(table: Mapping[str, Any], where: str, check: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"name": _get(table, "name", str, where), "who": _get(table, "who", str, where),
                             "provenance": _provenance(table, where), "reading": _get(table, "reading", str, where, "")}
    if "done_when" in table:
        found["done_when"] = _get(table, "done_when", str, where)
        check(found["done_when"])
    if "due" in table:
        found["due"] = _due(table["due"], f"{where} due", check)
    only_if = _get(table, "only_if", dict, where, {})
    for path, values in only_if.items():
        check(path)
        if not isinstance(values, list) or not values:
            raise CouncilProfileError(f"{where}: 'only_if' maps a reference to the list of values the task applies for.")
    found["only_if"] = {path: tuple(values) for path, values in only_if.items()}
    return found


_TASK = {"id", "name", "who", "reading", "done_when", "due", "only_if"}


def _step(table: Any, where: str, check: Any, meetings: Mapping[str, MeetingKind]) -> Task:
    if not isinstance(table, Mapping):
        raise CouncilProfileError(f"{where}: must be a table.")
    _only(table, _TASK | {"meeting"}, where)
    step_id = _get(table, "id", str, where)
    at = f"{where} '{step_id}'"
    meeting_kind = _get(table, "meeting", str, at, None)
    if meeting_kind is not None and meeting_kind not in meetings:
        raise CouncilProfileError(f"{at}: the route names no meeting '{meeting_kind}'.")
    return Task(id=step_id, meeting=meeting_kind, **_task_fields(table, at, check))


def _document(table: Any, where: str, check: Any) -> RouteDocument:
    if not isinstance(table, Mapping):
        raise CouncilProfileError(f"{where}: must be a table.")
    _only(table, (_TASK - {"id"}) | {"form", "per_child", "optional", "from_case", "answers"}, where)
    form_id = _get(table, "form", str, where)
    if not FORM_ID.match(form_id):
        raise CouncilProfileError(f"{where}: 'form' must be a form id (lowercase words joined by hyphens).")
    at = f"{where} '{form_id}'"
    mapped: dict[str, tuple[Any, ...]] = {}
    for path, source in _get(table, "from_case", dict, at, {}).items():
        if isinstance(source, Mapping):
            kinds = source.get("meetings")
            if set(source) != {"meetings"} or not isinstance(kinds, list) or not kinds:
                raise CouncilProfileError(f"{at} from_case '{path}': a table maps {{ meetings = [kinds] }} to rows.")
            for kind in kinds:
                check(f"meetings.{kind}")
            mapped[path] = ({"meetings": tuple(kinds)},)
        else:
            refs = _refs(source, at, f"from_case '{path}'")
            for ref in refs:
                check(ref)
            mapped[path] = refs
    return RouteDocument(id=form_id, form=form_id, per_child=_get(table, "per_child", bool, at, False),
                         optional=_get(table, "optional", str, at, ""), from_case=mapped,
                         answers=dict(_get(table, "answers", dict, at, {})), **_task_fields(table, at, check))


def _meetings(raw: Any, where: str) -> dict[str, MeetingKind]:
    found: dict[str, MeetingKind] = {}
    for index, table in enumerate(raw):
        at = f"{where} meeting {index + 1}"
        if not isinstance(table, Mapping):
            raise CouncilProfileError(f"{at}: must be a table.")
        _only(table, {"kind", "name"}, at)
        kind = _get(table, "kind", str, at)
        if not KIND.match(kind) or kind in found:
            raise CouncilProfileError(f"{at}: 'kind' must be a new name, lowercase words joined by hyphens.")
        found[kind] = MeetingKind(kind, _get(table, "name", str, at), _provenance(table, at))
    return found


def parse_route(table: Any, where: str, followed: tuple[str, ...]) -> Route:
    """One `[[routes]]` table, every reference checked against the case record and the route's own names."""
    if not isinstance(table, Mapping):
        raise CouncilProfileError(f"{where}: must be a table.")
    _only(table, {"id", "name", "direction", "note", "events", "meetings", "documents", "steps"}, where)
    route_id = _get(table, "id", str, where)
    if not all(part.isalnum() for part in route_id.replace("-", ".").split(".")) or route_id != route_id.lower():
        raise CouncilProfileError(f"{where}: a route's 'id' is lowercase letters and digits joined by '-' or '.'.")
    at = f"{where} '{route_id}'"
    direction = _get(table, "direction", str, at)
    if direction not in DIRECTIONS:
        raise CouncilProfileError(f"{at}: 'direction' must be one of {', '.join(DIRECTIONS)}.")
    events = _get(table, "events", dict, at, {})
    for name, words in events.items():
        if not EVENT_NAME.match(name):
            raise CouncilProfileError(f"{at} events: '{name}' is not an event name (lowercase words joined by "
                                      "underscores, at most 40 characters).")
        if not isinstance(words, str) or not words.strip():
            raise CouncilProfileError(f"{at} events: '{name}' says in words what happened.")
    meetings = _meetings(_get(table, "meetings", list, at, []), at)

    def check(ref: str) -> None:
        problem = check_ref(ref, events, meetings)
        if problem:
            raise CouncilProfileError(f"{at}: {problem}.")

    documents = tuple(_document(item, f"{at} document {n + 1}", check)
                      for n, item in enumerate(_get(table, "documents", list, at)))
    if not documents or len({d.form for d in documents}) != len(documents):
        raise CouncilProfileError(f"{at}: a route lists at least one document, each form once.")
    steps = tuple(_step(item, f"{at} step {n + 1}", check, meetings)
                  for n, item in enumerate(_get(table, "steps", list, at, [])))
    ids = [task.id for task in (*documents, *steps)]
    if len(set(ids)) != len(ids):
        raise CouncilProfileError(f"{at}: each step has its own id (and no step takes a document's form id).")
    route = Route(id=route_id, name=_get(table, "name", str, at), direction=direction,
                  provenance=_provenance(table, at), note=_get(table, "note", str, at, ""), events=dict(events),
                  meetings=meetings, documents=documents, steps=steps)
    sources: list[Provenance] = [route.provenance, *(t.provenance for t in route.tasks),
                                 *(m.provenance for m in meetings.values())]
    for seed in (p.seed for p in sources):
        if seed and seed not in followed:
            raise CouncilProfileError(f"{at}: guidance {seed} is not in the profile's 'guidance' list.")
    return route


def parse_routes(raw: Any, where: str, followed: tuple[str, ...]) -> tuple[Route, ...]:
    if not isinstance(raw, list):
        raise CouncilProfileError(f"{where}: 'routes' must be a list of [[routes]] tables.")
    routes = tuple(parse_route(item, f"{where} route {n + 1}", followed) for n, item in enumerate(raw))
    if len({r.id for r in routes}) != len(routes):
        raise CouncilProfileError(f"{where}: each route has its own id.")
    return routes
