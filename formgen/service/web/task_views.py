"""A form filled in as a task list, saved as a draft after every page: nothing typed is lost.

    GET  /forms/<id>                       the form's start page: start, or start from a document
    POST /forms/<id>/drafts                a new draft (filled in from an uploaded document, if one is given)
    POST /forms/<id>/prefill               a case system's handover: a new draft, filled in for checking
    GET  /drafts/<d>                       the task list, with each task's status; upload to fill blanks
    GET|POST /drafts/<d>/<task>            one task's page, or a list's "add another" summary
    GET|POST /drafts/<d>/<task>/<n|new>    one item of a list (a case, a child)
    GET|POST /drafts/<d>/<task>/<n>/remove confirm before removing it
    GET  /drafts/<d>/check                 check your answers: a Change link by every answer
    POST /drafts/<d>/confirm               checked: the confirmation page says what happens next
    GET  /drafts/<d>/done                  where the document goes and by when; download it
    POST /drafts/<d>/download              the document; the draft is deleted once it is made

Every submit saves and redirects (Post/Redirect/Get), so Back and refresh never resubmit. The draft belongs
to the signed-in person (g.client): another person's draft is "not found".
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, g, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from formgen.core.dates import uk_date
from formgen.core.errors import BadDocument, PageLimitExceeded, UnsupportedFormat, ValidationFailed
from formgen.core.registry import FormSpec, all_forms, get_form
from formgen.engine import pipeline
from formgen.engine.prefill import (
    MAX_UPLOAD_BYTES,
    Prefill,
    UploadKind,
    merge,
    prefill_from_data,
    prefill_from_upload,
    read_upload,
    rows_from_uploads,
)
from formgen.engine.routes import where_it_goes
from formgen.service import audit_hooks as audit
from formgen.service import drafts_hooks
from formgen.service.bodies import upload_ready
from formgen.service.downloads import document_response
from formgen.service.render_slots import render_slot
from formgen.service.web import csrf
from formgen.service.web.drafting import DraftState
from formgen.service.web.schema_form import Field, change_rows, error_summary, input_id, page, parse, summary_rows
from formgen.service.web.tasks import Status, Task, errors_in, initials, item_title, status, tasks_of
from formgen.service.web.views import STALE, _page_limit_summary, _render, bp, fields_of
from formgen.store.drafts import DraftNotFound

Redirect = BaseResponse
UK_TIME = ZoneInfo("Europe/London")
Page = tuple[str, int]


def _owner() -> str:
    return str(g.get("client") or "web")


def _tasks(spec: FormSpec) -> tuple[Task, ...]:
    return tasks_of(spec, fields_of(spec.id))


def _task(spec: FormSpec, slug: str) -> Task:
    found = next((t for t in _tasks(spec) if t.slug == slug), None)
    if found is None:
        abort(404)
    return found


class _Loaded:
    def __init__(self, draft_id: str) -> None:
        try:
            draft = drafts_hooks.store().load(_owner(), draft_id)
        except DraftNotFound:
            abort(404, description="draft")
        self.id = draft_id
        self.spec = get_form(draft.form_id)
        self.state = DraftState.from_json(draft.content)
        self.updated_at = draft.updated_at

    def save(self) -> None:
        drafts_hooks.store().save(_owner(), self.spec.id, self.state.to_json(), label=initials(self.state.body),
                                  draft_id=self.id)

    def errors(self) -> dict[str, list[str]]:
        try:
            pipeline.validate(self.spec, self.state.body)
        except ValidationFailed as error:
            return dict(error.errors)
        return {}


def _go(endpoint: str, anchor: str | None = None, **values: Any) -> Redirect:
    return redirect(url_for(endpoint, **values, _anchor=anchor), 303)


def _stale() -> Page:
    return _render("web/message.html", 400, heading="Nothing was saved", text=STALE)


def _return_to() -> str | None:
    chosen = request.values.get("return")
    return chosen if chosen == "check" else None


def _filled_notice(spec: FormSpec, result: Prefill, filled: int, kept: tuple[str, ...],
                   labels: Mapping[str, str]) -> tuple[str, list[str]]:
    what = {UploadKind.PDF: "PDF", UploadKind.DOCX: "Word document", UploadKind.JSON: "file"}[result.kind]
    source = all_forms().get(result.source_form or "")
    made_for = f" made for the {source.title}" if source and source.id != spec.id else ""
    lines = [f"{filled} answer{'s' if filled != 1 else ''} filled in from the {what}{made_for}. "
             "They are marked until you check them on their page."]
    if kept:
        lines.append("Left as you had them, because the document said something else: "
                     + "; ".join(labels.get(path, path) for path in kept) + ".")
    if result.dropped:
        lines.append(f"{result.dropped} answer{'s' if result.dropped != 1 else ''} in the document had no place "
                     "on this form.")
    return "Answers filled in", lines


def _labels(spec: FormSpec, body: Mapping[str, Any]) -> dict[str, str]:
    return page(fields_of(spec.id), body).labels


def _prefilled_state(spec: FormSpec, result: Prefill, base: DraftState | None = None) -> DraftState:
    state = base or DraftState()
    merged = merge(state.body, result.body)
    state.body = merged.body
    source = all_forms().get(result.source_form or "")
    where = source.title if source else "an uploaded file"
    state.unchecked.update({path: where for path in merged.filled})
    state.notice, state.notice_lines = _filled_notice(spec, result, len(merged.filled), merged.kept,
                                                      _labels(spec, state.body))
    state.warnings = list(result.warnings)
    return state


def _new_draft(spec: FormSpec, state: DraftState) -> Redirect:
    draft_id = drafts_hooks.store().save(_owner(), spec.id, state.to_json(), label=initials(state.body))
    return _go("web.task_list", draft_id=draft_id)


# ---------------------------------------------------------------- starting

def _form_start(spec: FormSpec, upload_error: str | None = None, status_code: int = 200) -> Page:
    summary = [{"text": upload_error, "href": "#upload-file"}] if upload_error else []
    return _render("web/form_start.html", status_code, spec=spec, tasks=_tasks(spec), summary=summary,
                   upload_error=upload_error, upload_limit_mb=MAX_UPLOAD_BYTES // 1_000_000)


@bp.get("/forms/<form_id>")
def form_page(form_id: str) -> Page:
    return _form_start(get_form(form_id))


def _read_file() -> bytes | None:
    file = request.files.get("file")
    if file is None or not file.filename:
        return None
    return upload_ready(file.stream.read(MAX_UPLOAD_BYTES + 1))


@bp.post("/forms/<form_id>/drafts")
def new_draft(form_id: str) -> Redirect | Page:
    spec = get_form(form_id)
    if not csrf.valid():
        return _stale()
    try:
        content = _read_file()
        if content is None:
            if request.form.get("action") == "upload":
                return _form_start(spec, "Choose a PDF, Word document or JSON file to upload.", 400)
            return _new_draft(spec, DraftState())
        result = prefill_from_upload(spec, content)
    except BadDocument as error:
        return _form_start(spec, error.detail, 422)
    return _new_draft(spec, _prefilled_state(spec, result))


@bp.post("/forms/<form_id>/prefill")
def prefill(form_id: str) -> Redirect | Page:
    """A case management system hands a case over (JSON, or an HTML form post; no CSRF token needed): a new draft
    for the signed-in person, filled in and marked for checking."""
    spec = get_form(form_id)
    try:
        if request.mimetype == "application/json":
            result = prefill_from_upload(spec, upload_ready(request.get_data(cache=False)))
        elif "data" in request.form:
            kind, source, data = read_upload(upload_ready(request.form["data"].encode("utf-8")))
            result = prefill_from_data(spec, kind, source, data)
        else:
            body = parse(fields_of(spec.id), request.form)
            result = Prefill(body=body, kind=UploadKind.JSON, source_form=spec.id, dropped=0)
    except BadDocument as error:
        return _form_start(spec, error.detail, 422)
    state = _prefilled_state(spec, result)
    state.notice_lines = [line.replace("from the file", "from your case system") for line in state.notice_lines]
    return _new_draft(spec, state)


# ---------------------------------------------------------------- the task list

def _task_rows(draft: _Loaded, errors: Mapping[str, list[str]]) -> list[dict[str, Any]]:
    rows = []
    for task in _tasks(draft.spec):
        found = status(task, draft.state.body, errors, draft.state.saved, draft.state.unchecked)
        rows.append({"task": task, "status": found, "href": url_for("web.task_page", draft_id=draft.id,
                                                                      slug=task.slug)})
    return rows


def _task_list(draft: _Loaded, upload_error: str | None = None, status_code: int = 200) -> Page:
    errors = draft.errors()
    rows = _task_rows(draft, errors)
    done = sum(row["status"] is Status.COMPLETED for row in rows)
    summary = [{"text": upload_error, "href": "#upload-file"}] if upload_error else []
    return _render("web/task_list.html", status_code, spec=draft.spec, draft=draft, rows=rows, done=done,
                   summary=summary, upload_error=upload_error, upload_limit_mb=MAX_UPLOAD_BYTES // 1_000_000,
                   retention=drafts_hooks.retention())


@bp.get("/drafts/<draft_id>")
def task_list(draft_id: str) -> Page:
    return _task_list(_Loaded(draft_id))


@bp.post("/drafts/<draft_id>/upload")
def draft_upload(draft_id: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    if not csrf.valid():
        return _stale()
    try:
        content = _read_file()
        if content is None:
            return _task_list(draft, "Choose a PDF, Word document or JSON file to upload.", 400)
        result = prefill_from_upload(draft.spec, content)
    except BadDocument as error:
        return _task_list(draft, error.detail, 422)
    draft.state = _prefilled_state(draft.spec, result, draft.state)
    draft.save()
    return _go("web.task_list", draft_id=draft.id)


# ---------------------------------------------------------------- one task's page

def _task_page(draft: _Loaded, task: Task) -> Page:
    errors = errors_in(task, draft.errors()) if task.slug in draft.state.saved else {}
    built = page(task.fields, draft.state.body, errors, draft.state.room)
    return _render("web/task.html", spec=draft.spec, draft=draft, task=task, page=built,
                   summary=error_summary(built), unchecked=_unchecked_under(draft, task.names),
                   return_to=_return_to())


def _unchecked_under(draft: _Loaded, roots: Any) -> list[str]:
    labels = _labels(draft.spec, draft.state.body)
    prefixes = tuple(roots)
    return [labels.get(path, path) for path in draft.state.unchecked
            if any(path == p or path.startswith(p + ".") for p in prefixes)]


@bp.get("/drafts/<draft_id>/<slug>")
def task_page(draft_id: str, slug: str) -> Page:
    draft = _Loaded(draft_id)
    task = _task(draft.spec, slug)
    if task.rows is not None:
        return _items_page(draft, task)
    return _task_page(draft, task)


def _apply_rows_action(draft: _Loaded, action: str) -> str | None:
    """'add:<path>' or 'remove:<path>.<n>' on a list inside a page (a case's children): the anchor to land on."""
    if not change_rows(fields_of(draft.spec.id), draft.state.body, action):
        abort(400)
    verb, _, target = action.partition(":")
    if verb == "add":
        holder: Any = draft.state.body
        for part in target.split("."):
            holder = holder[int(part)] if isinstance(holder, list) else holder.get(part, {})
        return input_id(f"{target}.{len(holder) - 1}")
    return input_id(target.rpartition(".")[0]) + "-add"


@bp.post("/drafts/<draft_id>/<slug>")
def task_post(draft_id: str, slug: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    task = _task(draft.spec, slug)
    if not csrf.valid():
        return _stale()
    state = draft.state
    state.said()
    if task.rows is None:
        posted = parse(task.fields, request.form)
        for name in task.names:
            if name in posted:
                state.body[name] = posted[name]
            else:
                state.body.pop(name, None)
    action = request.form.get("action", "save")
    state.mark_saved(task.slug)
    state.checked(task.names if task.rows is None else ())
    if action != "save":
        anchor = _apply_rows_action(draft, action)
        draft.save()
        return _go("web.task_page", anchor, draft_id=draft.id, slug=task.slug, **_keep_return())
    draft.save()
    if errors_in(task, draft.errors()):
        return _go("web.task_page", "main-content", draft_id=draft.id, slug=task.slug, **_keep_return())
    if _return_to() == "check":
        return _go("web.check", draft_id=draft.id)
    return _go("web.task_list", draft_id=draft.id)


def _keep_return() -> dict[str, str]:
    return {"return": "check"} if _return_to() == "check" else {}


# ---------------------------------------------------------------- lists: "add another" summary, item pages

def _items(draft: _Loaded, rows: Field) -> list[Any]:
    found = draft.state.body.get(rows.name)
    return found if isinstance(found, list) else []


def _items_page(draft: _Loaded, task: Task, upload_error: str | None = None, status_code: int = 200) -> Page:
    rows = task.rows
    assert rows is not None
    items = _items(draft, rows)
    errors = draft.errors()
    listed = []
    for index, item in enumerate(items):
        prefix = f"{rows.name}.{index}"
        has_errors = any(path.startswith(prefix + ".") or path == prefix for path in errors)
        unchecked = any(path.startswith(prefix + ".") for path in draft.state.unchecked)
        listed.append({"title": item_title(rows, item, index), "number": index + 1, "problem": has_errors,
                       "unchecked": unchecked})
    own = {path: m for path, m in errors.items() if path == rows.name} if task.slug in draft.state.saved else {}
    can_add = rows.maximum is None or len(items) < rows.maximum
    summary = [{"text": " ".join(m), "href": "#add-item"} for m in own.values()]
    if upload_error:
        summary.insert(0, {"text": upload_error, "href": "#upload-files"})
    from_documents = draft.spec.row_takes is not None and draft.spec.row_takes[0] == rows.name and can_add
    return _render("web/items.html", status_code, spec=draft.spec, draft=draft, task=task, rows=rows, listed=listed,
                   summary=summary, own_error=" ".join(m for ms in own.values() for m in ms) or None,
                   can_add=can_add, item_label=(rows.item_label or rows.label), from_documents=from_documents,
                   upload_error=upload_error, upload_limit_mb=MAX_UPLOAD_BYTES // 1_000_000)


@bp.post("/drafts/<draft_id>/<slug>/documents")
def items_from_documents(draft_id: str, slug: str) -> Redirect | Page:
    """A meeting chair's cases from the cases' own documents, several files at once, one case each: each becomes
    a new item (the items already there are never changed), and the list page says what each file did."""
    draft = _Loaded(draft_id)
    task, rows = _list_task(draft, slug)
    if not csrf.valid():
        return _stale()
    if draft.spec.row_takes is None or draft.spec.row_takes[0] != rows.name:
        abort(404)
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        return _items_page(draft, task, "Choose the cases' documents to upload.", 400)
    try:
        contents = [upload_ready(f.stream.read(MAX_UPLOAD_BYTES + 1)) for f in files]
    except BadDocument as error:
        return _items_page(draft, task, error.detail, 422)
    found = rows_from_uploads(draft.spec, contents)
    items = _items(draft, rows)
    state = draft.state
    state.said()
    lines = []
    for outcome in found.outcomes:
        lines.append(outcome.message)
    added = 0
    for row_index, row in enumerate(found.rows):
        if rows.maximum is not None and len(items) >= rows.maximum:
            lines.append(f"The list is full ({rows.maximum}): case {row_index + 1} from the files was not added.")
            continue
        items.append(row)
        added += 1
        state.unchecked.update({f"{rows.name}.{len(items) - 1}.{path}": "an uploaded document"
                                for path in _paths(row)})
    state.body[rows.name] = items
    state.notice = f"{added} {(rows.item_label or rows.label).lower()}{'s' if added != 1 else ''} added from documents"
    state.notice_lines = lines
    draft.save()
    return _go("web.task_page", draft_id=draft.id, slug=task.slug)


def _paths(value: Any, prefix: str = "") -> list[str]:
    """Every answer's dotted path in a row (list items by index)."""
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _paths(v, f"{prefix}{k}.")]
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return [p for i, v in enumerate(value) for p in _paths(v, f"{prefix}{i}.")]
    return [prefix[:-1]] if prefix else []


def _item_number(draft: _Loaded, rows: Field, number: str) -> int:
    """The item's index; 'new' is the index a new item takes."""
    items = _items(draft, rows)
    if number == "new":
        if rows.maximum is not None and len(items) >= rows.maximum:
            abort(404)
        return len(items)
    if not number.isdigit() or not 1 <= int(number) <= len(items):
        abort(404)
    return int(number) - 1


def _list_task(draft: _Loaded, slug: str) -> tuple[Task, Field]:
    task = _task(draft.spec, slug)
    if task.rows is None:
        abort(404)
    return task, task.rows


@bp.get("/drafts/<draft_id>/<slug>/<number>")
def item_page(draft_id: str, slug: str, number: str) -> Page:
    draft = _Loaded(draft_id)
    task, rows = _list_task(draft, slug)
    index = _item_number(draft, rows, number)
    items = _items(draft, rows)
    row = items[index] if index < len(items) else {}
    prefix = f"{rows.name}.{index}"
    saved = f"{task.slug}/{index + 1}" in draft.state.saved
    errors = {p: m for p, m in draft.errors().items() if p.startswith(prefix + ".")} if saved else {}
    if number == "new" and request.args.get("blank"):
        errors = {prefix: [f"Enter at least one answer for this {(rows.item_label or rows.label).lower()}, "
                           "or go back to the list."]}
    built = page(rows.children, row, errors, draft.state.room, prefix=prefix)
    if number == "new" and not errors:
        _focus_first(built.items)
    summary = error_summary(built)
    if prefix in errors:
        summary.insert(0, {"text": errors[prefix][0], "href": "#main-content"})
    title = item_title(rows, row, index) if number != "new" else f"Add {_article(rows)}"
    return _render("web/item.html", spec=draft.spec, draft=draft, task=task, rows=rows, page=built, page_title=title,
                   summary=summary, number=number, unchecked=_unchecked_under(draft, (prefix,)),
                   return_to=_return_to())


def _focus_first(items: list[dict[str, Any]]) -> None:
    """After "add another", the new item's first question has the focus, with or without JavaScript."""
    if not items:
        return
    first = items[0]
    if first["kind"] in ("group", "rows"):
        _focus_first(first.get("children") or (first["rows"][0]["children"] if first.get("rows") else []))
        return
    params = first["params"]
    target = params["items"][0] if first["kind"] in ("date", "radios", "checkboxes") else params
    target["attributes"] = {**target.get("attributes", {}), "autofocus": ""}


def _article(rows: Field) -> str:
    name = (rows.item_label or rows.label).lower()
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


@bp.post("/drafts/<draft_id>/<slug>/<number>")
def item_post(draft_id: str, slug: str, number: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    task, rows = _list_task(draft, slug)
    if not csrf.valid():
        return _stale()
    index = _item_number(draft, rows, number)
    prefix = f"{rows.name}.{index}"
    row = parse(rows.children, request.form, prefix)
    action = request.form.get("action", "save")
    state = draft.state
    state.said()
    if number == "new" and not row and action == "save":
        return _go("web.item_page", "main-content", draft_id=draft.id, slug=task.slug, number="new", blank=1)
    items = _items(draft, rows)
    if index < len(items):
        items[index] = row
    else:
        items.append(row)
    state.body[rows.name] = items
    state.mark_saved(f"{task.slug}/{index + 1}")
    state.checked((prefix,))
    if action != "save":
        anchor = _apply_rows_action(draft, action)
        draft.save()
        return _go("web.item_page", anchor, draft_id=draft.id, slug=task.slug, number=str(index + 1),
                   **_keep_return())
    draft.save()
    if any(path.startswith(prefix + ".") for path in draft.errors()):
        return _go("web.item_page", "main-content", draft_id=draft.id, slug=task.slug, number=str(index + 1),
                   **_keep_return())
    if _return_to() == "check":
        return _go("web.check", draft_id=draft.id)
    return _go("web.task_page", f"item-{index + 1}", draft_id=draft.id, slug=task.slug)


@bp.get("/drafts/<draft_id>/<slug>/<number>/remove")
def remove_page(draft_id: str, slug: str, number: str) -> Page:
    draft = _Loaded(draft_id)
    task, rows = _list_task(draft, slug)
    if number == "new":
        abort(404)
    index = _item_number(draft, rows, number)
    title = item_title(rows, _items(draft, rows)[index], index)
    return _render("web/remove.html", spec=draft.spec, draft=draft, task=task, item_name=title, number=number,
                   error=request.args.get("unanswered"))


@bp.post("/drafts/<draft_id>/<slug>/<number>/remove")
def remove_post(draft_id: str, slug: str, number: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    task, rows = _list_task(draft, slug)
    if not csrf.valid():
        return _stale()
    if number == "new":
        abort(404)
    index = _item_number(draft, rows, number)
    answer = request.form.get("remove")
    if answer not in ("yes", "no"):
        return _go("web.remove_page", draft_id=draft.id, slug=task.slug, number=number, unanswered=1)
    state = draft.state
    state.said()
    if answer == "yes":
        items = _items(draft, rows)
        title = item_title(rows, items[index], index)
        del items[index]
        prefix = f"{rows.name}."
        # Marks and saved pages after the removed item move up one place with their items.
        state.unchecked = {_shift(path, rows.name, index): where for path, where in state.unchecked.items()
                           if not path.startswith(f"{prefix}{index}.") and path != f"{prefix}{index}"}
        state.saved = [key for key in state.saved if not key.startswith(f"{task.slug}/")]
        state.notice, state.notice_lines = "Removed", [f"{title} was removed."]
        draft.save()
    return _go("web.task_page", draft_id=draft.id, slug=task.slug)


def _shift(path: str, name: str, removed: int) -> str:
    parts = path.split(".")
    if len(parts) > 1 and parts[0] == name and parts[1].isdigit() and int(parts[1]) > removed:
        parts[1] = str(int(parts[1]) - 1)
    return ".".join(parts)


# ---------------------------------------------------------------- check, confirm, done, download

def _where(draft: _Loaded, path: str) -> str:
    """The page an answer is on, for its Change link: its task's page, or its item's page in a list."""
    for task in _tasks(draft.spec):
        if not task.owns(path):
            continue
        rows = task.rows
        parts = path.split(".")
        if rows is not None and len(parts) > 1 and parts[1].isdigit():
            return url_for("web.item_page", draft_id=draft.id, slug=task.slug, number=int(parts[1]) + 1) + "?return=check"
        return url_for("web.task_page", draft_id=draft.id, slug=task.slug) + "?return=check"
    return url_for("web.task_list", draft_id=draft.id)


def _cards(draft: _Loaded) -> list[dict[str, Any]]:
    cards = []
    body = draft.state.body

    def href(path: str, anchor: str) -> str:
        return f"{_where(draft, path)}#{anchor}"

    for task in _tasks(draft.spec):
        rows = task.rows
        if rows is None:
            cards.append({"title": task.title, "rows": summary_rows(task.fields, body, "", href)})
            continue
        items = _items(draft, rows)
        if not items:
            empty = summary_rows(task.fields, {}, "", href)
            for row in empty:
                row["actions"]["items"][0]["href"] = url_for("web.task_page", draft_id=draft.id, slug=task.slug)
            cards.append({"title": task.title, "rows": empty})
        for index, item in enumerate(items):
            cards.append({"title": item_title(rows, item, index),
                          "rows": summary_rows(rows.children, item, f"{rows.name}.{index}", href)})
    return cards


def _problems(draft: _Loaded, errors: Mapping[str, list[str]]) -> list[dict[str, str]]:
    built = page(fields_of(draft.spec.id), draft.state.body, errors)
    lines = error_summary(built)
    anchors: dict[str, str] = {}
    for path, anchor in built.anchors.items():
        anchors.setdefault(f"#{anchor}", path)  # a list comes before its items: its own errors go to its page
    lists = {t.rows.name for t in _tasks(draft.spec) if t.rows is not None}
    for line in lines:
        path = anchors.get(line.get("href", ""), "")
        if path in lists:
            line["href"] = f"{_where(draft, path)}#add-item"
        elif path:
            line["href"] = f"{_where(draft, path)}{line['href']}"
    return lines


@bp.get("/drafts/<draft_id>/check")
def check(draft_id: str) -> Page:
    draft = _Loaded(draft_id)
    errors = draft.errors()
    problems: list[dict[str, str]] = []
    pages = None
    if errors:
        problems = _problems(draft, errors)
    else:
        try:
            with render_slot():
                pages = pipeline.check(draft.spec, draft.state.body)
            if draft.state.room:
                draft.state.room = {}
                draft.save()
        except PageLimitExceeded as error:
            built = page(fields_of(draft.spec.id), draft.state.body)
            problems = _page_limit_summary(error, built.labels, built.anchors)
            by_anchor = {f"#{a}": p for p, a in built.anchors.items()}
            for line in problems:
                if line.get("href") in by_anchor:
                    line["href"] = f"{_where(draft, by_anchor[line['href']])}{line['href']}"
            draft.state.room = {path: cut.characters - cut.cut_characters for path, cut in error.cuts.items()}
            draft.save()
    return _render("web/check.html", spec=draft.spec, draft=draft, cards=_cards(draft), problems=problems,
                   pages=pages, unchecked=len(draft.state.unchecked))


@bp.post("/drafts/<draft_id>/confirm")
def confirm(draft_id: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    if not csrf.valid():
        return _stale()
    try:
        with render_slot():
            pipeline.check(draft.spec, draft.state.body)
    except (ValidationFailed, PageLimitExceeded):
        return _go("web.check", draft_id=draft.id)
    draft.state.finished = True
    draft.state.unchecked = {}
    draft.save()
    return _go("web.done", draft_id=draft.id)


@bp.get("/drafts/<draft_id>/done")
def done(draft_id: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    if not draft.state.finished:
        return _go("web.check", draft_id=draft.id)
    routes = where_it_goes(draft.spec.id, draft.state.body)
    return _render("web/done.html", spec=draft.spec, draft=draft, routes=routes, uk_date=_uk)


def _uk(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return uk_date(dt.date.fromisoformat(iso[:10]))
    except ValueError:
        return iso


@bp.post("/drafts/<draft_id>/download")
def download(draft_id: str) -> Response | Redirect | Page:
    draft = _Loaded(draft_id)
    if not csrf.valid():
        return _stale()
    if not draft.state.finished:
        return _go("web.check", draft_id=draft.id)
    fmt = request.form.get("format", "pdf")
    audit.attempt(draft.spec.id, fmt if fmt in ("pdf", "docx") else "unknown")
    body = copy.deepcopy(draft.state.body)
    try:
        with render_slot():
            if request.form.get("split") == "child" and draft.spec.split_by_child:
                document = pipeline.render_split(draft.spec, body, fmt)
            else:
                document = pipeline.render(draft.spec, body, fmt)
    except UnsupportedFormat:
        abort(400)
    except (ValidationFailed, PageLimitExceeded):
        return _go("web.check", draft_id=draft.id)
    audit.made(document.content, document.pages)
    # The document now holds the answers; the service keeps no copy of them.
    drafts_hooks.store().delete(_owner(), draft.id)
    return document_response(document)


@bp.get("/drafts/<draft_id>/delete")
def delete_page(draft_id: str) -> Page:
    draft = _Loaded(draft_id)
    return _render("web/delete.html", spec=draft.spec, draft=draft)


@bp.post("/drafts/<draft_id>/delete")
def delete_post(draft_id: str) -> Redirect | Page:
    draft = _Loaded(draft_id)
    if not csrf.valid():
        return _stale()
    drafts_hooks.store().delete(_owner(), draft.id)
    return _go("web.start")


def drafts_listed() -> list[dict[str, Any]]:
    """"Your drafts" on the start page: form, the child's initials, when last changed, when it will be deleted."""
    forms = all_forms()
    listed = []
    for draft in drafts_hooks.store().list(_owner()):
        spec = forms.get(draft.form_id)
        if spec is None:
            continue
        listed.append({"id": draft.id, "title": spec.title, "label": draft.label,
                       "changed": draft.updated_at.astimezone(UK_TIME), "expires": draft.expires_at})
    return listed

