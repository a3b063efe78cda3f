"""The audit trail: one append-only row per render, in an embedded SQLite database.

A row holds the time, the request id, the client's name, the form, the format, the pages, the SHA-256
of the document and the outcome (HTTP status and a word). Never a name, never the body.

The service (`formgen.service.audit_hooks`) chooses the database and records each request. WAL mode
and a busy timeout let several worker processes append at once without losing a row; triggers refuse
UPDATE and DELETE.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS renders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    request_id TEXT,
    client TEXT NOT NULL,
    form_id TEXT NOT NULL,
    format TEXT NOT NULL,
    pages INTEGER,
    sha256 TEXT,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS renders_no_update BEFORE UPDATE ON renders
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS renders_no_delete BEFORE DELETE ON renders
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
_BUSY_TIMEOUT_MS = 30_000
# How long a readiness check waits for another writer's lock before saying the trail is unavailable.
_CHECK_TIMEOUT_S = 1.5
COLUMNS = ("id", "at", "request_id", "client", "form_id", "format", "pages", "sha256", "status", "outcome")


class AuditUnavailable(Exception):
    """The audit trail cannot be written now; the message says why, without a path or any data."""


@dataclass(frozen=True)
class Entry:
    """One render as the audit trail keeps it."""

    client: str
    form_id: str
    format: str
    status: int
    outcome: str
    pages: int | None = None
    sha256: str | None = None
    request_id: str | None = None


def outcome_for(status: int, problem_type: str | None = None) -> str:
    if status == 200:
        return "rendered"
    if problem_type == "/problems/page-limit-exceeded":
        return "over-page-limit"
    if status == 422:
        return "invalid"
    if status in (401, 403):
        return "refused"
    return "error" if status >= 500 else "rejected"


class AuditTrail:
    """Appends to and reads one SQLite audit database; safe across threads and forked workers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
        connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: a connection must never cross a fork.
        pid, connection = getattr(self._local, "owned", (None, None))
        if pid != os.getpid() or connection is None:
            connection = self._connect()
            self._local.owned = (os.getpid(), connection)
        return connection

    def check_writable(self) -> None:
        """Raise AuditUnavailable unless a row could be appended now (takes and releases the write lock)."""
        try:
            connection = sqlite3.connect(self.path, timeout=_CHECK_TIMEOUT_S, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("ROLLBACK")
            finally:
                connection.close()
        except sqlite3.Error as error:
            raise AuditUnavailable(f"the audit database cannot be written ({error})") from None

    def record(self, entry: Entry, at: dt.datetime | None = None) -> None:
        stamp = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds")
        self._connection().execute(
            "INSERT INTO renders (at, request_id, client, form_id, format, pages, sha256, status, outcome)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (stamp, entry.request_id, entry.client, entry.form_id, entry.format, entry.pages, entry.sha256,
             entry.status, entry.outcome),
        )

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest `limit` rows (all when None), oldest first."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            query = f"SELECT {', '.join(COLUMNS)} FROM renders ORDER BY id DESC"
            found = connection.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ()).fetchall()
        finally:
            connection.close()
        return [dict(zip(COLUMNS, row, strict=True)) for row in reversed(found)]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())
