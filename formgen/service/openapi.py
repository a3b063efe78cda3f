"""JSON Schema for each form's body, and the OpenAPI document of the whole API, from marshmallow."""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from formgen import __version__
from formgen.core.registry import FormSpec, all_forms

OPENAPI_VERSION = "3.1.0"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _component_name(schema: type[Schema] | Schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    module = cls.__module__.rsplit(".", 1)[-1]
    prefix = "".join(part.capitalize() for part in module.split("_"))
    name = cls.__name__.removesuffix("Schema")
    return name if name.startswith(prefix) else f"{prefix}{name}"


def body_component(spec: FormSpec) -> str:
    return _component_name(spec.schema)


def _new_spec() -> APISpec:
    return APISpec(
        title="formgen",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin(schema_name_resolver=_component_name)],
        info={
            "description": "Validated JSON in; English councils' children's services documents "
                           "(Early Help step-down and step-up forms) out, as DOCX or PDF.",
        },
    )


def _tidy(schemas: dict[str, Any]) -> dict[str, Any]:
    """Unknown fields are refused by every form: say so in the schema."""
    for schema in schemas.values():
        if schema.get("type") == "object":
            schema["additionalProperties"] = False
    return schemas


@cache
def form_json_schema(form_id: str) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the body `validate` and `render` take for one form."""
    form = all_forms()[form_id]
    api = _new_spec()
    api.components.schema(body_component(form), schema=form.schema)
    components = _tidy(copy.deepcopy(api.to_dict()["components"]["schemas"]))
    root = components.pop(body_component(form))
    text = json.dumps({"components": components, "root": root})
    text = text.replace('"#/components/schemas/', '"#/$defs/')
    moved = json.loads(text)
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"/api/forms/{form.id}/schema",
        "title": form.title,
        "description": form.description,
        **moved["root"],
        "$defs": moved["components"],
    }


def _problem_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "description": "An RFC 9457 problem document: every error the API gives, with the members below when they apply.",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Each field's dotted path (with list indexes) and its messages.",
            },
            "rules": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "description": "Each field's broken rules, by id (GET /api/forms/{form_id}/rules explains each).",
            },
            "pages": {"type": "integer"},
            "max_pages": {"type": "integer"},
            "longest_fields": {
                "type": "array",
                "description": "Over the page limit: the answers whose length matters, longest first, each with "
                               "about how many characters (and lines) to cut for the document to fit, measured "
                               "with the real layout.",
                "items": {"type": "object", "required": ["field", "characters"], "properties": {
                    "field": {"type": "string"},
                    "characters": {"type": "integer"},
                    "cut_characters": {"type": ["integer", "null"]},
                    "cut_lines": {"type": ["integer", "null"]},
                }},
            },
            "checks": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "GET /healthz only: each readiness check that failed."},
        },
    }


# Every problem status the service answers, and when. One place, so the document and its prose agree.
STATUSES: dict[int, str] = {
    400: "The request is malformed: JSON that does not parse, a query value that is not understood, no file in "
         "the field 'file', or HTTP the server cannot read.",
    401: "API keys are configured and the request has no key, or one that is not recognised "
         "(send 'Authorization: Bearer <key>').",
    403: "The server refused the request (a proxy request from an address it does not trust).",
    404: "Nothing at this address: an unknown form, council or route.",
    406: "The form is not offered in the format asked for (?format= or the Accept header).",
    408: "The request's headers or body did not arrive in time. Nothing was done; send it again.",
    413: "The body or upload is larger than the service accepts.",
    415: "The body is not application/json (or, for uploads, not multipart/form-data).",
    422: "The body breaks the form's rules (`errors` and `rules` name each field and rule), the document is over "
         "the page limit (`longest_fields` says what to shorten and by how much), or an upload cannot be read.",
    429: "Too many wrong API keys from this address: wait for the Retry-After seconds.",
    501: "A transfer coding the server does not support.",
    503: "Every renderer is busy (try again), or for /healthz, the service is not ready.",
}


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    if description is None:
        return {"$ref": f"#/components/responses/Problem{status}"}
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _guarded(responses: dict[str, Any], *, post: bool = False) -> dict[str, Any]:
    """An /api operation's own responses, plus the statuses any /api request can meet."""
    shared = [401, 403, 429] + ([400, 408, 413, 501] if post else [])
    return {**{str(status): _problem(status) for status in shared}, **responses}


