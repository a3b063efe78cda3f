"""Write first drafts of the Word templates: `python -m tools.draft_templates [FORM_ID ...]`.

Each module in tools/drafts/ has `draft() -> Document` for the form named like the module
(underscores for hyphens). The templates in templates/ are the source of truth once committed: after
editing one in Word, do not re-run its draft.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

from formgen.core.paths import TEMPLATES_DIR
from tools import drafts
from tools.docx_drafting import lean


def main(argv: list[str]) -> int:
    names = [m.name for m in pkgutil.iter_modules(drafts.__path__)]
    wanted = {a.replace("-", "_") for a in argv} or set(names)
    for name in sorted(wanted):
        module = importlib.import_module(f"tools.drafts.{name}")
        path = TEMPLATES_DIR / f"{name.replace('_', '-')}.docx"
        lean(module.draft()).save(path)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
