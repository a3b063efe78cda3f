"""Records each render request in the audit trail (`formgen.store.audit`) once its answer is known.

The database is `AUDIT_URL` (FORMGEN_AUDIT_URL, postgresql://...) when set, else `AUDIT_DB` (FORMGEN_AUDIT_DB),
by default `audit.sqlite3` in the app's instance folder. Under TESTING the trail is off unless one is given.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, g

from formgen.store.audit import AuditStore, Entry, open_trail, outcome_for


def default_path(app: Flask) -> Path:
    return Path(app.instance_path) / "audit.sqlite3"


def trail(app: Flask) -> AuditStore | None:
    found = app.extensions.get("formgen_audit")
    return found if isinstance(found, AuditStore) else None


# Called by the render view: which render this request is, and the document once made.
def attempt(form_id: str, fmt: str) -> None:
    g.audit_attempt = (form_id, fmt)


def made(content: bytes, pages: int | None) -> None:
    g.audit_document = (hashlib.sha256(content).hexdigest(), pages)


def init_app(app: Flask) -> None:
    configured = app.config.get("AUDIT_URL") or app.config.get("AUDIT_DB")
    if not configured and app.testing:
        return
    audit = open_trail(configured or default_path(app))
    app.extensions["formgen_audit"] = audit

    @app.after_request
    def _record(response: Response) -> Response:
        attempted = g.get("audit_attempt")
        if attempted is None:
            return response
        form_id, fmt = attempted
        sha256, pages = g.get("audit_document", (None, None)) if response.status_code == 200 else (None, None)
        problem_type = None
        if response.mimetype == "application/problem+json":
            problem_type = (response.get_json(silent=True) or {}).get("type")
        audit.record(Entry(
            client=g.get("client", "open"), form_id=form_id, format=fmt, status=response.status_code,
            outcome=outcome_for(response.status_code, problem_type), pages=pages, sha256=sha256,
            request_id=g.get("request_id"),
        ))
        return response
