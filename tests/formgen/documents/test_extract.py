"""A completed formgen PDF read back into a body: POST /api/forms/{id}/extract."""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from formgen.core.errors import BadDocument, ValidationFailed
from formgen.core.registry import get_form
from formgen.documents.extract import extract
from formgen.engine import pipeline

FORM = get_form("shropshire-strengthening-families-consent")
URL = f"/api/forms/{FORM.id}/extract"

SIGNED = {
    "household__0__side_1_signature": "Rhiannon Price",
    "household__0__side_1_date": "20/11/2026",
    "household__0__side_2_signature": "Rhiannon Price",
    "household__0__side_2_date": "20/11/2026",
    "statements__understands_purpose": "/Yes",
    "statements__agrees_to_share": "/Yes",
    "statements__agrees_to_ecins": "/Yes",
    "statements__understands_withdrawal": "/Yes",
    "statements__happy_to_give_feedback": "/Yes",
    "children__0__signature": "Amelia Price",
    "children__0__signature_date": "2026-11-20",
}


def rendered(body: dict[str, Any] | None = None) -> bytes:
    return pipeline.render(FORM, body or FORM.example, "pdf").content


def completed(values: dict[str, str], pdf: bytes | None = None) -> bytes:
    """The PDF filled in as a family would on screen (pypdf standing in for their PDF reader)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf or rendered())))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def post(client: FlaskClient, content: bytes, url: str = URL) -> Any:
    return client.post(url, data={"file": (io.BytesIO(content), "consent.pdf")}, content_type="multipart/form-data")


def test_a_completed_form_comes_back_as_the_same_data_with_what_was_filled_in(client: FlaskClient) -> None:
    response = post(client, completed(SIGNED))
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "no-store"
    expected = copy.deepcopy(FORM.example)
    expected["household"][0].update(side_1_signature="Rhiannon Price", side_1_date="2026-11-20",
                                    side_2_signature="Rhiannon Price", side_2_date="2026-11-20")
    expected["children"][0].update(signature="Amelia Price", signature_date="2026-11-20")
    expected["statements"] = {"understands_purpose": True, "agrees_to_share": True, "agrees_to_ecins": True,
                              "understands_withdrawal": True, "happy_to_give_feedback": True}
    assert response.json == expected
    pipeline.validate(FORM, response.json)  # and it renders again as a signed form


def test_what_comes_back_renders_and_reads_back_again() -> None:
    body = extract(FORM, completed(SIGNED))
    assert extract(FORM, rendered(body)) == body


def test_a_form_with_no_household_signature_is_a_422_saying_what_is_missing(client: FlaskClient) -> None:
    unsigned = {k: v for k, v in SIGNED.items() if "side_" not in k}
    response = post(client, completed(unsigned))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    messages = response.json["errors"]["household"]
    assert any("must sign and date side 1" in m for m in messages)
    assert any("must sign and date side 2" in m for m in messages)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"household__0__side_2_signature": "", "household__0__side_2_date": ""}, "household", "side 2"),
        ({"household__0__side_1_signature": "", "household__0__side_1_date": ""}, "household", "side 1"),
        ({"household__0__side_1_date": ""}, "household.0.side_1_date", "Date the signature on side 1"),
        ({"household__0__side_1_date": "31/02/2026"}, "household.0.side_1_date", "real date"),
        ({"statements__agrees_to_share": "/Off"}, "statements.agrees_to_share", "a signed form needs it"),
        ({"statements__understands_withdrawal": "/Off"}, "statements.understands_withdrawal", "side 2"),
        ({"household__0__full_name": ""}, "household.0.full_name", "is required"),
        ({"household__0__lives_in_household": "/Off"}, "household", "must sign and date side 1"),
    ],
)
def test_each_gap_in_a_completed_form_is_named(values: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        extract(FORM, completed({**SIGNED, **values}))
    assert field in caught.value.errors, caught.value.errors
    assert any(words in m for m in caught.value.errors[field]), caught.value.errors[field]


def test_only_a_parent_living_elsewhere_signing_is_not_enough() -> None:
    values = {k.replace("household__0", "household__2"): v for k, v in SIGNED.items()}
    with pytest.raises(ValidationFailed) as caught:
        extract(FORM, completed(values))
    assert "household" in caught.value.errors


def test_a_second_resident_carer_may_sign_side_2() -> None:
    values = {**SIGNED, "household__0__side_2_signature": "", "household__0__side_2_date": "",
              "household__1__side_2_signature": "Tomasz Nowak", "household__1__side_2_date": "21/11/2026"}
    body = extract(FORM, completed(values))
    assert body["household"][1]["side_2_date"] == "2026-11-21"
    assert "side_2_signature" not in body["household"][0] or body["household"][0]["side_2_signature"] is None


def test_corrected_names_on_screen_replace_the_prefilled_ones() -> None:
    body = extract(FORM, completed({**SIGNED, "household__1__full_name": "Tomasz Nowak-Price"}))
    assert body["household"][1]["full_name"] == "Tomasz Nowak-Price"


def _plain_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, "A scan of a consent form")
    canvas.save()
    return out.getvalue()


def _encrypted() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(completed(SIGNED))))
    writer.encrypt("secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: b"PK\x03\x04 not a pdf", "not a PDF"),
        (_plain_pdf, "not made by this service"),
        (_encrypted, "encrypted"),
        (lambda: completed(SIGNED)[:4000], "Upload the completed PDF that this service made"),
    ],
    ids=["not-a-pdf", "not-formgen", "encrypted", "truncated"],
)
def test_unreadable_uploads_are_422_bad_document(client: FlaskClient, make: Any, words: str) -> None:
    response = post(client, make())
    assert response.status_code == 422
    assert response.json["type"] == "/problems/bad-document"
    assert words in response.json["detail"]


def test_another_forms_pdf_is_refused_with_where_to_send_it() -> None:
    other = get_form("manchester-allocations-pro-forma")
    with pytest.raises(BadDocument) as caught:
        extract(FORM, pipeline.render(other, other.example, "pdf").content)
    assert "/api/forms/manchester-allocations-pro-forma/extract" in caught.value.detail


def test_an_oversized_file_is_refused_before_it_is_read() -> None:
    with pytest.raises(BadDocument) as caught:
        extract(FORM, b"%PDF-" + b"0" * 2_000_001)
    assert "larger than" in caught.value.detail


def test_no_file_field_is_400(client: FlaskClient) -> None:
    response = client.post(URL, data={"other": (io.BytesIO(b"%PDF-"), "x.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "'file'" in response.json["detail"]


def test_a_body_over_the_request_limit_is_413(app: Any) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = post(app.test_client(), completed(SIGNED))
    assert response.status_code == 413


def test_unknown_form_is_404(client: FlaskClient) -> None:
    assert post(client, rendered(), "/api/forms/no-such-form/extract").status_code == 404


def test_openapi_documents_the_extract_endpoint(client: FlaskClient) -> None:
    operation = client.get("/api/openapi.json").json["paths"]["/api/forms/{form_id}/extract"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "422"} <= set(operation["responses"])
