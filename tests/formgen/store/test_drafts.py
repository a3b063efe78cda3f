"""Drafts: sealed at rest, each readable by its owner only, gone after the retention period, keys rotatable.

Most tests run on both stores: an SQLite file and a real PostgreSQL (conftest.py; skipped without it).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from formgen.store.audit import Entry, open_trail
from formgen.store.drafts import (
    DraftConfigError,
    DraftInvalid,
    DraftNotFound,
    DraftStore,
    DraftsUnavailable,
    DraftTooLarge,
    DraftUnreadable,
    new_key,
    open_drafts,
    parse_keys,
    parse_retention_days,
)

FORM = "manchester-allocations-pro-forma"
ALICE = "person:" + "a1" * 16  # pseudonymous ids, as the pages pass them
BOB = "person:" + "b2" * 16
KEY, OLD_KEY, OTHER_KEY = new_key(), new_key(), new_key()
T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)

# A fictional child. Each of these is distinctive, and none can occur in base64 text by chance
# (spaces and dots are not in its alphabet), so finding one in the database means it was stored in clear.
CHILD = "Quillonette Zebrowska-Farquar"
INITIALS = "Q. Z-F."
SECRETS = ["Quillonette", "Zebrowska", "Farquar", INITIALS, "Pemberwick Lane", "misses school on Mondays",
           "943 476 5919", "Thaddeus Umbriel"]


def _content() -> dict[str, Any]:
    return {"body": {"child": {"name": CHILD, "nhs_number": "943 476 5919", "address": "4 Pemberwick Lane"},
                     "worried_about": "- She misses school on Mondays.\n- Thaddeus Umbriel is worried.",
                     "level_of_need": 3},
            "tasks": {"child": "completed", "worries": "in-progress"}}


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the audit trail and the drafts live: an SQLite file, or a postgresql:// URL."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("url"))
    return str(tmp_path / "audit.sqlite3")


@pytest.fixture()
def store(target: str) -> Iterator[DraftStore]:
    drafts = open_drafts(target, (KEY,))
    yield drafts
    drafts.close()


def _execute(target: str, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run SQL on the database directly, as someone with access to it (never through the store)."""
    if target.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), parameters)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []
    connection = sqlite3.connect(target, isolation_level=None)
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


def _stored(target: str) -> bytes:
    """Every byte the database holds for the drafts: SQLite's files (with the WAL), or PostgreSQL's rows."""
    if target.startswith("postgresql://"):
        rows = _execute(target, "SELECT * FROM drafts")
        return b"\n".join(value if isinstance(value, bytes) else str(value).encode() for row in rows for value in row)
    path = Path(target)
    return b"".join(file.read_bytes() for file in path.parent.glob(f"{path.name}*"))


# ---------------------------------------------------------------- saving and loading


def test_a_draft_comes_back_as_saved_and_resaving_keeps_its_id(store: DraftStore) -> None:
    draft_id = store.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    draft = store.load(ALICE, draft_id, now=T0 + DAY)
    assert (draft.id, draft.form_id, draft.content, draft.label) == (draft_id, FORM, _content(), INITIALS)
    assert draft.created_at == draft.updated_at == T0

    changed = {**_content(), "tasks": {"child": "completed", "worries": "completed"}}
    assert store.save(ALICE, FORM, changed, label=INITIALS, draft_id=draft_id, now=T0 + 2 * DAY) == draft_id
    again = store.load(ALICE, draft_id, now=T0 + 2 * DAY)
    assert again.content == changed and (again.created_at, again.updated_at) == (T0, T0 + 2 * DAY)

    other = store.save(ALICE, "peterborough-step-down", {"body": {}}, label="A. B.", now=T0 + DAY)
    assert other != draft_id
    listed = store.list(ALICE, now=T0 + 3 * DAY)
    assert [(s.id, s.form_id, s.label) for s in listed] == [(draft_id, FORM, INITIALS),
                                                             (other, "peterborough-step-down", "A. B.")]
    assert listed[0].updated_at == T0 + 2 * DAY and listed[0].expires_at == T0 + 30 * DAY


def test_nothing_personal_is_stored_in_clear(store: DraftStore, target: str) -> None:
    draft_id = store.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    store.save(ALICE, FORM, _content(), label=INITIALS, draft_id=draft_id, now=T0 + DAY)
    stored = _stored(target)
    assert ALICE.encode() in stored and draft_id.encode() in stored and FORM.encode() in stored  # the clear columns
    for secret in SECRETS:
        assert secret.encode() not in stored, f"{secret!r} is in the database in clear"
    assert store.load(ALICE, draft_id, now=T0 + DAY).label == INITIALS


