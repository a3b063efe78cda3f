"""The audit trail: a row per render, append-only, safe with several writers, and no personal data."""

from __future__ import annotations

import copy
import hashlib
import json
import multiprocessing
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from formgen.cli.main import main
from formgen.core.registry import get_form
from formgen.service import auth
from formgen.service.audit_hooks import trail
from formgen.store.audit import AuditTrail, AuditUnavailable, Entry, open_trail

FORM = "manchester-allocations-pro-forma"
KEY = "fgk_audit-test-key-000000000001"
REQUEST_ID = "0f8e4c1a-3b2d-4e5f-8a9b-1c2d3e4f5a6b"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "audit.sqlite3"


@pytest.fixture()
def audited(db: Path) -> Flask:
    return create_app({"TESTING": True, "AUDIT_DB": str(db), "API_KEYS": f"case-system:{auth.hash_key(KEY)}"})


@pytest.fixture()
def caller(audited: Flask) -> FlaskClient:
    test_client = audited.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {KEY}"
    return test_client


def _example() -> dict[str, Any]:
    return copy.deepcopy(dict(get_form(FORM).example))


def _rows(db: Path) -> list[dict[str, Any]]:
    return AuditTrail(db).rows()


def test_testing_apps_keep_no_trail_unless_asked(app: Flask) -> None:
    assert trail(app) is None


def test_each_render_is_one_row_with_the_documents_hash(caller: FlaskClient, db: Path) -> None:
    pdf = caller.post(f"/api/forms/{FORM}/render?format=pdf", json=_example(), headers={"X-Request-Id": REQUEST_ID})
    docx = caller.post(f"/api/forms/{FORM}/render?format=docx", json=_example())
    assert pdf.status_code == docx.status_code == 200
    rows = _rows(db)
    assert len(rows) == 2
    first, second = rows
    assert first["client"] == second["client"] == "case-system"
    assert first["form_id"] == FORM and first["format"] == "pdf" and second["format"] == "docx"
    assert first["sha256"] == hashlib.sha256(pdf.data).hexdigest()
    assert second["sha256"] == hashlib.sha256(docx.data).hexdigest()
    assert first["pages"] == int(pdf.headers["X-Page-Count"])
    assert first["status"] == 200 and first["outcome"] == "sent"
    assert first["request_id"] == REQUEST_ID
    assert first["at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("change", "status", "outcome"),
    [
        ({"level_of_need": "3"}, 422, "invalid"),
        ({"worried_about": "\n".join(["- A worry that goes on for a whole line of the table cell, and more."] * 55)},
         422, "over-page-limit"),
    ],
)
def test_refused_renders_are_recorded_with_their_outcome(caller: FlaskClient, db: Path, change: dict[str, Any],
                                                          status: int, outcome: str) -> None:
    response = caller.post(f"/api/forms/{FORM}/render", json={**_example(), **change})
    assert response.status_code == status
    (row,) = _rows(db)
    assert (row["status"], row["outcome"], row["sha256"], row["pages"]) == (status, outcome, None, None)


def test_reads_and_validations_are_not_renders(caller: FlaskClient, db: Path) -> None:
    caller.get("/api/forms")
    caller.post(f"/api/forms/{FORM}/validate", json=_example())
    assert _rows(db) == []


def test_the_trail_survives_a_restart(db: Path) -> None:
    for _ in range(2):
        app = create_app({"TESTING": True, "AUDIT_DB": str(db)})
        assert app.test_client().post(f"/api/forms/{FORM}/render?format=docx", json=_example()).status_code == 200
    rows = _rows(db)
    assert [row["id"] for row in rows] == [1, 2]
    assert {row["client"] for row in rows} == {"open"}
    # Identical input, identical bytes, so identical hashes.
    assert rows[0]["sha256"] == rows[1]["sha256"]


@pytest.mark.parametrize("statement", ["UPDATE renders SET outcome = 'rendered'", "DELETE FROM renders"])
def test_the_trail_is_append_only(db: Path, statement: str) -> None:
    AuditTrail(db).record(Entry(client="a", form_id=FORM, format="pdf", status=422, outcome="invalid"))
    connection = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute(statement)
    connection.close()
    assert len(_rows(db)) == 1


def test_the_database_is_in_wal_mode(db: Path) -> None:
    AuditTrail(db)
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def _writer(path: str, worker: int, count: int) -> None:
    audit = AuditTrail(Path(path))
    for number in range(count):
        audit.record(Entry(client=f"worker-{worker}", form_id=FORM, format="pdf", status=200, outcome="rendered",
                           pages=2, sha256=hashlib.sha256(f"{worker}-{number}".encode()).hexdigest()))


