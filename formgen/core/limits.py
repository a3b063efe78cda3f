"""Limits checked before the work they bound is done: JSON numbers, nesting depth, errors per answer.

A request body is at most 1 MB, but 1 MB can hold 300,000 list items, a 5,000-digit number or a
thousand-deep nesting. Each is refused on sight, so the cost of a hostile body is the cost of parsing
it and no more. Lists and text are bounded by their fields (formgen/core/fields.py).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

# No answer of any form is a number longer than this (levels of need are 1 digit). Python refuses to
# convert one over 4,300 digits at all (sys.int_max_str_digits), and shorter ones cost quadratic time.
MAX_NUMBER_CHARACTERS = 20
# The deepest form is five levels (body > list > row > group > answer); anything past this is hostile.
MAX_DEPTH = 16
# Objects and lists in one body: a 40-case agenda has about 2,000. Parsing 1 MB of `[[[...]]]` would
# make 500,000 of them (50 MB) before any field could refuse them; 10,000 rows still get a field's error.
MAX_CONTAINERS = 50_000
# One answer names at most this many fields; the rest are counted, not listed.
MAX_ERRORS = 50


class OversizedNumber:
    """Stands in for a JSON number too long to be any answer: no field accepts it, and it is never
    converted (which is what would cost the time)."""

    __slots__ = ("characters",)

    def __init__(self, characters: int) -> None:
        self.characters = characters

    def __repr__(self) -> str:
        return f"OversizedNumber({self.characters} characters)"


def bounded_int(text: str) -> int | OversizedNumber:
    """json.loads(parse_int=...): the int, or OversizedNumber past MAX_NUMBER_CHARACTERS."""
    if len(text) > MAX_NUMBER_CHARACTERS:
        return OversizedNumber(len(text))
    return int(text)


def bounded_float(text: str) -> float | OversizedNumber:
    """json.loads(parse_float=...): 1e999 would read as infinity, which is not JSON either."""
    if len(text) > MAX_NUMBER_CHARACTERS:
        return OversizedNumber(len(text))
    value = float(text)
    return value if math.isfinite(value) else OversizedNumber(len(text))


class TooDeep(RecursionError):
    """Nested deeper than MAX_DEPTH (a RecursionError, so callers that caught the parser's own keep working)."""


class TooMany(ValueError):
    """More objects and lists than MAX_CONTAINERS."""


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')
_INNERMOST = re.compile(rb"\[\]|\{\}")


def check_shape(raw: bytes | str, limit: int = MAX_DEPTH, most: int = MAX_CONTAINERS) -> None:
    """Raise TooMany past `most` objects and lists, TooDeep when they nest deeper than `limit`.

    Works on the text before it is parsed, in C (regular expressions and bytes methods): parsing, or a
    Python walk over 300,000 list items, would itself be the cost this check is there to avoid. Text
    that is not JSON passes or fails here as it may; the parser then says what is wrong with it.
    """
    text = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    # Without escaped backslashes and quotes, every quote opens or closes a string; keep only quotes and
    # brackets, drop the strings that hold no bracket, then the brackets inside the rest (every other piece).
    # All in C, and no list of a piece per string, which would itself cost 45 MB for 500,000 strings.
    structure = text.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = b"".join(structure.split(b'"')[0::2])
    if len(brackets) > 2 * most:
        raise TooMany(f"it holds more than {most:,} objects and lists; no form has that many")
    for _ in range(limit):
        brackets, removed = _INNERMOST.subn(b"", brackets)
        if not brackets or not removed:
            return
    if brackets:
        raise TooDeep(f"The data is nested more than {limit} levels deep; no form is.")


def loads(raw: bytes | str, *, object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
          parse_constant: Callable[[str], Any] | None = None) -> Any:
    """json.loads with the shape checked first (TooMany, TooDeep) and numbers bounded (OversizedNumber)."""
    check_shape(raw)
    return json.loads(raw, object_pairs_hook=object_pairs_hook, parse_constant=parse_constant,
                      parse_int=bounded_int, parse_float=bounded_float)


def cap_errors(errors: Mapping[str, list[str]], limit: int = MAX_ERRORS) -> dict[str, list[str]]:
    """The first `limit` fields' errors; the rest counted under `_schema`, so an answer stays small."""
    if len(errors) <= limit:
        return dict(errors)
    kept = dict(list(errors.items())[:limit])
    if "_schema" in errors and "_schema" not in kept:
        kept["_schema"] = list(errors["_schema"][:limit])
    more = len(errors) - len(kept)
    kept.setdefault("_schema", []).append(
        f"{more} more field{'s' if more != 1 else ''} also need{'s' if more == 1 else ''} correcting; "
        f"only the first {limit} are listed. Correct these and send the body again."
    )
    return kept
