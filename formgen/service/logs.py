"""Structured logs with a request id, and never the request's data.

Each request logs one line: method, the route's pattern (not the URL, which could carry a name in
a query), status, duration and the request id. Bodies, headers and form data are never logged.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

log = logging.getLogger("formgen.access")

# A client's X-Request-Id is kept only if it is a UUID or 16-64 hex digits: nothing else (a name, a sentence)
# can ride into the logs on it. Anything else is replaced with a fresh id.
REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,64}", re.IGNORECASE)

_SAFE_EXTRAS = ("request_id", "method", "route", "status", "duration_ms", "form_id", "error_type", "client")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        for key in _SAFE_EXTRAS:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        return json.dumps(line)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (a server's, a test's), not the one at start-up."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure(level: int = logging.INFO) -> None:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("formgen")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _known_form(form_id: str | None) -> str | None:
    """A path segment is logged only when it is a real form id, never free text from a caller."""
    from formgen.core.registry import all_forms

    return form_id if form_id in all_forms() else None


def init_app(app: Flask) -> None:
    if not logging.getLogger("formgen").handlers:
        configure()

    @app.before_request
    def _start() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        log.info(
            "request",
            extra={
                "request_id": g.get("request_id"),
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else "unmatched",
                "form_id": _known_form((request.view_args or {}).get("form_id")),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
            },
        )
        return response
