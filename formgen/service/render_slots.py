"""How many documents one worker process lays out at once (RENDERS_PER_WORKER, default 4).

`formgen serve` gives each worker several threads so that slow clients hold a thread, not a worker. Laying
out a document is CPU work: more of it at once than there are cores only adds memory (each render holds its
document while it runs) and makes every render slower. So threads wait here for a slot; a request that
cannot get one within RENDER_WAIT_SECONDS (a minute) is a 503 problem, not a hang. docs/security.md has
the measurement behind the default.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app

from formgen.service.problems_http import HTTPProblem

DEFAULT_PER_WORKER = 4
DEFAULT_WAIT_SECONDS = 60.0


def init_app(app: Flask) -> None:
    app.extensions["formgen_render_slots"] = threading.BoundedSemaphore(
        int(app.config.get("RENDERS_PER_WORKER", DEFAULT_PER_WORKER)))


@contextmanager
def render_slot() -> Iterator[None]:
    slots = current_app.extensions["formgen_render_slots"]
    if not slots.acquire(timeout=float(current_app.config.get("RENDER_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))):
        raise HTTPProblem(503, "Service Unavailable", "Every renderer is busy. Nothing was rendered; try again "
                          "in a minute.", "/problems/busy")
    try:
        yield
    finally:
        slots.release()
