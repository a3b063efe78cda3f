"""The web pages through Flask's test client: generated for every form, errors the GOV.UK way, CSRF,
headers, check answers, downloads, uploads and the case-system prefill address."""

from __future__ import annotations

import copy
import html
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_token
from flask.testing import FlaskClient
from helpers import docx_text, pdf_text, squash
from werkzeug.datastructures import MultiDict

from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import drop_empty
from formgen.engine import pipeline
from formgen.service.web.schema_form import Kind, describe, encode, parse

MANCHESTER = "manchester-allocations-pro-forma"


def _token(web: FlaskClient, form_id: str = MANCHESTER) -> str:
    return csrf_token(web.get(f"/forms/{form_id}").text)


def _post(web: FlaskClient, form_id: str, body: dict[str, Any], **extra: str) -> Any:
    data = MultiDict(encode(describe(all_forms()[form_id].schema), body))
    data.add("csrf_token", _token(web, form_id))
    for key, value in extra.items():
        data.add(key, value)
    return web.post(f"/forms/{form_id}", data=data)


def _summary_links(page: str) -> list[tuple[str, str]]:
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert found, "no error summary"
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', found.group(1), re.S)
    return [(href, html.unescape(text).strip()) for href, text in links]


def _hidden_body(page: str) -> dict[str, Any]:
    found = re.search(r'name="body" value="([^"]*)"', page)
    assert found, "no body on the check page"
    loaded = json.loads(html.unescape(found.group(1)))
    assert isinstance(loaded, dict)
    return loaded


# ---------------------------------------------------------------- every form, no per-form code

def test_every_field_of_every_form_has_an_input(web: FlaskClient, form: FormSpec) -> None:
    page = web.get(f"/forms/{form.id}").text
    names = set(re.findall(r'name="([^"]+)"', page))
    for name, _ in encode(describe(form.schema), form.example):
        first_row = re.sub(r"\.\d+\.", ".0.", name)  # an empty page shows the first row of each list
        assert first_row in names, f"{form.id}: no input named {first_row} on an empty page"


def test_posted_example_round_trips_to_the_same_body(form: FormSpec) -> None:
    fields = describe(form.schema)
    assert parse(fields, MultiDict(encode(fields, form.example))) == drop_empty(copy.deepcopy(dict(form.example)))


def test_example_typed_in_reaches_check_answers_then_downloads(web: FlaskClient, form: FormSpec) -> None:
    page = _post(web, form.id, copy.deepcopy(dict(form.example)))
    assert page.status_code == 200
    assert ">Check your answers</h1>" in page.text
    body = _hidden_body(page.text)
    assert body == drop_empty(copy.deepcopy(dict(form.example)))
    fmt = form.formats[0]
    document = web.post(f"/forms/{form.id}/download",
                        data={"csrf_token": _token(web, form.id), "body": json.dumps(body), "format": fmt})
    assert document.status_code == 200
    assert document.mimetype == pipeline.MEDIA_TYPES[pipeline.Format(fmt)]
    assert document.headers["Cache-Control"] == "no-store"
    assert "attachment" in document.headers["Content-Disposition"]


def test_date_inputs_are_split_into_day_month_year() -> None:
    fields = {f.name: f for f in describe(all_forms()[MANCHESTER].schema)}
    assert fields["date_completed"].kind is Kind.DATE
    assert fields["level_of_need"].kind is Kind.INTEGER          # 1 to 5: radios
    assert fields["family_agrees"].kind is Kind.BOOLEAN
    assert fields["housing_provider"].kind is Kind.CHOICE
    assert fields["worried_about"].kind is Kind.TEXT
    assert fields["family_members"].kind is Kind.ROWS
    assert fields["child"].kind is Kind.GROUP
    posted = parse(tuple(fields.values()), MultiDict({"date_completed-day": "9", "date_completed-month": "5",
                                                      "date_completed-year": "2026"}))
    assert posted["date_completed"] == "2026-05-09"


HEREFORDSHIRE = "herefordshire-eha-step-down-plan"