def test_a_draft_does_not_show_its_content_in_a_repr(store: DraftStore) -> None:
    draft_id = store.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    shown = repr(store.load(ALICE, draft_id, now=T0)) + repr(store.list(ALICE, now=T0))
    assert draft_id in shown and all(secret not in shown for secret in SECRETS)


def test_content_that_is_not_json_or_too_large_is_refused_and_nothing_saved(store: DraftStore) -> None:
    with pytest.raises(DraftTooLarge, match=r"at most 2 MB"):
        store.save(ALICE, FORM, {"body": {"notes": "x" * 2_000_001}}, now=T0)
    with pytest.raises(DraftInvalid, match="must be JSON"):
        store.save(ALICE, FORM, {"body": {"level": float("nan")}}, now=T0)
    with pytest.raises(DraftInvalid, match="must be JSON"):
        store.save(ALICE, FORM, {"body": {1, 2}}, now=T0)
    with pytest.raises(DraftInvalid, match="label"):
        store.save(ALICE, FORM, {}, label="x" * 101, now=T0)
    assert store.list(ALICE, now=T0) == []


# ---------------------------------------------------------------- one owner's only


def test_another_person_cannot_load_list_overwrite_or_delete_a_draft(store: DraftStore) -> None:
    draft_id = store.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    with pytest.raises(DraftNotFound):
        store.load(BOB, draft_id, now=T0)
    assert store.list(BOB, now=T0) == []
    with pytest.raises(DraftNotFound):
        store.save(BOB, FORM, {"body": {"child": {"name": "Bob's"}}}, label="B.", draft_id=draft_id, now=T0 + DAY)
    assert store.delete(BOB, draft_id) is False
    kept = store.load(ALICE, draft_id, now=T0 + DAY)
    assert (kept.content, kept.label, kept.updated_at) == (_content(), INITIALS, T0)


def test_a_draft_id_that_is_not_there_is_not_created_by_saving(store: DraftStore) -> None:
    with pytest.raises(DraftNotFound):
        store.save(ALICE, FORM, _content(), draft_id="made-up-id", now=T0)
    assert store.list(ALICE, now=T0) == []


def test_a_draft_is_tied_to_its_form(store: DraftStore) -> None:
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    with pytest.raises(DraftNotFound):
        store.save(ALICE, "peterborough-step-down", _content(), draft_id=draft_id, now=T0)
    assert store.load(ALICE, draft_id, now=T0).form_id == FORM


@pytest.mark.parametrize(("tamper", "value", "reader", "changed_id"), [
    ("UPDATE drafts SET owner = ? WHERE id = ?", BOB, BOB, None),
    ("INSERT INTO drafts SELECT ?, owner, form_id, created_at, updated_at, sealed FROM drafts WHERE id = ?",
     "copied-id", ALICE, "copied-id"),
    ("UPDATE drafts SET form_id = ? WHERE id = ?", "peterborough-step-down", ALICE, None),
], ids=["moved-to-another-owner", "copied-to-another-id", "moved-to-another-form"])
def test_a_row_changed_in_the_database_is_refused(store: DraftStore, target: str, tamper: str, value: str,
                                                  reader: str, changed_id: str | None) -> None:
    draft_id = store.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    _execute(target, tamper, (value, draft_id))
    with pytest.raises(DraftNotFound):
        store.load(reader, changed_id or draft_id, now=T0)
    assert all(summary.id != (changed_id or draft_id) for summary in store.list(reader, now=T0))


def test_a_row_moved_in_time_does_not_escape_expiry(store: DraftStore, target: str) -> None:
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    later = T0 + 27 * DAY
    stamp: Any = later.isoformat(timespec="microseconds") if not target.startswith("postgresql") else later
    _execute(target, "UPDATE drafts SET updated_at = ? WHERE id = ?", (stamp, draft_id))
    with pytest.raises(DraftNotFound):
        store.load(ALICE, draft_id, now=T0 + 30 * DAY)


# ---------------------------------------------------------------- retention


