"""The web pages through Flask's test client: generated for every form, errors the GOV.UK way, CSRF,
headers, uploads and the case-system prefill address. The task list itself: test_task_pages.py."""

from __future__ import annotations

import copy
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_token
from flask.testing import FlaskClient
from helpers import docx_text, squash
from web_journey import fill, finish, post, start, start_from_file, tasks
from werkzeug.datastructures import MultiDict

from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import drop_empty
from formgen.engine import pipeline
from formgen.service.web.schema_form import Kind, describe, encode, parse

MANCHESTER = "manchester-allocations-pro-forma"


def _token(web: FlaskClient, form_id: str = MANCHESTER) -> str:
    return csrf_token(web.get(f"/forms/{form_id}").text)


def _draft(web: FlaskClient, form_id: str, body: dict[str, Any]) -> str:
    form = all_forms()[form_id]
    draft = start(web, form)
    fill(web, form, draft, body)
    return draft


def _summary_links(page: str) -> list[tuple[str, str]]:
    found = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert found, "no error summary"
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', found.group(1), re.S)
    return [(html.unescape(href), html.unescape(text).strip()) for href, text in links]


def _pages_of(web: FlaskClient, form: FormSpec, draft: str) -> str:
    """Every task's page of a new draft, and each list's page for a new item, one after the other."""
    return "".join(web.get(f"{draft}/{t.slug}" + ("/new" if t.rows else "")).text for t in tasks(form))


# ---------------------------------------------------------------- every form, no per-form code

def test_every_field_of_every_form_has_an_input(web: FlaskClient, form: FormSpec) -> None:
    page = _pages_of(web, form, start(web, form))
    names = set(re.findall(r'name="([^"]+)"', page))
    for name, _ in encode(describe(form.schema), form.example):
        if name.count(".") == 1 and name.endswith("._rows"):
            continue  # a list's own page lists its items; each item has its page
        first_row = re.sub(r"\.\d+\.", ".0.", name)  # a new item's page shows a list's first item
        assert first_row in names, f"{form.id}: no input named {first_row} on its pages"


def test_posted_example_round_trips_to_the_same_body(form: FormSpec) -> None:
    fields = describe(form.schema)
    assert parse(fields, MultiDict(encode(fields, form.example))) == drop_empty(copy.deepcopy(dict(form.example)))


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
    form = web.get(f"{start(web, all_forms()[HEREFORDSHIRE])}/the-step-down-decision").text
    radios = re.search(r'<div class="govuk-radios[^"]*"[^>]*>\s*<div class="govuk-radios__item">\s*<input[^>]*'
                       r'name="level_of_need"', form)
    assert radios and "govuk-radios--inline" not in radios.group(0)
    assert re.search(r'value="3"[^>]*>\s*<label[^>]*>\s*3 - Intensive\s*</label>', form), "no worded radio"
    check = web.get(f"{_draft(web, HEREFORDSHIRE, copy.deepcopy(dict(all_forms()[HEREFORDSHIRE].example)))}/check").text
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
    (lambda b: b.update(family_members=[]), "/family-composition?return=check#add-item", "at least 1 required"),
], ids=["required", "real-date", "rule-level-1", "rule-5.5", "group-field", "row-field", "rows-minimum"])
def test_error_summary_links_to_the_field_with_the_schema_message(web: FlaskClient, change: Any, href: str,
                                                                  words: str) -> None:
    body = _manchester()
    change(body)
    check = web.get(f"{_draft(web, MANCHESTER, body)}/check").text
    assert "Confirm and continue" not in check
    assert "<title>Error: " in check
    links = _summary_links(check)
    found = [link for link, text in links if link.endswith(href) and words in text]
    assert found, links
    # The link opens the answer's own page, where the error is shown beside it.
    answer = web.get(found[0].split("#")[0]).text
    assert f'id="{href.split("#")[1]}"' in answer
    assert 'class="govuk-error-message"' in answer


def test_page_limit_error_says_which_answers_to_shorten_and_by_how_much(web: FlaskClient) -> None:
    body = _manchester()
    paragraph = "Mum described the week in detail, including each school run and every appointment. " * 10
    for key in ("worried_about", "working_well", "needs_to_happen"):
        body[key] = "\n".join([paragraph[:400]] * 9)
    check = web.get(f"{_draft(web, MANCHESTER, body)}/check").text
    links = _summary_links(check)
    assert links and all("/worries-and-strengths?return=check#f-" in href for href, _ in links)
    for _, text in links:
        assert re.fullmatch(r"Shorten '.+' by about [\d,]+ characters, about \d+ lines?", text), text


def test_an_unknown_action_is_refused(web: FlaskClient) -> None:
    draft = _draft(web, MANCHESTER, _manchester())
    response = post(web, f"{draft}/subject-child", {}, action="add:nowhere")
    assert response.status_code == 400
    assert response.mimetype == "text/html"


def test_a_list_inside_an_item_adds_a_row_without_javascript(web: FlaskClient) -> None:
    agenda = "step-down-clinic-agenda"
    body = copy.deepcopy(dict(all_forms()[agenda].example))
    body["cases"][0]["children"] = body["cases"][0]["children"][:1]
    draft = _draft(web, agenda, body)
    item = f"{draft}/cases-booked/1"
    page = web.get(item).text
    inner = re.search(r'value="(add:cases\.0\.[a-z_]+)" name="action"', page)
    assert inner, "no add button for a list inside a case"
    pairs = re.findall(r'name="(cases\.0\.[^"]+)"[^>]*value="([^"]*)"', page)
    response = post(web, item, pairs, action=inner.group(1))
    assert response.status_code == 303 and "/cases-booked/1#f-cases-0-children-" in response.headers["Location"]
    added = web.get(item).text
    assert len(set(re.findall(r'name="cases\.0\.children\.(\d+)\.', added))) == \
        len(set(re.findall(r'name="cases\.0\.children\.(\d+)\.', page))) + 1


