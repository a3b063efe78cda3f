"""Request bodies: a chunked body over the limit is a 413 (not "malformed"), JSON files may start with a
byte-order mark, uploaded JSON refuses NaN as the API does, and a client's request id is kept only when it
is an id."""

from __future__ import annotations

import copy
import io
import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from web_journey import start_from_file, tasks

from formgen.core.registry import get_form

FORM = "manchester-allocations-pro-forma"
BOM = b"\xef\xbb\xbf"


def _example() -> dict[str, Any]:
    return copy.deepcopy(dict(get_form(FORM).example))


def _chunked(client: FlaskClient, path: str, body: bytes) -> Any:
    """A body with no Content-Length, as a server hands over a chunked one (wsgi.input_terminated)."""
    return client.post(path, input_stream=io.BytesIO(body),
                       headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})


def test_a_chunked_body_over_the_limit_is_a_413_not_malformed_json(client: FlaskClient) -> None:
    big = json.dumps({**_example(), "worried_about": "x" * 1_200_000}).encode()
    response = _chunked(client, f"/api/forms/{FORM}/validate", big)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "larger than the limit of 1000000 bytes" in response.json["detail"]


def test_a_chunked_body_within_the_limit_is_read_whole(client: FlaskClient) -> None:
    response = _chunked(client, f"/api/forms/{FORM}/validate", json.dumps(_example()).encode())
    assert response.status_code == 200 and response.json["valid"] is True


def test_the_web_pages_also_refuse_a_chunked_upload_over_the_limit(client: FlaskClient) -> None:
    client.get("/")
    response = client.post(f"/forms/{FORM}/prefill", input_stream=io.BytesIO(b"{" + b" " * 1_100_000 + b"}"),
                           headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413


@pytest.mark.parametrize("where", ["api", "web-upload", "web-prefill"])
def test_a_json_file_starting_with_a_byte_order_mark_is_read(client: FlaskClient, where: str) -> None:
    content = BOM + json.dumps(_example(), ensure_ascii=False).encode("utf-8")
    if where == "api":
        response = client.post(f"/api/forms/{FORM}/prefill", data={"file": (io.BytesIO(content), "case.json")})
        assert response.status_code == 200
        assert response.json["child"]["name"] == "Zofia Wójcik"
        return
    if where == "web-upload":
        response = start_from_file(client, get_form(FORM), content, "case.json")
    else:
        response = client.post(f"/forms/{FORM}/prefill", data=content, content_type="application/json")
    assert response.status_code == 303, response.text[:300]
    draft = response.headers["Location"].split("#")[0]
    child = next(task for task in tasks(get_form(FORM)) if task.owns("child.name"))
    assert 'value="Zofia Wójcik"' in client.get(f"{draft}/{child.slug}").text


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_uploaded_json_refuses_nan_as_the_api_body_does(client: FlaskClient, constant: str) -> None:
    content = b'{"child": {"name": "Zofia", "micare_id": ' + constant.encode() + b"}}"
    api = client.post(f"/api/forms/{FORM}/prefill", data={"file": (io.BytesIO(content), "case.json")})
    assert api.status_code == 422
    assert api.json["type"] == "/problems/bad-document"
    assert f"{constant} is not a JSON value" in api.json["detail"]
    body = client.post(f"/api/forms/{FORM}/validate", data=content, content_type="application/json")
    assert body.status_code == 400 and f"{constant} is not a JSON value" in body.json["detail"]
    page = client.post(f"/forms/{FORM}/prefill", data=content, content_type="application/json")
    assert page.status_code == 422 and f"{constant} is not a JSON value" in page.text


def test_a_body_with_a_byte_order_mark_is_read(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{FORM}/validate", data=BOM + json.dumps(_example()).encode(),
                           content_type="application/json")
    assert response.status_code == 200


@pytest.mark.parametrize(("sent", "kept"), [
    ("0f8e4c1a-3b2d-4e5f-8a9b-1c2d3e4f5a6b", True),
    ("0F8E4C1A3B2D4E5F8A9B1C2D3E4F5A6B", True),
    ("Zofia-Wojcik", False),  # letters and a hyphen, but a name
    ("Zofia-Wójcik-2017", False),
    ("0f8e4c1a3b2d4e5f zofia", False),
    ("abc", False),
    ("a" * 65, False),
])
def test_a_clients_request_id_is_kept_only_when_it_is_an_id(app: Flask, sent: str, kept: bool,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    response = app.test_client().get("/api/forms", headers={"X-Request-Id": sent})
    echoed = response.headers["X-Request-Id"]
    assert (echoed == sent) is kept
    if not kept:
        assert re.fullmatch(r"[0-9a-f]{32}", echoed)
        assert sent.strip() not in capsys.readouterr().err

