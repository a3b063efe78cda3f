"""Administration commands: `formgen keys NAME` (a new API key and its SHA-256) and `formgen audit`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MIN_KEY_LENGTH = 32


def cmd_keys(args: argparse.Namespace) -> int:
    from formgen.service.auth import CLIENT_NAME, digest_key, new_key

    if not CLIENT_NAME.match(args.name):
        sys.stderr.write("formgen: a client name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.\n")
        return 64
    if args.stdin:
        key = sys.stdin.readline().strip()
        # Only a random key is safe to keep as a SHA-256; 32 characters hold 128 bits even in hex.
        if len(key) < MIN_KEY_LENGTH:
            sys.stderr.write(f"formgen: a key must be at least {MIN_KEY_LENGTH} random characters.\n")
            return 64
    else:
        key = new_key()
        sys.stderr.write(f"The key for {args.name} (give it to the client now; formgen keeps only its hash):\n")
        sys.stderr.write(f"  {key}\n")
        sys.stderr.write("The line to add to the keys file (FORMGEN_API_KEYS_FILE):\n")
    sys.stdout.write(f"{args.name}:{digest_key(key)}\n")
    return 0


def _audit_path(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    from api import create_app
    from formgen.service.audit_hooks import default_path

    app = create_app()  # a start-up problem (keys, trail, sign-on): main() says it in one line
    configured = app.config.get("AUDIT_DB")
    return Path(configured) if configured else default_path(app)


def cmd_audit(args: argparse.Namespace) -> int:
    from formgen.store.audit import COLUMNS, AuditTrail

    path = _audit_path(args.db)
    if not path.exists():
        sys.stderr.write(f"formgen: no audit database at {path} yet (nothing has been rendered).\n")
        return 0
    rows = AuditTrail(path).rows(limit=args.limit or None)
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    sys.stdout.write("\t".join(COLUMNS) + "\n")
    for row in rows:
        sys.stdout.write("\t".join("" if row[c] is None else str(row[c]) for c in COLUMNS) + "\n")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keys", help="make a new API key for a client and print the line for the keys file")
    p.add_argument("name", help="the client's name, e.g. mosaic-live")
    p.add_argument("--stdin", action="store_true",
                   help="store the key read from standard input (at least 32 random characters) instead of making one")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("audit", help="list the audit trail of renders (no personal data is kept)")
    p.add_argument("--db", help="the audit database (default: FORMGEN_AUDIT_DB, else instance/audit.sqlite3)")
    p.add_argument("-n", "--limit", type=int, default=0, help="only the newest N renders")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_audit)