# ---------------------------------------------------------------- security

def test_posts_without_the_csrf_token_do_nothing(web: FlaskClient) -> None:
    form = all_forms()[MANCHESTER]
    refused = web.post(f"/forms/{MANCHESTER}/drafts", data={})
    assert refused.status_code == 400 and "press the button again" in refused.text
    draft = start(web, form)
    page = web.post(f"{draft}/referrer", data={"referrer.name": "Someone Else", "csrf_token": "0" * 64})
    assert page.status_code == 400
    assert "Someone Else" not in web.get(f"{draft}/referrer").text


def test_a_token_from_another_browser_is_refused(app: Any) -> None:
    first, second = app.test_client(), app.test_client()
    token = csrf_token(first.get(f"/forms/{MANCHESTER}").text)
    second.get("/")
    assert second.post(f"/forms/{MANCHESTER}/drafts", data={"csrf_token": token}).status_code == 400
    assert first.post(f"/forms/{MANCHESTER}/drafts", data={"csrf_token": token}).status_code == 303


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
    draft = _draft(web, MANCHESTER, _manchester())
    response = web.get(f"{draft}/check")
    assert "Zofia" in response.text
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
    data = {"csrf_token": _token(web), "action": "upload", "file": (io.BytesIO(content), name if content else "")}
    page = web.post(f"/forms/{MANCHESTER}/drafts", data=data, content_type="multipart/form-data")
    assert page.status_code in (400, 422)
    links = _summary_links(page.text)
    assert links[0][0] == "#upload-file"
    assert words in links[0][1]
    assert "formgen" not in links[0][1]  # a social worker reads "this service", not the product's name


def test_upload_of_a_formgen_pdf_fills_in_the_form(web: FlaskClient) -> None:
    response = start_from_file(web, all_forms()[MANCHESTER], _pdf(), "pro-forma.pdf")
    assert response.status_code == 303
    draft = response.headers["Location"]
    assert "answers filled in from the PDF" in html.unescape(web.get(draft).text)
    assert 'value="Zofia Wójcik"' in html.unescape(web.get(f"{draft}/subject-child").text)
    assert 'value="14 Birchfield Grove"' in web.get(f"{draft}/address-and-housing").text


def test_a_case_system_posts_json_to_the_prefill_address(client: FlaskClient) -> None:
    body = {"child": {"name": "Ruby Okafor", "micare_id": "MC0000417"}, "telephone": "0161 496 0999",
            "case_system_field": "ignored"}
    response = client.post(f"/forms/{MANCHESTER}/prefill", json=body)
    assert response.status_code == 303
    draft = response.headers["Location"]
    listed = client.get(draft).text
    assert "1 answer in the document had no place on this form." in listed
    assert "from your case system" in listed
    assert 'value="Ruby Okafor"' in client.get(f"{draft}/subject-child").text
    assert 'value="0161 496 0999"' in client.get(f"{draft}/address-and-housing").text


def test_a_case_system_posts_an_html_form_to_the_prefill_address(client: FlaskClient) -> None:
    response = client.post(f"/forms/{MANCHESTER}/prefill",
                           data={"child.name": "Ruby Okafor", "date_completed-day": "3", "date_completed-month": "11",
                                 "date_completed-year": "2026"})
    draft = response.headers["Location"]
    assert 'value="Ruby Okafor"' in client.get(f"{draft}/subject-child").text
    assert re.search(r'name="date_completed-month"[^>]*value="11"', client.get(f"{draft}/about-the-referral").text)


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
    pdf = finish(web, all_forms()[MANCHESTER], _manchester())
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
    draft = _draft(web, agenda, body)
    texts = [text for _, text in _summary_links(web.get(f"{draft}/check").text)]
    assert any(text.startswith("Case 1 (") for text in texts), texts
    assert not any("Cases 1" in text for text in texts), texts
    assert "Cases 1" not in web.get(f"{draft}/cases/1").text


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
    page = web.get(f"{start(web, all_forms()[MANCHESTER])}/address-and-housing").text
    other = page.index('value="other" data-aria-controls="conditional-f-housing_provider-4"')
    revealed = page.index('id="conditional-f-housing_provider-4"')
    assert other < revealed < page.index('name="housing_provider_other"')
    fields_ = describe(all_forms()[MANCHESTER].schema)
    typed = MultiDict({"housing_provider": "home-owner", "housing_provider_other": "Left over from before"})
    assert "housing_provider_other" not in parse(fields_, typed)
    typed["housing_provider"] = "other"
    assert parse(fields_, typed)["housing_provider_other"] == "Left over from before"


def test_telephone_and_email_inputs_have_their_types_and_no_autofill(web: FlaskClient) -> None:
    page = _pages_of(web, all_forms()[MANCHESTER], start(web, all_forms()[MANCHESTER]))
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
    draft = _draft(web, MANCHESTER, _manchester())
    task = next(t for t in tasks(all_forms()[MANCHESTER]) if "date_completed" in t.names)
    data = MultiDict(encode(task.fields, _manchester()))
    for part, typed in (("day", day), ("month", month), ("year", year)):
        data.setlist(f"date_completed-{part}", [typed])
    response = post(web, f"{draft}/{task.slug}", list(data.items(multi=True)))
    page = web.get(response.headers["Location"].split("#")[0]).text
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
    assert "SHA-256" in privacy and "encrypted" in privacy and "28 days after it last changed" in privacy
    assert web.get("/about/nothing").status_code == 404
