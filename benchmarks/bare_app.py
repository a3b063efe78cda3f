"""The bare reportlab Flask app `formgen serve` is compared with (benchmarks/peers.py).

One route, as formgen's render route is addressed, that sets the posted body's answers as a two-column
table of label and text with reportlab's platypus: no validation, no Word template, no page check, no
embedded data, no audit. It is the least a service can do to turn the same JSON into a PDF of about the
same size with the same library.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape

from flask import Flask, Response, jsonify, request
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table

app = Flask(__name__)
_STYLES = getSampleStyleSheet()


def _answers(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _answers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _answers(item, f"{path}.{index}")
    else:
        yield path, str(value)


@app.post("/api/forms/<form_id>/render")
def render(form_id: str) -> Response:
    body = request.get_json()
    rows = [[Paragraph(escape(label), _STYLES["BodyText"]), Paragraph(escape(text).replace("\n", "<br/>"),
                                                                      _STYLES["BodyText"])]
            for label, text in _answers(body)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, invariant=1).build([Paragraph(escape(form_id), _STYLES["Title"]),
                                                            Table(rows, colWidths=[150, 330])])
    return Response(out.getvalue(), mimetype="application/pdf")


@app.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})
