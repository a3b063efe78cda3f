"""Drafts: a signed-in person's unfinished form, encrypted at rest, kept until downloaded or expired.

Each page submit saves the person's draft. A draft lives in the audit trail's database (the same SQLite
file or postgresql:// URL, formgen/store/drafts_pg.py), in its own table `drafts`, one row per draft:

    in clear   id (random, secrets.token_urlsafe), owner (the caller's pseudonymous id, e.g. person:<hmac>,
               stored as given), form_id, created_at, updated_at (UTC)
    sealed     a Fernet token (AES-128-CBC + HMAC-SHA256) of JSON holding the content (the answers and the
               pages' task states), the label (the child's initials) and, again, the owner, id, form_id
               and updated_at, checked after decrypting: a row copied to another owner, or moved in
               time, is refused rather than read.

Keys come from FORMGEN_DRAFT_KEYS (parse_keys): comma-separated Fernet keys, newest first. MultiFernet
encrypts with the first and decrypts with any, so a council rotates by putting a new key first and
dropping the old one once every draft sealed with it has expired (retention_days later).

Retention (FORMGEN_DRAFT_RETENTION_DAYS, a council setting, default 28, 1..365): a draft unchanged for that
long is gone. load() and save() refuse it at once, list() and purge_expired() delete it.

Errors: DraftNotFound (never saved, deleted, expired, or not this owner's: the caller cannot tell which),
DraftUnreadable (no key in force opens it), DraftInvalid / DraftTooLarge (content that is not JSON, or
over MAX_CONTENT_BYTES), DraftsUnavailable (the database cannot be used now: locked, full, gone; as the
audit trail's AuditUnavailable, a write waits at most WAIT_SECONDS and then fails fast for a moment),
DraftConfigError (bad keys or retention, one line naming the setting).
"""

from __future__ import annotations

import abc
import builtins
import datetime as dt
import json
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from formgen.store.audit import FAIL_FAST_SECONDS, WAIT_SECONDS

KEYS_SETTING = "FORMGEN_DRAFT_KEYS"
RETENTION_SETTING = "FORMGEN_DRAFT_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 28
MAX_RETENTION_DAYS = 365
# The pages keep a whole form's answers and task states in a draft; the API takes bodies of 1 MB,
# so 2 MB of JSON is room to spare, and a bound on what one person can make the database hold.
MAX_CONTENT_BYTES = 2_000_000
MAX_LABEL_CHARACTERS = 100
MAX_ID_CHARACTERS = 200  # owner and form ids: identifiers, not text
_SEAL_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    form_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sealed BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS drafts_by_owner ON drafts (owner, updated_at);
CREATE INDEX IF NOT EXISTS drafts_by_age ON drafts (updated_at);
"""
_BUSY_TIMEOUT_MS = int(WAIT_SECONDS * 1000)


class DraftConfigError(ValueError):
    """FORMGEN_DRAFT_KEYS or FORMGEN_DRAFT_RETENTION_DAYS is unusable; str() is one line naming it."""


class DraftNotFound(LookupError):
    """No draft of this owner's by that id: never saved, deleted, expired, or someone else's."""


class DraftUnreadable(Exception):
    """The draft is there but no key in force opens it (or what it holds is not a formgen draft)."""


class DraftsUnavailable(Exception):
    """The drafts cannot be used now (locked, disk full, server gone). str() says why, without data."""


class DraftInvalid(ValueError):
    """What was given to save is not a draft: content not JSON, a label or id too long."""


class DraftTooLarge(DraftInvalid):
    """The content is over MAX_CONTENT_BYTES once serialised."""


@dataclass(frozen=True)
class Draft:
    """One draft, opened. repr() leaves out the content and label: they name a child."""

    id: str
    form_id: str
    content: dict[str, Any] = field(repr=False)
    label: str = field(repr=False)
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class DraftSummary:
    """A line of a person's list of drafts."""

    id: str
    form_id: str
    label: str = field(repr=False)
    updated_at: dt.datetime
    expires_at: dt.datetime


