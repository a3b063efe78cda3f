"""Administration commands: `formgen keys NAME` (a new API key and its SHA-256), `formgen audit`, and
`formgen councils [COUNCIL] [--to-confirm]` (each council's profile with its sources, and what it still has to confirm)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

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


def _audit_target(explicit: str | None) -> str | Path:
    if explicit:
        return explicit if explicit.startswith(("postgresql://", "postgres://")) else Path(explicit)
    from api import create_app
    from formgen.service.audit_hooks import default_path

    app = create_app()  # a start-up problem (keys, trail, sign-on): main() says it in one line
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


def _source_text(source: dict[str, Any]) -> str:
    """Where a profile value comes from, on one line."""
    if source["status"] == "from-guidance":
        says = f": \"{source['says']}\"" if source.get("says") else ""
        return f"guidance {source['guidance']}, {source['section']}{says}"
    if source["status"] == "confirmed":
        return (f"local setting, confirmed by {source['confirmed_by']} on {source['confirmed_on']} "
                f"({source['source']})")
    until = "printed as not yet confirmed" if source["until_confirmed"] == "print" else "left out of documents"
    return f"local setting set by {source['set_by']}; NOT CONFIRMED by the council ({until} until it is)"


def _write_settings(settings: list[dict[str, Any]]) -> None:
    for setting in settings:
        source = setting["source"]
        sys.stdout.write(f"  {setting['key']}: {setting['label']}\n    value: {setting['words']}\n"
                         f"    source: {_source_text(source)}\n")
        if source.get("note"):
            sys.stdout.write(f"    note: {source['note']}\n")


def _write_to_confirm(found: dict[str, Any]) -> None:
    sys.stdout.write(f"{found['name']} ({found['council']}) still has to confirm:\n\n")
    sys.stdout.write(f"Local settings (edit councils/{found['council']}.toml: value, source, confirmed_by, "
                     "confirmed_on; see docs/councils.md):\n")
    _write_settings(found["settings"])
    if not found["settings"]:
        sys.stdout.write("  none: every value comes from its guidance or is confirmed\n")
    sys.stdout.write("\nTimescales of its routes that formgen reads where the guidance does not say how to count "
                     "them (formgen routes ID):\n")
    for reading in found.get("route_readings", []):
        sys.stdout.write(f"  route {reading['route']}, {reading['task']}: {reading['name']}\n    {reading['reading']}\n")
    if not found.get("route_readings"):
        sys.stdout.write("  none\n")
    sys.stdout.write("\nWording formgen composed (template defaults), in the council's forms:\n")
    for words in found["wording"]:
        sys.stdout.write(f"  {words['form']} {words['id']}: {words['text']}\n    ({words['source'].get('says', '')})\n")
    sys.stdout.write("\nRules that rest on formgen's own reading, in the council's forms:\n")
    for found_rule in found["rules"]:
        why = "; ".join(s.get("says", "") for s in found_rule["sources"] if s["kind"] == "formgen-reading")
        sys.stdout.write(f"  {found_rule['form']} {found_rule['id']}: {found_rule['rule']}\n    formgen's reading: {why}\n")


def cmd_councils(args: argparse.Namespace) -> int:
    from formgen.core.councils import CouncilProfileError, all_councils, council_json, get_council

    if args.to_confirm and not args.council:
        sys.stderr.write("formgen: --to-confirm needs a council, e.g. formgen councils shropshire --to-confirm\n")
        return 64
    try:
        profiles = [get_council(args.council)] if args.council else list(all_councils().values())
    except CouncilProfileError as error:  # a profile a council has just edited: say what is wrong in it
        sys.stderr.write(f"formgen: {error}\n")
        return 2
    entries = [council_json(profile) for profile in profiles]
    if args.json:
        shown: Any = entries[0]["to_confirm"] if args.to_confirm else (entries[0] if args.council else entries)
        sys.stdout.write(json.dumps(shown, indent=2, ensure_ascii=False) + "\n")
    elif args.to_confirm:
        _write_to_confirm(entries[0]["to_confirm"])
    else:
        for entry in entries:
            guidance = "; ".join(f"{g['number']} ({g['title']})" for g in entry["guidance"])
            sys.stdout.write(f"{entry['id']}: {entry['name']}, following guidance {guidance}\n")
            _write_settings(entry["settings"])
            sys.stdout.write("\n")
    return 0


def cmd_draft_key(args: argparse.Namespace) -> int:
    """A new key for the web pages' drafts: set it as FORMGEN_DRAFT_KEYS (a new one first, to rotate)."""
    from formgen.store.drafts import new_key

    sys.stdout.write(new_key() + "\n")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("keys", help="make a new API key for a client and print the line for the keys file")
    p.add_argument("name", help="the client's name, e.g. mosaic-live")
    p.add_argument("--stdin", action="store_true",
                   help="store the key read from standard input (at least 32 random characters) instead of making one")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser("draft-key", help="make a key for the web pages' encrypted drafts (FORMGEN_DRAFT_KEYS; put a new "
                                         "key first, comma-separated, to rotate)")
    p.set_defaults(func=cmd_draft_key)

    p = sub.add_parser("audit", help="list the audit trail of renders (no personal data is kept)")
    p.add_argument("--db", help="the audit database: an SQLite file or a postgresql:// URL "
                                "(default: FORMGEN_AUDIT_URL, else FORMGEN_AUDIT_DB, else instance/audit.sqlite3)")
    p.add_argument("-n", "--limit", type=int, default=0, help="only the newest N renders")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("councils", help="list each council's profile values with their sources, or what one council "
                                        "still has to confirm")
    p.add_argument("council", nargs="?", help="one council's id, e.g. shropshire (default: every council)")
    p.add_argument("--to-confirm", action="store_true",
                   help="the council's unconfirmed local settings, and the template-default wording and "
                        "formgen-reading rules in its forms")
    p.add_argument("--json", action="store_true", help="print as JSON (the same as GET /api/councils/ID)")
    p.set_defaults(func=cmd_councils)
