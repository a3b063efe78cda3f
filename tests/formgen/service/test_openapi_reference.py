"""The API an integrator can read (issue 16, item 8): the OpenAPI document and /api/docs."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from api import create_app
from formgen.core.registry import FormSpec, all_forms
from formgen.service.openapi import STATUSES

KEY_LINE = "tester:" + "0" * 64  # a client whose key nobody has: every /api request needs one


def _document(client: FlaskClient) -> dict:
    document = client.get("/api/openapi.json").json
    assert isinstance(document, dict)
    return document


def test_the_bearer_scheme_is_declared_and_applies_to_the_api(client: FlaskClient) -> None:
    document = _document(client)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]["bearer"][
            "description"]}
    assert document["security"] == [{"bearer": []}]
    assert document["paths"]["/healthz"]["get"]["security"] == []
    assert "401" in document["paths"]["/api/forms"]["get"]["responses"]


def test_each_form_path_takes_that_forms_schema_with_its_example(client: FlaskClient, form: FormSpec) -> None:
    document = _document(client)
    for action in ("validate", "render"):
        media = document["paths"][f"/api/forms/{form.id}/{action}"]["post"]["requestBody"]["content"][
            "application/json"]
        assert "oneOf" not in media["schema"]
        component = media["schema"]["$ref"].rsplit("/", 1)[-1]
        assert component in document["components"]["schemas"]
        assert media["examples"]["example"]["value"] == form.example
    example = document["paths"][f"/api/forms/{form.id}/example"]["get"]["responses"]["200"]["content"][
        "application/json"]
    assert example["example"] == form.example
    assert client.post(f"/api/forms/{form.id}/validate", json=form.example).status_code == 200


def test_every_endpoint_of_today_is_documented(client: FlaskClient) -> None:
    paths = _document(client)["paths"]
    app = client.application
    served = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api")}
    for path in served:
        # A form's own paths replace the templated one: every form must then have its own.
        each_form = [path.replace("{form_id}", form_id) for form_id in all_forms()]
        assert path in paths or ("{form_id}" in path and all(p in paths for p in each_form)), path
    for path in ("/api/forms/{form_id}/rules", "/api/councils", "/api/councils/{council_id}",
                 "/api/routes", "/api/routes/{council_id}/{route_id}/pack", "/api/case-record/schema"):
        assert path in paths


def test_every_problem_status_is_described(client: FlaskClient) -> None:
    document = _document(client)
    responses = document["components"]["responses"]
    for status in (400, 401, 403, 404, 406, 408, 413, 415, 422, 429, 501, 503):
        assert f"Problem{status}" in responses and status in STATUSES
        assert f"| {status} |" in document["info"]["description"]
    render = document["paths"]["/api/forms/manchester-allocations-pro-forma/render"]["post"]["responses"]
    assert {"401", "406", "408", "413", "415", "422", "429", "503"} <= set(render)
    longest = document["components"]["schemas"]["Problem"]["properties"]["longest_fields"]
    assert "cut_characters" in longest["items"]["properties"]


def test_the_reference_is_open_without_a_key_and_the_api_is_not() -> None:
    client = create_app({"TESTING": True, "API_KEYS": KEY_LINE}).test_client()
    assert client.get("/api/forms").status_code == 401
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert client.get("/api/openapi.json").status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self' 'nonce-" in csp
    assert "img-src 'self' data:" in csp
    # No inline script: only the two files from this origin.
    scripts = re.findall(r"<script([^>]*)>", page.get_data(as_text=True))
    assert scripts == [' src="/assets/swagger-ui/swagger-ui-bundle.js"', ' src="/assets/formgen/api-docs.js"']
    assert client.get("/assets/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/assets/swagger-ui/index.html").status_code == 404  # only the files the page loads
    # The other pages keep the stricter policy.
    assert "data:" not in client.get("/").headers["Content-Security-Policy"]
