"""The web pages' blueprint: the start page with "Your drafts", the footer's pages, errors as pages, assets.

The forms themselves are task lists saved as drafts (task_views.py registers them on this blueprint).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, g, render_template, request, send_from_directory
from flask.sansio.blueprints import BlueprintSetupState
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property

from formgen.core.errors import PageLimitExceeded, UnknownForm
from formgen.core.paths import PROJECT_ROOT, TEMPLATES_DIR
from formgen.core.registry import FormSpec, all_forms, get_form
from formgen.engine.prefill import MAX_UPLOAD_BYTES
from formgen.service import drafts_hooks
from formgen.service.identity import web_gate
from formgen.service.web import csrf
from formgen.service.web.info_pages import INFO_PAGES
from formgen.service.web.schema_form import Field, describe

SERVICE_NAME = "Children's services forms"
GOVUK_DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
OWN_STATIC = Path(__file__).resolve().parent / "static"
SWAGGER_UI = PROJECT_ROOT / "node_modules" / "swagger-ui-dist"
# The only files of swagger-ui-dist the API reference loads (its demo pages and source maps are not served).
SWAGGER_FILES = frozenset({"swagger-ui.css", "swagger-ui-bundle.js"})
STALE = ("This page had been open too long or came from another browser window, so nothing was done. "
         "Check your answers and press the button again.")


class WebBlueprint(Blueprint):
    """A blueprint whose templates are this project's and GOV.UK Frontend's (the form and step-down pages)."""

    @cached_property
    def jinja_loader(self) -> BaseLoader | None:  # type: ignore[override]
        return ChoiceLoader([
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ])


bp = WebBlueprint("web", __name__)


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    csrf.ensure_secret(state.app)


def nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def page_csp(script_nonce: str, *, images: str = "'self'") -> str:
    return (f"default-src 'none'; script-src 'self' 'nonce-{script_nonce}'; style-src 'self'; img-src {images}; "
            "font-src 'self'; manifest-src 'self'; connect-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")


# The API reference only: Swagger UI's stylesheet draws its icons as data: images. Scripts stay 'self' only.
API_DOCS_CSP_IMAGES = "'self' data:"


@bp.before_request
def _signed_in() -> Response | None:
    """Every page needs a signed-in person once formgen is deployed (formgen.service.identity)."""
    if request.endpoint in ("web.assets", "web.api_docs"):  # public CSS, fonts, scripts; the API's reference
        return None
    return web_gate()


@bp.after_request
def page_headers(response: Response) -> Response:
    """Every page's CSRF cookie, its CSP (with its script nonce) and no-store: the step-down pages use it too."""
    csrf.set_cookie(response)
    if response.mimetype == "text/html":
        images = API_DOCS_CSP_IMAGES if request.endpoint == "web.api_docs" else "'self'"
        response.headers["Content-Security-Policy"] = page_csp(nonce(), images=images)
        response.headers["Cache-Control"] = "no-store"
    return response


@cache
def fields_of(form_id: str) -> tuple[Field, ...]:
    return describe(get_form(form_id).schema)


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(template, service_name=SERVICE_NAME, csp_nonce=nonce(), csrf_token=csrf.token(),
                           csrf_field=csrf.FIELD, **context), status


def _page_limit_summary(error: PageLimitExceeded, labels: Mapping[str, str],
                        anchors: Mapping[str, str]) -> list[dict[str, str]]:
    """One line per answer to shorten, saying by how much (measured), each linking to its answer."""
    lines: list[dict[str, str]] = []
    for path, cut in error.cuts.items():
        line = {"text": f"Shorten '{labels.get(path, path)}' by about {cut.cut_characters:,} characters, "
                        f"about {cut.cut_lines} line{'s' if cut.cut_lines != 1 else ''}"}
        if path in anchors:
            line["href"] = f"#{anchors[path]}"
        lines.append(line)
    if lines:
        return lines
    names = [labels.get(path, path) for path, _ in error.longest]
    first = anchors.get(error.longest[0][0]) if error.longest else None
    line = {"text": f"The document would take {error.pages} pages; the limit is {error.max_pages}. "
                    f"Shorten: {', '.join(names)}."}
    if first:
        line["href"] = f"#{first}"
    return [line]


# ---------------------------------------------------------------- pages

@bp.get("/")
def start() -> tuple[str, int]:
    councils: dict[str, list[FormSpec]] = {}
    for spec in all_forms().values():
        councils.setdefault(spec.authority, []).append(spec)
    from formgen.service.web.task_views import drafts_listed  # the task views register on this blueprint

    return _render("web/start.html", councils=dict(sorted(councils.items())), drafts=drafts_listed(),
                   retention=drafts_hooks.retention())


@bp.get("/about/<page>")
def info(page: str) -> tuple[str, int]:
    """The footer's pages: help, the accessibility statement and the privacy notice."""
    if page not in INFO_PAGES:
        return _render("web/message.html", 404, heading="Page not found",
                       text="There is no page at this address. Choose a form from the list of forms.")
    heading, paragraphs = INFO_PAGES[page]
    days = drafts_hooks.retention()
    return _render("web/info.html", heading=heading,
                   paragraphs=[paragraph.replace("{retention}", str(days)) for paragraph in paragraphs])


# ---------------------------------------------------------------- errors as pages, assets

@bp.errorhandler(UnknownForm)
def _unknown(error: UnknownForm) -> tuple[str, int]:
    return _render("web/message.html", 404, heading="Page not found",
                   text="There is no form at this address. Choose a form from the list of forms.")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_: RequestEntityTooLarge) -> tuple[str, int]:
    return _render("web/message.html", 413, heading="The file or form is too large",
                   text=f"Upload a file of at most {MAX_UPLOAD_BYTES // 1_000_000} MB. Go back and try again.")


@bp.errorhandler(404)
def _not_found(error: Exception) -> tuple[str, int]:
    if getattr(error, "description", None) == "draft":
        return _render("web/message.html", 404, heading="This draft is not here",
                       text="It may have been downloaded or deleted, or not changed for "
                            f"{drafts_hooks.retention()} days. Start the form again.")
    return _render("web/message.html", 404, heading="Page not found",
                   text="There is no page at this address. Choose a form from the list of forms.")


@bp.errorhandler(400)
def _bad_request(_: Exception) -> tuple[str, int]:
    return _render("web/message.html", 400, heading="Something went wrong with that page",
                   text="The page sent something this service did not expect. Go back to the list of forms "
                        "and start the form again.")


@bp.get("/api/docs")
def api_docs() -> tuple[str, int]:
    """The API's reference for integrators, drawn from /api/openapi.json by Swagger UI (from npm, served here)."""
    return render_template("web/api_docs.html"), 200


@bp.get("/assets/<path:filename>")
def assets(filename: str) -> Response:
    """GOV.UK Frontend's CSS, JavaScript, fonts and images from node_modules, and this package's own script."""
    if filename.startswith("formgen/"):
        response = send_from_directory(OWN_STATIC, filename.removeprefix("formgen/"))
    elif filename.startswith("swagger-ui/"):
        if filename.removeprefix("swagger-ui/") not in SWAGGER_FILES:
            abort(404)
        response = send_from_directory(SWAGGER_UI, filename.removeprefix("swagger-ui/"))
    elif filename.startswith("govuk-frontend.min."):
        response = send_from_directory(GOVUK_DIST, filename)
    else:
        response = send_from_directory(GOVUK_DIST / "assets", filename)
    if filename.endswith(".mjs"):
        response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
