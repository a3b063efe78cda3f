"""The audit trail in PostgreSQL (FORMGEN_AUDIT_URL), against a real server these tests start themselves.

The server and a fresh database per test come from tests/formgen/store/conftest.py.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from api import create_app
from formgen.cli.main import main
from formgen.core.registry import get_form
from formgen.service.audit_hooks import trail
from formgen.store.audit import AuditUnavailable, Entry, open_trail

FORM = "manchester-allocations-pro-forma"


def _entry(worker: int = 0, number: int = 0) -> Entry:
    return Entry(client=f"worker-{worker}", form_id=FORM, format="pdf", status=200, outcome="rendered", pages=2,
                 sha256=hashlib.sha256(f"{worker}-{number}".encode()).hexdigest())


def test_renders_through_the_service_are_recorded_in_postgresql(url: str) -> None:
    app = create_app({"TESTING": True, "AUDIT_URL": url})
    audit = trail(app)
    assert audit is not None and type(audit).__name__ == "PostgresAuditTrail"
    body = dict(get_form(FORM).example)
    made = app.test_client().post(f"/api/forms/{FORM}/render?format=pdf", json=body)
    refused = app.test_client().post(f"/api/forms/{FORM}/render", json={**body, "level_of_need": 9})
    assert (made.status_code, refused.status_code) == (200, 422)
    first, second = audit.rows()
    assert first["sha256"] == hashlib.sha256(made.data).hexdigest() and first["outcome"] == "sent"
    assert (second["status"], second["outcome"], second["sha256"]) == (422, "invalid", None)
    assert first["at"].endswith("+00:00") and first["client"] == "open"
    audit.check_writable()


@pytest.mark.parametrize("statement", ["UPDATE renders SET outcome = 'rendered'", "DELETE FROM renders",
                                       "TRUNCATE renders"])
def test_the_trail_is_append_only_in_postgresql_too(url: str, statement: str) -> None:
    import psycopg

    audit = open_trail(url)
    audit.record(_entry())
    with psycopg.connect(url, autocommit=True) as connection, pytest.raises(psycopg.Error, match="append-only"):
        connection.execute(statement)  # type: ignore[arg-type]
    assert len(audit.rows()) == 1


def _writer(target: str, worker: int, count: int) -> None:
    audit = open_trail(target)
    for number in range(count):
        audit.record(_entry(worker, number))


def test_two_processes_writing_at_once_lose_nothing(url: str) -> None:
    open_trail(url)
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_writer, args=(url, worker, 200)) for worker in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    rows = open_trail(url).rows()
    assert len(rows) == 400
    assert len({row["sha256"] for row in rows}) == 400
    assert sorted(row["id"] for row in rows) == [row["id"] for row in rows]


def test_a_held_table_lock_fails_the_write_within_two_seconds(url: str) -> None:
    import time

    import psycopg

    audit = open_trail(url)
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE renders IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(AuditUnavailable, match=r"lock|did not answer"):
            audit.record(_entry())
        with pytest.raises(AuditUnavailable):
            audit.record(_entry())
        assert time.monotonic() - started < 2.0
        holder.rollback()


def test_a_role_without_insert_is_not_writable(url: str) -> None:
    import psycopg

    open_trail(url)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE ROLE reader LOGIN")
        admin.execute("GRANT SELECT ON renders TO reader")
    reader = open_trail(url.replace("formgen@", "reader@"))
    with pytest.raises(AuditUnavailable, match="lacks INSERT"):
        reader.check_writable()


def test_a_server_that_is_gone_is_unavailable_not_a_hang(tmp_path: Path) -> None:
    with pytest.raises(AuditUnavailable, match="cannot be reached"):
        open_trail(f"postgresql://formgen@/postgres?host={tmp_path}")


def test_the_audit_command_reads_postgresql(url: str, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    open_trail(url).record(_entry(7))
    monkeypatch.setenv("FORMGEN_AUDIT_URL", url)
    assert main(["audit", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["client"] == "worker-7"
    assert main(["audit", "--db", url, "-n", "1"]) == 0
    assert "worker-7" in capsys.readouterr().out
