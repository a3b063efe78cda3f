"""A form as a task list (GOV.UK "complete multiple tasks"): each of the form's sections is a task, one page each.

A form module declares its sections (`FormSpec.sections`: title and top-level field names). A list of people
or cases (a ROWS field) is a task of its own, shown as an "add another" summary whose items each open their
own page. A task's status comes from the answers and the schema, never from a box the user ticks:

    Not started   nothing answered and never saved
    In progress   saved, but the form's rules find something missing or wrong in it, or it holds answers
                  filled in from a document that nobody has checked yet
    Completed     saved (or answered) and nothing wrong in it
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from formgen.core.registry import FormSpec
from formgen.service.web.schema_form import Field, Kind, row_title


class Status(StrEnum):
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    COMPLETED = "Completed"


@dataclass(frozen=True)
class Task:
    slug: str
    title: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)

    @property
    def rows(self) -> Field | None:
        """The list this task is about, when it is an "add another" task."""
        only = self.fields[0] if len(self.fields) == 1 else None
        return only if only is not None and only.kind is Kind.ROWS and not only.row_titles else None

    def owns(self, path: str) -> bool:
        return path.split(".", 1)[0] in self.names


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "task"


def tasks_of(spec: FormSpec, fields_: tuple[Field, ...]) -> tuple[Task, ...]:
    """The form's tasks, in the order its module declares them; a field no section names gets a task of its own."""
    by_name = {f.name: f for f in fields_}
    declared = [(title, tuple(by_name[n] for n in names if n in by_name)) for title, names in spec.sections]
    named = {f.name for _, group in declared for f in group}
    declared += [(f.label, (f,)) for f in fields_ if f.name not in named]
    seen: set[str] = set()
    tasks = []
    for title, group in declared:
        slug = slugify(title)
        while slug in seen or slug in RESERVED:
            slug += "-more"
        seen.add(slug)
        tasks.append(Task(slug, title, group))
    return tuple(tasks)


# Draft addresses that are pages of their own, not tasks.
RESERVED = frozenset({"check", "confirm", "done", "download", "upload", "delete"})


def _answered(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_answered(v) for v in value.values())
    if isinstance(value, list):
        return any(_answered(v) for v in value)
    return value not in (None, "")


def answered(task: Task, body: Mapping[str, Any]) -> bool:
    return any(_answered(body.get(name)) for name in task.names)


def errors_in(task: Task, errors: Mapping[str, list[str]]) -> dict[str, list[str]]:
    return {path: messages for path, messages in errors.items() if task.owns(path)}


def status(task: Task, body: Mapping[str, Any], errors: Mapping[str, list[str]], saved: Iterable[str],
           unchecked: Iterable[str]) -> Status:
    was_saved = task.slug in set(saved)
    if not (was_saved or answered(task, body)):
        return Status.NOT_STARTED
    if errors_in(task, errors) or any(task.owns(path) for path in unchecked):
        return Status.IN_PROGRESS
    return Status.COMPLETED


def item_title(rows: Field, row: Any, index: int) -> str:
    """What an item is called on its card and its page: "Case 2: CF2280002", "Family member 1: Kai Doe"."""
    base = row_title(rows, index)
    first = next((row.get(f.name) for f in rows.children
                  if f.kind is Kind.LINE and isinstance(row, Mapping) and isinstance(row.get(f.name), str)
                  and row.get(f.name)), None)
    return f"{base}: {first}" if first else base


def initials(body: Mapping[str, Any]) -> str:
    """The child's initials for "Your drafts" (never the name): the form's first child, or how many cases."""
    child = body.get("child")
    children = body.get("children")
    if not isinstance(child, Mapping) and isinstance(children, list) and children:
        child = children[0]
    name = (child.get("full_name") or child.get("name")) if isinstance(child, Mapping) else None
    if isinstance(name, str) and name.strip():
        return "".join(part[0].upper() for part in name.split() if part[:1].isalpha())[:4]
    cases = body.get("cases")
    if isinstance(cases, list) and cases:
        return f"{len(cases)} case{'s' if len(cases) != 1 else ''}"
    return ""