def _json(schema: dict[str, Any], description: str, example: Any = None) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


_OBJECT: dict[str, Any] = {"type": "object"}
_OBJECTS: dict[str, Any] = {"type": "array", "items": {"type": "object"}}
_DOCUMENTS = {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
        "schema": {"type": "string", "format": "binary"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}
_DESCRIPTION = """\
Validated JSON in; English councils' children's services documents (Early Help step-down and step-up forms) out,
as DOCX or PDF.

**Authentication.** When the server has API keys (FORMGEN_API_KEYS_FILE), every /api request carries
`Authorization: Bearer <key>`; `formgen keys NAME` makes a key. This reference and /api/openapi.json are open to
all, so an integrator can read them before having a key.

**Forms.** Each form has its own paths for its example, validate and render, each with that form's request
schema and a valid example (fictional people). `GET /api/forms/{form_id}/rules` lists every rule with its source.

**Errors** are RFC 9457 problem documents (`application/problem+json`):

| Status | When |
|---|---|
""" + "".join(f"| {status} | {text} |\n" for status, text in STATUSES.items())


def _add_components(api: APISpec) -> None:
    api.components.schema("Problem", _problem_schema())
    api.components.schema("FormSummary", {
        "type": "object",
        "required": ["id", "title", "authority", "formats", "max_pages"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "authority": {"type": "string"},
            "description": {"type": "string"}, "source": {"type": "string"},
            "formats": {"type": "array", "items": {"type": "string", "enum": ["docx", "pdf"]}},
            "max_pages": {"type": ["integer", "null"]}, "splits_by_child": {"type": "boolean"},
        },
    })
    from formgen.core.case import CaseRecordSchema

    api.components.schema("CaseRecord", schema=CaseRecordSchema)
    api.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer",
        "description": "An API key from `formgen keys NAME`, needed when the server has keys configured."})
    for status, text in STATUSES.items():
        api.components.response(f"Problem{status}", _problem(status, text))


def _form_paths(api: APISpec, form: FormSpec) -> None:
    """The paths that take or give this form's body: its own schema and example, not a choice of all forms."""
    ref = {"$ref": f"#/components/schemas/{body_component(form)}"}
    base = f"/api/forms/{form.id}"
    body = {"required": True, "content": {"application/json": {
        "schema": ref, "examples": {"example": {"summary": f"A valid {form.title} (fictional people)",
                                                "value": form.example}}}}}
    tag = [form.title]
    api.path(f"{base}/example", operations={"get": {
        "summary": "A realistic, valid example body (fictional people)", "tags": tag,
        "responses": _guarded({"200": _json(ref, "An example body.", form.example)}),
    }})
    api.path(f"{base}/validate", operations={"post": {
        "summary": "Check a body against the form's rules and page limit", "tags": tag, "requestBody": body,
        "responses": _guarded({
            "200": _json({"type": "object", "required": ["valid", "pages"],
                          "properties": {"valid": {"type": "boolean"}, "pages": {"type": "integer"}}},
                         "Valid.", {"valid": True, "pages": 2}),
            "415": _problem(415), "422": _problem(422), "503": _problem(503)}, post=True),
    }})
    parameters = [{"name": "format", "in": "query", "required": False,
                   "schema": {"type": "string", "enum": list(form.formats)}}]
    if form.split_by_child is not None:
        parameters.append({"name": "split", "in": "query", "required": False,
                           "schema": {"type": "string", "enum": ["child"]},
                           "description": "A ZIP with one document per child."})
    api.path(f"{base}/render", operations={"post": {
        "summary": "Render the document", "tags": tag,
        "description": "Format from ?format=, else from the Accept header; PDF when neither says.",
        "parameters": parameters, "requestBody": body,
        "responses": _guarded({"200": {"description": "The document.", "content": _DOCUMENTS},
                               "406": _problem(406), "415": _problem(415), "422": _problem(422),
                               "503": _problem(503)}, post=True),
    }})


def _upload(what: str) -> dict[str, Any]:
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": what}},
    }}}}


