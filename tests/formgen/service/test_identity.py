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
from web_journey import csrf_token, fill, finish, start, tasks

from api import create_app
from formgen.core.registry import get_form
from formgen.service import auth
from formgen.service.identity import WebConfigError, person_id
from formgen.store.audit import AuditTrail
from formgen.store.drafts import new_key

FORM = "manchester-allocations-pro-forma"
KEY = "fgk_identity-test-key-0000000000000000001"
PROXY = "10.20.0.5"
PERSON = "zofia.tester@council.example"
SSO = {"WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": f"{PROXY}, 10.30.0.0/24",
       "PERSON_ID_KEY": "a-secret-only-the-council-holds", "DRAFT_KEYS": new_key()}
NO_DRAFT = "/drafts/no-such-draft"


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


def _finished_draft(client: FlaskClient) -> str:
    """A draft filled in, checked and confirmed, ready to download: its address."""
    draft = start(client, get_form(FORM))
    fill(client, get_form(FORM), draft, _example())
    confirmed = client.post(f"{draft}/confirm", data={"csrf_token": csrf_token(client.get(f"{draft}/check").text)})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("/done")
    return draft


def _every_page(client: FlaskClient, draft: str = NO_DRAFT, token: str = "x") -> dict[str, Any]:
    """Each kind of page, asked by this client; `draft` is someone's finished draft where there is one."""
    body = json.dumps(_example())
    task = tasks(get_form(FORM))[0].slug
    return {
        "start": client.get("/"),
        "form": client.get(f"/forms/{FORM}"),
        "new draft": client.post(f"/forms/{FORM}/drafts", data={"csrf_token": token}),
        "start from a file": client.post(f"/forms/{FORM}/drafts", data={
            "csrf_token": token, "action": "upload", "file": (io.BytesIO(body.encode()), "case.json")}),
        "prefill": client.post(f"/forms/{FORM}/prefill", data=body, content_type="application/json"),
        "task list": client.get(draft),
        "task": client.get(f"{draft}/{task}"),
        "save a task": client.post(f"{draft}/{task}", data={"csrf_token": token}),
        "upload": client.post(f"{draft}/upload", data={"csrf_token": token,
                                                       "file": (io.BytesIO(body.encode()), "case.json")}),
        "check": client.get(f"{draft}/check"),
        "done": client.get(f"{draft}/done"),
        "download": client.post(f"{draft}/download", data={"csrf_token": token, "format": "pdf"}),
        "delete": client.post(f"{draft}/delete", data={"csrf_token": token}),
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
    draft = _finished_draft(_from(app, "127.0.0.1"))
    _assert_refused(_every_page(_from(app, "192.0.2.44"), draft), 403, "/problems/web-pages-loopback-only")
    assert _from(app, "::1").get(f"{draft}/done").status_code == 200  # still there, for this machine


def test_behind_sign_on_a_request_not_from_the_proxy_is_refused_even_with_the_header(tmp_path: Path) -> None:
    app = _app(tmp_path, API_KEYS=f"case-system:{auth.digest_key(KEY)}", **SSO)
    draft = _finished_draft(_from(app, PROXY, **{"X-Forwarded-User": PERSON}))
    _assert_refused(_every_page(_from(app, "192.0.2.44", **{"X-Forwarded-User": PERSON}), draft), 403,
                    "/problems/not-via-sign-in")
    assert _from(app, PROXY, **{"X-Forwarded-User": PERSON}).get(f"{draft}/done").status_code == 200


def test_behind_sign_on_the_proxy_must_name_a_person(tmp_path: Path) -> None:
    app = _app(tmp_path, **SSO)
    draft = _finished_draft(_from(app, PROXY, **{"X-Forwarded-User": PERSON}))
    _assert_refused(_every_page(_from(app, PROXY), draft), 401, "/problems/not-signed-in")
    _assert_refused(_every_page(_from(app, "10.30.0.9", **{"X-Forwarded-User": "   "}), draft), 401,
                    "/problems/not-signed-in")


def _download_as(app: Flask, address: str, person: str) -> Any:
    return finish(_from(app, address, **{"X-Forwarded-User": person}), get_form(FORM), _example())


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
