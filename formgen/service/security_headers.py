"""Headers on every answer: no sniffing, no caching of data, a strict content security policy."""

from __future__ import annotations

from flask import Flask, Response

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Content-Security-Policy", app.config.get("CONTENT_SECURITY_POLICY", CSP))
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Every answer may hold a family's data; none should be kept by a browser or proxy.
        response.headers.setdefault("Cache-Control", "no-store")
        return response
