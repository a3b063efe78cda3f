"""Request bodies: strict JSON, uploaded files made ready for the engine, and chunked bodies kept to the limit.

One JSON reading for the API's bodies and for JSON files uploaded to the API or the pages, so both refuse the
same things (NaN, Infinity, a key twice) and accept the same things (a leading UTF-8 byte-order mark, which
Windows editors write).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from formgen.core import limits
from formgen.core.errors import BadDocument
from formgen.service.problems_http import HTTPProblem

UTF8_BOM = b"\xef\xbb\xbf"
# Set by ChunkedBodyLimit for the app's before_request hook to answer (a 413 or 408 problem).
CHUNKED_TOO_LARGE = "formgen.chunked_body_too_large"
CHUNKED_TOO_SLOW = "formgen.chunked_body_too_slow"


class _DuplicateKey(ValueError):
    pass


class _NotJSONConstant(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _no_constants(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259), though Python's parser accepts them.
    raise _NotJSONConstant(name)


def strict_loads(raw: bytes) -> Any:
    """JSON as RFC 8259 defines it, in UTF-8 with or without a byte-order mark.

    Raises ValueError with a plain-English reason (never quoting the data) when it is not."""
    text = raw.removeprefix(UTF8_BOM)
    try:
        # Shape (how many objects and lists, how deep) and number sizes are checked before any work.
        return limits.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except limits.TooMany as exc:
        raise ValueError(f"The body is refused unread: {exc}.") from None
    except _DuplicateKey as exc:
        raise ValueError(f"The key '{exc.args[0]}' appears twice in one object; send it once.") from None
    except _NotJSONConstant as exc:
        raise ValueError(f"{exc.args[0]} is not a JSON value; send a number or null.") from None
    except UnicodeDecodeError:
        raise ValueError("The body is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        raise ValueError("The body is nested too deeply.") from None


def json_body() -> Any:
    """The request's JSON, or a problem: 415 for another type, 400 for malformed JSON."""
    if request.mimetype != "application/json":
        raise HTTPProblem(415, "Unsupported Media Type",
                          f"Send the body as application/json (got '{request.mimetype or 'none'}').")
    try:
        return strict_loads(request.get_data(cache=False))
    except ValueError as exc:
        raise HTTPProblem(400, "Malformed JSON", str(exc), "/problems/malformed-json") from None


def looks_like_json(content: bytes) -> bool:
    return content.removeprefix(UTF8_BOM).lstrip(b" \t\r\n").startswith(b"{")


def upload_ready(content: bytes) -> bytes:
    """An uploaded file as the engine reads it: a JSON file is checked strictly and loses its byte-order mark.

    PDF and Word files pass through unchanged; the engine reads their embedded data itself."""
    if not looks_like_json(content):
        return content
    try:
        strict_loads(content)
    except ValueError as exc:
        reason = str(exc).replace("The body", "The file")
        raise BadDocument(f"{reason} Upload a PDF or Word (.docx) document made by this service, or a JSON file.") from None
    return content.removeprefix(UTF8_BOM)


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class ChunkedBodyLimit:
    """WSGI middleware: a body sent without Content-Length (chunked) is read here, at most `limit` bytes.

    Werkzeug would otherwise cut such a body silently at the limit, so an oversized upload read as a
    truncated, "malformed" one. Here a body over the limit is marked for a 413 and one that stops
    arriving for a 408; a body within it reaches the app with its Content-Length, like any other."""

    def __init__(self, app: WSGIApp, limit: Callable[[], int | None]) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        limit = self.limit()
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if not chunked or not environ.get("wsgi.input_terminated") or limit is None:
            return self.app(environ, start_response)
        try:
            body = environ["wsgi.input"].read(limit + 1)
        except TimeoutError:
            environ[CHUNKED_TOO_SLOW] = True
            body = b""
        if len(body) > limit:
            environ[CHUNKED_TOO_LARGE] = True
            body = b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH"))  # type: ignore[method-assign]

    @app.before_request
    def _chunked_verdict() -> None:
        if request.environ.get(CHUNKED_TOO_LARGE):
            raise RequestEntityTooLarge()
        if request.environ.get(CHUNKED_TOO_SLOW):
            raise TimeoutError("the request body stopped arriving")