def test_a_level_of_need_is_offered_and_checked_in_the_guidance_words(web: FlaskClient) -> None:
    """Radios and check-answers say "3 - Intensive", not a bare 3; a level the guidance names nowhere stays a
    number, and words on a radio stack them (a row of bare numbers stays inline)."""
    level = {f.name: f for f in describe(all_forms()[HEREFORDSHIRE].schema)}["level_of_need"]
    assert level.kind is Kind.INTEGER
    assert level.options == {"1": "1", "2": "2", "3": "3 - Intensive", "4": "4"}
    form = web.get(f"/forms/{HEREFORDSHIRE}").text
    radios = re.search(r'<div class="govuk-radios[^"]*"[^>]*>\s*<div class="govuk-radios__item">\s*<input[^>]*'
                       r'name="level_of_need"', form)
    assert radios and "govuk-radios--inline" not in radios.group(0)
    assert re.search(r'value="3"[^>]*>\s*<label[^>]*>\s*3 - Intensive\s*</label>', form), "no worded radio"
    check = _post(web, HEREFORDSHIRE, copy.deepcopy(dict(all_forms()[HEREFORDSHIRE].example))).text
    assert ">Check your answers</h1>" in check
    row = re.search(r"Level of need\s*</dt>\s*<dd[^>]*>(.*?)</dd>", check, re.S)
    assert row and row.group(1).strip() == "3 - Intensive", row


# ---------------------------------------------------------------- errors the GOV.UK way

def _manchester() -> dict[str, Any]:
    return copy.deepcopy(dict(all_forms()[MANCHESTER].example))


@pytest.mark.parametrize(("change", "href", "words"), [
    (lambda b: b["child"].pop("name"), "#f-child-name", "Subject child's full name is required."),
    (lambda b: b.update(date_completed="2026-02-31"), "#f-date_completed-day",
     "Date completed must be a real date, with a day, month and 4-digit year."),
    (lambda b: b.update(level_of_need=1), "#f-level_of_need", "Level 1 needs are met by universal services"),
    (lambda b: b.update(request_type="joint-worked"), "#f-intervention_timescales",
     "A joint-worked request must give timescales for the evidence-based intervention (5.5)."),
    (lambda b: b["referrer"].pop("name"), "#f-referrer-name", "Referrer: Name is required."),
    (lambda b: b["family_members"][1].update(date_of_birth="2099-01-01"), "#f-family_members-1-date_of_birth-day",
     "Family member 2: Date of birth must be today or in the past."),
    (lambda b: b.update(family_members=[]), "#f-family_members-0-full_name", "Family composition: at least 1 required"),
], ids=["required", "real-date", "rule-level-1", "rule-5.5", "group-field", "row-field", "rows-minimum"])
def test_error_summary_links_to_the_field_with_the_schema_message(web: FlaskClient, change: Any, href: str,
                                                                  words: str) -> None:
    body = _manchester()
    change(body)
    page = _post(web, MANCHESTER, body)
    assert ">Check your answers</h1>" not in page.text
    assert "<title>Error: " in page.text
    links = _summary_links(page.text)
    assert any(link == href and words in text for link, text in links), links
    anchor = href[1:]
    assert f'id="{anchor}"' in page.text
    assert 'class="govuk-error-message"' in page.text


def test_page_limit_error_says_which_answers_to_shorten_and_by_how_much(web: FlaskClient) -> None:
    body = _manchester()
    paragraph = "Mum described the week in detail, including each school run and every appointment. " * 10
    for key in ("worried_about", "working_well", "needs_to_happen"):
        body[key] = "\n".join([paragraph[:400]] * 9)
    page = _post(web, MANCHESTER, body)
    links = _summary_links(page.text)
    assert links and all(href.startswith("#f-") for href, _ in links)
    for _, text in links:
        assert re.fullmatch(r"Shorten '.+' by about [\d,]+ characters, about \d+ lines?", text), text
    assert "Shorten this answer by about" in page.text


def test_page_limit_names_only_the_answer_that_matters_and_the_count_shows_the_room(web: FlaskClient) -> None:
    """The issue's case: 3,900 and 1,800 characters, and 365 untouched: only the first must lose ~1,500."""
    sentence = "Mum says the arguments at home have got worse since the summer and the children hear them. "
    body = _manchester()
    body["worried_about"] = (sentence * 50)[:3900]
    body["working_well"] = (sentence * 30)[:1800]
    page = _post(web, MANCHESTER, body)
    links = _summary_links(page.text)
    assert len(links) == 1, links
    found = re.fullmatch(r"Shorten 'What are we worried about\?' by about ([\d,]+) characters, about (\d+) lines",
                         links[0][1])
    assert found, links
    cut = int(found.group(1).replace(",", ""))
    assert 1000 <= cut <= 2000
    # With JavaScript the counter counts down to the room the page has left for this answer, not to 4,000.
    assert f'data-maxlength="{3900 - cut}"' in page.text
    assert 'data-maxlength="4000"' in page.text  # the other answers keep the field's own maximum


