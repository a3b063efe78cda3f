"""Drafts in PostgreSQL (psycopg 3), in the audit trail's database (FORMGEN_AUDIT_URL), table `drafts`.

The same rows, sealing and rules as the SQLite store (formgen/store/drafts.py). Unlike `renders`, the
table is changed and emptied: formgen's role needs SELECT, INSERT, UPDATE and DELETE on it
(docs/security.md). Every statement waits at most WAIT_SECONDS for a lock or an answer (lock_timeout,
statement_timeout, connect_timeout), then DraftsUnavailable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from formgen.store.audit import WAIT_SECONDS
from formgen.store.drafts import DEFAULT_RETENTION_DAYS, DraftStore, DraftsUnavailable, SealedRow

# pg_advisory_xact_lock's key, so workers starting together create the table once.
_SCHEMA_LOCK = 0x666F726D647261  # "formdra"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    form_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sealed BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_by_owner ON drafts (owner, updated_at);
CREATE INDEX IF NOT EXISTS drafts_by_age ON drafts (updated_at);
"""
_COLUMNS = "id, form_id, created_at, updated_at, sealed"


def _reason(error: psycopg.Error) -> str:
    """Why, in words that name no data (a server's message can quote a value)."""
    state = getattr(error, "sqlstate", None) or ""
    if state == "55P03":
        return f"another session has held the drafts table's lock for over {WAIT_SECONDS:g} s"
    if state == "57014":
        return f"the drafts database did not answer within {WAIT_SECONDS:g} s"
    if state.startswith("53"):
        return "the drafts database server is out of disk space or resources"
    if state in ("25006", "42501"):
        return "the drafts database refuses formgen (read-only, or the role lacks a privilege on drafts)"
    if isinstance(error, psycopg.OperationalError):
        return "the drafts database server cannot be reached"
    return f"the drafts database cannot be used ({type(error).__name__})"


class PostgresDraftStore(DraftStore):
    """Drafts in the `drafts` table of one PostgreSQL database; a connection per thread and process."""

    def __init__(self, url: str, keys: Sequence[bytes], retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        super().__init__(keys, retention_days)
        self.url = url
        with self._sql() as connection:
            self._create_table(connection)

    @staticmethod
    def _create_table(connection: psycopg.Connection[Any]) -> None:
        """Create the table once; a role that may not create it finds it made by the owner."""
        exists = "SELECT to_regclass('drafts') IS NOT NULL"
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

    def _stale(self, connection: Any) -> bool:
        return bool(connection.closed or connection.broken)

    @contextmanager
    def _sql(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            yield self._connection()
        except psycopg.Error as error:
            raise DraftsUnavailable(_reason(error)) from None

    @staticmethod
    def _row(found: tuple[Any, ...]) -> SealedRow:
        draft_id, form_id, created, updated, sealed = found
        return SealedRow(draft_id, form_id, created.astimezone(dt.UTC), updated.astimezone(dt.UTC), bytes(sealed))

    def _insert(self, owner: str, row: SealedRow) -> None:
        with self._sql() as connection:
            connection.execute("INSERT INTO drafts (id, owner, form_id, created_at, updated_at, sealed)"
                               " VALUES (%s, %s, %s, %s, %s, %s)",
                               (row.id, owner, row.form_id, row.created_at, row.updated_at, row.sealed))

    def _update(self, owner: str, row: SealedRow, cutoff: dt.datetime) -> bool:
        with self._sql() as connection:
            changed = connection.execute(
                "UPDATE drafts SET sealed = %s, updated_at = %s WHERE id = %s AND owner = %s AND form_id = %s"
                " AND updated_at > %s", (row.sealed, row.updated_at, row.id, owner, row.form_id, cutoff)).rowcount
        return changed == 1

    def _fetch(self, owner: str, draft_id: str, cutoff: dt.datetime) -> SealedRow | None:
        with self._sql() as connection:
            found = connection.execute(f"SELECT {_COLUMNS} FROM drafts WHERE id = %s AND owner = %s"  # type: ignore[arg-type]
                                       " AND updated_at > %s", (draft_id, owner, cutoff)).fetchone()
        return None if found is None else self._row(found)

    def _fetch_all(self, owner: str, cutoff: dt.datetime) -> list[SealedRow]:
        with self._sql() as connection:
            found = connection.execute(f"SELECT {_COLUMNS} FROM drafts WHERE owner = %s"  # type: ignore[arg-type]
                                       " AND updated_at > %s ORDER BY updated_at DESC, id", (owner, cutoff)).fetchall()
        return [self._row(row) for row in found]

    def _remove(self, owner: str, draft_id: str) -> bool:
        with self._sql() as connection:
            return connection.execute("DELETE FROM drafts WHERE id = %s AND owner = %s", (draft_id, owner)).rowcount == 1

    def _remove_older(self, cutoff: dt.datetime) -> int:
        with self._sql() as connection:
            return int(connection.execute("DELETE FROM drafts WHERE updated_at <= %s", (cutoff,)).rowcount)
