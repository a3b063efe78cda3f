"""Route commands: `formgen routes [COUNCIL]`, `formgen pack COUNCIL ROUTE case.json -o pack.zip` and
`formgen status COUNCIL ROUTE case.json [--as-of DATE]` (formgen/engine/routes.py, formgen/engine/pack.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from formgen.core.errors import FormgenError


def _read(path: str) -> Any:
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormgenError(f"{path}: not valid JSON ({exc}).") from None


def cmd_routes(args: argparse.Namespace) -> int:
    from formgen.core.councils import all_councils, get_council
    from formgen.engine.routes import route_json

    profiles = [get_council(args.council)] if args.council else list(all_councils().values())
    found = [route_json(profile, route) for profile in profiles for route in profile.routes]
    if args.json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        return 0
    for entry in found:
        ready = "" if entry["available"] else f"  [not available yet: {', '.join(entry['missing_forms'])}]"
        sys.stdout.write(f"\n{entry['council']} {entry['id']}: {entry['name']}{ready}\n  {entry['source']['cited']}\n")
        for task in entry["documents"] + entry["steps"]:
            what = f"document {task['form']}" if "form" in task else "step"
            deadline = f"; due {task['deadline']}" if task.get("deadline") else ""
            sys.stdout.write(f"  - {task['name']} ({what}; {task['who']}{deadline})\n")
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from formgen.engine.pack import build_pack

    made = build_pack(args.council, args.route, _read(args.file), args.format, args.merged)
    if args.output == "-":
        sys.stdout.buffer.write(made.content)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output)
    partial = target.with_name(f".{target.name}.partial")  # never leave half a pack behind
    partial.write_bytes(made.content)
    partial.replace(target)
    sys.stderr.write(f"wrote {target}: {made.documents} document{'s' if made.documents != 1 else ''}, "
                     f"{made.pages} PDF page{'s' if made.pages != 1 else ''}, deadlines.ics\n")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from formgen.engine.routes import status

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError:
        raise FormgenError(f"--as-of {args.as_of}: not a date; give YYYY-MM-DD.") from None
    found = status(args.council, args.route, _read(args.file), as_of)
    if args.json:
        sys.stdout.write(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(f"{found['name']} on {found['as_of']}\n")
    for task in found["tasks"]:
        due = f" (due {task['due']})" if task["due"] else ""
        sys.stdout.write(f"  {task['state']:<12} {task['name']}{due}: {task['says']}\n")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("routes", help="list councils' step-down and step-up routes: documents, deadlines, sources")
    p.add_argument("council", nargs="?", help="one council's id (default: every council)")
    p.add_argument("--json", action="store_true", help="print the routes as JSON")
    p.set_defaults(func=cmd_routes)

    p = sub.add_parser("pack", help="every document of a council's route from one case record, as a ZIP")
    p.add_argument("council")
    p.add_argument("route")
    p.add_argument("file", help="the case record, a JSON file, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="OUT.zip, or - for standard output")
    p.add_argument("-f", "--format", choices=["pdf", "docx", "both"], default="pdf", help="the documents' format")
    p.add_argument("--merged", action="store_true", help="one merged PDF with a bookmark per document and child")
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("status", help="which documents and steps of a route are done, due or late")
    p.add_argument("council")
    p.add_argument("route")
    p.add_argument("file", help="the case record, a JSON file, or - for standard input")
    p.add_argument("--as-of", help="the day to judge on, YYYY-MM-DD (default today)")
    p.add_argument("--json", action="store_true", help="print the status as JSON")
    p.set_defaults(func=cmd_status)