def test_answers_typed_before_an_error_are_kept(web: FlaskClient) -> None:
    body = _manchester()
    body["child"].pop("name")
    page = _post(web, MANCHESTER, body).text
    assert 'value="Daniel Ó Súilleabháin"' in page
    assert "Zofia&#39;s school attendance this term is 86%" in page or "Zofia's school attendance" in page


# ---------------------------------------------------------------- rows without JavaScript

def test_add_and_remove_rows_without_javascript(web: FlaskClient) -> None:
    body = _manchester()
    added = _post(web, MANCHESTER, body, action="add:family_members").text
    assert 'name="family_members.3.full_name"' in added
    assert ">Check your answers</h1>" not in added
    removed = _post(web, MANCHESTER, body, action="remove:family_members.0").text
    assert 'value="Katarzyna Wójcik"' not in removed
    assert 'name="family_members.2.full_name"' not in removed


def test_an_unknown_action_is_refused(web: FlaskClient) -> None:
    response = _post(web, MANCHESTER, _manchester(), action="add:nowhere")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


# ---------------------------------------------------------------- security

def test_posts_without_the_csrf_token_do_nothing(web: FlaskClient) -> None:
    data = MultiDict(encode(describe(all_forms()[MANCHESTER].schema), _manchester()))
    page = web.post(f"/forms/{MANCHESTER}", data=data)
    assert page.status_code == 400
    assert ">Check your answers</h1>" not in page.text
    assert "press the button again" in page.text
    download = web.post(f"/forms/{MANCHESTER}/download", data={"body": json.dumps(_manchester()), "format": "pdf",
                                                               "csrf_token": "0" * 64})
    assert download.status_code == 400
    assert download.mimetype == "text/html"


def test_a_token_from_another_browser_is_refused(app: Any) -> None:
    first, second = app.test_client(), app.test_client()
    token = csrf_token(first.get(f"/forms/{MANCHESTER}").text)
    second.get("/")
    data = MultiDict(encode(describe(all_forms()[MANCHESTER].schema), _manchester()))
    data.add("csrf_token", token)
    assert second.post(f"/forms/{MANCHESTER}", data=data).status_code == 400
    assert first.post(f"/forms/{MANCHESTER}", data=data).status_code == 200


def test_pages_send_no_store_a_csp_and_a_strict_cookie(client: FlaskClient) -> None:
    response = client.get(f"/forms/{MANCHESTER}")
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'nonce="{nonce.group(1)}"' in response.text
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_no_family_data_in_logs_or_cookies(web: FlaskClient, capsys: pytest.CaptureFixture[str],
                                           caplog: pytest.LogCaptureFixture) -> None:
    response = _post(web, MANCHESTER, _manchester())
    assert ">Check your answers</h1>" in response.text
    captured = capsys.readouterr()
    logged = captured.out + captured.err + caplog.text
    for secret in ("Zofia", "Wójcik", "Birchfield", "0161 496 0732"):
        assert secret not in logged
        assert secret not in response.headers.get("Set-Cookie", "")


# ---------------------------------------------------------------- uploads and prefill

def _pdf() -> bytes:
    return pipeline.render(all_forms()[MANCHESTER], _manchester(), "pdf").content


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"GIF89a not a document", "photo.gif", "This service cannot read this file."),
    (b"%PDF-1.4 broken", "broken.pdf", "The file is damaged and cannot be read."),
    (b"PK\x03\x04 broken", "broken.docx", "The file is damaged or not a Word document."),
    (b"{not json", "case.json", "not valid JSON"),
    (b"", "empty.json", "Choose a PDF, Word document or JSON file to upload."),
], ids=["not-a-document", "broken-pdf", "broken-docx", "bad-json", "no-file"])
def test_uploads_that_cannot_be_read_get_a_clear_error(web: FlaskClient, content: bytes, name: str,
                                                       words: str) -> None:
    data = {"csrf_token": _token(web), "file": (io.BytesIO(content), name if content else "")}
    page = web.post(f"/forms/{MANCHESTER}/upload", data=data, content_type="multipart/form-data")
    assert page.status_code in (400, 422)
    links = _summary_links(page.text)
    assert links[0][0] == "#upload-file"
    assert words in links[0][1]
    assert "formgen" not in links[0][1]  # a social worker reads "this service", not the product's name


