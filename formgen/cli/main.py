"""The `formgen` command line: forms, schema, example, validate, render, serve (and routes, pack, status).

Rendering from the command line imports the engine only, never Flask or the server.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

from formgen.core.errors import FormgenError

EXIT_INVALID = 2
EXIT_USAGE = 64
# By name, so that the command line does not import the service to recognise them.
STARTUP_PROBLEMS = ("KeyFileError", "WebConfigError", "AuditUnavailable", "DocumentKeysError")


def _read_body(path: str) -> Any:
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormgenError(f"{path}: not valid JSON ({exc}).") from None


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _report(error: FormgenError) -> int:
    sys.stderr.write(f"formgen: {error.detail}\n")
    errors = getattr(error, "errors", None)
    if errors:
        for path, messages in errors.items():
            for message in messages:
                broken = getattr(message, "rule_id", None)
                sys.stderr.write(f"  {path}: {message}{f' [{broken}]' if broken else ''}\n")
    return EXIT_INVALID


def cmd_forms(args: argparse.Namespace) -> int:
    from formgen.core.registry import all_forms

    if args.json:
        _print_json([form.summary() for form in all_forms().values()])
    else:
        for form in all_forms().values():
            limit = f"max {form.max_pages} pages" if form.max_pages else "no page limit"
            sys.stdout.write(f"{form.id}\t{form.authority}: {form.title} ({limit})\n")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from formgen.core.registry import get_form
    from formgen.service.openapi import form_json_schema

    get_form(args.form_id)
    _print_json(form_json_schema(args.form_id))
    return 0


def cmd_example(args: argparse.Namespace) -> int:
    from formgen.core.registry import get_form

    _print_json(get_form(args.form_id).example)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from formgen.core.registry import get_form

    book = get_form(args.form_id).rulebook_json()
    if args.json:
        _print_json(book)
        return 0
    sys.stdout.write(f"{book['authority']}: {book['title']} ({book['form']})\n")
    for entry in book["rules"]:
        sys.stdout.write(f"\n{entry['id']}\n  {entry['rule']}\n  fields: {', '.join(entry['fields'])}\n")
        for source in entry["sources"]:
            sys.stdout.write(f"  source ({source['kind']}): {source['citation']}\n")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from formgen.core.registry import get_form
    from formgen.engine import pipeline

    form = get_form(args.form_id)
    pages = pipeline.check(form, _read_body(args.file))
    _print_json({"valid": True, "pages": pages})
    return 0


def _format_for(output: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in ("pdf", "docx", "zip"):
        return "pdf" if suffix == "zip" else suffix
    return "pdf"


def cmd_render(args: argparse.Namespace) -> int:
    from formgen.core.registry import get_form
    from formgen.engine import pipeline

    form = get_form(args.form_id)
    body = _read_body(args.file)
    fmt = _format_for(args.output, args.format)
    document = pipeline.render_split(form, body, fmt) if args.split_by_child else pipeline.render(form, body, fmt)
    out: BinaryIO
    if args.output == "-":
        sys.stdout.buffer.write(document.content)
        sys.stdout.buffer.flush()
    else:
        # Write beside the target and rename, so a failure never leaves half a document.
        target = Path(args.output)
        partial = target.with_name(f".{target.name}.partial")
        with partial.open("wb") as out:
            out.write(document.content)
        partial.replace(target)
        pages = f", {document.pages} page{'s' if document.pages != 1 else ''}" if document.pages else ""
        sys.stderr.write(f"wrote {target}{pages}\n")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from formgen.service.server import serve

    return serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads,
                 head_seconds=args.head_timeout, body_seconds=args.body_timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="formgen", description="Council children's services documents from JSON.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("forms", help="list the forms")
    p.add_argument("--json", action="store_true", help="print the list as JSON")
    p.set_defaults(func=cmd_forms)

    p = sub.add_parser("schema", help="print a form's JSON Schema")
    p.add_argument("form_id")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("example", help="print a valid example body for a form")
    p.add_argument("form_id")
    p.set_defaults(func=cmd_example)

    p = sub.add_parser("rules", help="list every rule a form applies, with its source")
    p.add_argument("form_id")
    p.add_argument("--json", action="store_true", help="print the rulebook as JSON")
    p.set_defaults(func=cmd_rules)

    p = sub.add_parser("validate", help="check a JSON body against a form's rules and page limit")
    p.add_argument("form_id")
    p.add_argument("file", help="a JSON file, or - for standard input")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("render", help="render a JSON body to DOCX or PDF")
    p.add_argument("form_id")
    p.add_argument("file", help="a JSON file, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="OUT.pdf or OUT.docx, or - for standard output")
    p.add_argument("-f", "--format", choices=["pdf", "docx"], help="the format (default: from -o's suffix, else PDF)")
    p.add_argument("--split-by-child", action="store_true", help="a ZIP with one document per child")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("serve", help="serve the HTTP API with a production WSGI server (gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2, help="worker processes (default 2: one per core here)")
    p.add_argument("--threads", type=int, default=32,
                   help="threads per worker (default 32): a slow client holds one thread, not a worker")
    p.add_argument("--head-timeout", type=float, default=10.0, metavar="SECONDS",
                   help="a request's line and headers must arrive within this (default 10); else 408")
    p.add_argument("--body-timeout", type=float, default=30.0, metavar="SECONDS",
                   help="a request's body must arrive within this after its headers (default 30); else 408")
    p.set_defaults(func=cmd_serve)

    from formgen.cli.admin import add_commands
    from formgen.cli.routes import add_commands as add_route_commands

    add_commands(sub)  # keys, audit
    add_route_commands(sub)  # routes, pack, status
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except FormgenError as error:
        return _report(error)
    except FileNotFoundError as error:
        sys.stderr.write(f"formgen: no such file: {error.filename}\n")
        return EXIT_USAGE
    except Exception as error:
        # The service's start-up problems (keys file, audit trail, web sign-on) are one line, no traceback.
        if type(error).__name__ in STARTUP_PROBLEMS:
            sys.stderr.write(f"formgen: {error}\n")
            return EXIT_INVALID
        raise


if __name__ == "__main__":
    raise SystemExit(main())
