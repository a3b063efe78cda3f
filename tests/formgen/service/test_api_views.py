"""The HTTP API, as CONTRACT.md describes it."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient
from helpers import docx_text, pdf_reader, pdf_text, squash
from openapi_spec_validator import validate as validate_openapi

from formgen.core.registry import FormSpec

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MANCHESTER = "manchester-allocations-pro-forma"


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_forms_list_has_the_contract_fields(client: FlaskClient, form: FormSpec) -> None:
    entries = {entry["id"]: entry for entry in client.get("/api/forms").json}
    entry = entries[form.id]
    assert entry["title"] == form.title
    assert entry["authority"] == form.authority
    assert entry["formats"] == ["docx", "pdf"]
    assert entry["max_pages"] == form.max_pages
    assert client.get(f"/api/forms/{form.id}").json == entry


def test_example_is_valid_against_the_published_json_schema(client: FlaskClient, form: FormSpec) -> None:
    schema = client.get(f"/api/forms/{form.id}/schema").json
    example = client.get(f"/api/forms/{form.id}/example").json
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(example)


def test_json_schema_publishes_limits_and_refuses_unknown_fields(client: FlaskClient, form: FormSpec) -> None:
    schema = client.get(f"/api/forms/{form.id}/schema").json
    assert schema["additionalProperties"] is False
    strings = [p for p in schema["properties"].values() if "string" in str(p.get("type"))]
    assert strings and all("maxLength" in p or "enum" in p or p.get("format") == "date" for p in strings)


def test_openapi_document_is_valid_and_names_every_form(client: FlaskClient) -> None:
    document = client.get("/api/openapi.json").json
    validate_openapi(document)
    for entry in client.get("/api/forms").json:
        assert entry["id"] in document["paths"]["/api/forms/{form_id}"]["parameters"][0]["schema"]["enum"]


def test_validate_answers_valid_and_pages(client: FlaskClient, form: FormSpec, example: dict[str, Any]) -> None:
    response = client.post(f"/api/forms/{form.id}/validate", json=example)
    assert response.status_code == 200
    assert response.json["valid"] is True
    assert response.json["pages"] >= 1


def test_render_pdf_holds_the_example_names_and_free_text(client: FlaskClient) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    response = client.post(f"/api/forms/{MANCHESTER}/render?format=pdf", json=example)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert len(pdf_reader(response.data).pages) <= 2
    text = squash(pdf_text(response.data))
    assert "Zofia Wójcik" in text and "Daniel Ó Súilleabháin" in text
    assert squash(example["reason_for_referral"]) in text
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == 'attachment; filename="allocations-pro-forma-MC0481923.pdf"'


def test_render_docx_opens_with_the_same_text(client: FlaskClient) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    response = client.post(f"/api/forms/{MANCHESTER}/render?format=docx", json=example)
    assert response.status_code == 200
    assert response.mimetype == DOCX
    text = squash(docx_text(response.data))
    assert "Zofia Wójcik" in text and squash(example["worried_about"]) in text
    assert response.headers["Content-Disposition"].endswith('.docx"')


@pytest.mark.parametrize(
    ("accept", "mimetype"),
    [
        (None, "application/pdf"),
        ("*/*", "application/pdf"),
        ("application/pdf", "application/pdf"),
        (DOCX, DOCX),
        (f"application/pdf;q=0.5, {DOCX}", DOCX),
    ],
)
def test_format_from_the_accept_header(client: FlaskClient, accept: str | None, mimetype: str) -> None:
    headers = {"Accept": accept} if accept else {}
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    response = client.post(f"/api/forms/{MANCHESTER}/render", json=example, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == mimetype


@pytest.mark.parametrize("query, accept", [("?format=odt", None), ("", "text/html")])
def test_a_format_not_offered_is_406(client: FlaskClient, query: str, accept: str | None) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    headers = {"Accept": accept} if accept else {}
    response = client.post(f"/api/forms/{MANCHESTER}/render{query}", json=example, headers=headers)
    assert response.status_code == 406
    assert response.mimetype == "application/problem+json"


def _long_body(example: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(example)
    body["worried_about"] = "\n".join(["- A worry written out at length so the answer fills the whole line."] * 55)
    return body


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_three_pages_of_free_text_is_a_page_limit_problem(client: FlaskClient, fmt: str) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    response = client.post(f"/api/forms/{MANCHESTER}/render?format={fmt}", json=_long_body(example))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["pages"] >= 3 and problem["max_pages"] == 2
    assert "worried_about" in problem["errors"]
    first = problem["longest_fields"][0]
    assert first["field"] == "worried_about"
    # How much to cut, measured with the layout: cutting that much from that answer makes the document fit.
    assert first["cut_characters"] > 0 and first["cut_lines"] > 0
    fitted = _long_body(example)
    for entry in problem["longest_fields"]:
        fitted[entry["field"]] = fitted[entry["field"]][: entry["characters"] - entry["cut_characters"]]
    assert client.post(f"/api/forms/{MANCHESTER}/validate", json=fitted).status_code == 200


def test_validate_reports_the_page_limit_too(client: FlaskClient) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    response = client.post(f"/api/forms/{MANCHESTER}/validate", json=_long_body(example))
    assert response.status_code == 422
    assert response.json["max_pages"] == 2


def test_validation_problem_maps_dotted_paths_to_messages(client: FlaskClient) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    example["family_members"][1]["date_of_birth"] = "2026-02-30"
    response = client.post(f"/api/forms/{MANCHESTER}/render", json=example)
    assert response.status_code == 422
    problem = response.json
    assert set(problem) >= {"type", "title", "status", "detail", "errors"}
    assert problem["errors"] == {
        "family_members.1.date_of_birth": ["Date of birth must be a real date in the format YYYY-MM-DD."]
    }


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"a": 1, "a": 2}', "application/json", 400),
        ("[" * 100_000 + "]" * 100_000, "application/json", 400),
        ("\xff\xfe", "application/json", 400),
        ("child=Zofia", "application/x-www-form-urlencoded", 415),
        ("{}", "text/plain", 415),
    ],
)
def test_bad_bodies_get_problems(client: FlaskClient, data: str, content_type: str, status: int) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/render", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)


def test_body_too_large_is_413(app: Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = app.test_client().post(f"/api/forms/{MANCHESTER}/render", data="{" + " " * 2000 + "}",
                                      content_type="application/json")
    assert response.status_code == 413
    assert response.json["status"] == 413


def test_unknown_form_is_404(client: FlaskClient) -> None:
    for path in ("/api/forms/no-such-form", "/api/forms/no-such-form/schema"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"
    assert client.post("/api/forms/no-such-form/render", json={}).status_code == 404


def test_wrong_method_is_a_405_problem(client: FlaskClient) -> None:
    response = client.get(f"/api/forms/{MANCHESTER}/render")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"


def test_headers_on_every_answer(client: FlaskClient) -> None:
    response = client.get("/api/forms")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-Id"]


def test_an_unexpected_error_is_a_500_problem_without_a_trace(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from formgen.engine import pipeline

    def explode(*_: Any, **__: Any) -> None:
        raise RuntimeError("secret detail: Zofia Wójcik")

    monkeypatch.setattr(pipeline, "render", explode)
    example = app.test_client().get(f"/api/forms/{MANCHESTER}/example").json
    response = app.test_client().post(f"/api/forms/{MANCHESTER}/render", json=example)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "Zofia" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_logs_hold_no_request_data(client: FlaskClient, capfd: pytest.CaptureFixture[str]) -> None:
    example = client.get(f"/api/forms/{MANCHESTER}/example").json
    example["child"]["name"] = "Quillon Marchbanks-Oyelaran"
    client.post(f"/api/forms/{MANCHESTER}/render", json=example)
    client.post("/api/forms/Quillon-Marchbanks/render", json=example)
    example["level_of_need"] = 1
    client.post(f"/api/forms/{MANCHESTER}/render", json=example)
    out, err = capfd.readouterr()
    assert "render" in err  # the access lines were written
    assert "Quillon" not in out + err and "Marchbanks" not in out + err

