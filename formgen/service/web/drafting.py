"""A draft as the pages keep it: the body so far and what the pages know about it, saved after every submit.

The draft store (formgen/store/drafts.py) encrypts the whole of it; this module only says what is in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DraftState:
    body: dict[str, Any] = field(default_factory=dict)
    # Pages saved at least once (task slugs, and "slug/2" for an item): their errors are shown from then on.
    saved: list[str] = field(default_factory=list)
    # Answers filled in from a document or a case system, not yet checked on their page: path -> from what.
    unchecked: dict[str, str] = field(default_factory=dict)
    notice: str | None = None       # shown once on the task list: what an upload filled in, what was removed
    notice_lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    room: dict[str, int] = field(default_factory=dict)  # path -> the length that fits the page limit (measured)
    finished: bool = False          # checked and confirmed: ready to download

    @classmethod
    def from_json(cls, content: Mapping[str, Any]) -> DraftState:
        known = {name: content[name] for name in cls.__dataclass_fields__ if name in content}
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def mark_saved(self, key: str) -> None:
        if key not in self.saved:
            self.saved.append(key)

    def checked(self, prefixes: Iterable[str]) -> None:
        """The person has seen (and saved) these answers: they are no longer marked as filled in for them."""
        chosen = tuple(prefixes)
        self.unchecked = {path: source for path, source in self.unchecked.items()
                          if not any(path == p or path.startswith(p + ".") for p in chosen)}

    def said(self) -> None:
        """A notice is shown once: the next submit clears it."""
        self.notice, self.notice_lines, self.warnings = None, [], []
