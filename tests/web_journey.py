"""The task pages' journey helpers (tests/formgen/service/web/journey.py) for tests outside that folder.

journey.py takes `csrf_token` from `conftest`, which is its own folder's conftest only while pytest is collecting
that folder; elsewhere `conftest` is another folder's. So it is imported here with its folder's conftest in place.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

WEB = Path(__file__).resolve().parent / "formgen" / "service" / "web"


def _journey() -> ModuleType:
    if "journey" in sys.modules:
        return sys.modules["journey"]
    if str(WEB) not in sys.path:
        sys.path.insert(0, str(WEB))
    spec = importlib.util.spec_from_file_location("web_conftest", WEB / "conftest.py")
    assert spec is not None and spec.loader is not None
    web_conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(web_conftest)
    before = sys.modules.get("conftest")
    sys.modules["conftest"] = web_conftest
    try:
        return importlib.import_module("journey")
    finally:
        if before is None:
            sys.modules.pop("conftest", None)
        else:
            sys.modules["conftest"] = before


journey = _journey()
csrf_token = journey.csrf_token
finish = journey.finish
start = journey.start
start_from_file = journey.start_from_file
tasks = journey.tasks
