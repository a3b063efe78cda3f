"""Page counting and the page-limit check."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import Any

from pypdf import PdfReader

from formgen.core.errors import PageLimitExceeded

# A line break costs about a line of text in a table cell this wide.
_CHARS_PER_LINE = 80


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


def enforce_limit(pages: int, max_pages: int | None, data: Mapping[str, Any]) -> None:
    if max_pages is not None and pages > max_pages:
        raise PageLimitExceeded(pages, max_pages, longest_answers(data))
