"""Turn marshmallow's nested error messages into the contract's flat field paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """{'family': {1: {'dob': ['x']}}} -> {'family.1.dob': ['x']}.

    Errors marshmallow files under '_schema' belong to the object that holds them; at the top level
    they keep the name '_schema'.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix or "_schema"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for sub_path, texts in flatten_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(texts)
    elif isinstance(messages, list) and all(isinstance(item, str) for item in messages):
        flat[prefix or "_schema"] = list(messages)
    elif isinstance(messages, list):
        for item in messages:
            for sub_path, texts in flatten_errors(item, prefix).items():
                flat.setdefault(sub_path, []).extend(texts)
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat
