"""The bare reportlab Flask app `formgen serve` is compared with (benchmarks/peers.py).

One route, addressed as formgen's render route is, that turns the posted JSON into a PDF by having
reportlab's platypus set **the same story formgen's PDF has**: the very flowables formgen's layout makes
for that body (benchmarks/peers.py `story`, cells wrapped once), on a plain SimpleDocTemplate with no
headers, footers, fields, tags or embedded data. That is the platypus floor of the issue, served: no
validation, no Word template, no page check, no audit.

The story is made once per distinct body (by formgen, on the first request with it: the load generator's
warm-up) and kept pickled; each request parses its body, unpickles a fresh copy of the story (reportlab
flowables keep state once laid out, so a laid-out one cannot be set again; the copy costs ~0.7 ms CPU on
the pro forma, charged to this app) and sets it. So the app does per request what reportlab alone must do
to set that document, and nothing of formgen's.

Before 2026-11-30 this app set the body's answers as a two-column table of path and text: about half the
words of formgen's pro forma (384 of 737), in Helvetica with no embedded fonts (a 4.5 KB PDF against 89 KB),
so `formgen serve` was compared with a different, smaller document.
"""

from __future__ import annotations

import io
import pickle
import threading
from typing import Any

from flask import Flask, Response, jsonify, request
from reportlab.platypus import SimpleDocTemplate

from formgen.engine.pipeline import warm_up

app = Flask(__name__)
# Fonts and templates loaded before the workers fork, as `formgen serve` does: neither app's first timed
# request pays for them.
warm_up()
_STORIES: dict[tuple[str, bytes], tuple[bytes, tuple[float, float]]] = {}
_LOCK = threading.Lock()


def _story(form_id: str, raw: bytes, body: Any) -> tuple[bytes, tuple[float, float]]:
    """The pickled story and page size formgen's layout makes for this body (made once, outside the timed part)."""
    key = (form_id, raw)
    with _LOCK:
        found = _STORIES.get(key)
        if found is None:
            from peers import story

            from formgen.core.registry import get_form

            flowables, size = story(get_form(form_id), body)
            found = _STORIES[key] = (pickle.dumps(flowables, protocol=pickle.HIGHEST_PROTOCOL), size)
    return found


def set_story(flowables: list[Any], size: tuple[float, float]) -> bytes:
    """reportlab setting a story on a plain page template: the platypus floor (as floors.pdf_floor)."""
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=size, invariant=1, pageCompression=1).build(flowables)
    return out.getvalue()


@app.post("/api/forms/<form_id>/render")
def render(form_id: str) -> Response:
    raw = request.get_data()
    body = request.get_json()
    pickled, size = _story(form_id, raw, body)
    return Response(set_story(pickle.loads(pickled), size), mimetype="application/pdf")


@app.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})
