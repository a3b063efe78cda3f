"""CSRF protection for the web pages: a signed double-submit token, with nothing stored on the server.

Each browser gets a random id in a cookie (HttpOnly, SameSite=Strict); every page's forms carry an HMAC
of that id under the app's SECRET_KEY. A post is accepted only when the two agree. The cookie holds no
data about a family, and the JSON API under /api does not use it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, current_app, g, request
from flask.sansio.app import App

COOKIE = "formgen-csrf"
FIELD = "csrf_token"


def ensure_secret(app: App) -> None:
    """A random SECRET_KEY when none is configured (set FORMGEN_SECRET_KEY when several servers share load)."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)


def _browser_id() -> str:
    known = request.cookies.get(COOKIE, "")
    if len(known) == 43 and known.replace("-", "").replace("_", "").isalnum():
        return known
    if "csrf_new_id" not in g:
        g.csrf_new_id = secrets.token_urlsafe(32)
    return str(g.csrf_new_id)


def _sign(browser_id: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"formgen-csrf:{browser_id}".encode(), hashlib.sha256).hexdigest()


def token() -> str:
    """The token for this browser's forms (sets the cookie with the response when it is new)."""
    return _sign(_browser_id())


def valid() -> bool:
    sent = request.form.get(FIELD, "")
    known = request.cookies.get(COOKIE, "")
    return bool(known and sent) and hmac.compare_digest(sent, _sign(known))


def set_cookie(response: Response) -> Response:
    new = g.get("csrf_new_id")
    if new:
        # Secure when the request came over https (directly, or as a trusted proxy says) or when configured.
        secure = request.is_secure or bool(current_app.config.get("COOKIE_SECURE"))
        response.set_cookie(COOKIE, new, httponly=True, samesite="Strict", secure=secure, path="/")
    return response
