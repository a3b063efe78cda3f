"""The JSON API blueprint: /api/forms and friends. Views parse, call the engine, respond."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotAcceptable

from formgen.core.registry import all_forms, get_form
from formgen.engine import pipeline
from formgen.engine.pipeline import Format
from formgen.service import audit_hooks as audit
from formgen.service.bodies import json_body, upload_ready
from formgen.service.downloads import document_response
from formgen.service.openapi import form_json_schema, openapi_document
from formgen.service.problems_http import HTTPProblem
from formgen.service.render_slots import render_slot

bp = Blueprint("api", __name__, url_prefix="/api")

WARNINGS_HEADER = "X-Formgen-Warnings"  # prefill: what the person must check before using the answers


def chosen_format(formats: tuple[str, ...]) -> Format:
    """?format= wins; else the Accept header; PDF when neither says."""
    asked = request.args.get("format")
    if asked is not None:
        if asked not in formats:
            raise NotAcceptable(f"'{asked}' is not offered; ask for one of: {', '.join(formats)}.")
        return Format(asked)
    offered = {pipeline.MEDIA_TYPES[Format(f)]: Format(f) for f in formats}
    if not request.accept_mimetypes or request.accept_mimetypes.provided is False:
        return Format.PDF if "pdf" in formats else Format(formats[0])
    best = request.accept_mimetypes.best_match([pipeline.MEDIA_TYPES[Format.PDF], *offered])
    if best is None:
        raise HTTPProblem(406, "Not Acceptable",
                          f"The Accept header asks for none of the formats offered: {', '.join(offered)}.")
    return offered.get(best, Format.PDF)


@bp.get("/forms")
def list_forms() -> Response:
    return jsonify([form.summary() for form in all_forms().values()])


@bp.get("/forms/<form_id>")
def form_entry(form_id: str) -> Response:
    return jsonify(get_form(form_id).summary())


@bp.get("/forms/<form_id>/schema")
def form_schema(form_id: str) -> Response:
    get_form(form_id)
    response = jsonify(form_json_schema(form_id))
    response.mimetype = "application/schema+json" if request.args.get("strict_type") else "application/json"
    return response


@bp.get("/forms/<form_id>/example")
def form_example(form_id: str) -> Response:
    return jsonify(get_form(form_id).example)


@bp.get("/forms/<form_id>/rules")
def form_rules(form_id: str) -> Response:
    return jsonify(get_form(form_id).rulebook_json())


@bp.post("/forms/<form_id>/validate")
def validate(form_id: str) -> Response:
    form = get_form(form_id)
    body = json_body()
    with render_slot():
        pages = pipeline.check(form, body)
    response = jsonify({"valid": True, "pages": pages})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/forms/<form_id>/render")
def render(form_id: str) -> Response:
    form = get_form(form_id)
    fmt = chosen_format(form.formats)
    audit.attempt(form.id, fmt.value)
    body = json_body()
    split = request.args.get("split")
    if split is not None:
        if split != "child":
            raise HTTPProblem(400, "Bad Request", f"split='{split}' is not understood; the only split is 'child'.")
        with render_slot():
            document = pipeline.render_split(form, body, fmt)
    else:
        with render_slot():
            document = pipeline.render(form, body, fmt)
    audit.made(document.content, document.pages)
    return document_response(document)


def _uploaded(what: str, limit: int) -> bytes:
    """The multipart field `file`, read up to one byte past `limit` so the reader can tell it is too big."""
    upload = request.files.get("file")
    if upload is None:
        raise HTTPProblem(400, "Bad Request", f"Send {what} as multipart/form-data, in a field named 'file'.")
    return upload_ready(upload.read(limit + 1))


@bp.post("/forms/<form_id>/extract")
def extract(form_id: str) -> Response:
    """A completed fillable formgen PDF (multipart field `file`) -> its data as a body, validated."""
    from formgen.documents.extract import MAX_PDF_BYTES
    from formgen.documents.extract import extract as read_back

    form = get_form(form_id)
    response = jsonify(read_back(form, _uploaded("the completed PDF", MAX_PDF_BYTES)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/forms/<form_id>/prefill")
def prefill(form_id: str) -> Response:
    """Any formgen document, or a JSON file (multipart field `file`) -> a partial body for this form."""
    from formgen.engine.prefill import MAX_UPLOAD_BYTES, prefill_from_upload

    form = get_form(form_id)
    result = prefill_from_upload(form, _uploaded("the document or JSON file", MAX_UPLOAD_BYTES))
    # The body stays the answer (it posts straight to validate or render); `?envelope=1` wraps it with the
    # warnings, and every answer carries them as a JSON array in ASCII, so no client misses them.
    response = jsonify(result.envelope() if request.args.get("envelope") == "1" else result.body)
    response.headers[WARNINGS_HEADER] = json.dumps(list(result.warnings), ensure_ascii=True)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/councils")
def list_councils() -> Response:
    """Every council's profile: each value with its source (`formgen councils --json`)."""
    from formgen.core.councils import all_councils, council_json

    return jsonify([council_json(profile) for profile in all_councils().values()])


@bp.get("/councils/<council_id>")
def council_entry(council_id: str) -> Response:
    """One council's profile, and what it still has to confirm (`formgen councils ID --json`)."""
    from formgen.core.councils import council_json, get_council

    return jsonify(council_json(get_council(council_id)))