def test_a_draft_unchanged_for_28_days_is_gone(store: DraftStore, target: str) -> None:
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    just_before = T0 + 28 * DAY - dt.timedelta(seconds=1)
    assert store.load(ALICE, draft_id, now=just_before).id == draft_id
    assert [s.id for s in store.list(ALICE, now=just_before)] == [draft_id]

    with pytest.raises(DraftNotFound, match="28 days"):
        store.load(ALICE, draft_id, now=T0 + 28 * DAY)  # refused before any purge
    with pytest.raises(DraftNotFound):
        store.save(ALICE, FORM, _content(), draft_id=draft_id, now=T0 + 28 * DAY)
    assert _execute(target, "SELECT COUNT(*) FROM drafts") == [(1,)]
    assert store.list(ALICE, now=T0 + 28 * DAY) == []
    assert _execute(target, "SELECT COUNT(*) FROM drafts") == [(0,)]  # listing purged it


def test_saving_again_restarts_the_clock(store: DraftStore) -> None:
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    store.save(ALICE, FORM, _content(), draft_id=draft_id, now=T0 + 20 * DAY)
    assert store.load(ALICE, draft_id, now=T0 + 40 * DAY).updated_at == T0 + 20 * DAY
    with pytest.raises(DraftNotFound):
        store.load(ALICE, draft_id, now=T0 + 48 * DAY)


def test_purge_deletes_every_expired_draft_and_counts_them(store: DraftStore) -> None:
    old_alice = store.save(ALICE, FORM, _content(), now=T0)
    old_bob = store.save(BOB, FORM, _content(), now=T0 + DAY)
    recent = store.save(ALICE, FORM, _content(), now=T0 + 10 * DAY)
    assert store.purge_expired(now=T0 + 28 * DAY) == 1
    assert store.purge_expired(now=T0 + 29 * DAY) == 1
    assert store.purge_expired(now=T0 + 29 * DAY) == 0
    for owner, gone in ((ALICE, old_alice), (BOB, old_bob)):
        with pytest.raises(DraftNotFound):
            store.load(owner, gone, now=T0)
    assert store.load(ALICE, recent, now=T0 + 29 * DAY).id == recent


def test_the_retention_period_is_the_councils_setting(target: str) -> None:
    store = open_drafts(target, (KEY,), retention_days=7)
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    assert store.list(ALICE, now=T0)[0].expires_at == T0 + 7 * DAY
    with pytest.raises(DraftNotFound, match="7 days"):
        store.load(ALICE, draft_id, now=T0 + 7 * DAY)
    store.close()


@pytest.mark.parametrize("days", [0, 366, -1, True, 2.5])
def test_a_retention_outside_1_to_365_days_is_refused(tmp_path: Path, days: Any) -> None:
    with pytest.raises(DraftConfigError, match=r"FORMGEN_DRAFT_RETENTION_DAYS .* from 1 to 365"):
        open_drafts(tmp_path / "audit.sqlite3", (KEY,), retention_days=days)


def test_the_retention_setting_is_read_from_its_text() -> None:
    assert (parse_retention_days(None), parse_retention_days(" "), parse_retention_days("14")) == (28, 28, 14)
    for bad in ("0", "four weeks", "400"):
        with pytest.raises(DraftConfigError, match="FORMGEN_DRAFT_RETENTION_DAYS"):
            parse_retention_days(bad)


# ---------------------------------------------------------------- keys


def test_keys_rotate_old_drafts_still_open_and_new_saves_use_the_new_key(target: str) -> None:
    before = open_drafts(target, (OLD_KEY,))
    old = before.save(ALICE, FORM, _content(), label=INITIALS, now=T0)
    rotated = open_drafts(target, (KEY, OLD_KEY))  # the new key first: it encrypts, both decrypt
    assert rotated.load(ALICE, old, now=T0).content == _content()
    new = rotated.save(ALICE, FORM, _content(), label="N. K.", now=T0 + DAY)

    after = open_drafts(target, (KEY,))  # the old key dropped
    assert after.load(ALICE, new, now=T0 + DAY).label == "N. K."
    with pytest.raises(DraftUnreadable):
        after.load(ALICE, old, now=T0 + DAY)
    assert [s.id for s in after.list(ALICE, now=T0 + DAY)] == [new]  # one unreadable draft hides no other

    rotated.save(ALICE, FORM, _content(), label=INITIALS, draft_id=old, now=T0 + 2 * DAY)  # re-sealed with the new key
    assert after.load(ALICE, old, now=T0 + 2 * DAY).label == INITIALS
    for store in (before, rotated, after):
        store.close()