def _shared_form_paths(api: APISpec, form_id: dict[str, Any]) -> None:
    api.path("/api/forms", operations={"get": {"summary": "List the forms", "tags": ["Forms"], "responses": _guarded({
        "200": _json({"type": "array", "items": {"$ref": "#/components/schemas/FormSummary"}}, "Every form.")})}})
    api.path("/api/forms/{form_id}", parameters=[form_id], operations={"get": {
        "summary": "One form's entry", "tags": ["Forms"],
        "responses": _guarded({"200": _json({"$ref": "#/components/schemas/FormSummary"}, "The form."),
                               "404": _problem(404)})}})
    api.path("/api/forms/{form_id}/schema", parameters=[form_id], operations={"get": {
        "summary": "The JSON Schema of the form's request body", "tags": ["Forms"],
        "responses": _guarded({"200": _json(_OBJECT, "A JSON Schema (2020-12)."), "404": _problem(404)})}})
    api.path("/api/forms/{form_id}/rules", parameters=[form_id], operations={"get": {
        "summary": "The form's rulebook: every rule, in plain words, with its source", "tags": ["Forms"],
        "description": "Each rule's id is the one a 422 problem names in `rules`; each source is a passage of "
                       "the council's guidance, the law, a local setting the council confirms, or formgen's own "
                       "reading where the guidance is silent.",
        "responses": _guarded({"200": _json(_OBJECT, "The rulebook."), "404": _problem(404)})}})
    api.path("/api/forms/{form_id}/extract", parameters=[form_id], operations={"post": {
        "summary": "Read a completed fillable PDF back into a body", "tags": ["Forms"],
        "description": "Upload a PDF formgen made for this form, completed on screen (multipart field `file`). "
                       "The answer is the form's body: the data the PDF was made from, with what was typed and "
                       "ticked in its fields, validated by the form's schema and, for a completed form, its "
                       "completion rules (e.g. the consent form signed and dated on both sides).",
        "requestBody": _upload("The completed PDF (at most 2 MB)."),
        "responses": _guarded({"200": _json(_OBJECT, "The completed form's body (the form's own schema: "
                                                     "GET /api/forms/{form_id}/schema)."),
                               "404": _problem(404), "422": _problem(422)}, post=True),
    }})
    envelope = {"name": "envelope", "in": "query", "required": False, "schema": {"type": "string", "enum": ["1"]},
                "description": "1: answer `{body, warnings, source_form, kind, dropped}` instead of the body alone."}
    warnings_header = {"X-Formgen-Warnings": {
        "description": "A JSON array (ASCII) of what the person must check before using the answers: a document "
                       "from an earlier formgen without a signature, rows left out past the form's maximum. "
                       "`[]` when there is nothing to say.",
        "schema": {"type": "string"}}}
    prefilled = _json(_OBJECT, "A partial body for this form (with `?envelope=1`, the envelope).")
    prefilled["headers"] = warnings_header
    api.path("/api/forms/{form_id}/prefill", parameters=[form_id], operations={"post": {
        "summary": "Prefill this form from another document", "tags": ["Forms"],
        "description": "Upload any PDF or DOCX formgen made (for any form: every formgen document carries its own "
                       "data), or a JSON file: a formgen body or a case system's export (multipart field `file`). "
                       "The answer is a partial body for this form holding what the two forms share (child, "
                       "family members, address, worries, strengths), not yet validated. Nothing is stored. "
                       "Warnings to show the person are in the `X-Formgen-Warnings` header, or in the answer "
                       "with `?envelope=1`.",
        "parameters": [envelope],
        "requestBody": _upload("A formgen PDF or DOCX, or a JSON file (at most 1 MB)."),
        "responses": _guarded({"200": prefilled, "404": _problem(404), "422": _problem(422)}, post=True),
    }})


