""""Start a step-down": choose a council's route, give the case once, then only what each document adds, and
download the route's pack (a ZIP of its documents, its calendar and manifest).

Built on the engine (formgen/engine/routes.py `prepare`, formgen/engine/pack.py `build_pack`); nothing is
stored. As on the form pages, state lives in the pages: every page after the case carries the case record
in a hidden field. The case page is generated from the case record's own schema (formgen/core/case.py), with
two things a web page can ask more simply: the child's id on the council's case system, and the route's
events and meetings by name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from flask import Response, abort, render_template, request
from marshmallow import Schema

from formgen.core import case as record_schema
from formgen.core import fields as f
from formgen.core.councils import CouncilProfile, UnknownCouncil, all_councils
from formgen.core.errors import FormgenError, PageLimitExceeded, ValidationFailed
from formgen.core.routes import Route, RouteDocument
from formgen.engine import routes as engine
from formgen.engine.pack import build_pack
from formgen.engine.routes import RouteNotReady, build_body
from formgen.service import audit_hooks as audit
from formgen.service.identity import web_gate
from formgen.service.render_slots import render_slot
from formgen.service.web import csrf
from formgen.service.web.schema_form import Field, Kind, answers, change_rows, describe, error_summary, page, parse
from formgen.service.web.views import SERVICE_NAME, STALE, WebBlueprint, nonce, page_headers

bp = WebBlueprint("step_down", __name__, url_prefix="/step-down")
bp.before_request(web_gate)  # a signed-in person, as on every page (formgen.service.identity)
bp.after_request(page_headers)  # the CSRF cookie, the page's CSP and no-store, as on the form pages
DIRECTIONS = ("step-down",)  # this journey: the routes that step a family down


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, service_name=SERVICE_NAME, csp_nonce=nonce(), csrf_token=csrf.token(),
                           csrf_field=csrf.FIELD, **context), status


# ---------------------------------------------------------------- the case page's schema


def _case_system(profile: CouncilProfile) -> str:
    return str(getattr(profile.case_system.value, "name", "case system"))


@cache
def case_fields(council_id: str, route_id: str) -> tuple[Field, ...]:
    """The case record's fields for a page: children with one case id, the route's meetings and events."""
    profile, route = engine.find(council_id, route_id)
    system = _case_system(profile)

    class Child(record_schema.ChildSchema):
        class Meta:
            exclude = ("case_ids",)
        case_id = f.line(f"Case id on {system}", required=False, max_length=40)

    class Meeting(record_schema.MeetingSchema):
        kind = f.choice("Which meeting or visit", {k: m.name for k, m in route.meetings.items()})

    events: dict[str, Any] = {name: f.line(words[:1].upper() + words[1:], required=False, max_length=16,
                                           hint="A date, YYYY-MM-DD, or a date and UK time, YYYY-MM-DDTHH:MM.")
                              for name, words in route.events.items()}
    Events = Schema.from_dict(events, name=f"Events{council_id}{route_id}")  # noqa: N806

    class Case(record_schema.CaseRecordSchema):
        class Meta:
            exclude = ("events", "documents")
        children = f.rows(Child, "Children (the subject child first)", minimum=1, maximum=10)
        meetings = f.rows(Meeting, "Meetings and visits", maximum=20)
        events_ = f.group(Events, "When things happened", required=False)

    described = describe(Case)
    order = ["children", *[x.name for x in described if x.name not in ("children", "meetings", "events_")],
             "meetings", "events_"]
    found = {x.name: x for x in described}
    if not route.meetings:
        order.remove("meetings")
    return tuple(found[name] for name in order)


def to_record(profile: CouncilProfile, posted: Mapping[str, Any]) -> dict[str, Any]:
    """The case page's answers as a case record (docs/case-record.md)."""
    found = {k: v for k, v in posted.items() if k != "events_"}
    found["children"] = [
        {**{k: v for k, v in child.items() if k != "case_id"},
         **({"case_ids": {_case_system(profile): child["case_id"]}} if child.get("case_id") else {})}
        for child in posted.get("children") or []]
    found["events"] = {k: v for k, v in (posted.get("events_") or {}).items() if v}
    return {k: v for k, v in found.items() if v not in (None, "", [], {})}


def to_page(profile: CouncilProfile, record: Mapping[str, Any]) -> dict[str, Any]:
    """The record back as the case page's answers (to change the case)."""
    shown = {k: v for k, v in record.items() if k not in ("events", "documents")}
    shown["children"] = [{**{k: v for k, v in c.items() if k != "case_ids"},
                          "case_id": (c.get("case_ids") or {}).get(_case_system(profile))}
                         for c in record.get("children") or []]
    shown["events_"] = dict(record.get("events") or {})
    return shown


