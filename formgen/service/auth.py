"""API keys for /api/*: each client has a name and a key; only a hash of each key is stored.

Keys come from `API_KEYS_FILE` (FORMGEN_API_KEYS_FILE, a file) or `API_KEYS` (FORMGEN_API_KEYS, the
same lines separated by newlines or commas). Each line is `name:hash`, where hash is

    <64 hex digits>                  the SHA-256 of the key: what `formgen keys NAME` prints
    scrypt$<salt-hex>$<hash-hex>     what earlier versions printed (scrypt, n=2**14, r=8, p=1); still accepted

A key `formgen keys` makes has 256 random bits, so nobody can guess one from its SHA-256 and a slow hash
adds nothing but cost: with scrypt, every wrong key cost ~60 ms per client. A presented key's SHA-256 is
compared in constant time with every client's. A scrypt line is checked once per process for each key
presented (a key that matches is then known by its SHA-256; one that does not is remembered as wrong), one
scrypt at a time. Repeated wrong keys from one address are answered 429 with Retry-After.

Blank lines and lines starting with # are ignored. Requests carry `Authorization: Bearer <key>`.
With no keys configured the API runs open; `formgen serve` allows that on loopback only.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request

from formgen.service.problems_http import problem

OPEN_CLIENT = "open"
# The API's reference and its OpenAPI document are open to all, so an integrator can read them before having a key.
PUBLIC_PATHS = frozenset({"/api/docs", "/api/openapi.json"})
CLIENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_SCRYPT = re.compile(r"^scrypt\$([0-9a-f]{32})\$([0-9a-f]{64})$")
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_KEY_PREFIX = "fgk_"
# Wrong keys remembered per process, so the same wrong key never costs a second scrypt.
_REFUSED_REMEMBERED = 4096
# Wrong keys allowed from one address in a minute before it is answered 429 (AUTH_FAILURES_PER_MINUTE).
DEFAULT_FAILURES_PER_MINUTE = 10
_WINDOW_SECONDS = 60.0
_ADDRESSES_TRACKED = 10_000


class KeyFileError(ValueError):
    """The keys file or variable has a line formgen cannot read (the message never holds a key)."""


@dataclass(frozen=True)
class Client:
    name: str
    hashed: str

    def matches(self, key: str) -> bool:
        scrypt = _SCRYPT.match(self.hashed)
        if scrypt:
            salt, expected = bytes.fromhex(scrypt.group(1)), scrypt.group(2)
            return hmac.compare_digest(_scrypt(key, salt).hex(), expected)
        return hmac.compare_digest(hashlib.sha256(key.encode()).hexdigest(), self.hashed)


def _scrypt(key: str, salt: bytes) -> bytes:
    return hashlib.scrypt(key.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)


def digest_key(key: str) -> str:
    """The stored form of a key: its SHA-256, in hex."""
    return hashlib.sha256(key.encode()).hexdigest()


def hash_key(key: str, salt: bytes | None = None) -> str:
    """The scrypt form earlier versions stored (kept so old lines can be tested and made again)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    return f"scrypt${salt.hex()}${_scrypt(key, salt).hex()}"


def new_key() -> str:
    """A fresh random key (256 bits), shown to the client once and never stored."""
    return _KEY_PREFIX + secrets.token_urlsafe(32)


def parse_lines(lines: Iterable[str], source: str) -> list[Client]:
    clients: list[Client] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        name, hashed = name.strip(), hashed.strip().lower()
        if not sep or not CLIENT_NAME.match(name):
            raise KeyFileError(f"{source}, entry {number}: expected 'name:hash' with a name of letters, digits, '.', '_' or '-'.")
        if not (_SCRYPT.match(hashed) or _SHA256_HEX.match(hashed)):
            raise KeyFileError(f"{source}, entry {number} ({name}): the hash is neither 'scrypt$salt$hash' "
                               "nor 64 hex digits; make one with `formgen keys NAME`.")
        if any(client.name == name for client in clients):
            raise KeyFileError(f"{source}: the client name '{name}' appears twice.")
        clients.append(Client(name, hashed))
    return clients


