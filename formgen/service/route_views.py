"""The routes API: each council's step-down and step-up routes, a case record's pack, and its status.

GET  /api/routes                                 every council's routes, with documents, deadlines, sources
GET  /api/routes/{council}                       one council's routes
GET  /api/routes/{council}/{route}               one route
GET  /api/routes/{council}/{route}/example       an example case record that builds the route's pack
POST /api/routes/{council}/{route}/pack          a case record -> a ZIP: documents, deadlines.ics, manifest.json
POST /api/routes/{council}/{route}/status        a case record -> what is done, due or late, on ?as_of=
GET  /api/case-record/schema                     the case record's JSON Schema

Views parse and respond; the work is formgen/engine/routes.py and formgen/engine/pack.py. docs/routes.md.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema

from formgen import __version__
from formgen.core.case import CaseRecordSchema
from formgen.core.councils import all_councils, get_council
from formgen.engine import routes
from formgen.engine.pack import FORMATS, build_pack
from formgen.service import audit_hooks as audit
from formgen.service.api_views import json_body
from formgen.service.problems_http import HTTPProblem

bp = Blueprint("routes_api", __name__, url_prefix="/api")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/routes")
def list_routes() -> Response:
    return jsonify([routes.route_json(profile, route) for profile in all_councils().values() for route in profile.routes])


@bp.get("/routes/<council_id>")
def council_routes(council_id: str) -> Response:
    profile = get_council(council_id)
    return jsonify([routes.route_json(profile, route) for route in profile.routes])


@bp.get("/routes/<council_id>/<route_id>")
def one_route(council_id: str, route_id: str) -> Response:
    return jsonify(routes.route_json(*routes.find(council_id, route_id)))


@bp.get("/routes/<council_id>/<route_id>/example")
def route_example(council_id: str, route_id: str) -> Response:
    profile, route = routes.find(council_id, route_id)
    found = routes.example_record(profile, route)
    if found is None:
        raise HTTPProblem(404, "No example yet", f"There is no example case record for {profile.name}'s route "
                                                 f"'{route.id}' yet.", "/problems/no-example")
    return jsonify(found)


def _pack_options() -> tuple[str, bool]:
    fmt = request.args.get("format", "pdf")
    if fmt not in FORMATS:
        raise HTTPProblem(400, "Bad Request", f"format='{fmt}' is not understood: ask for {', '.join(FORMATS)}.")
    merged = request.args.get("merged")
    if merged not in (None, "pdf"):
        raise HTTPProblem(400, "Bad Request", f"merged='{merged}' is not understood: the only merge is 'pdf'.")
    return fmt, merged == "pdf"


@bp.post("/routes/<council_id>/<route_id>/pack")
def pack(council_id: str, route_id: str) -> Response:
    """Every document of the route from one case record, in a ZIP with the route's calendar."""
    profile, route = routes.find(council_id, route_id)
    fmt, merged = _pack_options()
    audit.attempt(f"route:{profile.id}/{route.id}", "merged-pdf" if merged else fmt)
    made = build_pack(profile.id, route.id, json_body(), fmt, merged)
    audit.made(made.content, made.pages)
    response = Response(made.content, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["X-Page-Count"] = str(made.pages)
    response.headers["X-Document-Count"] = str(made.documents)
    return _no_store(response)


@bp.post("/routes/<council_id>/<route_id>/status")
def status(council_id: str, route_id: str) -> Response:
    """What is done, due (with its date) or late on ?as_of= (default today), with sources. Nothing is stored."""
    asked = request.args.get("as_of")
    try:
        as_of = dt.date.fromisoformat(asked) if asked else dt.date.today()
    except ValueError:
        raise HTTPProblem(400, "Bad Request", f"as_of='{asked}' is not a date: give YYYY-MM-DD.") from None
    return _no_store(jsonify(routes.status(council_id, route_id, json_body(), as_of)))


def _component(schema: type[Schema] | Schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return f"Case{cls.__name__.removesuffix('Schema')}" if cls is not CaseRecordSchema else "CaseRecord"


@cache
def case_record_json_schema() -> dict[str, Any]:
    """The case record's JSON Schema (2020-12), from its marshmallow schema (formgen/core/case.py)."""
    api = APISpec(title="formgen", version=__version__, openapi_version="3.1.0",
                  plugins=[MarshmallowPlugin(schema_name_resolver=_component)])
    api.components.schema("CaseRecord", schema=CaseRecordSchema)
    components = api.to_dict()["components"]["schemas"]
    for schema in components.values():
        schema["additionalProperties"] = False  # unknown fields are refused, as in every form
    root = components.pop("CaseRecord")
    refs = {"$ref": "#/components/schemas/", "to": "#/$defs/"}

    def moved(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (v.replace(refs["$ref"], refs["to"]) if k == "$ref" else moved(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [moved(item) for item in value]
        return value

    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "/api/case-record/schema",
            "title": "Case record",
            "description": "One case, told once, for every document of a council's route (docs/case-record.md).",
            **moved(root), "$defs": moved(components)}


@bp.get("/case-record/schema")
def case_record_schema() -> Response:
    return jsonify(case_record_json_schema())
