"""A council's route, run on one case record: each document's body, what the record lacks, and status.

The route comes from the council's profile (formgen/core/routes.py); the record is formgen/core/case.py's.
A document's body is `form.takes(shared(record))` and the route's `from_case` mapping (both kept to the
fields the form has), then the record's own part for the document (`documents.<form id>`), then the
answers the route fixes. Every document is validated before anything is rendered, and what any of them
lacks comes back as one 422 keyed `documents.<form id>.<field>`. Status is stateless: computed from the
record's dates on the day asked, nothing stored.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from formgen.core.case import (
    ANSWER_FIXED_BY_ROUTE,
    NAMED_BY_ROUTE,
    CaseRecordSchema,
    Moment,
    day_of,
    lookup,
    meeting,
    moment,
    shared,
)
from formgen.core.councils import COUNCILS_DIR, CouncilProfile, Provenance, Status, get_council
from formgen.core.errors import FormgenError, ValidationFailed
from formgen.core.problems import flatten_errors
from formgen.core.registry import FormSpec, all_forms
from formgen.core.routes import DIRECTIONS, Route, RouteDocument, Task
from formgen.core.rules import GUIDANCE, RuleErrors
from formgen.core.shared import drop_empty
from formgen.engine import pipeline
from formgen.engine.prefill import keep_known


class RouteNotReady(FormgenError):
    """A document of the route is a form that is not registered yet."""

    status = 501
    title = "The route's documents are not all available yet"
    problem_type = "/problems/route-not-ready"

    def __init__(self, profile: CouncilProfile, route: Route, missing: list[str]) -> None:
        super().__init__(f"{profile.name}'s route '{route.id}' needs forms this service does not have yet: "
                         f"{', '.join(missing)}. Nothing was made.")
        self.missing = missing

    def extra(self) -> dict[str, object]:
        return {"missing_forms": self.missing}


class CaseRecordIncomplete(ValidationFailed):
    """What the record lacks for the route's documents: every document's errors at once."""

    title = "The case record lacks what the route's documents need"

    def __init__(self, errors: Mapping[str, list[str]], documents: Mapping[str, list[str]]) -> None:
        super().__init__(errors)
        named = "; ".join(f"{form_id} ({len(paths)} field{'s' if len(paths) != 1 else ''})"
                          for form_id, paths in documents.items())
        self.detail = f"The case record lacks what {len(documents)} document{'s' if len(documents) != 1 else ''} " \
                      f"need{'s' if len(documents) == 1 else ''}: {named}." if documents else self.detail
        self.documents = {form_id: list(paths) for form_id, paths in documents.items()}

    def extra(self) -> dict[str, object]:
        return {**super().extra(), "documents": self.documents}


Forms = Mapping[str, FormSpec]
# Example case records, one for each route whose forms exist: councils/examples/<council>/<route>.json.
EXAMPLES_DIR = COUNCILS_DIR / "examples"


def find(council_id: str, route_id: str) -> tuple[CouncilProfile, Route]:
    profile = get_council(council_id)
    return profile, profile.route(route_id)


def example_record(profile: CouncilProfile, route: Route) -> dict[str, Any] | None:
    """A realistic case record (fictional people) that builds the route's pack, where one is written."""
    path = EXAMPLES_DIR / profile.id / f"{route.id}.json"
    if not path.is_file():
        return None
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


def missing_forms(route: Route, forms: Forms | None = None) -> list[str]:
    known = all_forms() if forms is None else forms
    return [d.form for d in route.documents if d.form not in known]


# --------------------------------------------------------------------------------------- describing


def source_json(profile: CouncilProfile, provenance: Provenance, reading: str = "") -> dict[str, Any]:
    found = {**provenance.to_json(), "cited": profile.cite_source(provenance)}
    if provenance.seed:
        found["guidance_title"] = GUIDANCE[provenance.seed]
    if reading:
        found["reading"] = reading
    return found