def test_a_draft_no_key_opens_is_unreadable_in_one_line(store: DraftStore, target: str) -> None:
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    stranger = open_drafts(target, (OTHER_KEY,))
    with pytest.raises(DraftUnreadable) as raised:
        stranger.load(ALICE, draft_id, now=T0)
    message = str(raised.value)
    assert "FORMGEN_DRAFT_KEYS" in message and "\n" not in message and "Traceback" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    stranger.close()


def test_new_keys_parse_and_several_are_taken_newest_first() -> None:
    first, second = new_key(), new_key()
    assert first != second and len(first) == 44
    assert parse_keys(f" {first},\n{second} ") == (first.encode(), second.encode())


@pytest.mark.parametrize("value", ["", " , ", "not-a-key", "{good},{short}", "{good}, x{good}"])
def test_a_bad_keys_setting_is_one_line_naming_it_and_never_the_key(value: str) -> None:
    good, short = new_key(), new_key()[:30]
    with pytest.raises(DraftConfigError) as raised:
        parse_keys(value.format(good=good, short=short))
    message = str(raised.value)
    assert message.startswith("FORMGEN_DRAFT_KEYS") and "\n" not in message
    assert good not in message and short not in message and "not-a-key" not in message


def test_a_store_without_usable_keys_is_refused(tmp_path: Path) -> None:
    for keys in ((), (b"short",), new_key().encode()):
        with pytest.raises(DraftConfigError, match="FORMGEN_DRAFT_KEYS"):
            open_drafts(tmp_path / "audit.sqlite3", keys)  # type: ignore[arg-type]


# ---------------------------------------------------------------- several writers, one database


def test_threads_and_store_instances_saving_at_once_lose_no_draft(target: str) -> None:
    stores = [open_drafts(target, (KEY,)), open_drafts(target, (KEY,))]
    owners = [f"person:{number:032x}" for number in range(4)]
    saved: dict[str, list[str]] = {owner: [] for owner in owners}
    failures: list[BaseException] = []

    def work(store: DraftStore, owner: str) -> None:
        try:
            for number in range(25):
                draft_id = store.save(owner, FORM, {"n": number}, label=f"{number}", now=T0)
                store.save(owner, FORM, {"n": number, "again": True}, label=f"{number}", draft_id=draft_id, now=T0)
                saved[owner].append(draft_id)
        except BaseException as error:  # reported below: a thread's exception is otherwise lost
            failures.append(error)

    threads = [threading.Thread(target=work, args=(stores[number % 2], owner)) for number, owner in enumerate(owners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    for owner in owners:
        listed = open_drafts(target, (KEY,)).list(owner, now=T0)
        assert sorted(s.id for s in listed) == sorted(saved[owner]) and len(listed) == 25
        assert all(stores[0].load(owner, draft_id, now=T0).content["again"] for draft_id in saved[owner])
    for store in stores:
        store.close()


# ---------------------------------------------------------------- SQLite: the audit trail's file, its faults


def test_drafts_share_the_audit_trails_database_in_their_own_table(tmp_path: Path) -> None:
    db = tmp_path / "audit.sqlite3"
    trail = open_trail(db)
    trail.record(Entry(client="web", form_id=FORM, format="pdf", status=200, outcome="sent"))
    store = open_drafts(db, (KEY,))
    draft_id = store.save(ALICE, FORM, _content(), now=T0)
    assert store.delete(ALICE, draft_id) is True and store.delete(ALICE, draft_id) is False
    tables = {name for (name,) in _execute(str(db), "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"renders", "drafts"} <= tables
    assert len(trail.rows()) == 1
    store.close()


def test_a_held_write_lock_fails_a_save_and_the_next_writes_fail_at_once(tmp_path: Path) -> None:
    db = tmp_path / "audit.sqlite3"
    store = open_drafts(db, (KEY,))
    connection = store._connection()
    assert connection.execute("PRAGMA busy_timeout").fetchone() == (1500,)  # the audit trail's bound, WAIT_SECONDS
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    with pytest.raises(DraftsUnavailable, match="write lock"):
        store.save(ALICE, FORM, _content(), now=T0)
    holder.execute("ROLLBACK")
    holder.close()
    with pytest.raises(DraftsUnavailable, match="write lock"):
        store.delete(ALICE, "any")  # the lock is free, but for a moment writes fail without waiting again
    store.close()


def test_an_unopenable_database_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "audit.sqlite3").mkdir()  # a folder where the file should be
    with pytest.raises(DraftsUnavailable, match="drafts database"):
        open_drafts(tmp_path / "audit.sqlite3", (KEY,))
