"""Drafts in PostgreSQL: its faults are DraftsUnavailable, at once. (Both stores' behaviour: test_drafts.py.)

The server and a fresh database per test come from tests/formgen/store/conftest.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from formgen.store.audit import open_trail
from formgen.store.drafts import DraftsUnavailable, new_key, open_drafts

FORM = "manchester-allocations-pro-forma"
OWNER = "person:" + "c3" * 16
KEY = new_key()
T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def test_drafts_live_beside_the_audit_trail_in_their_own_table(url: str) -> None:
    import psycopg

    open_trail(url)
    store = open_drafts(url, (KEY,))
    assert type(store).__name__ == "PostgresDraftStore"
    draft_id = store.save(OWNER, FORM, {"body": {}}, now=T0)
    with psycopg.connect(url) as connection:
        tables = {name for (name,) in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
        columns = [name for (name,) in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'drafts' ORDER BY ordinal_position")]
    assert {"renders", "drafts"} <= tables
    assert columns == ["id", "owner", "form_id", "created_at", "updated_at", "sealed"]
    assert store.delete(OWNER, draft_id) is True
    store.close()


def test_a_held_table_lock_fails_a_save_and_the_next_writes_fail_at_once(url: str) -> None:
    import psycopg

    store = open_drafts(url, (KEY,))
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE drafts IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(DraftsUnavailable, match=r"lock|did not answer"):
            store.save(OWNER, FORM, {"body": {}}, now=T0)
        holder.rollback()
    with pytest.raises(DraftsUnavailable, match=r"lock|did not answer"):
        store.delete(OWNER, "any")  # the lock is free, but for a moment writes fail without waiting again
    store.close()


def test_a_role_without_write_privileges_is_unavailable(url: str) -> None:
    import psycopg

    open_drafts(url, (KEY,)).close()
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE ROLE drafts_reader LOGIN")
        admin.execute("GRANT SELECT ON drafts TO drafts_reader")
    reader = open_drafts(url.replace("formgen@", "drafts_reader@"), (KEY,))
    with pytest.raises(DraftsUnavailable, match="lacks a privilege"):
        reader.save(OWNER, FORM, {"body": {}}, now=T0)
    reader.close()


def test_a_server_that_is_gone_is_unavailable_not_a_hang(tmp_path: Path) -> None:
    with pytest.raises(DraftsUnavailable, match="cannot be reached"):
        open_drafts(f"postgresql://formgen@/postgres?host={tmp_path}", (KEY,))
