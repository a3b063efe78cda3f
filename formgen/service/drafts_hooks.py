"""Opens the web pages' draft store (`formgen.store.drafts`) for the app: where, with which keys, for how long.

The drafts live in the audit trail's database (AUDIT_URL or AUDIT_DB, by default the instance folder's
`audit.sqlite3`), or DRAFTS_DB when set. They are encrypted with DRAFT_KEYS (FORMGEN_DRAFT_KEYS: Fernet keys,
comma-separated, the first encrypts). Once people sign in through single sign-on the keys must be configured;
on a laptop (loopback) with none, a key is made once and kept beside the database, readable by its owner only.
DRAFT_RETENTION_DAYS (FORMGEN_DRAFT_RETENTION_DAYS) is the council's retention period, 28 days by default.
Under TESTING, with no database given, the drafts go in a temporary folder removed at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from flask import Flask, current_app

from formgen.service.identity import OFF, SSO, WebConfigError
from formgen.store.drafts import DraftConfigError, DraftStore, new_key, open_drafts, parse_keys

DEFAULT_RETENTION_DAYS = 28


def store() -> DraftStore:
    found = current_app.extensions["formgen_drafts"]
    assert isinstance(found, DraftStore)
    return found


def retention() -> int:
    """The council's retention period for drafts, in days."""
    return int(current_app.extensions["formgen_drafts_retention"])


def retention_days(app: Flask) -> int:
    raw = app.config.get("DRAFT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise WebConfigError(f"FORMGEN_DRAFT_RETENTION_DAYS: '{raw}' is not a whole number of days.") from None
    if not 1 <= days <= 365:
        raise WebConfigError("FORMGEN_DRAFT_RETENTION_DAYS must be between 1 and 365.")
    return days


def _target(app: Flask) -> str | Path:
    configured = app.config.get("DRAFTS_DB") or app.config.get("AUDIT_URL") or app.config.get("AUDIT_DB")
    if configured:
        return str(configured)
    if app.testing:
        folder = tempfile.mkdtemp(prefix="formgen-drafts-")
        atexit.register(shutil.rmtree, folder, True)
        return Path(folder) / "drafts.sqlite3"
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return Path(app.instance_path) / "audit.sqlite3"


def _local_key(app: Flask) -> bytes:
    """A laptop's key, made once: the drafts survive a restart of `make serve`."""
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "drafts.key"
    if not path.exists():
        # Written whole under another name, then linked into place: workers starting together agree on one key,
        # and none reads a half-written file.
        descriptor, written = tempfile.mkstemp(dir=folder, prefix=".drafts-key-")
        try:
            with os.fdopen(descriptor, "w") as out:
                out.write(new_key())
            os.link(written, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(written)
    return path.read_text().strip().encode()


def _keys(app: Flask) -> tuple[bytes, ...]:
    configured = str(app.config.get("DRAFT_KEYS") or "").strip()
    if configured:
        try:
            return parse_keys(configured)
        except DraftConfigError as error:
            raise WebConfigError(str(error)) from None
    if app.extensions.get("formgen_web_mode") == SSO:
        raise WebConfigError("FORMGEN_DRAFT_KEYS must be set once people sign in: the drafts hold children's "
                             "details and are encrypted with it (formgen draft-key makes one).")
    if app.testing:
        return (new_key().encode(),)
    return (_local_key(app),)


def init_app(app: Flask) -> None:
    """After identity.init_app: whether people sign in decides whether the keys must be configured. With the pages
    off there are no drafts, and nothing is opened or made."""
    days = retention_days(app)
    app.extensions["formgen_drafts_retention"] = days
    if app.extensions.get("formgen_web_mode") == OFF:
        return
    app.extensions["formgen_drafts"] = open_drafts(_target(app), _keys(app), days)