@dataclass(frozen=True)
class SealedRow:
    """A row as stored: the clear columns and the sealed token."""

    id: str
    form_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    sealed: bytes


# ---------------------------------------------------------------- configuration


def new_key() -> str:
    """A fresh Fernet key (32 random bytes, URL-safe base64) for FORMGEN_DRAFT_KEYS."""
    return Fernet.generate_key().decode("ascii")


def parse_keys(value: str) -> tuple[bytes, ...]:
    """FORMGEN_DRAFT_KEYS's keys, newest first; DraftConfigError (naming the setting, never a key) if unusable."""
    given = [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
    if not given:
        raise DraftConfigError(f"{KEYS_SETTING} holds no key: give one or more Fernet keys separated by commas.")
    keys = tuple(key.encode("ascii", "replace") for key in given)
    _fernets(keys)
    return keys


def _fernets(keys: Sequence[bytes]) -> MultiFernet:
    if isinstance(keys, (str, bytes)) or not keys:
        raise DraftConfigError(f"{KEYS_SETTING} holds no key: give one or more Fernet keys separated by commas.")
    fernets = []
    for number, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key))
        except (ValueError, TypeError):
            raise DraftConfigError(
                f"{KEYS_SETTING}: key {number} is not a Fernet key (32 bytes in URL-safe base64, 44 characters; "
                "docs/security.md, Drafts, says how to make one)."
            ) from None
    return MultiFernet(fernets)


def parse_retention_days(value: str | None) -> int:
    """FORMGEN_DRAFT_RETENTION_DAYS: unset or blank is the default, 28."""
    if value is None or not value.strip():
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(value.strip())
    except ValueError:
        days = 0
    return _checked_retention(days)


def _checked_retention(days: object) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_RETENTION_DAYS:
        raise DraftConfigError(f"{RETENTION_SETTING} must be a whole number of days from 1 to {MAX_RETENTION_DAYS}.")
    return days


# ---------------------------------------------------------------- the store


