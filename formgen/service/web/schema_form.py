"""Web pages generated from a form's marshmallow schema: no per-form code.

`describe(schema)` walks the schema into `Field`s using each field's metadata (`label`, `hint`,
`options`, `multiline`) and validators (lengths, ranges, choices). From those:
- `parse(fields, form)` turns a posted HTML form into a JSON body for the engine;
- `page_items(fields, body, errors)` gives the parameters of the GOV.UK Frontend macros for each input,
  with each error beside its field, and `error_summary(...)` the links at the top of the page;
- `answers(fields, body)` gives the check-your-answers rows.

Input names are the body's dotted paths (`family_members.0.full_name`), so the engine's error paths
map straight onto inputs; date inputs add `-day`, `-month` and `-year`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from markupsafe import Markup, escape
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from formgen.core.dates import uk_date
from formgen.core.fields import EMAIL

# Integers with at most this many values are offered as radios (a level of need 1 to 5).
RADIO_RANGE = 10
ROWS_KEY = "_rows"


class Kind(StrEnum):
    LINE = "line"
    TEXT = "text"
    DATE = "date"
    CHOICE = "choice"
    CHOICES = "choices"
    LINES = "lines"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    NUMBER = "number"
    GROUP = "group"
    ROWS = "rows"


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str
    hint: str | None = None
    required: bool = False
    max_length: int | None = None
    options: dict[str, str] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    item_label: str | None = None
    children: tuple[Field, ...] = ()
    required_when: str | None = None  # an optional field needed in some cases, in words
    input_type: str = "text"  # "email" or "tel": the keyboard phones show, and the browser's own checks
    # Rows something else fills (a case's children): one row each, by these titles, none added or removed.
    # A row keeps its place when left blank, so each answer stays with its row.
    row_titles: tuple[str, ...] = ()


def _validators(f: fields.Field) -> list[Any]:
    found = f.validators if isinstance(f.validators, list | tuple) else [f.validators]
    return [v for v in found if v is not None]


def _of(validators: list[Any], kind: type) -> Any:
    return next((v for v in validators if isinstance(v, kind)), None)


# Row names where the schema's class name does not read as one of the list's items.
_ITEM_NAMES = {"OtherPresent": "Person", "WellbeingPlanRow": "Row", "HouseholdMember": "Household member"}


def item_name(schema: Any) -> str:
    """What one row of a list is called ("Case 2", not "Cases 2"): from its schema's class name."""
    cls = schema if isinstance(schema, type) else type(schema)
    stem = cls.__name__.removesuffix("Schema")
    if stem in _ITEM_NAMES:
        return _ITEM_NAMES[stem]
    words = re.findall(r"[A-Z][a-z]*", stem)
    return " ".join([words[0], *(w.lower() for w in words[1:])]) if words else stem


_WHEN_CHOSEN = re.compile(r"^when the (.+) is (.+)$", re.IGNORECASE)


def reveals(fields_: tuple[Field, ...]) -> dict[str, tuple[str, str]]:
    """Questions needed only when a sibling radio has one answer, by their own words ("when the housing provider
    is Other"): name -> (the radio's name, the option's value). Such a question is revealed by its radio."""
    found: dict[str, tuple[str, str]] = {}
    choices = {f.label.lower(): f for f in fields_ if f.kind is Kind.CHOICE}
    for f in fields_:
        matched = _WHEN_CHOSEN.match(f.required_when or "")
        choice = choices.get(matched.group(1).lower()) if matched else None
        if matched is None or choice is None or fields_.index(choice) > fields_.index(f):
            continue
        option = next((value for value, words in choice.options.items()
                       if words.lower() == matched.group(2).strip().lower()), None)
        if option is not None and f.kind is not Kind.ROWS:
            found[f.name] = (choice.name, option)
    return found


