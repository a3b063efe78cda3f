"""Who is using the web pages: a signed-in person named by the council's single sign-on proxy, or nobody.

The pages render documents about children, so once formgen is deployed they need a person, not just a
browser. Three ways to run, chosen at start-up from the configuration:

    sso       WEB_USER_HEADER (FORMGEN_WEB_USER_HEADER, e.g. X-Forwarded-User) and TRUSTED_PROXIES
              (FORMGEN_TRUSTED_PROXIES, addresses or networks, comma-separated): the pages answer only
              requests that come from a trusted proxy address and carry the header. The person is
              recorded as `person:` + an HMAC-SHA-256 of the header's value (keyed by PERSON_ID_KEY,
              FORMGEN_PERSON_ID_KEY), never the value itself.
    off       WEB_PAGES=off, or API keys configured without single sign-on: the pages answer 403.
    loopback  no keys, no sign-on (a laptop): the pages answer callers on this machine only.

Forwarded headers (X-Forwarded-For, -Proto) are believed only from a trusted proxy address, through
werkzeug's ProxyFix; from anyone else they, and the user header, are removed before the app sees them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask, Response, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from formgen.service.problems_http import problem

SSO, OFF, LOOPBACK = "sso", "off", "loopback"
LOOPBACK_CLIENT = "web"
PERSON_PREFIX = "person:"
VIA_PROXY = "formgen.via_trusted_proxy"
_HEADER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
_MAX_PERSON = 256

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class WebConfigError(ValueError):
    """The web pages' sign-on settings cannot be used (one line, naming the setting)."""


def trusted_networks(value: Any) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks: '10.0.0.5, 10.1.0.0/16' or a list of the same."""
    if not value:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    networks = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise WebConfigError(f"FORMGEN_TRUSTED_PROXIES: '{item}' is not an IP address or network.") from None
    return tuple(networks)


def address_in(address: str | None, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def is_loopback_address(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


def header_environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def web_mode(config: Mapping[str, Any], keys_enabled: bool) -> str:
    pages = str(config.get("WEB_PAGES") or "").strip().lower()
    if pages not in ("", "off"):
        raise WebConfigError(f"FORMGEN_WEB_PAGES must be 'off' or unset, not '{pages}'.")
    if pages == "off":
        return OFF
    header = str(config.get("WEB_USER_HEADER") or "").strip()
    if header:
        if not _HEADER_NAME.match(header):
            raise WebConfigError("FORMGEN_WEB_USER_HEADER must be a header name such as X-Forwarded-User.")
        if not trusted_networks(config.get("TRUSTED_PROXIES")):
            raise WebConfigError("FORMGEN_WEB_USER_HEADER is set but FORMGEN_TRUSTED_PROXIES is not: "
                                 "name the addresses the sign-on proxy connects from.")
        return SSO
    return OFF if keys_enabled else LOOPBACK


def person_id(value: str, key: str | None) -> str:
    """An opaque, stable id for a signed-in person: the same person always gets the same id."""
    normalised = f"formgen-person:{value.strip().casefold()}".encode()
    if key:
        digest = hmac.new(key.encode(), normalised, hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(normalised).hexdigest()
    return PERSON_PREFIX + digest[:32]


StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class TrustedProxies:
    """WSGI middleware: believe forwarded headers only from the configured proxy addresses."""

    def __init__(self, app: WSGIApp, networks: tuple[Network, ...], user_header: str | None) -> None:
        self.app = app
        self.networks = networks
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)  # type: ignore[arg-type]
        self.user_key = header_environ_key(user_header) if user_header else None

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.networks and address_in(environ.get("REMOTE_ADDR"), self.networks):
            environ[VIA_PROXY] = True
            return self.fixed(environ, start_response)
        environ[VIA_PROXY] = False
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_") or k in ("HTTP_FORWARDED", self.user_key)]:
            del environ[key]
        return self.app(environ, start_response)


def _refused(status: int, detail: str, problem_type: str) -> Response:
    return problem(status, "Unauthorized" if status == 401 else "Forbidden", detail, problem_type)


def web_gate() -> Response | None:
    """Before every web page: who is asking, or a 401/403 problem. Sets g.client for the audit trail."""
    mode = current_app.extensions["formgen_web_mode"]
    if mode == OFF:
        return _refused(403, "The web pages are off on this server. They open only behind the council's single "
                             "sign-on (FORMGEN_WEB_USER_HEADER and FORMGEN_TRUSTED_PROXIES); the API takes API keys.",
                        "/problems/web-pages-off")
    if mode == LOOPBACK:
        if not is_loopback_address(request.remote_addr):
            return _refused(403, "Without single sign-on the web pages answer only on the machine formgen runs on.",
                            "/problems/web-pages-loopback-only")
        g.client = LOOPBACK_CLIENT
        return None
    if not request.environ.get(VIA_PROXY):
        return _refused(403, "Open the forms through the council's sign-in page, not this server's own address.",
                        "/problems/not-via-sign-in")
    value = request.headers.get(current_app.config["WEB_USER_HEADER"], "").strip()
    if not value or len(value) > _MAX_PERSON or not value.isprintable():
        return _refused(401, "The sign-in did not say who you are. Sign in again; if this goes on, "
                             "tell the service desk that the sign-on proxy sent no user.", "/problems/not-signed-in")
    g.client = person_id(value, current_app.config.get("PERSON_ID_KEY"))
    return None


def init_app(app: Flask, keys_enabled: bool) -> None:
    mode = web_mode(app.config, keys_enabled)
    app.extensions["formgen_web_mode"] = mode
    networks = trusted_networks(app.config.get("TRUSTED_PROXIES"))
    header = str(app.config.get("WEB_USER_HEADER") or "").strip() or None
    app.wsgi_app = TrustedProxies(app.wsgi_app, networks, header)  # type: ignore[method-assign]
