"""The routes API (formgen/service/route_views.py): routes listed with documents, deadlines and sources;
packs; status; the case record's JSON Schema; problems for what cannot be done."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import jsonschema
import pytest
from flask.testing import FlaskClient

from formgen.core.councils import all_councils
from formgen.core.registry import all_forms
from formgen.engine import routes

EXAMPLES = [(c, r.id) for c, p in all_councils().items() for r in p.routes if routes.example_record(p, r)]


def example(client: FlaskClient, council_id: str, route_id: str) -> dict[str, Any]:
    response = client.get(f"/api/routes/{council_id}/{route_id}/example")
    assert response.status_code == 200
    found: dict[str, Any] = response.json
    return found


def test_every_route_is_listed_with_its_documents_deadlines_and_sources(client: FlaskClient) -> None:
    listed = client.get("/api/routes").json
    assert [(r["council"], r["id"]) for r in listed] == [(c, r.id) for c, p in all_councils().items() for r in p.routes]
    plan = next(r for r in listed if r["id"] == "level-3-step-down")["documents"][0]
    assert plan["form"] == "herefordshire-eha-step-down-plan" and plan["who"] == "the social worker"
    assert plan["deadline"] == ("14 calendar days or 10 working days, whichever ends first, after whichever came "
                                "first: the assessment was completed, or the decision to step down was made")
    assert plan["source"]["cited"] == "Herefordshire's guidance, opening table"
    assert plan["source"]["reading"].startswith("formgen's reading")
    marf = next(r for r in listed if (r["council"], r["id"]) == ("shropshire", "step-up"))["documents"][0]
    assert marf["deadline_source"]["status"] == "not-confirmed"
    assert "not yet confirmed by Shropshire Council" in marf["deadline"]


def test_one_councils_routes_and_one_route(client: FlaskClient) -> None:
    assert [r["id"] for r in client.get("/api/routes/shropshire").json] == ["3.a", "3.b", "4.a", "4.b", "step-up"]
    route = client.get("/api/routes/peterborough/3").json
    missing = [f for f in ["peterborough-cin-step-down-record"] if f not in all_forms()]
    assert route["missing_forms"] == missing and route["available"] is not missing
    assert route["meetings"][0]["kind"] == "cin-meeting"


@pytest.mark.parametrize(("path", "status", "title"), [
    ("/api/routes/leeds", 404, "Unknown council"),
    ("/api/routes/shropshire/5.c", 404, "Unknown route"),
])
def test_what_is_not_there_is_a_problem(client: FlaskClient, path: str, status: int, title: str) -> None:
    response = client.get(path)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    assert response.json["title"] == title


@pytest.mark.parametrize(("council_id", "route_id"), EXAMPLES, ids=[f"{c}:{r}" for c, r in EXAMPLES])
def test_every_example_record_meets_the_published_json_schema(client: FlaskClient, council_id: str,
                                                             route_id: str) -> None:
    schema = client.get("/api/case-record/schema").json
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(example(client, council_id, route_id))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate({**example(client, council_id, route_id), "pets": 1})


def test_a_pack_is_a_zip_of_the_documents_and_the_calendar(client: FlaskClient) -> None:
    response = client.post("/api/routes/shropshire/3.a/pack?format=docx", json=example(client, "shropshire", "3.a"))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == 'attachment; filename="pack-shropshire-3a-CF2284619.zip"'
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Document-Count"] == "2"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == ["01-strengthening-families-consent-CF2284619.docx", "02-step-down-agenda-weekly-2026-11-19.docx",
                     "deadlines.ics", "manifest.json"]


def test_a_merged_pack_is_one_pdf_with_the_calendar(client: FlaskClient) -> None:
    response = client.post("/api/routes/herefordshire/level-3-step-down/pack?merged=pdf",
                           json=example(client, "herefordshire", "level-3-step-down"))
    assert response.status_code == 200 and response.headers["X-Page-Count"] == "9"
    assert sorted(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == [
        "deadlines.ics", "manifest.json", "pack-herefordshire-level-3-step-down-712406.pdf"]


@pytest.mark.parametrize("query", ["format=odt", "merged=docx"])
def test_a_pack_option_not_understood_is_a_400(client: FlaskClient, query: str) -> None:
    response = client.post(f"/api/routes/shropshire/3.a/pack?{query}", json={})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_a_record_missing_what_two_documents_need_is_one_422_problem(client: FlaskClient) -> None:
    body = example(client, "shropshire", "3.b")
    del body["address"], body["assessment"]
    response = client.post("/api/routes/shropshire/3.b/pack", json=body)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["documents"] == {"shropshire-strengthening-families-consent": ["address"],
                                    "shropshire-step-down-agenda": ["cases.0.assessment", "cases.0.recommendations"]}
    assert problem["rules"]["documents.shropshire-step-down-agenda.cases.0.assessment"] == ["field-constraints"]
    assert problem["errors"]["documents.shropshire-strengthening-families-consent.address"] == [
        "Family address is required."]


def test_a_route_without_an_example_record_is_a_404(client: FlaskClient, tmp_path: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routes, "EXAMPLES_DIR", tmp_path)  # every declared route has one: pretend one has not
    response = client.get("/api/routes/peterborough/1/example")
    assert response.status_code == 404 and response.json["title"] == "No example yet"


def test_a_route_whose_forms_are_not_registered_is_a_501_naming_them(client: FlaskClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Every declared route's forms are registered today: pretend the clinic's outcome note is not yet.
    registered = {k: v for k, v in all_forms().items() if k != "step-down-clinic-outcome"}
    monkeypatch.setattr(routes, "all_forms", lambda: registered)
    missing = routes.missing_forms(routes.find("step-down-clinic", "step-down")[1])
    assert missing == ["step-down-clinic-outcome"]
    response = client.post("/api/routes/step-down-clinic/step-down/pack", json={"children": [{"full_name": "A B"}]})
    assert response.status_code == 501 and response.mimetype == "application/problem+json"
    assert response.json["missing_forms"] == missing


def test_status_on_a_day(client: FlaskClient) -> None:
    body = example(client, "manchester", "step-down")
    response = client.post("/api/routes/manchester/step-down/status?as_of=2026-11-18", json=body)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    found = {t["id"]: t for t in response.json["tasks"]}
    assert found["allocations-meeting"]["state"] == "due" and found["allocations-meeting"]["due"] == "2026-11-19"
    assert found["manchester-allocations-pro-forma"]["state"] == "done"
    assert found["manchester-allocations-pro-forma"]["ready"] is True
    assert client.post("/api/routes/manchester/step-down/status?as_of=18/11/2026", json=body).status_code == 400
    bad = client.post("/api/routes/manchester/step-down/status", json={"children": []})
    assert bad.status_code == 422 and "children" in bad.json["errors"]


def test_the_case_record_schema_is_published(client: FlaskClient) -> None:
    schema = client.get("/api/case-record/schema").json
    assert schema["$id"] == "/api/case-record/schema" and schema["additionalProperties"] is False
    assert {"children", "events", "documents", "meetings", "consent", "lead_professional"} <= set(schema["properties"])
    assert schema["required"] == ["children"]
