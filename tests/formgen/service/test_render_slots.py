"""At most RENDERS_PER_WORKER renders at once in one process; a render that waits too long is a 503."""

from __future__ import annotations

import copy
from typing import Any

from api import create_app
from formgen.core.registry import get_form

FORM = "manchester-allocations-pro-forma"


def _example() -> dict[str, Any]:
    return copy.deepcopy(dict(get_form(FORM).example))


def test_a_render_that_cannot_get_a_renderer_in_time_is_a_503_not_a_hang() -> None:
    app = create_app({"TESTING": True, "RENDERS_PER_WORKER": 1, "RENDER_WAIT_SECONDS": 0.2})
    slots = app.extensions["formgen_render_slots"]
    assert slots.acquire(timeout=1)  # another thread is laying out a document
    try:
        busy = app.test_client().post(f"/api/forms/{FORM}/validate", json=_example())
    finally:
        slots.release()
    assert busy.status_code == 503 and busy.json["type"] == "/problems/busy"
    assert app.test_client().post(f"/api/forms/{FORM}/validate", json=_example()).status_code == 200