def due_words(profile: CouncilProfile, task: Task, route: Route) -> str | None:
    """The deadline in words: "14 calendar days or 10 working days, whichever ends first, after ..."."""
    due = task.due
    if due is None:
        return None
    starts = [_ref_words(route, ref) for ref in due.start]
    start = starts[0] if len(starts) == 1 else f"whichever came first: {', or '.join(starts)}"
    if due.next_weekday is not None:
        weekday = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][due.next_weekday]
        return f"the first {weekday} after {start} that is not a bank holiday in England"
    intervals = due.intervals(profile)
    if due.setting is not None:
        setting = task.setting(profile)
        if setting is None or not intervals:
            return None
        return f"{intervals[0].words} after {start} ({profile.cite(setting)})"
    if not intervals:
        return f"on {start}"
    if len(intervals) == 1 and (intervals[0].working_days or 0) < 0:
        return f"{intervals[0].words} {start}"
    words = " or ".join(i.words for i in intervals)
    return f"{words}{', whichever ends first,' if len(intervals) > 1 else ''} after {start}"


def _ref_words(route: Route, ref: str) -> str:
    root, _, rest = ref.partition(".")
    if root == "events":
        return route.events[rest]
    if root == "meetings":
        name = route.meetings[rest.partition(".")[0]].name.split(":")[0]
        return f"the {name[:1].lower() if name[1:2].islower() else name[:1]}{name[1:]}"
    return {"assessment.completed_on": "the assessment was completed",
            "consent.given_on": "consent was given"}.get(ref, ref)


def _task_json(profile: CouncilProfile, route: Route, task: Task, forms: Forms) -> dict[str, Any]:
    found: dict[str, Any] = {"id": task.id, "name": task.name, "who": task.who}
    if isinstance(task, RouteDocument):
        form = forms.get(task.form)
        found |= {"form": task.form, "title": form.title if form else None, "available": form is not None,
                  "per_child": task.per_child}
        if task.optional:
            found["optional"] = task.optional
        if task.answers:
            found["answers_fixed"] = dict(task.answers)
    if task.meeting:
        found["meeting"] = task.meeting
    if task.done_when:
        found["done_when"] = task.done_when
    found["deadline"] = due_words(profile, task, route)
    if task.only_if:
        found["only_if"] = {path: list(values) for path, values in task.only_if.items()}
    found["source"] = source_json(profile, task.provenance, task.reading)
    setting = task.setting(profile)
    if setting is not None:
        found["deadline_source"] = {**setting.provenance.to_json(), "cited": profile.cite(setting)}
    return found


def route_json(profile: CouncilProfile, route: Route, forms: Forms | None = None) -> dict[str, Any]:
    """A route as GET /api/routes lists it: its documents, who completes each, deadlines and sources."""
    known = all_forms() if forms is None else forms
    missing = missing_forms(route, known)
    found: dict[str, Any] = {
        "council": profile.id, "id": route.id, "name": route.name, "direction": route.direction,
        "direction_words": DIRECTIONS[route.direction], "available": not missing, "missing_forms": missing,
        "source": source_json(profile, route.provenance),
    }
    if route.note:
        found["note"] = route.note
    return found | {
        "documents": [_task_json(profile, route, d, known) for d in route.documents],
        "steps": [_task_json(profile, route, s, known) for s in route.steps],
        "events": dict(route.events),
        "meetings": [{"kind": m.kind, "name": m.name, "source": source_json(profile, m.provenance)}
                     for m in route.meetings.values()],
    }


# ----------------------------------------------------------------------------------- the documents


@dataclass(frozen=True)
class Prepared:
    """One document of the route, with its body built from the record."""

    document: RouteDocument
    form: FormSpec
    body: dict[str, Any]
    data: dict[str, Any]  # the body as the form loaded it


def included(route: Route, record: Mapping[str, Any]) -> list[RouteDocument]:
    """The route's documents this record needs: an optional one only when the record has its part."""
    parts = record.get("documents") or {}
    return [d for d in route.documents if d.applies(record) and (not d.optional or d.form in parts)]


