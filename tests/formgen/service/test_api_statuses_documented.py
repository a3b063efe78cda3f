"""docs/api.md lists every status the API answers: those the app's errors carry, those the server answers
itself, and every one the OpenAPI document declares."""

from __future__ import annotations

import re
from pathlib import Path

from formgen.core.councils import UnknownCouncil, UnknownRoute
from formgen.core.errors import BadDocument, PageLimitExceeded, UnknownForm, UnsupportedFormat, ValidationFailed
from formgen.engine.routes import RouteNotReady
from formgen.service import problems_http
from formgen.service import server as formgen_server
from formgen.service.openapi import openapi_document

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"
ERRORS = (UnknownCouncil, UnknownRoute, BadDocument, PageLimitExceeded, UnknownForm, UnsupportedFormat,
          ValidationFailed, RouteNotReady)


def _documented() -> dict[int, str]:
    """Each status row of the table: status -> the rest of its rows' text."""
    text = DOC.read_text(encoding="utf-8").split("### Every status the API answers, and when", 1)[1]
    rows: dict[int, str] = {}
    for status, rest in re.findall(r"^\| (\d{3}) \|(.*)$", text, re.MULTILINE):
        rows[int(status)] = rows.get(int(status), "") + rest
    return rows


def _declared_by_openapi() -> set[int]:
    found: set[int] = set()
    for operations in openapi_document()["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                found |= {int(code) for code in operation.get("responses", {}) if code.isdigit()}
    return found - {200}


def test_the_brief_s_statuses_are_all_documented() -> None:
    assert {400, 401, 403, 404, 406, 408, 413, 415, 422, 429, 501, 503} <= set(_documented())


def test_every_status_the_code_answers_is_documented_with_its_problem_type() -> None:
    documented = _documented()
    for error in ERRORS:
        assert error.status in documented, error.__name__
        assert f"`{error.problem_type}`" in documented[error.status], error.__name__
    for status in problems_http._DETAILS:
        assert status in documented, status
    for _, status, _, _ in formgen_server._REFUSALS:
        assert status in documented, status
    assert _declared_by_openapi() <= set(documented)
