"""Administration commands: `formgen keys NAME` (a new API key and its hash) and `formgen audit`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def cmd_keys(args: argparse.Namespace) -> int:
    from formgen.service.auth import CLIENT_NAME, hash_key, new_key

    if not CLIENT_NAME.match(args.name):
        sys.stderr.write("formgen: a client name is 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.\n")
        return 64
    if args.stdin:
        key = sys.stdin.readline().strip()
        if len(key) < 16:
            sys.stderr.write("formgen: a key must be at least 16 characters.\n")
            return 64
    else:
        key = new_key()
        sys.stderr.write(f"The key for {args.name} (give it to the client now; formgen keeps only its hash):\n")
        sys.stderr.write(f"  {key}\n")
        sys.stderr.write("The line to add to the keys file (FORMGEN_API_KEYS_FILE):\n")
    sys.stdout.write(f"{args.name}:{hash_key(key)}\n")
    return 0


def _audit_target(explicit: str | None) -> str | Path:
    if explicit:
        return explicit if explicit.startswith(("postgresql://", "postgres://")) else Path(explicit)
    from api import create_app
    from formgen.service.audit_hooks import default_path

    app = create_app()
    configured = app.config.get("AUDIT_URL") or app.config.get("AUDIT_DB")
    if isinstance(configured, str) and configured.startswith(("postgresql://", "postgres://")):
        return configured
    return Path(configured) if configured else default_path(app)


def cmd_audit(args: argparse.Namespace) -> int:
    from formgen.store.audit import COLUMNS, AuditUnavailable, open_trail

    target = _audit_target(args.db)
    if isinstance(target, Path) and not target.exists():
        sys.stderr.write(f"formgen: no audit database at {target} yet (nothing has been rendered).\n")
        return 0
    try:
        rows = open_trail(target).rows(limit=args.limit or None)
    except AuditUnavailable as error:
        sys.stderr.write(f"formgen: cannot read the audit trail: {error}.\n")
        return 1
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
    p.add_argument("--stdin", action="store_true", help="hash the key read from standard input instead of making one")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("audit", help="list the audit trail of renders (no personal data is kept)")
    p.add_argument("--db", help="the audit database: an SQLite file or a postgresql:// URL "
                                "(default: FORMGEN_AUDIT_URL, else FORMGEN_AUDIT_DB, else instance/audit.sqlite3)")
    p.add_argument("-n", "--limit", type=int, default=0, help="only the newest N renders")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_audit)