def load_clients(config: Mapping[str, Any]) -> list[Client]:
    """Every client from API_KEYS_FILE and API_KEYS (either or both)."""
    clients: list[Client] = []
    path = config.get("API_KEYS_FILE")
    if path:
        try:
            text = Path(str(path)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else type(error).__name__
            raise KeyFileError(f"cannot read the API keys file {path}: {reason}.") from None
        clients += parse_lines(text.splitlines(), str(path))
    inline = config.get("API_KEYS")
    if inline:
        clients += parse_lines(re.split(r"[\n,]", str(inline)), "API_KEYS")
    names = [client.name for client in clients]
    if len(names) != len(set(names)):
        raise KeyFileError("A client name appears in both API_KEYS_FILE and API_KEYS.")
    return clients


class KeyRing:
    """The clients' keys, known by SHA-256; scrypt lines are learned the first time their key is shown."""

    def __init__(self, clients: list[Client]) -> None:
        self.clients = clients
        self._digests = {c.name: c.hashed for c in clients if _SHA256_HEX.match(c.hashed)}
        self._unlearned = [c for c in clients if _SCRYPT.match(c.hashed)]
        self._refused: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        # One scrypt at a time per process: a flood of wrong keys cannot take every core.
        self._scrypt_gate = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.clients)

    def known(self, key: str) -> str | None:
        """The client whose SHA-256 matches the key's, or None. Every digest is compared, in constant time."""
        fingerprint = digest_key(key)
        found = None
        for name, digest in list(self._digests.items()):
            if hmac.compare_digest(digest, fingerprint) and found is None:
                found = name
        return found

    def needs_slow_check(self, key: str) -> bool:
        """Whether some scrypt line has yet to be checked against this key."""
        return bool(self._unlearned) and digest_key(key) not in self._refused

    def learn(self, key: str) -> str | None:
        """Check the key against the scrypt lines not yet learned; remember the answer either way."""
        fingerprint = digest_key(key)
        with self._scrypt_gate:
            for client in list(self._unlearned):
                if client.matches(key):
                    with self._lock:
                        self._digests[client.name] = fingerprint
                        self._unlearned.remove(client)
                    return client.name
            with self._lock:
                self._refused[fingerprint] = None
                while len(self._refused) > _REFUSED_REMEMBERED:
                    self._refused.popitem(last=False)
        return None

    def client_for(self, key: str) -> str | None:
        """The client's name for a key, or None."""
        found = self.known(key)
        if found is None and self.needs_slow_check(key):
            found = self.learn(key)
        return found


class FailureLimiter:
    """Wrong keys per address in the last minute; past the limit, how long the address must wait."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self._failures.setdefault(address, deque())
        while times and times[0] <= now - _WINDOW_SECONDS:
            times.popleft()
        return times

    def retry_after(self, address: str) -> int | None:
        """Seconds until the address may try again, or None when it may now."""
        now = time.monotonic()
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.per_minute:
                return None
            return max(1, math.ceil(times[0] + _WINDOW_SECONDS - now))

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
            self._failures.move_to_end(address)
            while len(self._failures) > _ADDRESSES_TRACKED:
                self._failures.popitem(last=False)


def _unauthorised(detail: str) -> Response:
    response = problem(401, "Unauthorized", detail, "/problems/unauthorized")
    response.headers["WWW-Authenticate"] = 'Bearer realm="formgen"'
    return response


def keyring(app: Flask) -> KeyRing:
    ring = app.extensions.get("formgen_keys")
    assert isinstance(ring, KeyRing), "auth.init_app(app) was not called"
    return ring


def _too_many(wait: int) -> Response:
    response = problem(429, "Too Many Requests",
                       f"Too many wrong API keys from this address. Wait {wait} seconds, then try again with a valid key.",
                       "/problems/too-many-attempts")
    response.headers["Retry-After"] = str(wait)
    return response


def init_app(app: Flask) -> None:
    ring = KeyRing(load_clients(app.config))
    app.extensions["formgen_keys"] = ring
    limiter = FailureLimiter(int(app.config.get("AUTH_FAILURES_PER_MINUTE", DEFAULT_FAILURES_PER_MINUTE)))

    @app.before_request
    def _authenticate() -> Response | None:
        if not (request.path == "/api" or request.path.startswith("/api/")) or request.path in PUBLIC_PATHS:
            return None
        g.client = OPEN_CLIENT
        if not ring.enabled:
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if not header:
            return _unauthorised("Send an API key as 'Authorization: Bearer <key>'.")
        if scheme.lower() != "bearer" or not key.strip():
            return _unauthorised("The Authorization header must be 'Bearer <key>'.")
        key = key.strip()
        name = ring.known(key)
        if name is None:
            # A valid key always gets in; only wrong ones are counted and slowed.
            address = request.remote_addr or "unknown"
            wait = limiter.retry_after(address)
            if wait is not None:
                return _too_many(wait)
            name = ring.learn(key) if ring.needs_slow_check(key) else None
            if name is None:
                limiter.failed(address)
                return _unauthorised("The API key is not recognised. Check it, or ask for a new one.")
        g.client = name
        return None