def _page_errors(errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A record's error paths as the case page names them."""
    moved: dict[str, list[str]] = {}
    for path, messages in errors.items():
        parts = path.split(".")
        if parts[0] == "children" and len(parts) > 2 and parts[2] == "case_ids":
            path = ".".join([*parts[:2], "case_id"])
        elif parts[0] == "events":
            path = ".".join(["events_", *parts[1:]])
        moved.setdefault(path, []).extend(messages)
    return moved


# ---------------------------------------------------------------- what each document adds


def included(route: Route, record: Mapping[str, Any]) -> list[RouteDocument]:
    """The route's documents for this record: an optional one is offered too (its page says when it is needed)."""
    return [d for d in route.documents if d.applies(record)]


def document_fields(route: Route, document: RouteDocument, record: Mapping[str, Any]) -> tuple[Field, ...]:
    """Only what the document adds: its form's fields that neither the case record nor the route fills in."""
    form = engine.all_forms()[document.form]
    base = {**record, "documents": {}}
    return _not_given(describe(form.schema), build_body(route, document, form, base))


def _not_given(fields_: tuple[Field, ...], given: Mapping[str, Any], partly: bool = False) -> tuple[Field, ...]:
    """The fields `given` does not fill; a group the case partly fills asks only for what it requires.

    A list of the people the case names (the consent form's children, the agenda's case) keeps the case's
    rows, one each, by name: each row asks the questions the case answers in none of them (each child's view),
    never the case. Any other list the case starts (a plan's first row from what needs to happen) is the
    document's own, shown whole, starting from the case's rows (`case_rows`), so it can be added to.
    """
    found = []
    for x in fields_:
        value = given.get(x.name)
        if value is None:
            if not partly or x.required or x.required_when:
                found.append(x)
        elif x.kind is Kind.GROUP and isinstance(value, Mapping):
            rest = _not_given(x.children, value, partly=True)
            if rest:
                found.append(replace(x, children=rest))
        elif x.kind is Kind.ROWS and isinstance(value, list) and value:
            rows = [row if isinstance(row, Mapping) else {} for row in value]
            titles = [_row_title(x, row, index) for index, row in enumerate(rows)]
            rest = _not_given(x.children, _any_row(rows))
            if not all(titles):
                found.append(x)
            elif rest:
                found.append(replace(x, children=rest, row_titles=tuple(t for t in titles if t)))
    return tuple(found)


def _any_row(rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Every answer any of the rows gives: a question answered in one row is the case's, in all of them."""
    found: dict[str, Any] = {}
    for row in rows:
        found |= {k: v for k, v in row.items() if v not in (None, "", [], {})}
    return found


def _row_title(x: Field, row: Mapping[str, Any], index: int) -> str | None:
    """A row the case fills, by the name it gives (the child's) or its children's ("Case 1: Amelia and Noah");
    None when it names no one (it is not one of the case's people)."""
    named = row.get("full_name") or row.get("name")
    if isinstance(named, str) and named:
        return named
    children = [c["full_name"] for c in row.get("children") or [] if isinstance(c, Mapping) and c.get("full_name")]
    return f"{x.item_label or x.label} {index + 1}: {' and '.join(children)}" if children else None


def case_rows(route: Route, document: RouteDocument, record: Mapping[str, Any]) -> dict[str, Any]:
    """The lists the case starts that the document's page shows whole (see `_not_given`): its rows, to go on from."""
    form = engine.all_forms()[document.form]
    base = build_body(route, document, form, {**record, "documents": {}})
    return {x.name: base[x.name] for x in document_fields(route, document, record)
            if x.kind is Kind.ROWS and not x.row_titles and base.get(x.name)}


def kept_documents(route: Route, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """After "Change the case": the document answers given before that the changed case still asks for.

    A row keyed to the case (a child's view) follows its child by name, so removing or reordering children
    moves no answer to another child; an answer the case now gives, or a child no longer named, is dropped.
    """
    kept: dict[str, Any] = {}
    parts = before.get("documents") or {}
    for document in included(route, after):
        own = parts.get(document.form)
        if isinstance(own, Mapping) and own:
            found = _kept(document_fields(route, document, after), document_fields(route, document, before), own)
            if found:
                kept[document.form] = found
    return kept


def _kept(now: tuple[Field, ...], was: tuple[Field, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    asked = {x.name: x for x in was}
    found: dict[str, Any] = {}
    for x in now:
        value, before = given.get(x.name), asked.get(x.name)
        if value in (None, "", [], {}) or before is None or before.kind is not x.kind:
            continue
        if x.kind is Kind.GROUP:
            value = _kept(x.children, before.children, value) if isinstance(value, Mapping) else None
        elif x.kind is Kind.ROWS:
            value = _kept_rows(x, before, value) if isinstance(value, list) else None
        if value not in (None, {}, []):
            found[x.name] = value
    return found


def _kept_rows(now: Field, was: Field, rows: list[Any]) -> list[dict[str, Any]] | None:
    mine = [_kept(now.children, was.children, row) if isinstance(row, Mapping) else {} for row in rows]
    if not now.row_titles:  # the document's own list: its rows as given
        return [row for row in mine if row] or None
    before = dict(zip(_row_keys(was), mine, strict=False)) if was.row_titles else {}
    found = [before.get(key, {}) for key in _row_keys(now)]
    return found if any(found) else None


def _row_keys(x: Field) -> list[str]:
    """Each row the case fills by the name it gives, else by its place (the agenda's one case)."""
    keys = []
    for index, title in enumerate(x.row_titles):
        place = f"{x.item_label or x.label} {index + 1}"
        keys.append(f"#{index}" if title == place or title.startswith(f"{place}: ") else title)
    return keys


def _document_errors(form_id: str, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    prefix = f"documents.{form_id}."
    return {path.removeprefix(prefix): messages for path, messages in errors.items()
            if path.startswith(prefix) or path == f"documents.{form_id}"}


# ---------------------------------------------------------------- pages


def _step_down_routes() -> list[dict[str, Any]]:
    found = []
    for profile in all_councils().values():
        for route in profile.routes:
            if route.direction in DIRECTIONS and not engine.missing_forms(route):
                found.append({"value": f"{profile.id}/{route.id}", "text": f"{profile.short_name}: {route.name}",
                              "hint": {"text": ", ".join(engine.all_forms()[d.form].title for d in route.documents)}})
    return found


@bp.get("")
def choose() -> tuple[str, int]:
    chosen = request.args.get("route")
    if chosen is None:
        return _render("web/step_down_choose.html", routes=_step_down_routes(), error=None)
    council_id, _, route_id = chosen.partition("/")
    try:
        engine.find(council_id, route_id)
    except (UnknownCouncil, FormgenError):
        return _render("web/step_down_choose.html", 400, routes=_step_down_routes(),
                       error="Select the council and route of the step-down")
    return _case_page(council_id, route_id, {})


def _route(council_id: str, route_id: str) -> tuple[CouncilProfile, Route]:
    try:
        profile, route = engine.find(council_id, route_id)
    except (UnknownCouncil, FormgenError):
        abort(404)
    if route.direction not in DIRECTIONS or engine.missing_forms(route):
        abort(404)
    return profile, route


def _case_page(council_id: str, route_id: str, shown: Mapping[str, Any],
               errors: Mapping[str, list[str]] | None = None, status: int = 200,
               top: list[dict[str, str]] | None = None, before: Mapping[str, Any] | None = None) -> tuple[str, int]:
    profile, route = _route(council_id, route_id)
    built = page(case_fields(council_id, route_id), shown, errors)
    return _render("web/step_down_case.html", status, profile=profile, route=route, page=built,
                   summary=error_summary(built, top), documents=[engine.all_forms()[d.form] for d in route.documents],
                   before_json=_json(before) if before else None)


def _posted_record(name: str = "record") -> dict[str, Any]:
    try:
        found = json.loads(request.form.get(name, ""))
    except (json.JSONDecodeError, RecursionError):
        abort(400)
    if not isinstance(found, dict):
        abort(400)
    return found


@bp.post("/<council_id>/<route_id>/case")
def case_post(council_id: str, route_id: str) -> tuple[str, int]:
    profile, route = _route(council_id, route_id)
    if request.form.get("record"):  # "Change the case" from a later page: the record as it was comes along
        record = _posted_record()
        return _case_page(council_id, route_id, to_page(profile, record), before=record)
    before = _posted_record("before") if request.form.get("before") else None
    fields_ = case_fields(council_id, route_id)
    posted = parse(fields_, request.form)
    if not csrf.valid():
        return _case_page(council_id, route_id, posted, status=400, top=[{"text": STALE}], before=before)
    action = request.form.get("action", "check")
    if action != "check":  # add or remove a child, a family member, a meeting: the same page again
        if not change_rows(fields_, posted, action):
            abort(400)
        return _case_page(council_id, route_id, posted, before=before)
    record = to_record(profile, posted)
    try:
        engine.check_record(record)
    except ValidationFailed as failed:
        return _case_page(council_id, route_id, posted, _page_errors(failed.errors), before=before)
    if before:
        record["documents"] = kept_documents(route, before, record)
    return _document_page(profile, route, record, 0)


def _document_page(profile: CouncilProfile, route: Route, record: dict[str, Any], index: int,
                   errors: Mapping[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    documents = included(route, record)
    if index >= len(documents):
        return _check_page(profile, route, record)
    document = documents[index]
    form = engine.all_forms()[document.form]
    own = {**case_rows(route, document, record), **((record.get("documents") or {}).get(form.id) or {})}
    fields_ = document_fields(route, document, record)
    built = page(fields_, own, errors)
    # An error on an answer the case gave is in the summary without a link: "Change the case" is below.
    return _render("web/step_down_document.html", status, profile=profile, route=route, document=document,
                   form=form, page=built, summary=error_summary(built), index=index,
                   count=len(documents), record_json=_json(record))


def _json(record: Mapping[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


@bp.post("/<council_id>/<route_id>/documents/<int:index>")
def document_post(council_id: str, route_id: str, index: int) -> tuple[str, int]:
    profile, route = _route(council_id, route_id)
    record = _posted_record()
    documents = included(route, record)
    if index >= len(documents):
        abort(400)
    document = documents[index]
    if not csrf.valid():
        return _document_page(profile, route, record, index, status=400)
    fields_ = document_fields(route, document, record)
    own = parse(fields_, request.form)
    parts = dict(record.get("documents") or {})
    action = request.form.get("action", "continue")
    if action.startswith(("add:", "remove:")):  # a row of the document's own lists: the same page again
        if not change_rows(fields_, own, action):
            abort(400)
        record["documents"] = {**parts, document.form: own}
        return _document_page(profile, route, record, index)
    if action == "skip" and document.optional:
        parts.pop(document.form, None)
        record["documents"] = parts
        return _document_page(profile, route, record, index + 1)
    parts[document.form] = own
    record["documents"] = parts
    try:
        engine.prepare(council_id, route_id, _without_marks(record))
    except ValidationFailed as failed:
        mine = _document_errors(document.form, failed.errors)
        if mine:
            return _document_page(profile, route, record, index, mine)
    return _document_page(profile, route, record, index + 1)


def _without_marks(record: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if not k.startswith("_")}


def _check_page(profile: CouncilProfile, route: Route, record: dict[str, Any],
                errors: Mapping[str, list[str]] | None = None, status: int = 200) -> tuple[str, int]:
    clean = _without_marks(record)
    chosen = [d for d in engine.included(route, clean)]
    cards = []
    for document in chosen:
        form = engine.all_forms()[document.form]
        own = (clean.get("documents") or {}).get(form.id) or {}
        fields_ = document_fields(route, document, clean)
        cards.append({"title": form.title, "who": document.who, "cards": answers(fields_, own) if own else []})
    summary = [{"text": f"{path}: {' '.join(m)}"} for path, m in (errors or {}).items()]
    return _render("web/step_down_check.html", status, profile=profile, route=route, documents=cards,
                   record_json=_json(record), summary=summary,
                   case_cards=answers(case_fields(profile.id, route.id), to_page(profile, clean)))


@bp.post("/<council_id>/<route_id>/pack")
def download(council_id: str, route_id: str) -> Response | tuple[str, int]:
    profile, route = _route(council_id, route_id)
    record = _posted_record()
    if not csrf.valid():
        return _check_page(profile, route, record, {"": [STALE]}, status=400)
    fmt = request.form.get("format", "pdf")
    if fmt not in ("pdf", "docx", "both"):
        abort(400)
    # The same audit row as the API's packs: the route, and the SHA-256 of what was delivered.
    audit.attempt(f"route:{profile.id}/{route.id}", fmt)
    try:
        with render_slot():
            made = build_pack(council_id, route_id, _without_marks(record), fmt)
    except (ValidationFailed, PageLimitExceeded) as failed:
        errors = failed.errors if isinstance(failed, ValidationFailed) else {"": [failed.detail]}
        return _check_page(profile, route, record, errors, status=422)
    except RouteNotReady:
        abort(404)
    audit.made(made.content, made.pages)
    response = Response(made.content, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["X-Page-Count"] = str(made.pages)
    response.headers["X-Document-Count"] = str(made.documents)
    return response