def _council_paths(api: APISpec) -> None:
    from formgen.core.councils import all_councils

    councils = list(all_councils())
    council_id = {"name": "council_id", "in": "path", "required": True,
                  "schema": {"type": "string", "enum": councils}}
    route_id = {"name": "route_id", "in": "path", "required": True, "schema": {"type": "string"},
                "description": "A route's id within the council: " + "; ".join(
                    f"{c}: {', '.join(route.id for route in p.routes)}" for c, p in all_councils().items())}
    tag = ["Councils and routes"]
    api.path("/api/councils", operations={"get": {
        "summary": "Every council's profile, each value with its source", "tags": tag,
        "responses": _guarded({"200": _json(_OBJECTS, "The profiles.")})}})
    api.path("/api/councils/{council_id}", parameters=[council_id], operations={"get": {
        "summary": "One council's profile, and what it still has to confirm", "tags": tag,
        "responses": _guarded({"200": _json(_OBJECT, "The profile."), "404": _problem(404)})}})
    api.path("/api/routes", operations={"get": {
        "summary": "Every council's step-down and step-up routes: documents, who completes each, deadlines, "
                   "sources", "tags": tag, "responses": _guarded({"200": _json(_OBJECTS, "The routes.")})}})
    api.path("/api/routes/{council_id}", parameters=[council_id], operations={"get": {
        "summary": "One council's routes", "tags": tag,
        "responses": _guarded({"200": _json(_OBJECTS, "The routes."), "404": _problem(404)})}})
    both = [council_id, route_id]
    api.path("/api/routes/{council_id}/{route_id}", parameters=both, operations={"get": {
        "summary": "One route", "tags": tag,
        "responses": _guarded({"200": _json(_OBJECT, "The route."), "404": _problem(404)})}})
    api.path("/api/routes/{council_id}/{route_id}/example", parameters=both, operations={"get": {
        "summary": "An example case record that builds the route's pack (fictional people)", "tags": tag,
        "responses": _guarded({"200": _json({"$ref": "#/components/schemas/CaseRecord"}, "A case record."),
                               "404": _problem(404)})}})
    record = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CaseRecord"}}}}
    api.path("/api/routes/{council_id}/{route_id}/pack", parameters=both, operations={"post": {
        "summary": "Every document of the route from one case record: a ZIP with deadlines.ics and manifest.json",
        "tags": tag, "requestBody": record,
        "parameters": [
            {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pdf", "docx"]}},
            {"name": "merged", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pdf"]},
             "description": "One PDF with a bookmark per document, instead of a ZIP."},
        ],
        "responses": _guarded({"200": {"description": "The pack.", "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
            "404": _problem(404), "415": _problem(415), "422": _problem(422), "503": _problem(503)}, post=True),
    }})
    api.path("/api/routes/{council_id}/{route_id}/status", parameters=both, operations={"post": {
        "summary": "What is done, due (with its date) or late on ?as_of=, with sources. Nothing is stored.",
        "tags": tag, "requestBody": record,
        "parameters": [{"name": "as_of", "in": "query", "required": False,
                        "schema": {"type": "string", "format": "date"}}],
        "responses": _guarded({"200": _json(_OBJECT, "The status."), "404": _problem(404), "415": _problem(415),
                               "422": _problem(422)}, post=True),
    }})
    api.path("/api/case-record/schema", operations={"get": {
        "summary": "The case record's JSON Schema (2020-12)", "tags": tag,
        "responses": _guarded({"200": _json(_OBJECT, "A JSON Schema.")})}})


@cache
def openapi_document() -> dict[str, Any]:
    api = _new_spec()
    _add_components(api)
    forms = all_forms()
    for form in forms.values():
        api.components.schema(body_component(form), schema=form.schema)
    form_id = {"name": "form_id", "in": "path", "required": True, "schema": {"type": "string", "enum": list(forms)}}
    api.path("/healthz", operations={"get": {"summary": "Readiness", "security": [], "tags": ["Service"],
                                             "responses": {
        "200": _json({"type": "object", "properties": {"status": {"type": "string"}}},
                     "The service is up and its audit trail can be written.", {"status": "ok"}),
        "503": _problem(503, "Not ready: `checks` names each check that failed (e.g. the audit trail cannot be "
                             "written)."),
    }}})
    api.path("/api/openapi.json", operations={"get": {
        "summary": "This document", "security": [], "tags": ["Service"],
        "responses": {"200": _json(_OBJECT, "The OpenAPI document.")}}})
    api.path("/api/docs", operations={"get": {
        "summary": "This reference, readable in a browser", "security": [], "tags": ["Service"],
        "responses": {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": {"type": "string"}}}}}}})
    _shared_form_paths(api, form_id)
    for form in forms.values():
        _form_paths(api, form)
    _council_paths(api)
    document = api.to_dict()
    document["info"]["description"] = _DESCRIPTION
    document["security"] = [{"bearer": []}]
    return document
