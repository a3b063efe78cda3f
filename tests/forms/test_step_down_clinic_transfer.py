"""The Step Down Clinic's transfer form (seed 003, Step Down 3): the most recent assessment travels inside the
PDF and is listed (name, size, SHA-256) in both formats; the route's rules; prefill from and to other forms."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import docx
import pytest
from bodies import DROP, Body, changed, many, tomorrow
from bodies import errors_for as _errors_for
from bodies import set_path as _set
from flask.testing import FlaskClient
from helpers import docx_text, pdf_reader, pdf_text, squash

from api import DEFAULTS
from formgen.core.registry import get_form
from formgen.core.rules import GUIDANCE
from formgen.core.uploads import FileKind, encode
from formgen.documents import embed
from formgen.engine import pipeline
from formgen.engine.prefill import MAX_UPLOAD_BYTES, prefill_from_upload
from forms.step_down_clinic_transfer import MAX_ASSESSMENT_BYTES, example_assessment_pdf

FORM = get_form("step-down-clinic-transfer")
DOCUMENT = "most_recent_assessment.document"
ASSESSMENT = example_assessment_pdf()
DIGEST = hashlib.sha256(ASSESSMENT).hexdigest()


def errors_for(*changes: Callable[[Body], None]) -> dict[str, list[str]]:
    return _errors_for(FORM, changed(FORM.example, *changes))


def with_file(content: bytes, name: str = "Assessment.pdf", media_type: str = "application/pdf") -> Body:
    return changed(FORM.example, _set(DOCUMENT, {"name": name, "media_type": media_type,
                                                 "content_base64": encode(content)}))


def _docx_file() -> bytes:
    document = docx.Document()
    document.add_paragraph("Child and Family Assessment (fictional example)")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf_of_size(size: int) -> bytes:
    head = b"%PDF-1.4\n%"
    return head + b"x" * (size - len(head))


# ---------------------------------------------------------------- rules

@pytest.mark.parametrize(("change", "field", "words"), [
    (_set("case_origin", "mash-referral"), "case_origin", "stays with MASH's allocation"),
    (_set("case_discussion_date", "2026-11-27"), "case_discussion_date",
     "The case discussion must be on or before the date of this transfer form, 26 November 2026"),
    (_set("most_recent_assessment.completed_on", "2026-11-27"), "most_recent_assessment.completed_on",
     "must be dated on or before this transfer form"),
    (_set("assessment_due", "2026-11-23"), "assessment_due", "not before the discussion"),
    (many(_set("social_worker.telephone", DROP), _set("social_worker.email", DROP)), "social_worker.email",
     "can arrange the joint visit (Step Down 4)"),
    (_set("most_recent_assessment.completed_on", tomorrow()), "most_recent_assessment.completed_on",
     "today or in the past"),
    (_set(DOCUMENT, DROP), DOCUMENT, "Copy of the most recent assessment is required"),
    (_set(f"{DOCUMENT}.content_base64", encode(b"GIF89a")), f"{DOCUMENT}.content_base64",
     "The most recent assessment: the file is not a PDF or Word document (.docx)"),
    (_set(f"{DOCUMENT}.content_base64", "bm90IGEgcGRm!"), f"{DOCUMENT}.content_base64", "not valid base64"),
    (_set(f"{DOCUMENT}.name", "assessment.docx"), f"{DOCUMENT}.name", "so its name ends in .pdf"),
    (_set(f"{DOCUMENT}.media_type", FileKind.DOCX.media_type), f"{DOCUMENT}.media_type",
     "the file is a PDF, but its media type says otherwise"),
    (_set("children.0.nhs_number", "9993010007"), "children.0.nhs_number", "Modulus 11"),
])
def test_each_rule_refuses_with_a_message_naming_the_field(change: Callable[[Body], None], field: str,
                                                           words: str) -> None:
    errors = errors_for(change)
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_every_rule_cites_the_clinic_guidance() -> None:
    for found in FORM.rules:
        assert any(GUIDANCE["003"] in source.citation for source in found.sources), found.id


def test_a_file_over_the_cap_is_refused_by_its_size() -> None:
    errors = _errors_for(FORM, with_file(_pdf_of_size(MAX_ASSESSMENT_BYTES + 1)))
    assert errors == {f"{DOCUMENT}.content_base64": [
        "The most recent assessment: the file is 700,001 bytes; the largest this form accepts is 700,000 bytes "
        "(700 kB)."]}


# ---------------------------------------------------------------- the assessment travels with the form

def test_the_pdf_carries_the_assessment_byte_for_byte() -> None:
    reader = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content)
    assert reader.attachments["CAFA Mensah 2026-11-13.pdf"] == [ASSESSMENT]
    assert pdf_reader(ASSESSMENT).pages[0].extract_text().startswith("Child and Family Assessment (fictional")


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_both_formats_list_the_file_by_name_size_and_sha256(fmt: str) -> None:
    content = pipeline.render(FORM, FORM.example, fmt).content
    text = squash(docx_text(content) if fmt == "docx" else pdf_text(content))
    assert "File CAFA Mensah 2026-11-13.pdf Type PDF" in text
    assert f"Size {len(ASSESSMENT):,} bytes" in text
    printed = text.split("SHA-256 ", 1)[1].split(" The copy")[0]
    assert printed.replace(" ", "") == DIGEST
    assert "The Word version lists the file but does not hold it: send the file with it." in text


def test_the_carried_data_names_the_file_and_does_not_hold_it_again() -> None:
    docx_bytes = pipeline.render(FORM, FORM.example, "docx").content
    found = embed.read_docx_data(docx_bytes)
    carried = found.data
    assert found.form == FORM.id
    assert carried["most_recent_assessment"]["document"] == {
        "name": "CAFA Mensah 2026-11-13.pdf", "media_type": "application/pdf", "size": len(ASSESSMENT),
        "sha256": DIGEST}
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        assert not any(encode(ASSESSMENT)[:40].encode() in archive.read(n) for n in archive.namelist())
    assert embed.read_pdf_data(pipeline.render(FORM, FORM.example, "pdf").content).data == carried


def test_a_word_document_is_attached_as_one() -> None:
    content = _docx_file()
    body = with_file(content, "CAFA Mensah.docx", FileKind.DOCX.media_type)
    pdf = pipeline.render(FORM, body, "pdf").content
    assert pdf_reader(pdf).attachments["CAFA Mensah.docx"] == [content]
    assert b"/Subtype /application#2Fvnd.openxmlformats-officedocument.wordprocessingml.document" in pdf
    assert "Type Word document (.docx)" in squash(docx_text(pipeline.render(FORM, body, "docx").content))


def test_the_largest_file_passes_the_service_and_its_pdf_prefills_the_next_form(client: FlaskClient) -> None:
    """The cap fits the service's own limits: the body is under MAX_CONTENT_LENGTH, and the PDF that carries the
    file is under what prefill reads, so the joint visit can start from it."""
    content = _pdf_of_size(MAX_ASSESSMENT_BYTES)
    body = with_file(content)
    assert len(json.dumps(body).encode()) < DEFAULTS["MAX_CONTENT_LENGTH"]
    response = client.post(f"/api/forms/{FORM.id}/render?format=pdf", json=body)
    assert response.status_code == 200, response.get_json()
    assert pdf_reader(response.data).attachments["Assessment.pdf"] == [content]
    assert len(response.data) < MAX_UPLOAD_BYTES
    visit = prefill_from_upload(get_form("step-down-clinic-joint-visit"), response.data).body
    assert visit["early_help_family_worker"]["name"] == "Laila Rahman"


def test_an_oversized_upload_is_a_422_naming_the_field(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{FORM.id}/validate", json=with_file(_pdf_of_size(MAX_ASSESSMENT_BYTES + 1)))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [f"{DOCUMENT}.content_base64"]


def test_the_json_schema_publishes_the_file_as_base64() -> None:
    from formgen.service.openapi import form_json_schema

    schema = form_json_schema(FORM.id)
    content = schema["$defs"]["StepDownClinicTransferAssessmentFile"]["properties"]["content_base64"]
    assert content["format"] == "byte" and content["maxLength"] >= MAX_ASSESSMENT_BYTES * 4 // 3


# ---------------------------------------------------------------- the document and prefill

def test_the_form_says_what_the_guidance_asks_and_what_is_formgen_s() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "Transfer form for a case allocated to the Early Help Family Worker Team, with a copy of the most recent " \
           "assessment (Step Down 3)" in text
    assert "The Early Help Senior Practitioner will allocate to the identified Early Help Family Worker " \
           "(Step Down 3)" in text
    assert "Case discussion on 24 November 2026: allocated to the Early Help Family Worker Team. Date given to " \
           "complete assessment: 22 December 2026." in text
    assert "this layout is formgen's, for the council to confirm or replace" in text
    assert "Kwame Mensah, NHS number 999 302 0001, LCS ID 4471204, born 19 July 2020" in text


def test_the_outcome_note_fills_in_the_transfer_form() -> None:
    outcome = get_form("step-down-clinic-outcome")
    assert outcome.shares is not None and FORM.takes is not None
    example = copy.deepcopy(dict(outcome.example))
    example["early_help_family_worker"] = {"name": "Laila Rahman", "team": "Early Help Family Worker Team North"}
    taken = FORM.takes(outcome.shares(example))
    assert [c["lcs_id"] for c in taken["children"]] == ["4471203", "4471204"]
    assert taken["social_worker"]["email"] == "rebecca.thornton@example.org"
    assert taken["team_manager"]["name"] == "Gareth Pryce"
    assert taken["early_help_family_worker"]["name"] == "Laila Rahman"


def test_a_manchester_pro_forma_fills_in_the_family_and_the_worries() -> None:
    manchester = get_form("manchester-allocations-pro-forma")
    pdf = pipeline.render(manchester, manchester.example, "pdf").content
    taken = prefill_from_upload(FORM, pdf).body
    assert taken["children"][0]["full_name"] == "Zofia Wójcik"
    assert taken["address"]["postcode"] == "M13 0XY"
    assert taken["worried_about"] == manchester.example["worried_about"]
    assert taken["social_worker"]["name"] == "Priya Natarajan"


def test_a_family_stepped_back_up_gets_the_clinic_council_s_marf() -> None:
    """Step Up 2: the Senior Practitioner completes a MARF; the children's LCS ids name the council."""
    marf = get_form("multi-agency-referral-form")
    assert FORM.shares is not None and marf.takes is not None
    taken = marf.takes(FORM.shares(FORM.example))
    assert taken["council"] == "step-down-clinic"
    assert [c["case_id"] for c in taken["children"]] == ["4471203", "4471204"]
    assert taken["stepped_down_from"] == {"team": "Children in Need Team 2", "social_worker": "Rebecca Thornton"}


def test_a_transfer_pdf_comes_back_as_the_same_form_without_the_file() -> None:
    """The carried data names the file; the file itself is uploaded again with the new form."""
    pdf = pipeline.render(FORM, FORM.example, "pdf").content
    body: dict[str, Any] = prefill_from_upload(FORM, pdf).body
    assert body["most_recent_assessment"]["document"] == {"name": "CAFA Mensah 2026-11-13.pdf",
                                                          "media_type": "application/pdf"}
    assert body["children"] == FORM.example["children"]
