"""The web pages need a signed-in person once formgen is deployed: the single sign-on proxy's header, from the
proxy's own address, or the pages are off. Only a keyless loopback run (a laptop) keeps them open."""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from formgen.core.registry import get_form
from formgen.service import auth
from formgen.service.identity import WebConfigError, person_id
from formgen.store.audit import AuditTrail

FORM = "manchester-allocations-pro-forma"
KEY = "fgk_identity-test-key-0000000000000000001"
PROXY = "10.20.0.5"
PERSON = "zofia.tester@council.example"
SSO = {"WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": f"{PROXY}, 10.30.0.0/24",
       "PERSON_ID_KEY": "a-secret-only-the-council-holds"}


def _app(tmp_path: Path, **config: Any) -> Flask:
    return create_app({"TESTING": True, "AUDIT_DB": str(tmp_path / "audit.sqlite3"), **config})


def _from(app: Flask, address: str, **headers: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return client


def _example() -> dict[str, Any]:
    return copy.deepcopy(dict(get_form(FORM).example))


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _every_page(client: FlaskClient, token: str = "x") -> dict[str, Any]:
    body = json.dumps(_example())
    return {
        "start": client.get("/"),
        "form": client.get(f"/forms/{FORM}"),
        "download": client.post(f"/forms/{FORM}/download", data={"csrf_token": token, "body": body, "format": "pdf"}),
        "upload": client.post(f"/forms/{FORM}/upload", data={"csrf_token": token,
                                                             "file": (io.BytesIO(body.encode()), "case.json")}),
        "prefill": client.post(f"/forms/{FORM}/prefill", data=body, content_type="application/json"),
    }


def _assert_refused(responses: dict[str, Any], status: int, problem_type: str) -> None:
    for page, response in responses.items():
        assert response.status_code == status, page
        assert response.mimetype == "application/problem+json", page
        assert response.json["type"] == problem_type, page
        assert not response.data.startswith(b"%PDF"), page
        assert "formgen-csrf" not in response.headers.get("Set-Cookie", ""), page
        assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_with_api_keys_and_no_sign_on_the_pages_are_off(tmp_path: Path) -> None:
    app = _app(tmp_path, API_KEYS=f"case-system:{auth.digest_key(KEY)}")
    _assert_refused(_every_page(_from(app, "127.0.0.1")), 403, "/problems/web-pages-off")
    # The assets (GOV.UK Frontend's CSS) and the API are not the pages.
    assert _from(app, "127.0.0.1").get("/api/forms", headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    assert AuditTrail(tmp_path / "audit.sqlite3").rows() == []


def test_pages_can_be_turned_off_outright(tmp_path: Path) -> None:
    _assert_refused(_every_page(_from(_app(tmp_path, WEB_PAGES="off"), "127.0.0.1")), 403, "/problems/web-pages-off")


def test_without_keys_or_sign_on_the_pages_answer_this_machine_only(tmp_path: Path) -> None:
    app = _app(tmp_path)
    assert _from(app, "127.0.0.1").get(f"/forms/{FORM}").status_code == 200
    assert _from(app, "::1").get(f"/forms/{FORM}").status_code == 200
    _assert_refused(_every_page(_from(app, "192.0.2.44")), 403, "/problems/web-pages-loopback-only")


def test_behind_sign_on_a_request_not_from_the_proxy_is_refused_even_with_the_header(tmp_path: Path) -> None:
    app = _app(tmp_path, API_KEYS=f"case-system:{auth.digest_key(KEY)}", **SSO)
    _assert_refused(_every_page(_from(app, "192.0.2.44", **{"X-Forwarded-User": PERSON})), 403,
                    "/problems/not-via-sign-in")


def test_behind_sign_on_the_proxy_must_name_a_person(tmp_path: Path) -> None:
    app = _app(tmp_path, **SSO)
    _assert_refused(_every_page(_from(app, PROXY)), 401, "/problems/not-signed-in")
    _assert_refused(_every_page(_from(app, "10.30.0.9", **{"X-Forwarded-User": "   "})), 401, "/problems/not-signed-in")


def _download_as(app: Flask, address: str, person: str) -> Any:
    client = _from(app, address, **{"X-Forwarded-User": person})
    token = _token(client.get(f"/forms/{FORM}").text)
    return client.post(f"/forms/{FORM}/download",
                       data={"csrf_token": token, "body": json.dumps(_example()), "format": "pdf"})


def test_a_signed_in_person_downloads_and_is_recorded_as_an_opaque_id(tmp_path: Path) -> None:
    app = _app(tmp_path, API_KEYS=f"case-system:{auth.digest_key(KEY)}", **SSO)
    first = _download_as(app, PROXY, PERSON)
    again = _download_as(app, "10.30.0.77", PERSON.upper())
    other = _download_as(app, PROXY, "someone.else@council.example")
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.data.startswith(b"%PDF")
    rows = AuditTrail(tmp_path / "audit.sqlite3").rows()
    clients = [row["client"] for row in rows]
    assert all(re.fullmatch(r"person:[0-9a-f]{32}", client) for client in clients)
    # The same person is the same id (whatever the case of the sign-on's name); another is another.
    assert clients[0] == clients[1] != clients[2]
    assert clients[0] == person_id(PERSON, SSO["PERSON_ID_KEY"])
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("audit.sqlite3*"))
    for part in ("zofia", "tester", "council.example", "someone"):
        assert part.encode() not in stored.lower()


def test_the_person_id_is_keyed() -> None:
    assert person_id(PERSON, "one key") != person_id(PERSON, "another key")
    assert person_id(PERSON, None).startswith("person:")


def test_the_api_still_names_its_client_system(tmp_path: Path) -> None:
    app = _app(tmp_path, API_KEYS=f"case-system:{auth.digest_key(KEY)}", **SSO)
    response = _from(app, "192.0.2.8").post(f"/api/forms/{FORM}/render?format=docx", json=_example(),
                                              headers={"Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200
    assert [row["client"] for row in AuditTrail(tmp_path / "audit.sqlite3").rows()] == ["case-system"]


@pytest.mark.parametrize(("address", "secure"), [(PROXY, True), ("127.0.0.1", False)])
def test_the_csrf_cookie_is_secure_when_the_trusted_proxy_says_https(tmp_path: Path, address: str,
                                                                      secure: bool) -> None:
    # A laptop run behind a local TLS proxy: the proxy forwards for a browser on this machine.
    app = _app(tmp_path, TRUSTED_PROXIES=PROXY)
    client = _from(app, address, **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"})
    response = client.get("/")
    assert response.status_code == 200
    # Believed from the proxy only: anyone else's X-Forwarded-Proto is dropped.
    assert ("Secure" in response.headers["Set-Cookie"]) is secure


def test_the_csrf_cookie_is_secure_when_configured(tmp_path: Path) -> None:
    cookie = _from(_app(tmp_path, COOKIE_SECURE=True), "127.0.0.1").get("/").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie


@pytest.mark.parametrize(("config", "says"), [
    ({"WEB_USER_HEADER": "X-Forwarded-User"}, "FORMGEN_WEB_USER_HEADER is set but FORMGEN_TRUSTED_PROXIES is not"),
    ({"WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": "proxy.council"},
     "FORMGEN_TRUSTED_PROXIES: 'proxy.council' is not an IP address or network."),
    ({"WEB_USER_HEADER": "X Forwarded User", "TRUSTED_PROXIES": PROXY}, "must be a header name"),
    ({"WEB_PAGES": "maybe"}, "FORMGEN_WEB_PAGES must be 'off' or unset"),
])
def test_sign_on_settings_that_cannot_work_stop_start_up_in_one_line(tmp_path: Path, config: dict[str, str],
                                                                     says: str) -> None:
    with pytest.raises(WebConfigError, match=re.escape(says)) as caught:
        _app(tmp_path, **config)
    assert "\n" not in str(caught.value)
