"""The Flask application factory: `create_app()`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, jsonify

from formgen.documents import signing
from formgen.service import (
    api_views,
    audit_hooks,
    auth,
    bodies,
    drafts_hooks,
    identity,
    logs,
    problems_http,
    render_slots,
    security_headers,
    web,
)
from formgen.service.problems_http import problem
from formgen.service.route_views import bp as route_views_bp
from formgen.service.web.step_down import bp as step_down_bp

DEFAULTS: dict[str, Any] = {
    # Large enough for a 40-case agenda; anything bigger is refused with a 413 problem.
    "MAX_CONTENT_LENGTH": 1_000_000,
    "JSON_SORT_KEYS": False,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Defaults, then FORMGEN_* environment variables, then the caller's (tests') config.

    Raises KeyFileError, WebConfigError, AuditUnavailable or DocumentKeysError, each with one line saying what to
    fix."""
    # Malformed document keys stop the start, not each render with a 500 (signing.DocumentKeysError).
    signing.keys()
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("FORMGEN")
    if config:
        app.config.update(config)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    logs.init_app(app)
    problems_http.init_app(app)
    security_headers.init_app(app)
    auth.init_app(app)  # API keys for /api/* (open when none are configured)
    audit_hooks.init_app(app)  # one append-only SQLite row per render, written once the answer is delivered
    bodies.init_app(app)  # chunked bodies held to MAX_CONTENT_LENGTH
    identity.init_app(app, keys_enabled=auth.keyring(app).enabled)  # the web pages' signed-in person
    drafts_hooks.init_app(app)  # the web pages' encrypted drafts, in the audit trail's database
    render_slots.init_app(app)  # at most RENDERS_PER_WORKER renders at once in one process
    app.register_blueprint(api_views.bp)
    app.register_blueprint(route_views_bp)  # /api/routes and /api/case-record (formgen/engine/routes.py)
    app.register_blueprint(web.bp)  # the practitioners' pages at / (formgen/web)
    app.register_blueprint(step_down_bp)  # "Start a step-down": one case, a route's pack (formgen/service/web/step_down.py)

    @app.get("/healthz")
    def healthz() -> Response:
        failed = audit_hooks.ready(app)
        if failed:
            return problem(503, "Service Unavailable", "Not ready: " + "; ".join(failed.values()) + ".",
                           "/problems/not-ready", checks=failed)
        return jsonify({"status": "ok"})

    return app