def _describe_field(name: str, f: fields.Field) -> Field:
    meta = f.metadata or {}
    label = str(meta.get("label") or meta.get("title") or name.replace("_", " ").capitalize())
    hint = meta.get("hint") or meta.get("description")
    common: dict[str, Any] = {"name": name, "label": label, "hint": hint, "required": bool(f.required),
                              "required_when": meta.get("required_when")}
    checks = _validators(f)
    length = _of(checks, validate.Length)
    if isinstance(f, fields.List):
        inner = f.inner
        if isinstance(inner, fields.Nested):
            return Field(kind=Kind.ROWS, children=describe(inner.schema),
                         minimum=length.min if length else None, maximum=length.max if length else None,
                         item_label=meta.get("item_label") or item_name(inner.schema), **common)
        one_of = _of(_validators(inner), validate.OneOf)
        if one_of is not None or (inner.metadata or {}).get("options"):
            listed = (inner.metadata or {}).get("options") or {str(c): str(c) for c in one_of.choices}
            return Field(kind=Kind.CHOICES, options={str(k): str(v) for k, v in dict(listed).items()}, **common)
        return Field(kind=Kind.LINES, **common)
    if isinstance(f, fields.Nested):
        return Field(kind=Kind.GROUP, children=describe(f.schema), **common)
    if isinstance(f, fields.Date):
        if hint and "YYYY-MM-DD" in hint:
            common["hint"] = "For example, 27 3 2026."
        return Field(kind=Kind.DATE, **common)
    if isinstance(f, fields.Boolean):
        return Field(kind=Kind.BOOLEAN, options={"yes": "Yes", "no": "No"}, **common)
    if isinstance(f, fields.Integer):
        span = _of(checks, validate.Range)
        low, high = (span.min, span.max) if span else (None, None)
        if low is not None and high is not None and high - low < RADIO_RANGE:
            # The guidance's words for a value ("3 - Intensive") where the form gives them, else the number.
            named = {str(k): str(v) for k, v in dict(meta.get("options") or {}).items()}
            return Field(kind=Kind.INTEGER, options={str(n): named.get(str(n), str(n)) for n in range(low, high + 1)},
                         minimum=low, maximum=high, **common)
        return Field(kind=Kind.NUMBER, minimum=low, maximum=high, **common)
    if isinstance(f, fields.Number):
        return Field(kind=Kind.NUMBER, **common)
    options = meta.get("options")
    one_of = _of(checks, validate.OneOf)
    if options or one_of is not None:
        chosen = options or {str(c): str(c) for c in one_of.choices}
        return Field(kind=Kind.CHOICE, options={str(k): str(v) for k, v in dict(chosen).items()}, **common)
    multiline = bool(meta.get("multiline", False))
    kind = Kind.TEXT if multiline else Kind.LINE
    return Field(kind=kind, max_length=length.max if length else None, input_type=_input_type(name, meta), **common)


def _input_type(name: str, meta: Mapping[str, Any]) -> str:
    if meta.get("format_pattern") == EMAIL:
        return "email"
    return "tel" if name.endswith("telephone") else "text"


def describe(schema: Schema | type[Schema]) -> tuple[Field, ...]:
    """The schema's fields, in declaration order, as the web pages see them."""
    instance = schema() if isinstance(schema, type) else schema
    return tuple(_describe_field(name, f) for name, f in instance.fields.items() if not f.dump_only)


# ---------------------------------------------------------------- posted form -> body

