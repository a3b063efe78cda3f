"""Headers on every answer: no sniffing, no caching of data, a strict content security policy.

The same headers go on the answers gunicorn gives itself (formgen.service.server), so every answer has them."""

from __future__ import annotations

from flask import Flask, Response

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# Every answer may hold a family's data; none should be kept by a browser or proxy.
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            if name == "Content-Security-Policy":
                value = app.config.get("CONTENT_SECURITY_POLICY", CSP)
            response.headers.setdefault(name, value)
        return response
