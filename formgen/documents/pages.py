"""Page counting and the page-limit check, which says how much to cut, measured with the real layout."""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pypdf import PdfReader

from formgen.core.errors import Cut, PageLimitExceeded

# A line break costs about a line of text in a table cell this wide; also how cuts are put in lines.
_CHARS_PER_LINE = 80
# Only answers longer than this are shortened when measuring: short ones (names, dates, choices) are not prose.
PROSE_CHARACTERS = 100
# The measuring stops once it knows the cut to within this many characters, or after this many layouts or
# seconds (whichever comes first); the answer is then the smallest cut it found that fits.
_PRECISION = 40
_MAX_LAYOUTS = 12
_MAX_SECONDS = 20.0

Measure = Callable[[Mapping[str, Any]], int]


def count_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _text_fields(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _text_fields(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _text_fields(item, f"{path}.{index}" if path else str(index))


def longest_answers(data: Mapping[str, Any], count: int = 3) -> list[tuple[str, int]]:
    """The free-text answers that take the most room, longest first, as (path, characters)."""
    weighed = [
        (path, len(text), len(text) + text.count("\n") * _CHARS_PER_LINE)
        for path, text in _text_fields(data)
    ]
    weighed.sort(key=lambda item: (-item[2], item[0]))
    return [(path, length) for path, length, _ in weighed[:count]]


def _capped(value: Any, cap: int) -> Any:
    """The data with every prose answer longer than `cap` cut to `cap` characters."""
    if isinstance(value, str):
        return value[:cap] if len(value) > max(cap, PROSE_CHARACTERS) else value
    if isinstance(value, Mapping):
        return {key: _capped(item, cap) for key, item in value.items()}
    if isinstance(value, list):
        return [_capped(item, cap) for item in value]
    return copy.copy(value)


def fitting_cap(data: Mapping[str, Any], max_pages: int, measure: Measure) -> int | None:
    """The longest length every prose answer may keep for the document to fit (a bisection over the real
    layout: cutting the longest answers first, down to the next longest, is the least rewriting). None when
    even short answers would not fit (the room goes on rows or tables, not on prose)."""
    lengths = [len(text) for _, text in _text_fields(data) if len(text) > PROSE_CHARACTERS]
    if not lengths:
        return None
    low, high = PROSE_CHARACTERS, max(lengths)  # `high` is known not to fit: the document as it is
    deadline = time.monotonic() + _MAX_SECONDS
    fits_at: int | None = None
    if measure(_capped(data, low)) > max_pages:
        return None
    fits_at = low
    for _ in range(_MAX_LAYOUTS - 1):
        if high - low <= _PRECISION or time.monotonic() > deadline:
            break
        middle = (low + high) // 2
        if measure(_capped(data, middle)) <= max_pages:
            low = fits_at = middle
        else:
            high = middle
    return fits_at


def cuts(data: Mapping[str, Any], cap: int) -> list[Cut]:
    """Each answer longer than `cap`, longest first, with the characters (and about the lines) to cut."""
    over = [(path, len(text)) for path, text in _text_fields(data) if len(text) > max(cap, PROSE_CHARACTERS)]
    over.sort(key=lambda item: (-item[1], item[0]))
    return [Cut(path, length, _round_up(length - cap), _lines(length - cap)) for path, length in over]


def _round_up(characters: int) -> int:
    """A cut said "about" rounds up to a tidy number, so doing what it says is enough."""
    step = 100 if characters >= 1000 else 10
    return -(-characters // step) * step


def _lines(characters: int) -> int:
    return max(1, round(characters / _CHARS_PER_LINE))


def enforce_limit(pages: int, max_pages: int | None, data: Mapping[str, Any], measure: Measure | None = None) -> None:
    """PageLimitExceeded when over; with `measure` (data -> pages with the real layout), it says how much to cut."""
    if max_pages is None or pages <= max_pages:
        return
    cap = fitting_cap(data, max_pages, measure) if measure is not None else None
    if cap is None:
        raise PageLimitExceeded(pages, max_pages, longest_answers(data))
    measured = cuts(data, cap)
    raise PageLimitExceeded(pages, max_pages, [(cut.field, cut.characters) for cut in measured], measured)