def test_upload_of_a_formgen_pdf_fills_in_the_form(web: FlaskClient) -> None:
    data = {"csrf_token": _token(web), "file": (io.BytesIO(_pdf()), "pro-forma.pdf")}
    page = web.post(f"/forms/{MANCHESTER}/upload", data=data, content_type="multipart/form-data").text
    assert "Answers were filled in from the PDF." in page
    assert 'value="Zofia Wójcik"' in page
    assert 'value="14 Birchfield Grove"' in page


def test_a_case_system_posts_json_to_the_prefill_address(client: FlaskClient) -> None:
    body = {"child": {"name": "Ruby Okafor", "micare_id": "MC0000417"}, "telephone": "0161 496 0999",
            "case_system_field": "ignored"}
    page = client.post(f"/forms/{MANCHESTER}/prefill", json=body)
    assert page.status_code == 200
    assert 'value="Ruby Okafor"' in page.text and 'value="0161 496 0999"' in page.text
    assert "1 answer in it had no place on this form." in page.text
    assert "from your case system" in page.text
    assert re.search(r'name="csrf_token" value="[0-9a-f]{64}"', page.text)


def test_a_case_system_posts_an_html_form_to_the_prefill_address(client: FlaskClient) -> None:
    page = client.post(f"/forms/{MANCHESTER}/prefill",
                       data={"child.name": "Ruby Okafor", "date_completed-day": "3", "date_completed-month": "11",
                             "date_completed-year": "2026"})
    assert 'value="Ruby Okafor"' in page.text
    assert 'name="date_completed-month" type="text" value="11"' in page.text or 'value="11"' in page.text


