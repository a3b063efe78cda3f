"""The audit trail in PostgreSQL (psycopg 3), for several hosts writing one trail: FORMGEN_AUDIT_URL.

The same rows and interface as the SQLite store (formgen/store/audit.py). Append-only twice over:
triggers refuse UPDATE, DELETE and TRUNCATE for every role, and the deployment gives formgen's own role
INSERT and SELECT only (docs/security.md). Every statement waits at most WAIT_SECONDS for a lock or an
answer (lock_timeout, statement_timeout, connect_timeout), then AuditUnavailable.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import weakref
from typing import Any

import psycopg

from formgen.store.audit import COLUMNS, WAIT_SECONDS, AuditStore, AuditUnavailable, Entry

# One key for pg_advisory_xact_lock, so workers starting together create the table once.
_SCHEMA_LOCK = 0x666F726D67656E  # "formgen"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS renders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    request_id TEXT,
    client TEXT NOT NULL,
    form_id TEXT NOT NULL,
    format TEXT NOT NULL,
    pages INTEGER,
    sha256 TEXT,
    status INTEGER NOT NULL,
    outcome TEXT NOT NULL
);
CREATE OR REPLACE FUNCTION formgen_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
CREATE OR REPLACE TRIGGER renders_append_only BEFORE UPDATE OR DELETE ON renders
    FOR EACH ROW EXECUTE FUNCTION formgen_audit_append_only();
CREATE OR REPLACE TRIGGER renders_no_truncate BEFORE TRUNCATE ON renders
    FOR EACH STATEMENT EXECUTE FUNCTION formgen_audit_append_only();
"""


def _reason(error: psycopg.Error) -> str:
    """Why, in words that name no data (a server's message can quote a value)."""
    state = getattr(error, "sqlstate", None) or ""
    if state == "55P03":
        return f"another session has held the audit table's lock for over {WAIT_SECONDS:g} s"
    if state == "57014":
        return f"the audit database did not answer within {WAIT_SECONDS:g} s"
    if state.startswith("53"):
        return "the audit database server is out of disk space or resources"
    if state in ("25006", "42501"):
        return "the audit database refuses formgen's writes (read-only, or the role lacks INSERT)"
    if isinstance(error, psycopg.OperationalError):
        return "the audit database server cannot be reached"
    return f"the audit database cannot be written ({type(error).__name__})"


def _close_all(connections: list[tuple[int, psycopg.Connection[Any]]]) -> None:
    # Only this process's own: closing one inherited across a fork would end the parent's session.
    for pid, connection in connections:
        if pid == os.getpid():
            connection.close()
    connections.clear()


class PostgresAuditTrail(AuditStore):
    """Appends to and reads the `renders` table of one PostgreSQL database; a connection per thread and process."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        # Every connection this trail opened, closed when it is closed or collected (psycopg warns otherwise).
        self._opened: list[tuple[int, psycopg.Connection[Any]]] = []
        self._closer = weakref.finalize(self, _close_all, self._opened)
        try:
            with self._connect() as connection:
                self._create_table(connection)
        except psycopg.Error as error:
            raise AuditUnavailable(_reason(error)) from None

    @staticmethod
    def _create_table(connection: psycopg.Connection[Any]) -> None:
        """Create the table and its triggers once; a role that may only insert finds them made by the owner."""
        exists = "SELECT to_regclass('renders') IS NOT NULL"
        if (connection.execute(exists).fetchone() or (False,))[0]:
            return
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            if not (connection.execute(exists).fetchone() or (False,))[0]:
                connection.execute(_SCHEMA)  # type: ignore[arg-type]  # a fixed script, no parameters

    def _connect(self) -> psycopg.Connection[Any]:
        wait = f"{int(WAIT_SECONDS * 1000)}ms"
        return psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, round(WAIT_SECONDS)),
                               options=f"-c lock_timeout={wait} -c statement_timeout={wait}",
                               application_name="formgen")

    def _connection(self) -> psycopg.Connection[Any]:
        # Never across a fork, and a broken one is replaced.
        pid, connection = getattr(self._local, "owned", (None, None))
        if pid != os.getpid() or connection is None or connection.closed or connection.broken:
            connection = self._connect()
            self._local.owned = (os.getpid(), connection)
            self._opened.append((os.getpid(), connection))
        return connection

    def close(self) -> None:
        self._closer()

    def record(self, entry: Entry, at: dt.datetime | None = None) -> None:
        self._fail_fast()
        try:
            self._connection().execute(
                "INSERT INTO renders (at, request_id, client, form_id, format, pages, sha256, status, outcome)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (at or dt.datetime.now(dt.UTC), entry.request_id, entry.client, entry.form_id, entry.format,
                 entry.pages, entry.sha256, entry.status, entry.outcome),
            )
        except psycopg.Error as error:
            raise self._failed(_reason(error)) from None
        self._succeeded()

    def check_writable(self) -> None:
        """The server answers, is not a read-only replica, and lets formgen's role insert into the table."""
        self._fail_fast()
        try:
            found = self._connection().execute(
                "SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on',"
                " has_table_privilege('renders', 'INSERT')").fetchone()
        except psycopg.Error as error:
            raise self._failed(_reason(error)) from None
        if found is None or found[0] or found[1] or not found[2]:
            raise self._failed("the audit database refuses formgen's writes (read-only, or the role lacks INSERT)")

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        query = f"SELECT {', '.join(COLUMNS)} FROM renders ORDER BY id DESC" + (" LIMIT %s" if limit else "")
        try:
            with self._connect() as connection:
                found = connection.execute(query, (limit,) if limit else ()).fetchall()  # type: ignore[arg-type]
        except psycopg.Error as error:
            raise AuditUnavailable(_reason(error)) from None
        return [self._row(row) for row in reversed(found)]

    @staticmethod
    def _row(row: tuple[Any, ...]) -> dict[str, Any]:
        found = dict(zip(COLUMNS, row, strict=True))
        # The same text as the SQLite store keeps: ISO 8601 in UTC, to the millisecond.
        found["at"] = found["at"].astimezone(dt.UTC).isoformat(timespec="milliseconds")
        return found
