"""The web pages' views: parse the page, call the engine, render the next page. Nothing is stored.

State lives in the pages themselves: the form page posts every answer; the check-your-answers page
carries the body in a hidden field for the download and change buttons. No session holds a family's data.
"""

from __future__ import annotations

import json
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

from formgen.core.errors import BadDocument, PageLimitExceeded, UnknownForm, UnsupportedFormat, ValidationFailed
from formgen.core.paths import PROJECT_ROOT, TEMPLATES_DIR
from formgen.core.registry import FormSpec, all_forms, get_form
from formgen.engine import pipeline
from formgen.engine.prefill import MAX_UPLOAD_BYTES, Prefill, UploadKind, prefill_from_data, prefill_from_upload, read_upload
from formgen.service import audit_hooks as audit
from formgen.service.bodies import upload_ready
from formgen.service.downloads import document_response
from formgen.service.identity import web_gate
from formgen.service.render_slots import render_slot
from formgen.service.web import csrf
from formgen.service.web.info_pages import INFO_PAGES
from formgen.service.web.schema_form import Field, answers, change_rows, describe, error_summary, page, parse

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


def _form_page(spec: FormSpec, body: Mapping[str, Any], *, errors: Mapping[str, list[str]] | None = None,
               status: int = 200, banner: str | None = None, top_errors: list[dict[str, str]] | None = None,
               field_errors_in_summary: bool = True, upload_error: str | None = None,
               room: Mapping[str, int] | None = None, warnings: tuple[str, ...] = ()) -> tuple[str, int]:
    built = page(fields_of(spec.id), body, errors, room)
    summary = error_summary(built, top_errors) if field_errors_in_summary else list(top_errors or [])
    if upload_error:
        summary.insert(0, {"text": upload_error, "href": "#upload-file"})
    return _render("web/form.html", status, spec=spec, page=built, summary=summary, banner=banner,
                   warnings=warnings, upload_error=upload_error, upload_limit_mb=MAX_UPLOAD_BYTES // 1_000_000)


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


def _engine_errors(spec: FormSpec, body: Mapping[str, Any], error: ValidationFailed | PageLimitExceeded,
                   status: int = 200) -> tuple[str, int]:
    if isinstance(error, ValidationFailed):
        return _form_page(spec, body, errors=error.errors, status=status)
    built = page(fields_of(spec.id), body)
    top = _page_limit_summary(error, built.labels, built.anchors)
    field_errors = {path: [error.advice(path)] for path, _ in error.longest}
    room = {path: cut.characters - cut.cut_characters for path, cut in error.cuts.items()}
    return _form_page(spec, body, errors=field_errors, top_errors=top, field_errors_in_summary=False,
                      status=status, room=room)


def _posted_body() -> dict[str, Any] | None:
    try:
        body = json.loads(request.form.get("body", ""))
    except (json.JSONDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


# ---------------------------------------------------------------- pages

@bp.get("/")
def start() -> tuple[str, int]:
    councils: dict[str, list[FormSpec]] = {}
    for spec in all_forms().values():
        councils.setdefault(spec.authority, []).append(spec)
    return _render("web/start.html", councils=dict(sorted(councils.items())))


@bp.get("/forms/<form_id>")
def form_page(form_id: str) -> tuple[str, int]:
    return _form_page(get_form(form_id), {})


@bp.post("/forms/<form_id>")
def form_post(form_id: str) -> tuple[str, int]:
    spec = get_form(form_id)
    body = parse(fields_of(spec.id), request.form)
    if not csrf.valid():
        return _form_page(spec, body, top_errors=[{"text": STALE}], status=400)
    action = request.form.get("action", "check")
    if action != "check":
        if not change_rows(fields_of(spec.id), body, action):
            abort(400)
        return _form_page(spec, body)
    try:
        with render_slot():
            pages = pipeline.check(spec, body)
    except (ValidationFailed, PageLimitExceeded) as error:
        return _engine_errors(spec, body, error)
    return _render("web/check.html", spec=spec, cards=answers(fields_of(spec.id), body),
                   body_json=json.dumps(body, ensure_ascii=False, separators=(",", ":")), pages=pages)


@bp.post("/forms/<form_id>/change")
def change(form_id: str) -> tuple[str, int]:
    spec = get_form(form_id)
    body = _posted_body()
    if body is None:
        abort(400)
    if not csrf.valid():
        return _form_page(spec, body, top_errors=[{"text": STALE}], status=400)
    return _form_page(spec, body)


@bp.post("/forms/<form_id>/download")
def download(form_id: str) -> Response | tuple[str, int]:
    spec = get_form(form_id)
    body = _posted_body()
    if body is None:
        abort(400)
    if not csrf.valid():
        return _form_page(spec, body, top_errors=[{"text": STALE}], status=400)
    fmt = request.form.get("format", "pdf")
    # Downloads from the pages go in the same audit trail as the API's renders, under the signed-in person.
    audit.attempt(spec.id, fmt if fmt in ("pdf", "docx") else "unknown")
    try:
        with render_slot():
            if request.form.get("split") == "child":
                document = pipeline.render_split(spec, body, fmt)
            else:
                document = pipeline.render(spec, body, fmt)
        audit.made(document.content, document.pages)
        return document_response(document)
    except UnsupportedFormat:
        abort(400)
    except (ValidationFailed, PageLimitExceeded) as error:
        return _engine_errors(spec, body, error, status=422)


def _filled_banner(spec: FormSpec, result: Prefill) -> str:
    what = {UploadKind.PDF: "PDF", UploadKind.DOCX: "Word document", UploadKind.JSON: "JSON file"}[result.kind]
    source = all_forms().get(result.source_form or "")
    made_for = f" made for the {source.title} ({source.authority})" if source and source.id != spec.id else ""
    dropped = (f" {result.dropped} answer{'s' if result.dropped != 1 else ''} in it had no place on this form."
               if result.dropped else "")
    return (f"Answers were filled in from the {what}{made_for}.{dropped} "
            "Check every answer and fill in the rest before you continue.")


@bp.post("/forms/<form_id>/upload")
def upload(form_id: str) -> tuple[str, int]:
    spec = get_form(form_id)
    if not csrf.valid():
        return _form_page(spec, {}, top_errors=[{"text": STALE}], status=400)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _form_page(spec, {}, upload_error="Choose a PDF, Word document or JSON file to upload.", status=400)
    content = file.stream.read(MAX_UPLOAD_BYTES + 1)
    try:
        result = prefill_from_upload(spec, upload_ready(content))
    except BadDocument as error:
        return _form_page(spec, {}, upload_error=error.detail, status=422)
    return _form_page(spec, result.body, banner=_filled_banner(spec, result), warnings=result.warnings)


@bp.post("/forms/<form_id>/prefill")
def prefill(form_id: str) -> tuple[str, int]:
    """A case management system sends the worker here with JSON or an HTML form post; no CSRF token needed.

    Nothing is changed or stored: the answer is the form page, filled in, for the worker to check.
    """
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
        return _form_page(spec, {}, upload_error=error.detail, status=422)
    banner = _filled_banner(spec, result).replace("the JSON file", "your case system")
    return _form_page(spec, result.body, banner=banner, warnings=result.warnings)


@bp.get("/about/<page>")
def info(page: str) -> tuple[str, int]:
    """The footer's pages: help, the accessibility statement and the privacy notice."""
    if page not in INFO_PAGES:
        return _render("web/message.html", 404, heading="Page not found",
                       text="There is no page at this address. Choose a form from the list of forms.")
    heading, paragraphs = INFO_PAGES[page]
    return _render("web/info.html", heading=heading, paragraphs=paragraphs)


# ---------------------------------------------------------------- errors as pages, assets

@bp.errorhandler(UnknownForm)
def _unknown(error: UnknownForm) -> tuple[str, int]:
    return _render("web/message.html", 404, heading="Page not found",
                   text="There is no form at this address. Choose a form from the list of forms.")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_: RequestEntityTooLarge) -> tuple[str, int]:
    return _render("web/message.html", 413, heading="The file or form is too large",
                   text=f"Upload a file of at most {MAX_UPLOAD_BYTES // 1_000_000} MB. Go back and try again.")


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