def test_api_prefill_from_a_formgen_docx(client: FlaskClient) -> None:
    docx = pipeline.render(all_forms()[MANCHESTER], _manchester(), "docx").content
    assert "Zofia Wójcik" in squash(docx_text(docx))
    response = client.post(f"/api/forms/{MANCHESTER}/prefill", data={"file": (io.BytesIO(docx), "x.docx")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    assert response.json["child"]["name"] == "Zofia Wójcik"
    assert response.headers["Cache-Control"] == "no-store"


def test_api_prefill_refuses_what_it_cannot_read(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{MANCHESTER}/prefill", data={"file": (io.BytesIO(b"hello"), "x.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "Upload a PDF or Word (.docx) document made by this service, or a JSON file." in response.json["detail"]
    missing = client.post(f"/api/forms/{MANCHESTER}/prefill", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400


def test_downloaded_pdf_holds_what_was_typed(web: FlaskClient) -> None:
    body = _manchester()
    body["worried_about"] = "Zofia says mornings are the hardest part of her week."
    check = _post(web, MANCHESTER, body)
    pdf = web.post(f"/forms/{MANCHESTER}/download",
                   data={"csrf_token": _token(web), "body": json.dumps(_hidden_body(check.text)), "format": "pdf"})
    assert "Zofia says mornings are the hardest part of her week." in squash(pdf_text(pdf.data))


def test_unknown_form_is_a_page_not_json(client: FlaskClient) -> None:
    response = client.get("/forms/no-such-form")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "There is no form at this address." in response.text


def test_downloads_from_the_pages_are_in_the_audit_trail(tmp_path: Path) -> None:
    import hashlib

    from api import create_app
    from formgen.store.audit import AuditTrail

    db = tmp_path / "audit.sqlite3"
    web = create_app({"TESTING": True, "AUDIT_DB": str(db)}).test_client()
    web.get("/")
    check = _post(web, MANCHESTER, _manchester())
    pdf = web.post(f"/forms/{MANCHESTER}/download",
                   data={"csrf_token": _token(web), "body": json.dumps(_hidden_body(check.text)), "format": "pdf"})
    assert pdf.status_code == 200
    [row] = AuditTrail(db).rows()
    assert row["client"] == "web"
    assert row["form_id"] == MANCHESTER
    assert row["sha256"] == hashlib.sha256(pdf.data).hexdigest()


def test_a_case_error_names_the_case_once_and_rows_are_called_by_their_item(web: FlaskClient) -> None:
    """Not "Cases 1: Case 1 (carefirst ...) has ...": the message names the case already."""
    agenda = "shropshire-step-down-agenda"
    body = copy.deepcopy(dict(all_forms()[agenda].example))
    body["cases"][0].pop("consent_location", None)
    page = _post(web, agenda, body)
    texts = [text for _, text in _summary_links(page.text)]
    assert any(text.startswith("Case 1 (") for text in texts), texts
    assert not any("Cases 1" in text for text in texts), texts
    assert ">Case 1</legend>" in page.text and "Cases 1" not in page.text


def test_a_group_needed_in_some_cases_says_when_and_is_not_called_optional() -> None:
    from formgen.core import fields as f
    from formgen.service.web.schema_form import page

    class AddressSchema(f.FormSchema):
        line = f.line("Address line", required=False)

    class PlanSchema(f.FormSchema):
        visit_address = f.required_when(f.group(AddressSchema, "Where the visit is", required=False),
                                        "when the visit is not at the family home")

    built = page(describe(PlanSchema), {})
    group = built.items[0]
    assert group["legend"] == "Where the visit is"  # no "(optional)"
    assert group["hint"] == "Needed when the visit is not at the family home."


def test_other_housing_provider_is_revealed_by_its_radio_and_ignored_otherwise(web: FlaskClient) -> None:
    page = web.get(f"/forms/{MANCHESTER}").text
    other = page.index('value="other" data-aria-controls="conditional-f-housing_provider-4"')
    revealed = page.index('id="conditional-f-housing_provider-4"')
    assert other < revealed < page.index('name="housing_provider_other"') < page.index('name="cafr_date-day"')
    fields_ = describe(all_forms()[MANCHESTER].schema)
    typed = MultiDict({"housing_provider": "home-owner", "housing_provider_other": "Left over from before"})
    assert "housing_provider_other" not in parse(fields_, typed)
    typed["housing_provider"] = "other"
    assert parse(fields_, typed)["housing_provider_other"] == "Left over from before"


def test_telephone_and_email_inputs_have_their_types_and_no_autofill(web: FlaskClient) -> None:
    page = web.get(f"/forms/{MANCHESTER}").text
    for name, kind in (("telephone", "tel"), ("email", "email"), ("referrer.telephone", "tel")):
        tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page, re.S)
        assert tag, name
        assert f'type="{kind}"' in tag.group(0) and 'autocomplete="off"' in tag.group(0)


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    ("27", "March", "2026", None), ("27", "sept", "2025", None), ("27", "", "2026", "must include a month."),
    ("", "", "2026", "must include a day and a month."), ("27", "3", "26", "must include 4 numbers."),
    ("31", "2", "2026", "must be a real date"),
])
def test_dates_take_month_names_and_say_what_is_wrong(web: FlaskClient, day: str, month: str, year: str,
                                                      message: str | None) -> None:
    fields_ = describe(all_forms()[MANCHESTER].schema)
    body = parse(fields_, MultiDict(encode(fields_, _manchester())))
    data = MultiDict(encode(fields_, body))
    for part, typed in (("day", day), ("month", month), ("year", year)):
        data.setlist(f"date_completed-{part}", [typed])
    data.add("csrf_token", _token(web, MANCHESTER))
    page = web.post(f"/forms/{MANCHESTER}", data=data).text
    errors = [html.unescape(text).strip() for _, text in _summary_links(page)] if "error-summary" in page else []
    if message is None:
        assert not any("Date completed" in text for text in errors), errors
    else:
        assert any(message in text for text in errors), errors
        assert len([text for text in errors if "ate completed" in text]) == 1


def test_footer_links_to_help_accessibility_and_a_privacy_notice_that_says_what_is_kept(web: FlaskClient) -> None:
    start = web.get("/").text
    for page, words in (("help", "Help"), ("accessibility", "Accessibility statement"), ("privacy", "Privacy notice")):
        assert f'href="/about/{page}">{words}</a>' in start
        answer = web.get(f"/about/{page}")
        assert answer.status_code == 200 and f"<h1 class=\"govuk-heading-l\">{words}</h1>" in answer.text
    privacy = html.unescape(web.get("/about/privacy").text)
    assert "SHA-256" in privacy and "Your answers are not stored" in privacy and "how long" in privacy
    assert web.get("/about/nothing").status_code == 404
