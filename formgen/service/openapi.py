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
            "pages": {"type": "integer"},
            "max_pages": {"type": "integer"},
        },
    }


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


@cache
def openapi_document() -> dict[str, Any]:
    api = _new_spec()
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
    body_refs = []
    for form in all_forms().values():
        api.components.schema(body_component(form), schema=form.schema)
        body_refs.append({"$ref": f"#/components/schemas/{body_component(form)}"})
    form_id = {"name": "form_id", "in": "path", "required": True,
               "schema": {"type": "string", "enum": list(all_forms())}}
    body = {"required": True, "content": {"application/json": {"schema": {"oneOf": body_refs}}}}
    common_errors = {
        "400": _problem("Malformed JSON."), "404": _problem("Unknown form."),
        "413": _problem("Body too large."), "415": _problem("The body is not application/json."),
        "422": _problem("The body breaks the form's rules, or the document is over the page limit."),
    }
    api.path("/healthz", operations={"get": {"summary": "Readiness", "responses": {
        "200": {"description": "The service is up and its audit trail can be written.",
                "content": {"application/json": {"schema": {"type": "object",
                                                            "properties": {"status": {"type": "string"}}}}}},
        "503": _problem("Not ready: `checks` names each check that failed (e.g. the audit trail cannot be written)."),
    }}})
    api.path("/api/forms", operations={"get": {"summary": "List the forms", "responses": {"200": {
        "description": "Every form.",
        "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/FormSummary"}}}},
    }}}})
    api.path("/api/forms/{form_id}", parameters=[form_id], operations={"get": {
        "summary": "One form's entry",
        "responses": {"200": {"description": "The form.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/FormSummary"}}}}, "404": _problem("Unknown form.")},
    }})
    api.path("/api/forms/{form_id}/schema", parameters=[form_id], operations={"get": {
        "summary": "The JSON Schema of the form's request body",
        "responses": {"200": {"description": "A JSON Schema (2020-12).",
                              "content": {"application/json": {"schema": {"type": "object"}}}},
                      "404": _problem("Unknown form.")},
    }})
    api.path("/api/forms/{form_id}/example", parameters=[form_id], operations={"get": {
        "summary": "A realistic, valid example body (fictional people)",
        "responses": {"200": {"description": "An example body.",
                              "content": {"application/json": {"schema": {"oneOf": body_refs}}}},
                      "404": _problem("Unknown form.")},
    }})
    api.path("/api/forms/{form_id}/validate", parameters=[form_id], operations={"post": {
        "summary": "Check a body against the form's rules and page limit",
        "requestBody": body,
        "responses": {"200": {"description": "Valid.", "content": {"application/json": {"schema": {
            "type": "object", "required": ["valid", "pages"],
            "properties": {"valid": {"type": "boolean"}, "pages": {"type": "integer"}}}}}}, **common_errors},
    }})
    api.path("/api/forms/{form_id}/render", parameters=[form_id], operations={"post": {
        "summary": "Render the document",
        "description": "Format from ?format=, else from the Accept header; PDF when neither says.",
        "parameters": [
            {"name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": ["pdf", "docx"]}},
            {"name": "split", "in": "query", "required": False, "schema": {"type": "string", "enum": ["child"]},
             "description": "For forms about several children: a ZIP with one document per child."},
        ],
        "requestBody": body,
        "responses": {
            "200": {"description": "The document.", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                    "schema": {"type": "string", "format": "binary"}},
                "application/zip": {"schema": {"type": "string", "format": "binary"}},
            }},
            "406": _problem("The form does not offer that format."),
            **common_errors,
        },
    }})
    api.path("/api/forms/{form_id}/extract", parameters=[form_id], operations={"post": {
        "summary": "Read a completed fillable PDF back into a body",
        "description": "Upload a PDF formgen made for this form, completed on screen (multipart field `file`). "
                       "The answer is the form's body: the data the PDF was made from, with what was typed and "
                       "ticked in its fields, validated by the form's schema and, for a completed form, its "
                       "completion rules (e.g. the consent form signed and dated on both sides).",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "The completed PDF (at most 2 MB)."}},
        }}}},
        "responses": {
            "200": {"description": "The completed form's body.",
                    "content": {"application/json": {"schema": {"oneOf": body_refs}}}},
            "400": _problem("No file was sent in the field 'file'."),
            "404": _problem("Unknown form."),
            "413": _problem("The upload is too large."),
            "422": _problem("The file is not a readable formgen PDF of this form (encrypted, damaged, not made by "
                            "formgen, or another form's), or its data breaks the form's rules; `errors` names "
                            "what is missing."),
        },
    }})
    api.path("/api/forms/{form_id}/prefill", parameters=[form_id], operations={"post": {
        "summary": "Prefill this form from another document",
        "description": "Upload any PDF or DOCX formgen made (for any form: every formgen document carries its own "
                       "data), or a JSON file: a formgen body or a case system's export (multipart field `file`). "
                       "The answer is a partial body for this form holding what the two forms share (child, "
                       "family members, address, worries, strengths), not yet validated. Nothing is stored.",
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "A formgen PDF or DOCX, or a JSON file (at most 1 MB)."}},
        }}}},
        "responses": {
            "200": {"description": "A partial body for this form.",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "400": _problem("No file was sent in the field 'file'."),
            "404": _problem("Unknown form."),
            "413": _problem("The upload is too large."),
            "422": _problem("The file is not a PDF, DOCX or JSON file formgen can read (not made by formgen, "
                            "encrypted, damaged), or was made for a form that shares nothing with this one."),
        },
    }})
    return api.to_dict()
