"""Wrong, oversized and hostile input: each gets a deliberate answer, never a corrupt document or a 500."""

from __future__ import annotations

import copy
import io
import json
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from helpers import docx_text, pdf_reader, pdf_text, squash
from reportlab.pdfbase.pdfmetrics import stringWidth

from formgen.core.registry import FormSpec, get_form
from formgen.documents.fonts import register_fonts
from formgen.service.openapi import form_json_schema

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MANCHESTER = "manchester-allocations-pro-forma"
Path_ = tuple[str | int, ...]


# ---------------------------------------------------------------- finding each form's free text


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node or "anyOf" in node:
        if "anyOf" in node:  # an optional object: the branch that is not null
            branch = next(b for b in node["anyOf"] if b.get("type") != "null")
            node = {**branch, **{k: v for k, v in node.items() if k != "anyOf"}}
            continue
        target = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _strings(schema: dict[str, Any], node: dict[str, Any], value: Any, path: Path_) -> Iterator[tuple[Path_, int]]:
    """(path, maxLength) of every plain text value in a body: not a choice, date or e-mail."""
    node = _resolve(schema, node)
    if isinstance(value, str):
        if "maxLength" in node and "enum" not in node and "format" not in node:
            yield path, int(node["maxLength"])
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(schema, node["properties"][key], item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(schema, node["items"], item, (*path, index))


def free_text(form: FormSpec) -> Path_:
    """The example's longest-allowed free-text answer (printed in a table cell or a paragraph)."""
    schema = form_json_schema(form.id)
    found = sorted(_strings(schema, schema, form.example, ()), key=lambda item: (-item[1], len(item[0])))
    assert found, f"{form.id}: the example has no free text"
    return found[0][0]


def with_value(body: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def dotted(path: Path_) -> str:
    return ".".join(str(part) for part in path)


def render(client: FlaskClient, form_id: str, body: Any, fmt: str) -> bytes:
    response = client.post(f"/api/forms/{form_id}/render?format={fmt}", json=body)
    assert response.status_code == 200, response.get_json()
    return response.data


def document_text(content: bytes, fmt: str) -> str:
    return pdf_text(content) if fmt == "pdf" else docx_text(content)


# ---------------------------------------------------------------- text that looks like code prints literally

LOOKALIKES = [
    "{{ 7 * 7 }} and {{ child.name }}",
    "{% if true %}shown{% endif %} {%p if x %} {%tr for r in rows %} {# note #}",
    "{{'{{'}} {_{ }_} }}{{ {%",
    "<b>bold</b> <i>it</i> <font color=\"red\" size=\"40\">red</font> <br/> <para> <a href=\"x\">link</a>",
    "&amp; &lt;tag&gt; &#169; &nbsp; AT&T 5 < 6 > 4 \"quotes\" 'single'",
    "<w:p><w:r><w:t>injected</w:t></w:r></w:p> ]]> <![CDATA[ x ]]>",
]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("text", LOOKALIKES)
def test_template_and_markup_lookalikes_print_literally(client: FlaskClient, form: FormSpec, fmt: str, text: str) -> None:
    path = free_text(form)
    content = render(client, form.id, with_value(dict(form.example), path, text), fmt)
    assert squash(text) in squash(document_text(content, fmt))
    assert "49" not in squash(document_text(content, fmt)).split(squash(text))[0][-3:]


# ---------------------------------------------------------------- characters XML cannot hold: 422 naming the field


@pytest.mark.parametrize(
    ("character", "code"),
    [("\x00", "U+0000"), ("\x07", "U+0007"), ("\x0b", "U+000B"), ("\x1b", "U+001B"), ("\x7f", "U+007F"),
     ("\ufffe", "U+FFFE"), ("\ud800", "U+D800")],
)
@pytest.mark.parametrize("endpoint", ["render?format=pdf", "render?format=docx", "validate"])
def test_control_characters_are_a_422_naming_the_field(client: FlaskClient, form: FormSpec, character: str, code: str,
                                                       endpoint: str) -> None:
    path = free_text(form)
    body = with_value(dict(form.example), path, f"Before{character}after")
    # A lone surrogate cannot be sent as UTF-8; JSON carries it as an escape.
    response = client.post(f"/api/forms/{form.id}/{endpoint}", data=_json_ascii(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"] == {
        dotted(path): [f"Contains a control character ({code}) that a document cannot hold. Remove it and try again."]
    }


def _json_ascii(body: Any) -> str:
    import json

    return json.dumps(body, ensure_ascii=True)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_tabs_and_line_breaks_are_allowed(client: FlaskClient, form: FormSpec, fmt: str) -> None:
    path = free_text(form)
    content = render(client, form.id, with_value(dict(form.example), path, "One\ttab\r\nTwo\rThree\nFour"), fmt)
    text = document_text(content, fmt)
    assert "Two\nThree\nFour" in text
    # A PDF's fillable fields may drop the tab itself (noted for the lead); the words stay, in order.
    assert "Onetab" in text.replace(" ", "").replace("\t", "").replace("\xa0", "")


# ---------------------------------------------------------------- long words and URLs wrap inside the page

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
LONG_URL = "https://example.org/" + "/".join(f"segment{n:03d}" for n in range(30)) + "?q=" + "x" * 80


def _right_edges(content: bytes) -> Iterator[tuple[str, float, float]]:
    """Each text fragment drawn in a PDF, its right edge and its page's width (points)."""
    font = register_fonts()
    for page in pdf_reader(content).pages:
        width = float(page.mediabox.width)
        fragments: list[tuple[str, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: Any, size: float,
                  fragments: list[tuple[str, float, float]] = fragments, width: float = width) -> None:
            if text.strip():
                left = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                bold = "Bold" in str((_font or {}).get("/BaseFont", ""))
                drawn = stringWidth(text.strip("\n"), f"{font}-Bold" if bold else font, size) * tm[0] * cm[0]
                fragments.append((text, left + drawn, width))

        page.extract_text(visitor_text=visit)
        yield from fragments


@pytest.mark.parametrize("word", [LONG_WORD, LONG_URL], ids=["long-word", "long-url"])
def test_long_words_and_urls_wrap_inside_the_page(client: FlaskClient, form: FormSpec, word: str) -> None:
    path = free_text(form)
    body = with_value(dict(form.example), path, f"See {word} for details.")
    pdf = render(client, form.id, body, "pdf")
    edges = list(_right_edges(pdf))
    assert edges
    for text, right, width in edges:
        assert right <= width - 20, f"{text[:40]!r} runs to {right:.0f}pt on a {width:.0f}pt page"
    # Broken across lines, but every character is there, in order.
    assert word in pdf_text(pdf).replace("\n", "").replace(" ", "")
    assert word in docx_text(render(client, form.id, body, "docx"))


# ---------------------------------------------------------------- emoji, right-to-left and zero-width characters

ODD = [
    "Emoji 👩‍👧‍👦 🧒🏽 ❤️ done",
    "Right to left: עברית and العربية, then English",
    "Zero\u200bwidth\u200cjoiners\u200d and\u2060word joiner and \ufeffBOM",
    "Overrides \u202eevil\u202c and \u2066isolate\u2069 marks",
    "Combining: e\u0301 n\u0303 Z\u0351\u0358\u0336a\u0337l\u0335g\u0334o",
]


@pytest.mark.parametrize("text", ODD, ids=["emoji", "rtl", "zero-width", "bidi-override", "combining"])
def test_odd_unicode_neither_crashes_nor_corrupts(client: FlaskClient, form: FormSpec, text: str) -> None:
    path = free_text(form)
    body = with_value(dict(form.example), path, text)
    docx = render(client, form.id, body, "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert archive.testzip() is None
    assert text in docx_text(docx)
    pdf = render(client, form.id, body, "pdf")
    # The PDF opens and keeps the text around the odd characters (emoji and Arabic have no glyph in
    # Liberation Sans and print blank; see docs/security.md).
    extracted = squash(pdf_text(pdf))
    assert len(pdf_reader(pdf).pages) >= 1
    for latin in ("done", "English", "BOM", "marks", "Combining"):
        if latin in text:
            assert latin in extracted


# ---------------------------------------------------------------- wrong values and types: 422 naming the field

BAD_VALUES = [
    # (change, field, words in the message)
    ({"date_completed": "2026-02-30"}, "date_completed", "must be a real date in the format YYYY-MM-DD"),
    ({"date_completed": "2026-13-01"}, "date_completed", "must be a real date in the format YYYY-MM-DD"),
    ({"date_completed": "16/11/2026"}, "date_completed", "must be a real date in the format YYYY-MM-DD"),
    ({"date_completed": "2026-11-16T09:00:00"}, "date_completed", "must be a real date in the format YYYY-MM-DD"),
    ({"date_completed": 20261116}, "date_completed", "must be a real date in the format YYYY-MM-DD"),
    ({"date_completed": None}, "date_completed", "Date completed is required."),
    ({"level_of_need": "3"}, "level_of_need", "must be a whole number (a JSON number, not text)"),
    ({"level_of_need": 3.0}, "level_of_need", "must be a whole number (a JSON number, not text)"),
    ({"level_of_need": 3.5}, "level_of_need", "must be a whole number (a JSON number, not text)"),
    ({"level_of_need": True}, "level_of_need", "must be a whole number (a JSON number, not text)"),
    ({"level_of_need": 10**40}, "level_of_need", "must be a whole number from 1 to 5"),
    ({"family_agrees": "yes"}, "family_agrees", "must be true or false"),
    ({"family_agrees": 1}, "family_agrees", "must be true or false"),
    ({"worried_about": 12}, "worried_about", "must be text"),
    ({"worried_about": ["a", "list"]}, "worried_about", "must be text"),
    ({"worried_about": {"an": "object"}}, "worried_about", "must be text"),
    ({"worried_about": "x" * 4001}, "worried_about", "must be 4000 characters or fewer"),
    ({"worried_about": "   "}, "worried_about", "must not be blank"),
    ({"housing_provider": "castle"}, "housing_provider", "must be one of: private-rented, home-owner"),
    ({"child": ["Zofia"]}, "child", "Must be a JSON object ({...}), not a list, text or a number."),
    ({"child": "Zofia"}, "child", "Must be a JSON object ({...}), not a list, text or a number."),
    ({"family_members": {"full_name": "x"}}, "family_members", "Family composition must be a list."),
    ({"family_members": ["x"]}, "family_members.0", "Must be a JSON object ({...}), not a list, text or a number."),
    ({"family_members": []}, "family_members", "Family composition: give between 1 and 15."),
    ({"nickname": "Zo"}, "nickname", "Unknown field: this form has no field of that name."),
    ({"__proto__": {"admin": True}}, "__proto__", "Unknown field: this form has no field of that name."),
]


@pytest.mark.parametrize(("change", "field", "words"), BAD_VALUES)
@pytest.mark.parametrize("endpoint", ["render", "validate"])
def test_wrong_values_and_types_are_a_422_naming_the_field(client: FlaskClient, change: dict[str, Any], field: str,
                                                           words: str, endpoint: str) -> None:
    body = {**copy.deepcopy(dict(get_form(MANCHESTER).example)), **change}
    response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]) == [field]
    assert any(words in message for message in response.json["errors"][field])


def test_too_many_rows_is_a_422_naming_the_list(client: FlaskClient) -> None:
    body = copy.deepcopy(dict(get_form(MANCHESTER).example))
    body["family_members"] = body["family_members"] * 6
    response = client.post(f"/api/forms/{MANCHESTER}/render", json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"family_members": ["Family composition: give between 1 and 15."]}


def test_nested_unknown_field_is_named_by_its_path(client: FlaskClient) -> None:
    body = copy.deepcopy(dict(get_form(MANCHESTER).example))
    body["family_members"][2]["shoe_size"] = 9
    response = client.post(f"/api/forms/{MANCHESTER}/render", json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"family_members.2.shoe_size": ["Unknown field: this form has no field of that name."]}


# ---------------------------------------------------------------- bodies that are not what they claim

RAW_BODIES = [
    # (raw body, content type, status, words in the detail)
    ("[" * 50_000 + "]" * 50_000, "application/json", 400, "The body is nested too deeply."),
    ('{"level_of_need": 3, "level_of_need": 4}', "application/json", 400,
     "The key 'level_of_need' appears twice in one object; send it once."),
    ('{"child": {"name": "A", "name": "B"}}', "application/json", 400, "The key 'name' appears twice"),
    ('{"level_of_need": 3,}', "application/json", 400, "The body is not valid JSON"),
    ("", "application/json", 400, "The body is not valid JSON"),
    (b"\xff\xfe\x00{", "application/json", 400, "The body is not"),
    (b'{"worried_about": "\xc3\x28"}', "application/json", 400, "The body is not UTF-8 text."),
    ('{"a": 1}', "text/plain", 415, "Send the body as application/json (got 'text/plain')."),
    ('{"a": 1}', "application/x-www-form-urlencoded", 415, "Send the body as application/json"),
    ("level_of_need=3", "", 415, "Send the body as application/json"),
]


@pytest.mark.parametrize(("raw", "content_type", "status", "words"), RAW_BODIES)
def test_malformed_bodies_get_a_problem(client: FlaskClient, raw: str | bytes, content_type: str, status: int,
                                        words: str) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/render", data=raw, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert words in response.json["detail"]


@pytest.mark.parametrize("raw", ["[]", "null", '"text"', "42", "true"])
def test_a_body_that_is_not_an_object_is_a_422(client: FlaskClient, raw: str) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/render", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"] == {"_schema": ["The body must be a JSON object."]}


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_malformed_json_named_in_the_detail(client: FlaskClient, raw: str) -> None:
    import json

    # NaN and Infinity are not JSON (RFC 8259) though Python's parser takes them: a 400, not a 422.
    text = json.dumps(dict(get_form(MANCHESTER).example)).replace('"level_of_need": 3', f'"level_of_need": {raw}')
    assert raw in text
    response = client.post(f"/api/forms/{MANCHESTER}/render", data=text, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert f"{raw} is not a JSON value" in response.json["detail"]


def test_an_oversized_body_is_a_413_before_it_is_read(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/render", data=b"{" + b" " * 1_000_001 + b"}",
                           content_type="application/json")
    assert response.status_code == 413
    assert response.json["detail"] == "The request body is larger than the limit of 1000000 bytes."


def test_the_limit_is_configurable(form: FormSpec) -> None:
    from api import create_app

    small = create_app({"TESTING": True, "MAX_CONTENT_LENGTH": 100}).test_client()
    response = small.post(f"/api/forms/{form.id}/render", json=dict(form.example))
    assert response.status_code == 413
    assert response.json["detail"] == "The request body is larger than the limit of 100 bytes."


# ---------------------------------------------------------------- limits are published in every JSON Schema


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for item in node.values():
            yield from _nodes(item)
    elif isinstance(node, list):
        for item in node:
            yield from _nodes(item)


def test_every_text_has_a_maximum_length_and_every_list_a_maximum_count(client: FlaskClient, form: FormSpec) -> None:
    schema = client.get(f"/api/forms/{form.id}/schema").json
    for node in _nodes(schema):
        types = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if "string" in types:
            assert "maxLength" in node or "enum" in node or node.get("format") == "date", node
        if "array" in types:
            assert "maxItems" in node, node
        if "object" in types and "properties" in node:
            assert node.get("additionalProperties") is False, node


# ---------------------------------------------------------------- headers on documents, data and errors


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("GET", "/api/forms", None), ("GET", f"/api/forms/{MANCHESTER}/example", None),
     ("GET", "/api/openapi.json", None), ("POST", f"/api/forms/{MANCHESTER}/render?format=pdf", "example"),
     ("POST", f"/api/forms/{MANCHESTER}/render?format=docx", "example"),
     ("POST", f"/api/forms/{MANCHESTER}/validate", "example"), ("POST", f"/api/forms/{MANCHESTER}/render", {}),
     ("GET", "/api/forms/no-such-form", None), ("GET", "/healthz", None)],
)
def test_security_headers_on_every_answer(client: FlaskClient, method: str, path: str, body: Any) -> None:
    sent = dict(get_form(MANCHESTER).example) if body == "example" else body
    response = client.open(path, method=method, json=sent)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "Server" not in response.headers


# ---------------------------------------------------------------- uploads: capped, and what they claim to be


def _encrypted_pdf(client: FlaskClient) -> bytes:
    from pypdf import PdfWriter

    made = render(client, MANCHESTER, dict(get_form(MANCHESTER).example), "pdf")
    writer = PdfWriter()
    writer.append(io.BytesIO(made))
    writer.encrypt("owner-secret", "user-secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    """A 'DOCX' a few hundred kB long that inflates to 300 MB in every part."""
    out = io.BytesIO()
    inflated = b"<" + b"a" * 100_000_000
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", inflated)
        archive.writestr("word/document.xml", inflated)
        archive.writestr("customXml/item1.xml", inflated)
    return out.getvalue()


@pytest.mark.parametrize("endpoint", ["extract", "prefill"])
@pytest.mark.parametrize("upload", ["encrypted.pdf", "malformed.pdf", "text-claiming-to-be.pdf", "bomb.docx"])
def test_bad_uploads_are_refused_as_bad_documents(client: FlaskClient, endpoint: str, upload: str) -> None:
    content = {
        "encrypted.pdf": _encrypted_pdf(client) if upload == "encrypted.pdf" else b"",
        "malformed.pdf": b"%PDF-1.7\n" + b"1 0 obj << /Length 99999 >> stream\nnot really\n" * 50,
        "text-claiming-to-be.pdf": b"Dear team, please find attached. Regards.",
        "bomb.docx": _zip_bomb() if upload == "bomb.docx" else b"",
    }[upload]
    response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data={"file": (io.BytesIO(content), upload)},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.json["type"] == "/problems/bad-document"


@pytest.mark.parametrize("endpoint", ["extract", "prefill"])
def test_an_oversized_upload_is_a_413(client: FlaskClient, endpoint: str) -> None:
    # The multipart body is built here: werkzeug's test client would spool a large one to a temporary
    # file it never closes (a ResourceWarning, an error under filterwarnings=error).
    boundary = "formgen-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            "Content-Type: application/pdf\r\n\r\n").encode() + b"%PDF-" + b"0" * 1_100_000 + f"\r\n--{boundary}--\r\n".encode()
    response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert response.json["status"] == 413


# ---------------------------------------------------------------- work is bounded before it is done

LIMIT = 1_000_000  # the request limit (MAX_CONTENT_LENGTH)


def _manchester() -> dict[str, Any]:
    return copy.deepcopy(dict(get_form(MANCHESTER).example))


def _fill(make_item: Any, base: dict[str, Any], key: str) -> str:
    """`base` with `key` a list of as many `make_item()` as fit in the request limit, as JSON text."""
    one = len(json.dumps(make_item(), separators=(",", ":"))) + 1
    room = LIMIT - len(json.dumps(base, separators=(",", ":"))) - 100
    return json.dumps({**base, key: [make_item() for _ in range(room // one)]}, separators=(",", ":"))


def _unknown_keys(count: int) -> dict[str, int]:
    return {f"k{number:06d}": 0 for number in range(count)}


def hostile_bodies() -> dict[str, str]:
    """The costliest bodies within the request limit: each makes per-item work of some kind."""
    example = _manchester()
    member = example["family_members"][0]
    rows_of_unknowns = [{**member, **_unknown_keys(5_300)} for _ in range(15)]
    return {
        "a list of 10,000s of empty rows": _fill(dict, example, "family_members"),
        "a list of 100,000s of strings": _fill(lambda: "x", example, "family_members"),
        "a list of long rows": _fill(lambda: {**member, "notes": "n" * 5_000}, example, "family_members"),
        "a 990,000-digit number": json.dumps({**example, "level_of_need": 0}).replace(
            '"level_of_need": 0', '"level_of_need": ' + "9" * 990_000),
        "a 990,000-character answer": json.dumps({**example, "worried_about": "w" * 990_000}),
        "80,000 unknown fields": json.dumps({**example, **_unknown_keys(80_000)}, separators=(",", ":")),
        "unknown fields in every row": json.dumps({**example, "family_members": rows_of_unknowns}, separators=(",", ":")),
        "16-deep nesting, many times": _fill(lambda: json.loads("[" * 15 + "]" * 15), example, "family_members"),
        "wrong types in every row": _fill(lambda: {"full_name": 1, "date_of_birth": [], "relationship": {}},
                                          example, "family_members"),
    }


def _cost(call: Any) -> tuple[float, float]:
    """(CPU seconds, peak traced MB) of one call: CPU measured without tracemalloc, which slows allocation."""
    started = time.process_time()
    call()
    cpu = time.process_time() - started
    tracemalloc.start()
    try:
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return cpu, peak / 1e6


def _worst(cases: dict[str, Any]) -> tuple[str, float, float]:
    costs = {name: _cost(call) for name, call in cases.items()}
    name = max(costs, key=lambda found: costs[found][0] + costs[found][1] / 50)
    return name, *costs[name]


@pytest.mark.parametrize("endpoint", ["validate", "render?format=pdf"])
def test_the_worst_body_within_the_limit_costs_under_a_second_and_50_mb(client: FlaskClient, endpoint: str) -> None:
    bodies = hostile_bodies()
    for name, raw in bodies.items():
        assert len(raw.encode()) <= LIMIT, name
        response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data=raw, content_type="application/json")
        assert response.status_code in (400, 422), (name, response.status_code)
        assert len(response.data) < 20_000, (name, len(response.data))

    def post(raw: str) -> Any:
        return lambda: client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data=raw, content_type="application/json")

    name, cpu, peak = _worst({name: post(raw) for name, raw in bodies.items()})
    assert cpu < 1.0 and peak < 50, f"{name}: {cpu:.2f} s CPU, {peak:.0f} MB"


def _upload(client: FlaskClient, endpoint: str, content: bytes, name: str) -> Any:
    # Built here: werkzeug's test client spools a large upload to a temporary file it never closes.
    boundary = "formgen-hostile-upload"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return lambda: client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data=body,
                               content_type=f"multipart/form-data; boundary={boundary}")


def _pdf_with_pages(client: FlaskClient, pages: int, drawing: bytes) -> bytes:
    """A PDF of `pages` pages, each drawing `drawing` (Flate-compressed), carrying a real document's signed data."""
    import zlib

    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    carried = pdf_reader(render(client, MANCHESTER, _manchester(), "pdf")).attachments["formgen-data.json"][0]
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for _ in range(pages):
        page = writer.add_blank_page(595, 842)
        stream = StreamObject()
        stream._data = zlib.compress(drawing, 9)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    writer.add_attachment("formgen-data.json", carried)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_data_bomb(client: FlaskClient, inflated: int) -> bytes:
    import zlib

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(render(client, MANCHESTER, _manchester(), "pdf"))))
    stream = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()["/EF"]["/F"].get_object()
    rows = b",".join([b'{"full_name":"A"}'] * (inflated // 17))
    stream._data = zlib.compress(b'{"form":"' + MANCHESTER.encode() + b'","data":{"family_members":[' + rows + b"]}}", 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _docx_bomb(client: FlaskClient, part: str) -> bytes:
    made = render(client, MANCHESTER, _manchester(), "docx")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(made)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data + b" " * 200_000_000 if info.filename == part else data)
    return out.getvalue()


def hostile_uploads(client: FlaskClient) -> dict[str, tuple[bytes, str]]:
    text = b"BT /F1 9 Tf 10 10 Td " + b"(The quick brown fox jumps over the lazy dog) Tj 0 -1 Td " * 400 + b"ET\n"
    example = _manchester()
    return {
        "pages of text, read to the cap": (_pdf_with_pages(client, 60, text * 2), "pages.pdf"),
        "many pages, each a bomb": (_pdf_with_pages(client, 60, b"q Q\n" * 120_000), "bombs.pdf"),
        "attached data inflating to 74 MB": (_pdf_data_bomb(client, 74_000_000), "data-bomb.pdf"),
        "attached data of 100,000s of rows": (_pdf_data_bomb(client, 1_900_000), "rows.pdf"),
        "a Word text bomb": (_docx_bomb(client, "word/document.xml"), "text-bomb.docx"),
        "a Word data bomb": (_docx_bomb(client, "customXml/formgen-data.xml"), "data-bomb.docx"),
        "JSON of 10,000s of rows": (_fill(lambda: {"full_name": "A"}, example, "family_members").encode(), "rows.json"),
        "JSON with a 990,000-digit number": (b'{"level_of_need": ' + b"9" * 990_000 + b"}", "number.json"),
        "JSON nested 16 deep, many times": (_fill(lambda: json.loads("[" * 15 + "]" * 15), example, "worried_about")
                                            .encode(), "deep.json"),
    }


@pytest.mark.parametrize("endpoint", ["extract", "prefill"])
def test_the_worst_upload_within_the_limit_costs_under_a_second_and_50_mb(client: FlaskClient, endpoint: str) -> None:
    uploads = hostile_uploads(client)
    for name, (content, filename) in uploads.items():
        assert len(content) <= LIMIT, (name, len(content))
        response = _upload(client, endpoint, content, filename)()
        assert response.status_code in (200, 422), (name, response.status_code)
        assert len(response.data) < 50_000, (name, len(response.data))
    name, cpu, peak = _worst({name: _upload(client, endpoint, content, filename)
                              for name, (content, filename) in uploads.items()})
    assert cpu < 1.0 and peak < 50, f"{name}: {cpu:.2f} s CPU, {peak:.0f} MB"


@pytest.mark.parametrize("endpoint", ["render", "validate"])
def test_a_list_far_over_its_maximum_is_one_error_before_any_row_is_read(client: FlaskClient, endpoint: str) -> None:
    body = {**_manchester(), "family_members": [{}] * 10_000}
    response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", json=body)
    assert response.status_code == 422
    assert response.json["errors"] == {"family_members": ["Family composition: give between 1 and 15."]}


@pytest.mark.parametrize("endpoint", ["render", "validate"])
@pytest.mark.parametrize("digits", [25, 5_000, 100_000])
def test_a_number_too_long_to_be_an_answer_is_a_422_naming_the_field(client: FlaskClient, endpoint: str,
                                                                      digits: int) -> None:
    raw = json.dumps({**_manchester(), "level_of_need": 0}).replace('"level_of_need": 0',
                                                                     '"level_of_need": ' + "9" * digits)
    response = client.post(f"/api/forms/{MANCHESTER}/{endpoint}", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"] == {"level_of_need": ["Level of need must be a whole number from 1 to 5."]}


def test_a_number_too_long_is_refused_wherever_it_is_sent(client: FlaskClient) -> None:
    raw = json.dumps({**_manchester(), "worried_about": 0, "family_members": 0}).replace(": 0", ": 1e999")
    response = client.post(f"/api/forms/{MANCHESTER}/validate", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"worried_about", "family_members"}


def test_errors_per_answer_are_capped(client: FlaskClient) -> None:
    rows = [{"full_name": 1, "relationship": 2, "date_of_birth": 3, "notes": 4}] * 15
    response = client.post(f"/api/forms/{MANCHESTER}/validate", json={**_manchester(), "family_members": rows})
    assert response.status_code == 422
    errors = response.json["errors"]
    assert len(errors) == 51
    assert "10 more fields also need correcting; only the first 50 are listed." in errors["_schema"][0]


def test_an_object_of_many_unknown_fields_names_the_first_twenty(client: FlaskClient) -> None:
    body = _manchester()
    body["family_members"][1].update({f"extra_{number}": number for number in range(5_000)})
    response = client.post(f"/api/forms/{MANCHESTER}/validate", json=body)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert [path for path in errors if path != "family_members.1"] == [f"family_members.1.extra_{n}" for n in range(20)]
    assert "4,980 more unknown fields are not listed" in errors["family_members.1"][0]


@pytest.mark.parametrize(("raw", "words"), [
    ('{"child": ' + "[" * 20 + "]" * 20 + "}", "The body is nested too deeply."),
    ('{"worried_about": [' + ",".join(["{}"] * 60_000) + "]}", "more than 50,000 objects and lists"),
], ids=["20-deep", "60,000-objects"])
def test_a_body_shaped_like_no_form_is_refused_before_it_is_parsed(client: FlaskClient, raw: str, words: str) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/validate", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json["type"] == "/problems/malformed-json"
    assert words in response.json["detail"]


def test_a_prefilled_form_never_draws_more_rows_than_it_allows(client: FlaskClient) -> None:
    rows = [{"full_name": f"Person {number}", "relationship": "Cousin"} for number in range(2_000)]
    upload = json.dumps({"family_members": rows}).encode()
    response = _upload(client, "prefill", upload, "case.json")()
    assert response.status_code == 200
    assert [row["full_name"] for row in response.json["family_members"]] == [f"Person {n}" for n in range(15)]


def test_an_uploaded_number_too_long_to_be_an_answer_is_left_out(client: FlaskClient) -> None:
    upload = b'{"level_of_need": ' + b"9" * 5_000 + b', "worried_about": "Attendance"}'
    response = _upload(client, "prefill", upload, "case.json")()
    assert response.status_code == 200, response.json
    assert response.json == {"worried_about": "Attendance"}


def test_windows_line_ends_count_as_one_character_toward_a_limit() -> None:
    from formgen.engine import pipeline

    body = {**_manchester(), "worried_about": "- A worry.\r\n" * 363}  # 4,356 characters sent, 3,992 kept
    assert len(pipeline.validate(get_form(MANCHESTER), body)["worried_about"]) == 3_992