def _path(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def row_count(form: Mapping[str, Any], path: str, maximum: int | None) -> int:
    raw = form.get(f"{path}.{ROWS_KEY}", "0")
    count = int(raw) if isinstance(raw, str) and raw.isdigit() else 0
    return min(count, maximum if maximum is not None else 100)


MONTHS = {name: number for number, name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"), start=1)}


def month_number(text: str) -> str:
    """'3', 'March', 'mar' or 'Sept' -> '3' (GOV.UK: accept month names and abbreviations); else as typed."""
    word = text.strip().lower().rstrip(".")
    if len(word) >= 3:
        for name, number in MONTHS.items():
            if name.startswith(word) or (word == "sept" and name == "september"):
                return str(number)
    return text


def _parse_date(form: Mapping[str, Any], path: str) -> str | None:
    day, month, year = (str(form.get(f"{path}-{part}", "")).strip() for part in ("day", "month", "year"))
    if not (day or month or year):
        return None
    month = month_number(month)
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    # Kept as typed, so the schema says it is not a real date and the page shows it back.
    return f"{year}-{month}-{day}"


def _parse_one(f: Field, form: MultiDict[str, str], path: str) -> Any:
    if f.kind is Kind.GROUP:
        inner = parse(f.children, form, path)
        return inner if (inner or f.required) else None
    if f.kind is Kind.ROWS and f.row_titles:
        rows = [parse(f.children, form, f"{path}.{i}") for i in range(len(f.row_titles))]
        return rows if any(rows) else None
    if f.kind is Kind.ROWS:
        rows = [parse(f.children, form, f"{path}.{i}") for i in range(row_count(form, path, f.maximum))]
        return [row for row in rows if row]
    if f.kind is Kind.DATE:
        return _parse_date(form, path)
    if f.kind is Kind.CHOICES:
        return [v for v in form.getlist(path) if v] or None
    raw = form.get(path, "")
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    if f.kind is Kind.LINES:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if f.kind is Kind.BOOLEAN:
        return {"yes": True, "no": False}.get(text, text)
    if f.kind in (Kind.INTEGER, Kind.NUMBER) and re.fullmatch(r"-?\d{1,9}", text):
        return int(text)
    if f.kind is Kind.TEXT:
        return raw.replace("\r\n", "\n").strip()
    return text


def parse(fields_: tuple[Field, ...], form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """A JSON body from a posted page. Blank answers are left out, so the schema names what is missing."""
    body: dict[str, Any] = {}
    for f in fields_:
        value = _parse_one(f, form, _path(prefix, f.name))
        if value is not None and not (f.kind is Kind.ROWS and value == [] and f.minimum):
            body[f.name] = value
    # An answer under a radio that is not chosen was hidden from the user: it is not theirs to send (GOV.UK).
    for name, (choice, option) in reveals(fields_).items():
        if body.get(choice) != option:
            body.pop(name, None)
    return body


# ---------------------------------------------------------------- body + errors -> GOV.UK macro parameters

def input_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def _date_fault(f: Field, value: Any) -> str | None:
    """GOV.UK's one message per date fault, from what was typed (None: the schema's own message says it)."""
    if not isinstance(value, str) or value.count("-") < 2:
        return None
    year, month, day = value.split("-", 2)
    missing = [part for part, typed in (("day", day), ("month", month), ("year", year)) if not typed]
    if len(missing) == 1:
        return f"{f.label} must include a {missing[0]}."
    if len(missing) == 2:
        return f"{f.label} must include a {missing[0]} and a {missing[1]}."
    if not (year.isdigit() and len(year) == 4):
        return f"The year in {f.label.lower()} must include 4 numbers."
    if not (day.isdigit() and month.isdigit()):
        return f"{f.label} must be a real date."
    return None


def _web_message(f: Field, message: str) -> str:
    """The schema's words, less what only makes sense in JSON."""
    message = message.replace(" (a JSON number, not text)", "")
    if f.kind is Kind.DATE:
        message = message.replace(" in the format YYYY-MM-DD", ", with a day, month and 4-digit year")
    return message


@dataclass
class Page:
    """What a form page needs: the items to render, and every error's anchor in page order."""

    items: list[dict[str, Any]]
    anchors: dict[str, str]            # path -> id of the first input for it
    labels: dict[str, str]             # path -> the words a reader knows it by
    errors: Mapping[str, list[str]]
    messages: dict[str, str] = field(default_factory=dict)   # path -> the error text shown beside it
    own_labels: dict[str, str] = field(default_factory=dict)  # path -> its label alone


def _get(body: Any, name: str) -> Any:
    return body.get(name) if isinstance(body, Mapping) else None


def _date_parts(value: Any) -> tuple[str, str, str]:
    if isinstance(value, str) and value.count("-") >= 2:
        year, month, day = value.split("-", 2)
        tidy = [p.lstrip("0") or p if p.isdigit() else p for p in (day, month, year)]
        return tidy[0], tidy[1], tidy[2]
    return "", "", ""


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


class _Builder:
    def __init__(self, errors: Mapping[str, list[str]], room: Mapping[str, int] | None = None) -> None:
        self.errors = errors
        self.room = room or {}  # path -> the length the answer may have for the document to fit (measured)
        self.anchors: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.own_labels: dict[str, str] = {}
        self.messages: dict[str, str] = {}

    def error(self, f: Field, path: str, value: Any = None) -> dict[str, str] | None:
        messages = self.errors.get(path)
        if not messages:
            return None
        fault = _date_fault(f, value) if f.kind is Kind.DATE else None
        self.messages[path] = fault or " ".join(_web_message(f, m) for m in messages)
        return {"text": self.messages[path]}

    def items(self, fields_: tuple[Field, ...], body: Any, prefix: str, context: str) -> list[dict[str, Any]]:
        built: list[dict[str, Any]] = []
        revealing = reveals(fields_)
        by_name: dict[str, dict[str, Any]] = {}
        for f in fields_:
            item = self.item(f, _get(body, f.name), _path(prefix, f.name), context)
            by_name[f.name] = item
            if f.name in revealing:
                choice, option = revealing[f.name]
                # GOV.UK conditional reveal: the question sits under its radio (shown to all without JavaScript).
                by_name[choice].setdefault("reveals", {})[option] = item
                by_name[choice]["params"].pop("classes", None)  # inline radios cannot reveal
            else:
                built.append(item)
        return built

    def item(self, f: Field, value: Any, path: str, context: str) -> dict[str, Any]:
        ident = input_id(path)
        label = f.label if f.required or f.kind in (Kind.GROUP, Kind.ROWS) or f.required_when else f"{f.label} (optional)"
        self.labels[path] = f"{f.label}{context}"
        self.own_labels[path] = f.label
        hint_text = " ".join(filter(None, [f"Needed {f.required_when}." if f.required_when else None, f.hint]))
        hint = {"text": hint_text} if hint_text else None
        error = self.error(f, path, value)
        if f.kind is Kind.GROUP:
            children = self.items(f.children, value, path, context)
            self.anchors[path] = self._first_anchor(children, ident)
            return {"kind": "group", "id": ident, "legend": label, "hint": hint_text or None, "error": error,
                    "children": children}
        if f.kind is Kind.ROWS:
            return self.rows(f, value, path, ident, label, error, context, hint_text or None)
        self.anchors[path] = ident
        params: dict[str, Any] = {"id": ident, "name": path, "hint": hint, "errorMessage": error}
        if f.kind is Kind.DATE:
            day, month, year = _date_parts(value)
            bad = " govuk-input--error" if error else ""
            self.anchors[path] = f"{ident}-day"
            params.pop("name")
            params.update({
                "namePrefix": path,
                "fieldset": {"legend": {"text": label}},
                "items": [
                    {"name": "day", "label": "Day", "classes": f"govuk-input--width-2{bad}", "value": day},
                    {"name": "month", "label": "Month", "classes": f"govuk-input--width-2{bad}", "value": month},
                    {"name": "year", "label": "Year", "classes": f"govuk-input--width-4{bad}", "value": year},
                ],
            })
            return {"kind": "date", "params": params}
        if f.kind in (Kind.CHOICE, Kind.BOOLEAN, Kind.INTEGER, Kind.CHOICES):
            chosen = {str(v) for v in value} if isinstance(value, list) else {_scalar_text(value)}
            params.pop("id")
            params.update({
                "idPrefix": ident,
                "fieldset": {"legend": {"text": label}},
                "items": [{"value": v, "text": words, "checked": v in chosen} for v, words in f.options.items()],
            })
            bare = all(words == value for value, words in f.options.items())  # numbers alone sit in a row
            if f.kind is Kind.BOOLEAN or (f.kind is Kind.INTEGER and bare and len(f.options) <= 5):
                params["classes"] = "govuk-radios--inline"
            return {"kind": "checkboxes" if f.kind is Kind.CHOICES else "radios", "params": params}
        params.update({"label": {"text": label}, "value": _scalar_text(value)})
        if f.kind in (Kind.TEXT, Kind.LINES):
            if f.max_length and f.kind is Kind.TEXT:
                # After a page-limit check, the count is of the room left on the page, not the field's maximum.
                fits = self.room.get(path)
                params.update({"maxlength": min(f.max_length, fits) if fits is not None else f.max_length,
                               "rows": 6 if f.max_length > 600 else 3})
                return {"kind": "character-count", "params": params}
            return {"kind": "textarea", "params": params}
        params["spellcheck"] = False
        # "off", not "tel"/"email": these are the family's or a colleague's details, never the user's own.
        params["autocomplete"] = "off"
        if f.input_type != "text":
            params["type"] = f.input_type
        if f.kind is Kind.NUMBER:
            params.update({"inputmode": "numeric", "classes": "govuk-input--width-5"})
        elif f.max_length and f.max_length <= 20:
            params["classes"] = "govuk-input--width-10"
        elif f.max_length and f.max_length <= 60:
            params["classes"] = "govuk-input--width-20"
        return {"kind": "input", "params": params}

    def rows(self, f: Field, value: Any, path: str, ident: str, label: str, error: dict[str, str] | None,
             context: str, hint: str | None) -> dict[str, Any]:
        existing = value if isinstance(value, list) else []
        # One row is always shown, so even an optional list can be filled in without adding a row first.
        shown = len(f.row_titles) or max(len(existing), f.minimum or 0, 1)
        item = f.item_label or f.label
        add_id = f"{ident}-add"
        self.anchors[path] = add_id  # placed before its rows, so its errors come first in the summary
        rows = []
        for index in range(shown):
            row_value = existing[index] if index < len(existing) else {}
            row_path = f"{path}.{index}"
            legend = row_title(f, index)
            children = self.items(f.children, row_value, row_path, f" ({legend})")
            self.anchors[row_path] = self._first_anchor(children, input_id(row_path))
            self.labels[row_path] = self.own_labels[row_path] = legend
            removable = not f.row_titles and shown > max(f.minimum or 0, 1)
            rows.append({"legend": legend, "id": input_id(row_path), "children": children,
                         "error": self.error(f, row_path), "remove": f"remove:{row_path}" if removable else None})
        self.anchors[path] = self.anchors.get(f"{path}.0", add_id)
        can_add = not f.row_titles and (f.maximum is None or shown < f.maximum)
        return {"kind": "rows", "id": ident, "legend": label, "hint": hint, "error": error, "path": path,
                "count": shown, "rows": rows, "add": f"add:{path}" if can_add else None, "add_id": add_id,
                "item_label": item, "maximum": f.maximum, "keyed": bool(f.row_titles)}

    def _first_anchor(self, children: list[dict[str, Any]], fallback: str) -> str:
        for child in children:
            params = child.get("params")
            if params:
                if child["kind"] == "date":
                    return f"{params['id']}-day"
                return str(params.get("id") or params.get("idPrefix"))
            if child["kind"] == "group":
                return self._first_anchor(child["children"], fallback)
            if child["kind"] == "rows":
                return self.anchors.get(child["path"], str(child["add_id"]))
        return fallback


def row_title(f: Field, index: int) -> str:
    if index < len(f.row_titles):
        return f.row_titles[index]
    return f"{f.item_label or f.label} {index + 1}"


def page(fields_: tuple[Field, ...], body: Mapping[str, Any], errors: Mapping[str, list[str]] | None = None,
         room: Mapping[str, int] | None = None, prefix: str = "") -> Page:
    """The page's items; `prefix` is the path of the row the fields belong to (`cases.1`), on an item's page."""
    builder = _Builder(errors or {}, room)
    items = builder.items(fields_, body, prefix, "")
    return Page(items=items, anchors=builder.anchors, labels=builder.labels, errors=errors or {},
                messages=builder.messages, own_labels=builder.own_labels)


def _nearest(path: str, anchors: Mapping[str, str]) -> str | None:
    parts = path.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in anchors:
            return candidate
        parts.pop()
    return None


def _where(path: str, built: Page, message: str = "") -> str:
    """'Referrer: ' for referrer.name, so the summary says which Name; nothing when the label or the message
    says it already ("Case 1 (carefirst 3301) has no consent reference" needs no "Case 1: " before it)."""
    own = built.own_labels.get(path, "").lower()
    parts = path.split(".")[:-1]
    while parts:
        holder = built.own_labels.get(".".join(parts))
        if holder:
            said = holder.lower() in own or message.lower().startswith(holder.lower())
            return "" if said else f"{holder}: "
        parts.pop()
    return ""


def error_summary(built: Page, extra: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The error summary's links, in the order the fields appear on the page."""
    order = {path: index for index, path in enumerate(built.anchors)}
    entries: list[tuple[int, dict[str, str]]] = []
    for path, messages in built.errors.items():
        found = _nearest(path, built.anchors)
        message = built.messages.get(path, " ".join(messages))
        text = _where(path, built, message) + message
        if found is None:
            entries.append((-1, {"text": text}))
            continue
        entries.append((order[found], {"text": text, "href": f"#{built.anchors[found]}"}))
    entries.sort(key=lambda item: item[0])
    return [*(extra or []), *(entry for _, entry in entries)]


# ---------------------------------------------------------------- body -> check your answers

def _display(f: Field, value: Any) -> Markup:
    if value is None or value == "" or value == []:
        return Markup('<span class="govuk-hint">Not given</span>')
    if f.kind is Kind.DATE and isinstance(value, str):
        try:
            return escape(uk_date(dt.date.fromisoformat(value)))
        except ValueError:
            return escape(value)
    if f.kind is Kind.BOOLEAN:
        return escape("Yes" if value is True else "No" if value is False else str(value))
    if f.kind in (Kind.CHOICE, Kind.INTEGER):
        return escape(f.options.get(str(value), str(value)))
    if f.kind is Kind.CHOICES and isinstance(value, list):
        return Markup("<br>").join(escape(f.options.get(str(v), str(v))) for v in value)
    if isinstance(value, list):
        return Markup("<br>").join(escape(str(v)) for v in value)
    return Markup("<br>").join(escape(line) for line in str(value).split("\n"))


def _rows_of(fields_: tuple[Field, ...], body: Any, prefix: str) -> Iterator[dict[str, Any]]:
    for f in fields_:
        if f.kind in (Kind.GROUP, Kind.ROWS):
            continue
        yield {"key": {"text": f.label}, "value": {"html": _display(f, _get(body, f.name))}}


def answers(fields_: tuple[Field, ...], body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Summary cards: one for the form's own answers, one per group and one per repeating row."""
    cards: list[dict[str, Any]] = []
    top = list(_rows_of(fields_, body, ""))
    pending: list[dict[str, Any]] = []

    def flush(title: str) -> None:
        if pending:
            cards.append({"title": title, "rows": list(pending)})
            pending.clear()

    for f in fields_:
        value = _get(body, f.name)
        if f.kind is Kind.GROUP:
            flush("Answers")
            inner = _flatten_group(f, value)
            cards.append({"title": f.label, "rows": inner})
        elif f.kind is Kind.ROWS:
            flush("Answers")
            items = value if isinstance(value, list) else []
            if not items:
                cards.append({"title": f.label, "rows": [{"key": {"text": f.label},
                                                          "value": {"html": _display(f, None)}}]})
            for index, row in enumerate(items):
                cards.append({"title": row_title(f, index), "rows": _flatten_group(f, row)})
        else:
            pending.append(top.pop(0))
    flush("Answers")
    return cards


def summary_rows(fields_: tuple[Field, ...], body: Any, prefix: str, href: Any,
                 context: str = "") -> list[dict[str, Any]]:
    """Check-your-answers rows, one per answer, each with a Change link to that answer (`href(path, anchor)`)."""
    rows: list[dict[str, Any]] = []
    for f in fields_:
        value = _get(body, f.name)
        path = _path(prefix, f.name)
        if f.kind is Kind.GROUP:
            rows.extend(summary_rows(f.children, value, path, href, f"{context}{f.label}: "))
            continue
        if f.kind is Kind.ROWS:
            items = value if isinstance(value, list) else []
            for index, row in enumerate(items):
                rows.extend(summary_rows(f.children, row, f"{path}.{index}", href,
                                         f"{context}{row_title(f, index)}: "))
            if items:
                continue
        anchor = input_id(path) + ("-day" if f.kind is Kind.DATE else "")
        label = f"{context}{f.label}"
        rows.append({"key": {"text": label}, "value": {"html": _display(f, value)},
                     "actions": {"items": [{"href": href(path, anchor), "text": "Change",
                                            "visuallyHiddenText": label.lower()}]}})
    return rows


def _flatten_group(f: Field, value: Any) -> list[dict[str, Any]]:
    rows = list(_rows_of(f.children, value, ""))
    for child in f.children:
        if child.kind is Kind.GROUP:
            rows.extend(_flatten_group(child, _get(value, child.name)))
        elif child.kind is Kind.ROWS:
            for index, row in enumerate(_get(value, child.name) or []):
                for entry in _flatten_group(child, row):
                    entry = dict(entry)
                    entry["key"] = {"text": f"{child.label} {index + 1}: {entry['key']['text']}"}
                    rows.append(entry)
    if not rows:
        rows.append({"key": {"text": f.label}, "value": {"html": _display(f, None)}})
    return rows


# ---------------------------------------------------------------- add / remove rows (works without JavaScript)

def change_rows(fields_: tuple[Field, ...], body: dict[str, Any], action: str) -> bool:
    """Apply "add:<path>" or "remove:<path>.<index>" to the body; False when the action is not understood."""
    verb, _, target = action.partition(":")
    if verb == "add":
        holder, name = _container(body, target)
        f = _field_at(fields_, target)
        if holder is None or f is None or f.kind is not Kind.ROWS or f.row_titles:
            return False
        found = holder.get(name)
        current: list[Any] = found if isinstance(found, list) else []
        shown = max(len(current), f.minimum or 0, 1)
        if f.maximum is not None and shown >= f.maximum:
            return False
        holder[name] = [*current, *([{}] * (shown - len(current))), {}]
        return True
    if verb == "remove":
        list_path, _, index = target.rpartition(".")
        holder, name = _container(body, list_path)
        keyed = _field_at(fields_, list_path)
        if holder is None or not index.isdigit() or (keyed is not None and keyed.row_titles):
            return False
        items = holder.get(name)
        # A blank row was never kept, so there may be nothing to remove.
        if isinstance(items, list) and int(index) < len(items):
            del items[int(index)]
        return True
    return False


def _container(body: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    parts = path.split(".")
    holder: Any = body
    for part in parts[:-1]:
        if isinstance(holder, list) and part.isdigit() and int(part) < len(holder):
            holder = holder[int(part)]
        elif isinstance(holder, dict):
            holder = holder.setdefault(part, {})
        else:
            return None, parts[-1]
    return (holder if isinstance(holder, dict) else None), parts[-1]


def _field_at(fields_: tuple[Field, ...], path: str) -> Field | None:
    current: tuple[Field, ...] = fields_
    found: Field | None = None
    for part in path.split("."):
        if part.isdigit():
            continue
        found = next((f for f in current if f.name == part), None)
        if found is None:
            return None
        current = found.children
    return found


# ---------------------------------------------------------------- body -> posted form (the inverse of parse)

def encode(fields_: tuple[Field, ...], body: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """The (name, value) pairs a browser would post for this body: for tests and case systems' HTML posts."""
    pairs: list[tuple[str, str]] = []
    for f in fields_:
        value = _get(body, f.name)
        path = _path(prefix, f.name)
        if value is None:
            continue
        if f.kind is Kind.GROUP:
            pairs.extend(encode(f.children, value, path))
        elif f.kind is Kind.ROWS:
            items = value if isinstance(value, list) else []
            pairs.append((f"{path}.{ROWS_KEY}", str(len(items))))
            for index, row in enumerate(items):
                pairs.extend(encode(f.children, row, f"{path}.{index}"))
        elif f.kind is Kind.DATE:
            day, month, year = _date_parts(value)
            pairs.extend([(f"{path}-day", day), (f"{path}-month", month), (f"{path}-year", year)])
        elif f.kind is Kind.CHOICES:
            pairs.extend((path, str(v)) for v in value)
        else:
            pairs.append((path, _scalar_text(value)))
    return pairs
