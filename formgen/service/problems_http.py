"""Every error answer is an RFC 9457 problem document; one handler makes them all."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import ClientDisconnected, HTTPException

from formgen.core.errors import FormgenError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("formgen.http")

_DETAILS = {
    400: "The request could not be understood.",
    401: "Send a valid API key as 'Authorization: Bearer <key>'.",
    404: "Nothing is found at this address.",
    405: "This address does not accept that method.",
    403: "This address is not open to this caller.",
    406: "The requested format is not offered.",
    408: "The request did not arrive in time. Nothing was rendered; send it again.",
    413: "The request body is too large.",
    414: "The address is too long.",
    415: "Send the body as application/json.",
    429: "Too many attempts from this address. Wait, then try again.",
    431: "The request's headers are too large.",
    500: "Something went wrong on our side. Nothing was rendered; try again or contact support with the request id.",
}


def problem(status: int, title: str, detail: str, problem_type: str = "about:blank", **extra: Any) -> Response:
    body = {"type": problem_type, "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


class HTTPProblem(HTTPException):
    """An HTTP error raised by a view with its own detail text (and optional type)."""

    def __init__(self, status: int, title: str, detail: str, problem_type: str = "about:blank") -> None:
        super().__init__(description=detail)
        self.code = status
        self.title = title
        self.problem_type = problem_type


def init_app(app: Flask) -> None:
    @app.errorhandler(FormgenError)
    def _engine_error(error: FormgenError) -> Response:
        return problem(error.status, error.title, error.detail, error.problem_type, **error.extra())

    @app.errorhandler(TimeoutError)
    def _too_slow(_: TimeoutError) -> Response:
        # A body that stopped arriving (formgen serve's read deadline): this request fails, the server goes on.
        return problem(408, "Request Timeout", _DETAILS[408], "/problems/request-timeout")

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        if isinstance(error, ClientDisconnected) and isinstance(error.__context__, TimeoutError):
            return _too_slow(error.__context__)  # werkzeug reads a body that stopped arriving as a hang-up
        status = error.code or 500
        if isinstance(error, HTTPProblem):
            return problem(status, error.title, error.description or "", error.problem_type)
        title = error.name
        detail = _DETAILS.get(status, error.description or title)
        if status == 413:
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = f"The request body is larger than the limit of {limit} bytes." if limit else detail
        response = problem(status, title, detail)
        allowed = getattr(error, "valid_methods", None)
        if status == 405 and allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        # The exception's type only: its message may quote the request's data.
        log.error("unhandled error", extra={"error_type": type(error).__name__})
        return problem(500, "Internal Server Error", _DETAILS[500])
