"""The server's signature on the data a document carries (HMAC-SHA256), so a document cannot be forged.

Keys come from FORMGEN_DOCUMENT_KEYS: one or more secrets (at least 32 characters each), separated by
commas, newest first. Documents are signed with the newest; any listed key verifies, so a key is
rotated by putting the new one first and dropping the old one once its documents are no longer read.
Every host and worker reading the same documents needs the same keys.

With no keys set (a laptop run), a random key is made once per process, when this module is first
imported (before gunicorn forks its workers, so they share it): documents then read back only until the
server restarts. `configured()` tells a server whether keys were given, so it can refuse to run without.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

ENV = "FORMGEN_DOCUMENT_KEYS"
ALGORITHM = "HMAC-SHA256"
MIN_KEY_CHARACTERS = 32
_PER_PROCESS = secrets.token_urlsafe(32)


class DocumentKeysError(ValueError):
    """FORMGEN_DOCUMENT_KEYS is set but unusable."""


@dataclass(frozen=True)
class Key:
    secret: bytes

    @property
    def id(self) -> str:
        """A short public name for the key (not the key): which key signed a document."""
        return hashlib.sha256(b"formgen-document-key:" + self.secret).hexdigest()[:12]


def configured() -> bool:
    return bool(os.environ.get(ENV, "").strip())


def keys() -> list[Key]:
    """The keys in force, newest first."""
    raw = os.environ.get(ENV, "")
    given = [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]
    if not given:
        if raw.strip():  # set, but only separators: a per-process key would pass for configured keys
            raise DocumentKeysError(f"{ENV} is set but holds no key: give one or more keys separated by commas.")
        return [Key(_PER_PROCESS.encode())]
    short = [index + 1 for index, key in enumerate(given) if len(key) < MIN_KEY_CHARACTERS]
    if short:
        raise DocumentKeysError(f"{ENV}: key {', '.join(map(str, short))} is shorter than {MIN_KEY_CHARACTERS} characters.")
    return [Key(key.encode("utf-8")) for key in given]


def mac(key: Key, message: bytes) -> str:
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def sign(message: bytes) -> dict[str, str]:
    """The signature of `message` with the newest key: deterministic, so documents stay reproducible."""
    newest = keys()[0]
    return {"alg": ALGORITHM, "key": newest.id, "mac": mac(newest, message)}


def verify(message: bytes, signature: object) -> None:
    """Return when `signature` is a valid signature of `message` by a key in force, else ValueError saying why."""
    if not isinstance(signature, dict) or signature.get("alg") != ALGORITHM or not isinstance(signature.get("mac"), str):
        raise ValueError("Its signature is not one this service makes.")
    known = {key.id: key for key in keys()}
    key = known.get(str(signature.get("key")))
    if key is None:
        raise ValueError("It was signed with a key this service does not hold: it was made by another installation "
                         "of it, or before this one's keys were changed.")
    if not hmac.compare_digest(mac(key, message), signature["mac"]):
        raise ValueError("Its data was changed after this service made it: the signature does not match.")
