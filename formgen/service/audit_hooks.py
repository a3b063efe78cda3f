"""Records each render request in the audit trail (`formgen.store.audit`) once its answer has been delivered.

The row is written when the server closes the response (WSGI `close()`), so it says what the client got:
`sent` for a document handed over whole, the refusal's own outcome (`invalid`, `rejected`, ...) for an
error answer, or `send-failed` when the answer never left (a header the server refused, a client that hung
up). Before a document goes out, the trail must be writable: if not, the answer is a 503 problem and no
document, so nothing is handed over that the trail could not record.

The database is `AUDIT_URL` (FORMGEN_AUDIT_URL, postgresql://...) when set, else `AUDIT_DB` (FORMGEN_AUDIT_DB),
by default `audit.sqlite3` in the app's instance folder. Under TESTING the trail is off unless one is given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from flask.testing import FlaskClient

from formgen.service.problems_http import problem
from formgen.store import audit as store
from formgen.store.audit import AuditStore, AuditUnavailable, Entry, outcome_for

PENDING = "formgen.audit.pending"
SENT, SEND_FAILED = "sent", "send-failed"
log = logging.getLogger("formgen.audit")


def default_path(app: Flask) -> Path:
    return Path(app.instance_path) / "audit.sqlite3"


def trail(app: Flask) -> AuditStore | None:
    found = app.extensions.get("formgen_audit")
    return found if isinstance(found, AuditStore) else None


# Called by the render views: which render this request is, and the document once made.
def attempt(form_id: str, fmt: str) -> None:
    g.audit_attempt = (form_id, fmt)


def made(content: bytes, pages: int | None) -> None:
    g.audit_document = (hashlib.sha256(content).hexdigest(), pages)


def open_trail(target: str | Path) -> AuditStore:
    """The trail at `target` (a file, or a postgresql:// URL), ready to append to, or AuditUnavailable with one
    line saying why."""
    where = _where(target)
    try:
        audit = store.open_trail(target)
    except AuditUnavailable as error:
        raise AuditUnavailable(f"the audit trail at {where} cannot be opened: {error}.") from None
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise AuditUnavailable(f"the audit trail at {where} cannot be opened: {reason}.") from None
    try:
        audit.check_writable()
    except AuditUnavailable as error:
        raise AuditUnavailable(f"the audit trail at {where}: {error}.") from None
    return audit


def _where(target: str | Path) -> str:
    """The trail's location for a message: a database URL without its password."""
    text = str(target)
    if "://" in text and "@" in text:
        scheme, rest = text.split("://", 1)
        return f"{scheme}://{rest.rsplit('@', 1)[1]}"
    return text


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class _Delivery:
    """The response body as the server reads it: knows whether every chunk was taken before close()."""

    def __init__(self, body: Iterable[bytes], done: Callable[[bool], None]) -> None:
        self._body = body
        self._chunks: Iterator[bytes] = iter(body)
        self._done = done
        self._finished = False

    def __iter__(self) -> _Delivery:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except StopIteration:
            # The server asks for the next chunk only after writing the last one: all of it went out.
            self._finished = True
            raise

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done(self._finished)


class DeliveryRecorder:
    """WSGI middleware: writes the pending audit row once the server has sent (or failed to send) the answer."""

    def __init__(self, app: WSGIApp, audit: AuditStore) -> None:
        self.app = app
        self.audit = audit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self.app(environ, start_response)
        except BaseException:
            # e.g. the server refused a header in start_response: the client got the server's own error.
            self._write(environ, delivered=False)
            raise
        if PENDING not in environ:
            return body
        return _Delivery(body, lambda delivered: self._write(environ, delivered))

    def _write(self, environ: dict[str, Any], delivered: bool) -> None:
        entry = environ.pop(PENDING, None)
        if not isinstance(entry, Entry):
            return
        if not delivered:
            outcome = SEND_FAILED
        else:
            outcome = SENT if entry.status == 200 else entry.outcome
        try:
            self.audit.record(dataclasses.replace(entry, outcome=outcome))
        except Exception as error:  # the answer is already with the client; say so, with no data
            log.error("audit row not written", extra={"request_id": entry.request_id,
                                                      "error_type": type(error).__name__})


class DeliveringClient(FlaskClient):
    """Flask's test client reading each answer whole and closing it, as a server does, so rows get written."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().open(*args, buffered=buffered, **kwargs)


def ready(app: Flask) -> dict[str, str]:
    """Each readiness check that fails, with a short reason (empty when ready)."""
    audit = trail(app)
    if audit is None:
        return {}
    try:
        audit.check_writable()
    except AuditUnavailable as error:
        log.error("not ready: audit trail", extra={"error_type": type(error).__name__})
        return {"audit": "the audit trail cannot be written"}
    return {}


def init_app(app: Flask) -> None:
    app.test_client_class = DeliveringClient
    configured = app.config.get("AUDIT_URL") or app.config.get("AUDIT_DB")
    if not configured and app.testing:
        return
    audit = open_trail(configured or default_path(app))
    app.extensions["formgen_audit"] = audit
    app.wsgi_app = DeliveryRecorder(app.wsgi_app, audit)  # type: ignore[method-assign]

    @app.after_request
    def _pending(response: Response) -> Response:
        attempted = g.get("audit_attempt")
        if attempted is None:
            return response
        if response.status_code == 200:
            try:
                audit.check_writable()
            except AuditUnavailable:
                response = problem(503, "Service Unavailable", "The audit trail cannot be written just now, so no "
                                   "document was sent. Try again in a minute; if it goes on, tell the service desk.",
                                   "/problems/audit-unavailable")
                response.headers["Retry-After"] = "60"
        form_id, fmt = attempted
        sha256, pages = g.get("audit_document", (None, None)) if response.status_code == 200 else (None, None)
        problem_type = None
        if response.mimetype == "application/problem+json":
            problem_type = (response.get_json(silent=True) or {}).get("type")
        request.environ[PENDING] = Entry(
            client=g.get("client", "open"), form_id=form_id, format=fmt, status=response.status_code,
            outcome=outcome_for(response.status_code, problem_type), pages=pages, sha256=sha256,
            request_id=g.get("request_id"),
        )
        return response
