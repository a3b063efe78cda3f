"""Building request bodies for rule tests: an example with changes applied, and its errors."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from formgen.core.errors import ValidationFailed
from formgen.core.registry import FormSpec
from formgen.engine import pipeline

Body = dict[str, Any]
Change = Callable[[Body], None]
DROP = object()  # set_path(path, DROP) removes the key


def _parent(body: Body, path: str) -> tuple[Any, str]:
    target: Any = body
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    return target, last


def set_path(path: str, value: Any) -> Change:
    """Set a dotted path (list indexes as numbers), e.g. 'family_members.1.date_of_birth'."""
    def change(body: Body) -> None:
        target, last = _parent(body, path)
        if value is DROP:
            drop_path(path)(body)
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return change


def drop_path(path: str) -> Change:
    """Remove a dotted path, if it is there."""
    def change(body: Body) -> None:
        target, last = _parent(body, path)
        if isinstance(target, list):
            del target[int(last)]
        else:
            target.pop(last, None)
    return change


def many(*changes: Change) -> Change:
    def change(body: Body) -> None:
        for one in changes:
            one(body)
    return change


def changed(base: Mapping[str, Any], *changes: Change) -> Body:
    """A deep copy of `base` with `changes` applied in order."""
    body = copy.deepcopy(dict(base))
    for one in changes:
        one(body)
    return body


def errors_for(form: FormSpec, body: Body) -> dict[str, list[str]]:
    """The field errors of a body that must fail validation."""
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(form, body)
    return caught.value.errors


def tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()
