"""The audit row records what the client received: written when the server closes the answer, `sent` only
when every byte was handed over, `send-failed` otherwise. /healthz is ready only when the trail can be
written; start-up problems with the trail are one line."""

from __future__ import annotations

import copy
import io
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from web_journey import finish
from werkzeug.test import EnvironBuilder

from api import create_app
from formgen.core.registry import get_form
from formgen.service.audit_hooks import trail
from formgen.store.audit import FAIL_FAST_SECONDS, AuditTrail, AuditUnavailable

FORM = "manchester-allocations-pro-forma"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite3"


@pytest.fixture()
def audited(db: Path) -> Flask:
    return create_app({"TESTING": True, "AUDIT_DB": str(db)})


def _render_environ(body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body if body is not None else dict(get_form(FORM).example)).encode()
    return EnvironBuilder(path=f"/api/forms/{FORM}/render", query_string="format=pdf", method="POST", data=data,
                          content_type="application/json").get_environ()


def _rows(db: Path) -> list[dict[str, Any]]:
    return AuditTrail(db).rows()


def test_a_header_the_server_refuses_is_recorded_as_send_failed(audited: Flask, db: Path) -> None:
    def refusing_server(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        # What gunicorn did with a file name it could not send: refuse the headers after the render.
        raise ValueError("invalid header value")

    with pytest.raises(ValueError):
        audited.wsgi_app(_render_environ(), refusing_server)
    (row,) = _rows(db)
    assert (row["status"], row["outcome"]) == (200, "send-failed")
    assert row["sha256"] is not None  # the document that was made, though it never left


def test_a_client_that_hangs_up_before_the_document_is_sent_is_send_failed(audited: Flask, db: Path) -> None:
    statuses: list[str] = []
    body = audited.wsgi_app(_render_environ(), lambda status, headers, exc_info=None: statuses.append(status))
    assert statuses == ["200 OK"]
    assert _rows(db) == []  # nothing is written before the server is done with the answer
    body.close()  # the server closes the answer without having sent it (the client went away)
    (row,) = _rows(db)
    assert row["outcome"] == "send-failed"


def test_a_document_handed_over_whole_is_sent(audited: Flask, db: Path) -> None:
    body = audited.wsgi_app(_render_environ(), lambda status, headers, exc_info=None: None)
    content = b"".join(body)
    body.close()
    (row,) = _rows(db)
    assert content.startswith(b"%PDF")
    assert (row["status"], row["outcome"]) == (200, "sent")


def test_a_refusal_delivered_keeps_its_own_outcome(audited: Flask, db: Path) -> None:
    bad = copy.deepcopy(dict(get_form(FORM).example))
    bad["level_of_need"] = 9
    assert audited.test_client().post(f"/api/forms/{FORM}/render", json=bad).status_code == 422
    assert [(row["status"], row["outcome"]) for row in _rows(db)] == [(422, "invalid")]


def test_healthz_is_ready_only_when_the_trail_can_be_written(audited: Flask, db: Path) -> None:
    client = audited.test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = client.get("/healthz")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/not-ready"
    assert response.json["checks"] == {"audit": "the audit trail cannot be written"}
    assert str(db) not in response.text
    # Ready again once the lock is gone: after a failure the store fails fast for FAIL_FAST_SECONDS, so
    # that no request waits on the lock twice; then it checks again.
    deadline = time.monotonic() + FAIL_FAST_SECONDS + 2
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "healthz did not recover after the lock was released"
        time.sleep(0.2)


def test_no_document_leaves_when_the_trail_cannot_be_written(audited: Flask, db: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    audit = trail(audited)
    assert audit is not None

    def unavailable() -> None:
        raise AuditUnavailable("database is locked")

    monkeypatch.setattr(audit, "check_writable", unavailable)
    response = audited.test_client().post(f"/api/forms/{FORM}/render?format=pdf",
                                          json=dict(get_form(FORM).example))
    assert response.status_code == 503
    assert response.json["type"] == "/problems/audit-unavailable"
    assert response.headers["Retry-After"] == "60"
    assert not response.data.startswith(b"%PDF")
    assert [(row["status"], row["sha256"]) for row in _rows(db)] == [(503, None)]


def test_a_web_download_is_recorded_when_delivered(audited: Flask, db: Path) -> None:
    response = finish(audited.test_client(), get_form(FORM), dict(get_form(FORM).example), "docx")
    assert response.status_code == 200
    assert response.data.startswith(b"PK")
    assert [(row["client"], row["outcome"], row["format"]) for row in _rows(db)] == [("web", "sent", "docx")]


@pytest.mark.parametrize("problem", ["a file where the folder should be", "a folder where the database should be"])
def test_an_audit_trail_that_cannot_be_opened_stops_start_up_in_one_line(tmp_path: Path, problem: str) -> None:
    if problem.startswith("a file"):
        (tmp_path / "instance").write_text("not a folder")
        path = tmp_path / "instance" / "audit.sqlite3"
    else:
        path = tmp_path / "audit.sqlite3"
        path.mkdir()
    with pytest.raises(AuditUnavailable) as caught:
        create_app({"AUDIT_DB": str(path)})
    message = str(caught.value)
    assert message.startswith(f"the audit trail at {path} cannot be opened: ")
    assert "\n" not in message and "Traceback" not in message


def test_testing_apps_still_keep_no_trail_unless_asked(app: Flask) -> None:
    assert trail(app) is None
    assert app.test_client().get("/healthz").json == {"status": "ok"}


def test_uploads_are_not_renders(audited: Flask, db: Path) -> None:
    content = json.dumps(dict(get_form(FORM).example)).encode()
    audited.test_client().post(f"/api/forms/{FORM}/prefill", data={"file": (io.BytesIO(content), "case.json")})
    assert _rows(db) == []
