"""Fingerprints of a corpus of documents, to prove a speed-up changes no byte it should not.

    python benchmarks/identity.py > before.json     # on the commit before the change
    python benchmarks/identity.py --compare before.json

The corpus: every form's example in both formats, each example grown to 3 and 12 entries of its longest
list (the 40-case agenda too), and each example with its first free text in several scripts. A case the
form refuses (a page limit, say) is fingerprinted as its error, so a change in what is refused shows too.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

# The code beside these benchmarks, not whichever tree `formgen` was installed from (a git worktree).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# A fixed signing key: with none set, each process signs the embedded data with a random one and no two
# runs could be compared (formgen/documents/signing.py).
os.environ.setdefault("FORMGEN_DOCUMENT_KEYS", "identity-benchmark-key-not-a-secret-0123456789")

from stages import grown_body

from formgen.core.errors import FormgenError
from formgen.core.registry import FormSpec, all_forms
from formgen.engine import pipeline

SCRIPTS = {
    "latin": "Zoë Ó Súilleabháin-Nguyễn: <b>&amp;</b> {{ not a template }}",
    "arabic": "مريم الحسيني",
    "urdu-mixed": "Mum said: وہ اسکول جاتی ہے 3 دن a week",
    "bengali": "রহিম উদ্দিন",
    "chinese": "王小明",
    "emoji": "😀 👍🏽 ❤",
    "lines": "First line\nsecond\tline\r\nthird",
}


def _first_text_path(value: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    if isinstance(value, str) and len(value) > 40:
        return path
    items = value.items() if isinstance(value, Mapping) else enumerate(value) if isinstance(value, list) else []
    for key, item in items:
        found = _first_text_path(item, (*path, key))
        if found is not None:
            return found
    return None


def bodies(spec: FormSpec) -> Iterator[tuple[str, Any]]:
    yield "example", spec.example
    for count in (3, 12, 40):
        try:
            yield f"grown-{count}", grown_body(spec, count)
        except LookupError:
            break
    path = _first_text_path(spec.example)
    for name, text in SCRIPTS.items() if path else ():
        body: Any = copy.deepcopy(dict(spec.example))
        target = body
        for key in path[:-1]:  # type: ignore[index]
            target = target[key]
        target[path[-1]] = text  # type: ignore[index]
        yield f"script-{name}", body


def fingerprints() -> dict[str, str]:
    found: dict[str, str] = {}
    for form_id, spec in all_forms().items():
        for name, body in bodies(spec):
            for fmt in spec.formats:
                try:
                    content = pipeline.render(spec, body, fmt).content
                except FormgenError as error:
                    content = f"{type(error).__name__}: {error.detail}".encode()
                found[f"{form_id} {name} {fmt}"] = hashlib.sha256(content).hexdigest()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", type=Path, help="a JSON file of earlier fingerprints")
    args = parser.parse_args(argv)
    now = fingerprints()
    if not args.compare:
        json.dump(now, sys.stdout, indent=1, sort_keys=True)
        return 0
    before = json.loads(args.compare.read_text())
    changed = sorted(key for key in before.keys() | now.keys() if before.get(key) != now.get(key))
    for key in changed:
        print(f"changed: {key}")
    print(f"{len(now) - len(changed)} of {len(now)} documents identical")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
