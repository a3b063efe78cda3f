"""The audit trail: one append-only row per render, in an embedded SQLite database or in PostgreSQL.

A row holds the time, the request id, the client's name, the form, the format, the pages, the SHA-256
of the document and the outcome (HTTP status and a word). Never a name, never the body.

The service (`formgen.service.audit_hooks`) chooses the store (`open_trail`: a file path for SQLite, a
postgresql:// URL for PostgreSQL, formgen/store/audit_pg.py) and records each request. Both stores have
the same interface (AuditStore): record, rows, check_writable. SQLite: WAL mode and a busy timeout let
several worker processes append at once without losing a row; triggers refuse UPDATE and DELETE.

A store that cannot write within WAIT_SECONDS (another process holds the write lock, the disk is full,
the server is gone) raises AuditUnavailable at once rather than keep the request waiting; for a moment
after that it fails fast, so a request that tries twice (its error answer is recorded too) waits once.
"""

from __future__ import annotations

import abc
import datetime as dt
import os
import shutil
import sqlite3
import threading
import time
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
# The longest a write waits for a lock; with the fail-fast window, under 2 s for a whole request.
WAIT_SECONDS = 1.5
_BUSY_TIMEOUT_MS = int(WAIT_SECONDS * 1000)
# After a failure, writes fail at once for this long instead of each waiting again.
FAIL_FAST_SECONDS = 2.0
# Less free space than this on the database's disk is a full disk: a render must not start.
MIN_FREE_BYTES = 20_000_000
COLUMNS = ("id", "at", "request_id", "client", "form_id", "format", "pages", "sha256", "status", "outcome")


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


class AuditUnavailable(Exception):
    """The audit trail cannot be written now; nothing may be rendered unrecorded. str() says why, without data."""


class AuditStore(abc.ABC):
    """What the service needs of an audit trail, whichever database keeps it."""

    _failed_until = 0.0
    _failed_why = ""

    @abc.abstractmethod
    def record(self, entry: Entry, at: dt.datetime | None = None) -> None:
        """Append one row, or raise AuditUnavailable."""

    @abc.abstractmethod
    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest `limit` rows (all when None), oldest first."""

    @abc.abstractmethod
    def check_writable(self) -> None:
        """Return if a row could be written now, else raise AuditUnavailable(reason): for /healthz."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows())

    def _fail_fast(self) -> None:
        if time.monotonic() < self._failed_until:
            raise AuditUnavailable(self._failed_why)

    def _failed(self, why: str) -> AuditUnavailable:
        self._failed_until, self._failed_why = time.monotonic() + FAIL_FAST_SECONDS, why
        return AuditUnavailable(why)

    def _succeeded(self) -> None:
        self._failed_until = 0.0


def _sqlite_reason(error: sqlite3.Error) -> str:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return f"another process has held the audit database's write lock for over {WAIT_SECONDS:g} s"
    if "full" in text:
        return "the disk holding the audit database is full"
    if "readonly" in text or "read-only" in text:
        return "the audit database is read-only"
    return f"the audit database cannot be written ({type(error).__name__})"


class AuditTrail(AuditStore):
    """Appends to and reads one SQLite audit database; safe across threads and forked workers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as connection:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(_SCHEMA)
            connection.close()
        except sqlite3.Error as error:
            raise AuditUnavailable(_sqlite_reason(error)) from None

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

    def record(self, entry: Entry, at: dt.datetime | None = None) -> None:
        self._fail_fast()
        stamp = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="milliseconds")
        try:
            self._connection().execute(
                "INSERT INTO renders (at, request_id, client, form_id, format, pages, sha256, status, outcome)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp, entry.request_id, entry.client, entry.form_id, entry.format, entry.pages, entry.sha256,
                 entry.status, entry.outcome),
            )
        except sqlite3.Error as error:
            raise self._failed(_sqlite_reason(error)) from None
        self._succeeded()

    def check_writable(self) -> None:
        """The disk has room and the write lock can be taken within WAIT_SECONDS (then released unused)."""
        self._fail_fast()
        free = shutil.disk_usage(self.path.parent).free
        if free < MIN_FREE_BYTES:
            raise self._failed(f"the disk holding the audit database has only {free // 1_000_000} MB free")
        connection = self._connection()
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise self._failed(_sqlite_reason(error)) from None

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The newest `limit` rows (all when None), oldest first."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            query = f"SELECT {', '.join(COLUMNS)} FROM renders ORDER BY id DESC"
            found = connection.execute(query + (" LIMIT ?" if limit else ""), (limit,) if limit else ()).fetchall()
        finally:
            connection.close()
        return [dict(zip(COLUMNS, row, strict=True)) for row in reversed(found)]


def open_trail(target: str | Path) -> AuditStore:
    """The audit store for `target`: a postgresql:// URL (formgen/store/audit_pg.py), else an SQLite file."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from formgen.store.audit_pg import PostgresAuditTrail

        return PostgresAuditTrail(text)
    return AuditTrail(Path(text))
