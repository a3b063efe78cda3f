"""API keys for /api/*: each client has a name and a key; only a slow hash of each key is stored.

Keys come from `API_KEYS_FILE` (FORMGEN_API_KEYS_FILE, a file) or `API_KEYS` (FORMGEN_API_KEYS, the
same lines separated by newlines or commas). Each line is `name:hash`, where hash is

    scrypt$<salt-hex>$<hash-hex>     what `formgen keys NAME` prints (scrypt, n=2**14, r=8, p=1)
    <64 hex digits>                  the SHA-256 of a key (accepted for keys made elsewhere)

Blank lines and lines starting with # are ignored. Requests carry `Authorization: Bearer <key>`.
With no keys configured the API runs open; `formgen serve` allows that on loopback only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request

from formgen.service.problems_http import problem

OPEN_CLIENT = "open"
CLIENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
_SCRYPT = re.compile(r"^scrypt\$([0-9a-f]{32})\$([0-9a-f]{64})$")
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_KEY_PREFIX = "fgk_"


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


def hash_key(key: str, salt: bytes | None = None) -> str:
    """The stored form of a key: scrypt with a random salt."""
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
        clients += parse_lines(Path(str(path)).read_text(encoding="utf-8").splitlines(), str(path))
    inline = config.get("API_KEYS")
    if inline:
        clients += parse_lines(re.split(r"[\n,]", str(inline)), "API_KEYS")
    names = [client.name for client in clients]
    if len(names) != len(set(names)):
        raise KeyFileError("A client name appears in both API_KEYS_FILE and API_KEYS.")
    return clients


class KeyRing:
    """The clients, with a small in-memory cache of keys already verified (by their SHA-256)."""

    def __init__(self, clients: list[Client]) -> None:
        self.clients = clients
        self._verified: dict[str, str] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(self.clients)

    def client_for(self, key: str) -> str | None:
        """The client's name for a key, or None. A slow hash per client on a cache miss."""
        fingerprint = hashlib.sha256(key.encode()).hexdigest()
        cached = self._verified.get(fingerprint)
        if cached is not None:
            return cached
        found = None
        for client in self.clients:
            # Every client is tried, so the time taken does not tell which one came close.
            if client.matches(key) and found is None:
                found = client.name
        if found is not None:
            with self._lock:
                if len(self._verified) < 4 * len(self.clients) + 16:
                    self._verified[fingerprint] = found
        return found


def _unauthorised(detail: str) -> Response:
    response = problem(401, "Unauthorized", detail, "/problems/unauthorized")
    response.headers["WWW-Authenticate"] = 'Bearer realm="formgen"'
    return response


def keyring(app: Flask) -> KeyRing:
    ring = app.extensions.get("formgen_keys")
    assert isinstance(ring, KeyRing), "auth.init_app(app) was not called"
    return ring


def init_app(app: Flask) -> None:
    ring = KeyRing(load_clients(app.config))
    app.extensions["formgen_keys"] = ring

    @app.before_request
    def _authenticate() -> Response | None:
        g.client = OPEN_CLIENT
        if not ring.enabled or not (request.path == "/api" or request.path.startswith("/api/")):
            return None
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if not header:
            return _unauthorised("Send an API key as 'Authorization: Bearer <key>'.")
        if scheme.lower() != "bearer" or not key.strip():
            return _unauthorised("The Authorization header must be 'Bearer <key>'.")
        name = ring.client_for(key.strip())
        if name is None:
            return _unauthorised("The API key is not recognised. Check it, or ask for a new one.")
        g.client = name
        return None