def test_several_processes_writing_at_once_lose_no_row(db: Path) -> None:
    AuditTrail(db)
    context = multiprocessing.get_context("spawn")
    workers, each = 4, 150
    processes = [context.Process(target=_writer, args=(str(db), worker, each)) for worker in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    rows = _rows(db)
    assert len(rows) == workers * each
    assert len({row["sha256"] for row in rows}) == workers * each
    assert {row["client"] for row in rows} == {f"worker-{n}" for n in range(workers)}


def test_audit_command_lists_the_trail(caller: FlaskClient, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    caller.post(f"/api/forms/{FORM}/render?format=pdf", json=_example())
    caller.post(f"/api/forms/{FORM}/render?format=pdf", json={**_example(), "level_of_need": 9})
    assert main(["audit", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["id", "at", "request_id", "client", "form_id", "format", "pages", "sha256",
                                    "status", "outcome"]
    assert [line.split("\t")[-1] for line in lines[1:]] == ["sent", "invalid"]
    assert main(["audit", "--db", str(db), "--json", "-n", "1"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["outcome"] == "invalid" and row["id"] == 2


def test_audit_command_reads_the_configured_database(caller: FlaskClient, db: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    caller.post(f"/api/forms/{FORM}/render?format=docx", json=_example())
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(db))
    assert main(["audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["format"] == "docx"


# Names no other text contains, so finding one anywhere means it leaked.
NAMES = ["Quillonette Zebrowska-Farquar", "Thaddeus Umbriel-Nakashima", "Perpetua Vankleeckova",
         "Ignatius Orlebarre-Mbeki", "Wilhelmina Xanthopoulou"]


def _body_full_of_names() -> dict[str, Any]:
    body = _example()
    body["child"]["name"] = NAMES[0]
    for person, name in zip(body["family_members"], NAMES[1:4], strict=True):
        person["full_name"] = name
        person["notes"] = f"{name} lives nearby; {NAMES[4]} visits."
    body["referrer"]["name"] = NAMES[4]
    body["worried_about"] = f"- {NAMES[0]} misses school on Mondays.\n- {NAMES[1]} is worried."
    return body


def test_no_name_reaches_the_logs_or_the_audit_database(caller: FlaskClient, db: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    body = _body_full_of_names()
    for fmt in ("pdf", "docx"):
        assert caller.post(f"/api/forms/{FORM}/render?format={fmt}", json=body).status_code == 200
    assert caller.post(f"/api/forms/{FORM}/validate", json=body).status_code == 200
    # Names in the wrong places: refused, and still not logged.
    bad = {**body, "level_of_need": NAMES[2], "date_completed": NAMES[3]}
    assert caller.post(f"/api/forms/{FORM}/render", json=bad).status_code == 422
    assert caller.post(f"/api/forms/{FORM}/render", json={**body, NAMES[0]: NAMES[1]}).status_code == 422
    assert caller.post(f"/api/forms/{FORM}/render", data=f'{{"{NAMES[4]}": 1, "{NAMES[4]}": 2}}',
                       content_type="application/json").status_code == 400
    assert caller.post(f"/api/forms/{FORM}/render?format={NAMES[1]}", json=body).status_code == 406
    logged = capsys.readouterr()
    log_text = logged.err + logged.out
    assert '"request_id"' in log_text and '"status": 422' in log_text
    stored = b"".join(path.read_bytes() for path in db.parent.glob(f"{db.name}*"))
    for name in NAMES:
        for part in name.split(" ") + name.split("-"):
            assert part not in log_text, f"{part} reached the logs"
            assert part.encode() not in stored, f"{part} reached the audit database"
    # pdf, docx, two 422s and the 400; the 406 is refused before a render is attempted.
    assert [row["status"] for row in _rows(db)] == [200, 200, 422, 422, 400]


def test_a_render_that_cannot_be_recorded_returns_no_document(caller: FlaskClient, audited: Flask,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    audit = trail(audited)
    assert audit is not None

    def broken() -> None:
        raise AuditUnavailable("disk I/O error")

    monkeypatch.setattr(audit, "check_writable", broken)
    response = caller.post(f"/api/forms/{FORM}/render?format=pdf", json=_example())
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/audit-unavailable"
    assert not response.data.startswith(b"%PDF")


# ---------------------------------------------------------------- faults: a held lock, a full disk


def _entry(number: int = 0) -> Entry:
    return Entry(client="c", form_id=FORM, format="pdf", status=200, outcome="rendered",
                 sha256=hashlib.sha256(str(number).encode()).hexdigest())


def test_a_held_write_lock_fails_the_write_within_two_seconds_and_then_at_once(db: Path) -> None:
    audit = AuditTrail(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        started = time.monotonic()
        with pytest.raises(AuditUnavailable, match="write lock"):
            audit.record(_entry())
        with pytest.raises(AuditUnavailable, match="write lock"):
            audit.record(_entry())  # the error answer's own row: no second wait
        with pytest.raises(AuditUnavailable, match="write lock"):
            audit.check_writable()
        assert time.monotonic() - started < 2.0
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_the_trail_says_when_it_is_writable_again(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = AuditTrail(db)
    audit.check_writable()
    monkeypatch.setattr("formgen.store.audit.FAIL_FAST_SECONDS", 0.0)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(AuditUnavailable):
        audit.check_writable()
    holder.execute("ROLLBACK")
    holder.close()
    audit.check_writable()
    audit.record(_entry())
    assert len(audit.rows()) == 1


def test_a_nearly_full_disk_is_not_writable(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    audit = AuditTrail(db)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 5_000_000, 5_000_000))
    with pytest.raises(AuditUnavailable, match="only 5 MB free"):
        audit.check_writable()


def test_a_full_database_fails_the_write_as_unavailable(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit = AuditTrail(db)
    connect = AuditTrail._connect

    def full(self: AuditTrail) -> sqlite3.Connection:
        connection = connect(self)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count={pages}")  # as if the disk had no room for another page
        return connection

    monkeypatch.setattr(AuditTrail, "_connect", full)
    with pytest.raises(AuditUnavailable, match="is full"):  # the rows fill the last page, then the next fails
        for number in range(10_000):
            audit.record(_entry(number))


def test_open_trail_chooses_the_store_by_its_target(db: Path) -> None:
    assert isinstance(open_trail(db), AuditTrail)
    assert isinstance(open_trail(str(db)), AuditTrail)