def _utc(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    # Fixed-width ISO 8601 in UTC, so text order is time order in SQL comparisons.
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _serialised(content: Mapping[str, Any]) -> str:
    if not isinstance(content, Mapping):
        raise DraftInvalid(f"A draft's content must be a JSON object, not {type(content).__name__}.")
    try:
        text = json.dumps(dict(content), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise DraftInvalid(f"A draft's content must be JSON (objects, lists, text, numbers, true, false, null): "
                           f"{type(error).__name__}.") from None
    size = len(text.encode("utf-8"))
    if size > MAX_CONTENT_BYTES:
        raise DraftTooLarge(f"The draft is {size / 1_000_000:.1f} MB; a draft holds at most "
                            f"{MAX_CONTENT_BYTES / 1_000_000:g} MB.")
    return text


def _checked_id(what: str, value: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_ID_CHARACTERS:
        raise DraftInvalid(f"A draft's {what} must be text of 1 to {MAX_ID_CHARACTERS} characters.")
    return value


class DraftStore(abc.ABC):
    """Encrypted drafts, each readable only by its owner, whichever database keeps them.

    The public methods (save, load, list, delete, purge_expired) are here, with the encryption and the
    rules; a subclass only moves rows (the _insert.._remove_older methods), raising DraftsUnavailable.
    """

    _failed_until = 0.0
    _failed_why = ""

    def __init__(self, keys: Sequence[bytes], retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        self._fernet = _fernets(keys)
        self.retention_days = _checked_retention(retention_days)
        self.retention = dt.timedelta(days=self.retention_days)
        self._local = threading.local()
        # Every connection opened, closed with the store (or when it is collected).
        self._opened: list[tuple[int, Any]] = []
        self._closer = weakref.finalize(self, _close_all, self._opened)

    # ------------------------------------------------------------ the interface

    def save(self, owner: str, form_id: str, content: Mapping[str, Any], *, label: str = "",
             draft_id: str | None = None, now: dt.datetime | None = None) -> str:
        """Seal and keep the draft; its id. A new draft when draft_id is None, else replace the owner's
        draft of that form by that id, or DraftNotFound (never someone else's, never an expired one)."""
        _checked_id("owner", owner)
        _checked_id("form id", form_id)
        if draft_id is not None:
            _checked_id("id", draft_id)
        if not isinstance(label, str) or len(label) > MAX_LABEL_CHARACTERS:
            raise DraftInvalid(f"A draft's label must be text of at most {MAX_LABEL_CHARACTERS} characters.")
        body = _serialised(content)
        stamp = _utc(now)
        identity = secrets.token_urlsafe(18) if draft_id is None else draft_id
        row = SealedRow(identity, form_id, stamp, stamp, self._seal(owner, identity, form_id, label, body, stamp))
        self._fail_fast()
        with self._writing():
            if draft_id is None:
                self._insert(owner, row)
            elif not self._update(owner, row, stamp - self.retention):
                raise DraftNotFound(self._not_found())
        return identity

    def load(self, owner: str, draft_id: str, now: dt.datetime | None = None) -> Draft:
        """The owner's draft, opened; DraftNotFound if there is none in force, DraftUnreadable if no key opens it."""
        row = self._fetch(owner, draft_id, _utc(now) - self.retention)
        if row is None:
            raise DraftNotFound(self._not_found())
        sealed = self._open(row)
        if not self._sealed_for(sealed, owner, row):
            raise DraftNotFound(self._not_found())
        return Draft(row.id, row.form_id, sealed["content"], sealed["label"], row.created_at, row.updated_at)

    def list(self, owner: str, now: dt.datetime | None = None) -> list[DraftSummary]:
        """The owner's drafts in force, newest first, after purging every expired draft.

        A draft no key opens, or one not sealed for this owner, is left out: one draft sealed with a
        dropped key must not hide the others (load() says why it cannot be opened)."""
        stamp = _utc(now)
        self.purge_expired(stamp)
        found = []
        for row in self._fetch_all(owner, stamp - self.retention):
            try:
                sealed = self._open(row)
            except DraftUnreadable:
                continue
            if self._sealed_for(sealed, owner, row):
                found.append(DraftSummary(row.id, row.form_id, sealed["label"], row.updated_at,
                                          row.updated_at + self.retention))
        return found

    def delete(self, owner: str, draft_id: str) -> bool:
        """Delete the owner's draft (on download, or when they discard it); False if they had none by that id."""
        self._fail_fast()
        with self._writing():
            return self._remove(owner, draft_id)

    def purge_expired(self, now: dt.datetime | None = None) -> int:
        """Delete every draft unchanged for retention_days; how many."""
        cutoff = _utc(now) - self.retention
        self._fail_fast()
        with self._writing():
            return self._remove_older(cutoff)

    def close(self) -> None:
        """Close this store's connections (those of this process)."""
        self._closer()

    # ------------------------------------------------------------ sealing

    def _seal(self, owner: str, draft_id: str, form_id: str, label: str, body: str, stamp: dt.datetime) -> bytes:
        # The body is spliced in already serialised, so it is measured once and never re-encoded.
        head = json.dumps({"v": _SEAL_VERSION, "owner": owner, "id": draft_id, "form_id": form_id,
                           "updated_at": _stamp(stamp), "label": label},
                          ensure_ascii=False, separators=(",", ":"))
        return self._fernet.encrypt(f'{head[:-1]},"content":{body}}}'.encode())

    def _open(self, row: SealedRow) -> dict[str, Any]:
        try:
            sealed = json.loads(self._fernet.decrypt(row.sealed))
        except InvalidToken:
            raise DraftUnreadable(f"Draft {row.id} cannot be opened with any key in {KEYS_SETTING} "
                                  "(sealed with a key since dropped?).") from None
        except ValueError:
            raise DraftUnreadable(f"Draft {row.id} does not hold a formgen draft.") from None
        if not isinstance(sealed, dict) or sealed.get("v") != _SEAL_VERSION or not isinstance(
                sealed.get("content"), dict) or not isinstance(sealed.get("label"), str):
            raise DraftUnreadable(f"Draft {row.id} does not hold a formgen draft.")
        return sealed

    @staticmethod
    def _sealed_for(sealed: Mapping[str, Any], owner: str, row: SealedRow) -> bool:
        """The clear columns are the ones sealed with the content: not copied to another owner or id, not
        moved to another form or in time."""
        return (sealed.get("owner"), sealed.get("id"), sealed.get("form_id"), sealed.get("updated_at")) == (
            owner, row.id, row.form_id, _stamp(row.updated_at))

    def _not_found(self) -> str:
        return (f"No such draft for this person: never saved, deleted, or unchanged for "
                f"{self.retention_days} days.")

    # ------------------------------------------------------------ failing fast, as the audit trail does

    def _fail_fast(self) -> None:
        if time.monotonic() < self._failed_until:
            raise DraftsUnavailable(self._failed_why)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that fails makes the next ones fail at once for FAIL_FAST_SECONDS, not each wait again."""
        try:
            yield
        except DraftsUnavailable as error:
            self._failed_until, self._failed_why = time.monotonic() + FAIL_FAST_SECONDS, str(error)
            raise
        self._failed_until = 0.0

    def _connection(self) -> Any:
        # One connection per thread and per process (never across a fork); a broken one is replaced.
        pid, connection = getattr(self._local, "owned", (None, None))
        if pid != os.getpid() or connection is None or self._stale(connection):
            connection = self._connect()
            self._local.owned = (os.getpid(), connection)
            self._opened.append((os.getpid(), connection))
        return connection

    def _stale(self, connection: Any) -> bool:
        return False

    # ------------------------------------------------------------ rows, by the database

    @abc.abstractmethod
    def _connect(self) -> Any:
        """A new connection, set to wait at most WAIT_SECONDS."""

    @abc.abstractmethod
    def _insert(self, owner: str, row: SealedRow) -> None:
        """Add a new row."""

    @abc.abstractmethod
    def _update(self, owner: str, row: SealedRow, cutoff: dt.datetime) -> bool:
        """Replace sealed and updated_at of the owner's row of that id and form changed after cutoff."""

    @abc.abstractmethod
    def _fetch(self, owner: str, draft_id: str, cutoff: dt.datetime) -> SealedRow | None:
        """The owner's row of that id changed after cutoff."""

    @abc.abstractmethod
    def _fetch_all(self, owner: str, cutoff: dt.datetime) -> builtins.list[SealedRow]:  # `list` is a method here
        """The owner's rows changed after cutoff, newest first."""

    @abc.abstractmethod
    def _remove(self, owner: str, draft_id: str) -> bool:
        """Delete the owner's row of that id."""

    @abc.abstractmethod
    def _remove_older(self, cutoff: dt.datetime) -> int:
        """Delete every row not changed after cutoff."""


def _close_all(connections: list[tuple[int, Any]]) -> None:
    # Only this process's own: closing one inherited across a fork would end the parent's.
    for pid, connection in connections:
        if pid == os.getpid():
            connection.close()
    connections.clear()


# ---------------------------------------------------------------- SQLite


def _sqlite_reason(error: sqlite3.Error) -> str:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return f"another process has held the drafts database's write lock for over {WAIT_SECONDS:g} s"
    if "full" in text:
        return "the disk holding the drafts database is full"
    if "readonly" in text or "read-only" in text:
        return "the drafts database is read-only"
    return f"the drafts database cannot be used ({type(error).__name__})"


class SqliteDraftStore(DraftStore):
    """Drafts in an SQLite file (the audit trail's): WAL, a bounded busy wait, deleted rows overwritten."""

    def __init__(self, path: Path, keys: Sequence[bytes], retention_days: int = DEFAULT_RETENTION_DAYS) -> None:
        super().__init__(keys, retention_days)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._sql() as connection:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # Used by one thread only (_connection); check_same_thread=False lets close() end it from another.
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                     check_same_thread=False)
        connection.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA synchronous=NORMAL")
        # A deleted draft's sealed bytes are overwritten, not left in free pages.
        connection.execute("PRAGMA secure_delete=ON")
        return connection

    @contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        try:
            yield self._connection()
        except sqlite3.Error as error:
            raise DraftsUnavailable(_sqlite_reason(error)) from None

    @staticmethod
    def _row(found: tuple[Any, ...]) -> SealedRow:
        draft_id, form_id, created, updated, sealed = found
        return SealedRow(draft_id, form_id, dt.datetime.fromisoformat(created), dt.datetime.fromisoformat(updated),
                    bytes(sealed))

    def _insert(self, owner: str, row: SealedRow) -> None:
        with self._sql() as connection:
            connection.execute("INSERT INTO drafts (id, owner, form_id, created_at, updated_at, sealed)"
                               " VALUES (?, ?, ?, ?, ?, ?)",
                               (row.id, owner, row.form_id, _stamp(row.created_at), _stamp(row.updated_at), row.sealed))

    def _update(self, owner: str, row: SealedRow, cutoff: dt.datetime) -> bool:
        with self._sql() as connection:
            changed = connection.execute(
                "UPDATE drafts SET sealed = ?, updated_at = ? WHERE id = ? AND owner = ? AND form_id = ?"
                " AND updated_at > ?",
                (row.sealed, _stamp(row.updated_at), row.id, owner, row.form_id, _stamp(cutoff))).rowcount
        return changed == 1

    def _fetch(self, owner: str, draft_id: str, cutoff: dt.datetime) -> SealedRow | None:
        with self._sql() as connection:
            found = connection.execute(
                "SELECT id, form_id, created_at, updated_at, sealed FROM drafts"
                " WHERE id = ? AND owner = ? AND updated_at > ?", (draft_id, owner, _stamp(cutoff))).fetchone()
        return None if found is None else self._row(found)

    def _fetch_all(self, owner: str, cutoff: dt.datetime) -> list[SealedRow]:
        with self._sql() as connection:
            found = connection.execute(
                "SELECT id, form_id, created_at, updated_at, sealed FROM drafts"
                " WHERE owner = ? AND updated_at > ? ORDER BY updated_at DESC, id", (owner, _stamp(cutoff))).fetchall()
        return [self._row(row) for row in found]

    def _remove(self, owner: str, draft_id: str) -> bool:
        with self._sql() as connection:
            return connection.execute("DELETE FROM drafts WHERE id = ? AND owner = ?", (draft_id, owner)).rowcount == 1

    def _remove_older(self, cutoff: dt.datetime) -> int:
        with self._sql() as connection:
            return int(connection.execute("DELETE FROM drafts WHERE updated_at <= ?", (_stamp(cutoff),)).rowcount)


def open_drafts(target: str | Path, keys: Sequence[bytes], retention_days: int = DEFAULT_RETENTION_DAYS) -> DraftStore:
    """The drafts store for `target`, the audit trail's: a postgresql:// URL (formgen/store/drafts_pg.py), else
    an SQLite file. DraftConfigError for bad keys or retention, DraftsUnavailable if it cannot be opened."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        from formgen.store.drafts_pg import PostgresDraftStore

        return PostgresDraftStore(text, keys, retention_days)
    return SqliteDraftStore(Path(text), keys, retention_days)
