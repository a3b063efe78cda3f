"""Prefill's warnings (an unsigned document from an earlier formgen, rows cut to the form's maximum) reach
the person: the API's `X-Formgen-Warnings` header and `?envelope=1`, and GOV.UK warning text on the page."""

from __future__ import annotations

import copy
import html
import io
import json
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from conftest import csrf_token
from flask.testing import FlaskClient
from web_journey import start, start_from_file

from formgen.core.registry import all_forms
from formgen.documents import embed
from formgen.engine import pipeline
from formgen.engine.prefill import UNSIGNED

MANCHESTER = "manchester-allocations-pro-forma"
CUT = "Family composition: the file has 20; the form has room for 15, so only the first 15 were filled in."


def _too_many_rows() -> bytes:
    return json.dumps({"family_members": [{"full_name": f"Person {n}"} for n in range(20)]}).encode()


def _unsigned_docx() -> bytes:
    """A Manchester DOCX carrying its data as formgen did before documents were signed."""
    body: dict[str, Any] = copy.deepcopy(dict(all_forms()[MANCHESTER].example))
    docx = pipeline.render(all_forms()[MANCHESTER], copy.deepcopy(body), "docx").content
    data = json.dumps({"form": MANCHESTER, "data": body}, sort_keys=True, ensure_ascii=False)
    part = (f"<?xml version='1.0' encoding='utf-8'?>\n<formgen:data xmlns:formgen=\"{embed.NAMESPACE}\">"
            f"{escape(data)}</formgen:data>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, part if info.filename == "customXml/formgen-data.xml" else source.read(info))
    return out.getvalue()


def _api(client: FlaskClient, content: bytes, name: str, query: str = "") -> Any:
    return client.post(f"/api/forms/{MANCHESTER}/prefill{query}", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _warnings_on(page: str) -> list[str]:
    found = []
    for chunk in page.split('<strong class="govuk-warning-text__text">')[1:]:
        text = chunk.split("</strong>")[0].split("</span>", 1)[1]
        found.append(html.unescape(" ".join(text.split())))
    return found


def test_the_api_keeps_the_body_and_carries_the_warnings_in_a_header(client: FlaskClient) -> None:
    response = _api(client, _too_many_rows(), "family.json")
    assert response.status_code == 200
    assert len(response.json["family_members"]) == 15  # the body itself, as before: it posts straight to render
    assert json.loads(response.headers["X-Formgen-Warnings"]) == [CUT]
    assert response.headers["X-Formgen-Warnings"].isascii()


def test_the_api_envelope_holds_the_body_and_the_warnings(client: FlaskClient) -> None:
    response = _api(client, _unsigned_docx(), "old.docx", "?envelope=1")
    assert response.status_code == 200
    assert response.json["warnings"] == [UNSIGNED]
    assert response.json["body"]["child"]["name"] == "Zofia Wójcik"
    assert response.json["source_form"] == MANCHESTER and response.json["kind"] == "docx"
    assert response.json["dropped"] == 0


def test_a_signed_document_has_no_warnings(client: FlaskClient) -> None:
    pdf = pipeline.render(all_forms()[MANCHESTER], copy.deepcopy(dict(all_forms()[MANCHESTER].example)), "pdf").content
    response = _api(client, pdf, "new.pdf")
    assert response.headers["X-Formgen-Warnings"] == "[]"
    assert "warnings" not in response.json


def test_an_upload_on_the_page_shows_each_warning(web: FlaskClient) -> None:
    form = all_forms()[MANCHESTER]
    for content, name, expected in [(_unsigned_docx(), "old.docx", UNSIGNED), (_too_many_rows(), "family.json", CUT)]:
        started = start_from_file(web, form, content, name)
        assert started.status_code == 303, started.text[:300]
        assert _warnings_on(web.get(started.headers["Location"]).text) == [expected]


def test_an_upload_into_a_draft_shows_each_warning(web: FlaskClient) -> None:
    for content, name, expected in [(_unsigned_docx(), "old.docx", UNSIGNED), (_too_many_rows(), "family.json", CUT)]:
        draft = start(web, all_forms()[MANCHESTER])
        data = {"csrf_token": csrf_token(web.get(draft).text), "file": (io.BytesIO(content), name)}
        uploaded = web.post(f"{draft}/upload", data=data, content_type="multipart/form-data")
        assert uploaded.status_code == 303, uploaded.text[:300]
        assert _warnings_on(web.get(uploaded.headers["Location"]).text) == [expected]


def test_a_case_systems_post_shows_the_warning_too(client: FlaskClient) -> None:
    as_json = client.post(f"/forms/{MANCHESTER}/prefill", data=_too_many_rows(), content_type="application/json")
    as_form = client.post(f"/forms/{MANCHESTER}/prefill", data={"data": _too_many_rows().decode()})
    for response in (as_json, as_form):
        assert response.status_code == 303, response.text[:300]
        assert _warnings_on(client.get(response.headers["Location"]).text) == [CUT]