def _set(body: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path, making objects and lists ("cases.0.route") on the way."""
    parts = path.split(".")
    node: Any = body
    for part, after in itertools.pairwise(parts):
        empty: Any = [] if after.isdigit() else {}
        if isinstance(node, list):
            index = int(part)
            while len(node) <= index:
                node.append(copy.deepcopy(empty))
            node = node[index]
        else:
            if not isinstance(node.get(part), dict | list):
                node[part] = empty
            node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        index = int(last)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def merged(base: Any, over: Any) -> Any:
    """`over` laid on `base`: objects merge by key, lists item by item; `over`'s values win."""
    if isinstance(base, Mapping) and isinstance(over, Mapping):
        out = dict(base)
        for key, value in over.items():
            out[key] = merged(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(over, list):
        return [merged(base[i], over[i]) if i < len(base) else copy.deepcopy(over[i]) for i in range(len(over))] + \
            copy.deepcopy(base[len(over):])
    return copy.deepcopy(over)


def _meeting_rows(route: Route, record: Mapping[str, Any], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    """The record's meetings of these kinds, by date, each named as the route names it."""
    rows = [dict(m) for m in record.get("meetings") or [] if m.get("kind") in kinds]
    for row in rows:
        row["kind"] = route.meetings[row["kind"]].name
    return sorted(rows, key=lambda m: str(m.get("date")))


def _mapped(route: Route, document: RouteDocument, record: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path, sources in document.from_case.items():
        for source in sources:
            value = _meeting_rows(route, record, source["meetings"]) if isinstance(source, Mapping) \
                else lookup(record, source)
            if value not in (None, "", [], {}):
                _set(found, path, copy.deepcopy(value))
                break
    return found


def build_body(route: Route, document: RouteDocument, form: FormSpec, record: Mapping[str, Any]) -> dict[str, Any]:
    """The document's body: what it shares with the record, then its own part, then the route's answers."""
    derived = merged(form.takes(shared(record)) if form.takes else {}, _mapped(route, document, record))
    kept, _ = keep_known(form.schema, derived)
    body = merged(drop_empty(kept), (record.get("documents") or {}).get(form.id) or {})
    for path, value in document.answers.items():
        _set(body, path, copy.deepcopy(value))
    return body


def _route_errors(route: Route, record: Mapping[str, Any]) -> RuleErrors:
    """What the record names that the route does not: events, meetings, documents; answers it fixes."""
    errors = RuleErrors()
    for name in record.get("events") or {}:
        if name not in route.events:
            errors.add(NAMED_BY_ROUTE, f"events.{name}", f"The route '{route.id}' names no event '{name}'. Its events: "
                                                          f"{', '.join(route.events) or 'none'}.")
    for index, found in enumerate(record.get("meetings") or []):
        if found.get("kind") not in route.meetings:
            errors.add(NAMED_BY_ROUTE, f"meetings.{index}.kind", f"The route '{route.id}' names no meeting "
                                                                 f"'{found.get('kind')}'. Its meetings: "
                                                                 f"{', '.join(route.meetings) or 'none'}.")
    parts = record.get("documents") or {}
    for form_id in parts:
        if route.document(form_id) is None:
            errors.add(NAMED_BY_ROUTE, f"documents.{form_id}", f"The route '{route.id}' has no document '{form_id}'. "
                                                               f"Its documents: {', '.join(d.form for d in route.documents)}.")
    for document in route.documents:
        own = parts.get(document.form) or {}
        for path, value in document.answers.items():
            given = lookup(own, path)
            if given is not None and given != value:
                errors.add(ANSWER_FIXED_BY_ROUTE, f"documents.{document.form}.{path}",
                           f"The route '{route.id}' fixes this answer as {value!r} ({document.provenance.section} of "
                           "the council's guidance): leave it out, or choose the route that fits the case."
                           + (f" {route.note}" if route.note else ""))  # the route's own word on what it is not
    return errors


def check_record(body: Any) -> dict[str, Any]:
    """The record as sent (JSON), once its own schema accepts it; ValidationFailed naming each field."""
    if not isinstance(body, Mapping):
        raise ValidationFailed({"_schema": ["The case record must be a JSON object."]})
    try:
        CaseRecordSchema().load(body)
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from None
    return dict(body)


def prepare(council_id: str, route_id: str, body: Any, forms: Forms | None = None) -> list[Prepared]:
    """Every document of the route built from the record and validated: all of them, or one 422 for all."""
    profile, route = find(council_id, route_id)
    known = all_forms() if forms is None else forms
    missing = missing_forms(route, known)
    if missing:
        raise RouteNotReady(profile, route, missing)
    record = check_record(body)
    errors: dict[str, list[str]] = {}
    try:
        _route_errors(route, record).raise_any()
    except ValidationError as exc:
        errors.update(flatten_errors(exc.messages))
    prepared: list[Prepared] = []
    for document in included(route, record):
        form = known[document.form]
        doc_body = build_body(route, document, form, record)
        try:
            prepared.append(Prepared(document, form, doc_body, pipeline.validate(form, doc_body)))
        except ValidationFailed as failed:
            for path, messages in failed.errors.items():
                errors.setdefault(_under(form.id, path), []).extend(messages)
    if errors:
        raise CaseRecordIncomplete(errors, by_document(errors))
    return prepared


def _under(form_id: str, path: str) -> str:
    return f"documents.{form_id}" if path == "_schema" else f"documents.{form_id}.{path}"


def by_document(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in errors:
        if path.startswith("documents."):
            form_id = path.split(".")[1]
            found.setdefault(form_id, []).append(path.removeprefix(f"documents.{form_id}").lstrip("."))
    return found


# -------------------------------------------------------------------------------------------- status


@dataclass(frozen=True)
class TaskState:
    """One document, step or meeting of a route, on one record: when it is due, and whether it is done."""

    task: Task
    applies: bool
    due: Moment | None
    done_on: Moment | None
    meeting: Mapping[str, Any] | None  # the record's meeting, when the task is one
    councils_date: bool  # the due date is the council's (its guidance, or a setting it confirmed)
    shown: bool  # False: the date comes from a setting the profile says to leave out until confirmed
    waiting_for: tuple[str, ...]  # what has to happen before the date can be counted


def task_state(profile: CouncilProfile, route: Route, task: Task, record: Mapping[str, Any]) -> TaskState:
    setting = task.setting(profile)
    shown = setting is None or setting.printed
    due = task.due.date(record, profile) if task.due and shown else None
    held = meeting(record, task.meeting) if task.meeting else None
    if held is not None:
        due = moment(held)  # the meeting's own date wins over the date formgen works out
    waiting: tuple[str, ...] = ()
    if task.due and due is None and shown and task.due.started(record) is None:
        waiting = tuple(_ref_words(route, ref) for ref in task.due.start)
    return TaskState(task=task, applies=task.applies(record), due=due,
                     done_on=moment(lookup(record, task.done_when)) if task.done_when else None, meeting=held,
                     councils_date=setting is None or setting.provenance.status is not Status.UNCONFIRMED,
                     shown=shown, waiting_for=waiting)


def states(profile: CouncilProfile, route: Route, record: Mapping[str, Any]) -> list[TaskState]:
    return [task_state(profile, route, task, record) for task in route.tasks]


def _on_time(done: Moment, due: Moment) -> bool:
    if isinstance(done, dt.datetime) and isinstance(due, dt.datetime):
        return done <= due
    return day_of(done) <= day_of(due)


def _verdict(state: TaskState, as_of: dt.date) -> tuple[str, bool | None, str]:
    """(state, on time, words) on the day `as_of`."""
    reading = " by formgen's reading" if state.task.reading else ""
    no_verdict = "The date is a local practice setting the council has not confirmed: formgen draws no verdict from it."
    if not state.applies:
        return "not-needed", None, "Not needed for this case."
    if state.done_on is not None:
        if state.due is None or (state.task.meeting and state.meeting is not None):
            return "done", None, "Done."
        if not state.councils_date:
            return "done", None, f"Done. {no_verdict}"
        on_time = _on_time(state.done_on, state.due)
        return "done", on_time, f"Done, {'on time' if on_time else 'late'}{reading}."
    if state.task.meeting and state.meeting is not None and not state.task.done_when:
        held = day_of(state.due) < as_of if state.due else False
        return ("held" if held else "scheduled"), None, "Held." if held else "Arranged."
    if state.due is not None:
        if day_of(state.due) < as_of and state.councils_date:
            return "late", False, f"Not done, and the date has passed{reading}."
        return "due", None, "Due." if state.councils_date else f"Due. {no_verdict}"
    if state.waiting_for:
        return "waiting", None, f"The date is counted from when {' or '.join(state.waiting_for)}: not yet recorded."
    if state.task.meeting and not state.task.done_when:
        return "not-arranged", None, "Not arranged yet."
    if state.task.due is not None and not state.shown:
        return "to-do", None, "The council has not set this timescale yet: no date is given."
    return "to-do", None, "Not done yet."


def _iso(value: Moment | None) -> str | None:
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, dt.datetime) else value.isoformat()


def status(council_id: str, route_id: str, body: Any, as_of: dt.date, forms: Forms | None = None) -> dict[str, Any]:
    """Which documents and steps are done, due (with the date) or late, with sources, on `as_of`."""
    profile, route = find(council_id, route_id)
    known = all_forms() if forms is None else forms
    record = check_record(body)
    unknown = _route_errors(route, record)  # reported beside the status, not refused: the status is still useful
    tasks = []
    ready = _readiness(profile, route, record, known)
    for state in states(profile, route, record):
        name, on_time, words = _verdict(state, as_of)
        entry: dict[str, Any] = {
            "id": state.task.id, "kind": "document" if isinstance(state.task, RouteDocument) else
            ("meeting" if state.task.meeting else "step"),
            "name": state.task.name, "who": state.task.who, "state": name, "due": _iso(state.due) if state.shown else None,
            "done_on": _iso(state.done_on), "on_time": on_time, "says": words,
            "deadline": due_words(profile, state.task, route) if state.shown else None,
            "source": source_json(profile, state.task.provenance, state.task.reading),
        }
        setting = state.task.setting(profile)
        if setting is not None:
            entry["deadline_source"] = {**setting.provenance.to_json(), "cited": profile.cite(setting),
                                        "until_confirmed": str(setting.provenance.until_confirmed)
                                        if setting.provenance.status is Status.UNCONFIRMED else None}
        if isinstance(state.task, RouteDocument):
            entry |= {"form": state.task.form, **ready.get(state.task.form, {})}
        tasks.append(entry)
    return {"council": profile.id, "route": route.id, "name": route.name, "as_of": as_of.isoformat(),
            "available": not missing_forms(route, known), "missing_forms": missing_forms(route, known),
            "unknown_names": flatten_errors(unknown.messages), "tasks": tasks}


def _readiness(profile: CouncilProfile, route: Route, record: Mapping[str, Any], forms: Forms) -> dict[str, Any]:
    """For each document: whether its form exists, and what the record still lacks for it."""
    found: dict[str, Any] = {}
    for document in included(route, record):
        form = forms.get(document.form)
        if form is None:
            found[document.form] = {"available": False, "ready": False}
            continue
        try:
            pipeline.validate(form, build_body(route, document, form, record))
            found[document.form] = {"available": True, "ready": True}
        except ValidationFailed as failed:
            found[document.form] = {"available": True, "ready": False, "missing": failed.errors,
                                    "rules": failed.rules}
    return found



# ------------------------------------------------------------------------------------- what happens next


@dataclass(frozen=True)
class NextStep:
    name: str
    who: str
    deadline: str | None
    source: str
    due: str | None = None  # the date itself, where the document's own answers give the start (ISO)


@dataclass(frozen=True)
class WhereItGoes:
    """Where a finished document goes on one council's route, and what follows it, each with its source."""

    council: str
    route: str
    document: str   # the route's words for the document: where it is attached, who it goes to
    who: str
    source: str
    steps: tuple[NextStep, ...]


def where_it_goes(form_id: str, body: Mapping[str, Any]) -> list[WhereItGoes]:
    """Every route whose documents include this form, with the answers the route fixes matching the body's
    (a pro forma asking for joint work is on the joint-work route, not the step-down one)."""
    from formgen.core.councils import all_councils

    found = []
    for profile in all_councils().values():
        for route in profile.routes:
            document = route.document(form_id)
            if document is None or any(lookup(body, path) not in (None, value)
                                       for path, value in document.answers.items()):
                continue
            after = route.tasks[route.tasks.index(document) + 1:] if document in route.tasks else ()
            record = _record_from(document, body)
            steps = tuple(NextStep(task.name, task.who, due_words(profile, task, route),
                                   source_json(profile, task.provenance, task.reading)["cited"],
                                   _iso(task.due.date(record, profile)) if task.due else None)
                          for task in after if task.applies(body))
            found.append(WhereItGoes(profile.name, route.name, document.name, document.who,
                                     source_json(profile, document.provenance)["cited"], steps))
    return found


def _record_from(document: RouteDocument, body: Mapping[str, Any]) -> dict[str, Any]:
    """The case record's dates as the document gives them (the route's from_case mapping, read backwards)."""
    record: dict[str, Any] = {}
    for path, refs in document.from_case.items():
        value = lookup(body, path)
        if isinstance(value, str):
            for ref in refs:
                if isinstance(ref, str):
                    _set(record, ref, value)
    return record
