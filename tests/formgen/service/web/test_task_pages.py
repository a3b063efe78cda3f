"""Forms as task lists saved as drafts: every submit saves and redirects, nothing typed is lost, a draft is
its owner's alone, nothing is removed or overwritten without asking, and check answers leads to what next."""

from __future__ import annotations

import copy
import html
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from helpers import pdf_text, squash
from web_journey import fill, post, start, statuses, tasks

from api import create_app
from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import drop_empty
from formgen.documents import embed
from formgen.engine import pipeline
from formgen.store.drafts import new_key

MANCHESTER = "manchester-allocations-pro-forma"
AGENDA = "shropshire-step-down-agenda"


def _example(form_id: str = MANCHESTER) -> dict[str, Any]:
    return copy.deepcopy(dict(all_forms()[form_id].example))


def _text(response: Any) -> str:
    return html.unescape(response.text)


# ---------------------------------------------------------------- every form, through its tasks

def test_every_form_is_filled_task_by_task_then_checked_confirmed_and_downloaded(web: FlaskClient,
                                                                                  form: FormSpec) -> None:
    draft = start(web, form)
    responses = fill(web, form, draft, _example(form.id))
    # Post/Redirect/Get: every submit is answered with a redirect, so Back and refresh never resubmit.
    assert {r.status_code for r in responses} == {303}, [r.text[:300] for r in responses if r.status_code != 303]
    listed = statuses(web.get(draft).text)
    assert listed and set(listed.values()) == {"Completed"}, listed
    check = web.get(f"{draft}/check").text
    assert "Before you can download" not in check
    assert check.count(">Change<") >= len(tasks(form))
    confirmed = web.post(f"{draft}/confirm", data={"csrf_token": _token(check)})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("/done")
    done = web.get(f"{draft}/done").text
    assert "What happens next" in done
    document = web.post(f"{draft}/download", data={"csrf_token": _token(done), "format": form.formats[-1]})
    assert document.status_code == 200
    assert document.headers["Cache-Control"] == "no-store"
    carried = (embed.read_pdf_data if form.formats[-1] == "pdf" else embed.read_docx_data)(document.data)
    assert _answers(carried.data) == _answers(drop_empty(_example(form.id)))
    # The document holds the answers now: the draft is gone.
    assert web.get(draft).status_code == 404


def _answers(body: Any) -> Any:
    """The answers, less attached files (a document carries an attachment's digest, not its bytes)."""
    if isinstance(body, dict):
        return {k: _answers(v) for k, v in body.items() if k != "document"}
    if isinstance(body, list):
        return [_answers(v) for v in body]
    return body


def _filled(web: FlaskClient, form_id: str = MANCHESTER, body: dict[str, Any] | None = None) -> str:
    form = all_forms()[form_id]
    draft = start(web, form)
    fill(web, form, draft, body or _example(form_id))
    return draft


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


# ---------------------------------------------------------------- never lose what was typed

def test_a_draft_comes_back_from_your_drafts_with_every_answer(web: FlaskClient) -> None:
    draft = _filled(web)
    start_page = _text(web.get("/"))
    assert "Your drafts" in start_page
    assert draft.split("/")[-1] in start_page
    assert re.search(r">\s*ZW\s*<", start_page)  # Zofia Wójcik: her initials, never her name
    assert "Zofia" not in start_page
    child = _text(web.get(f"{draft}/subject-child"))
    assert 'value="Zofia Wójcik"' in child


def test_a_task_with_an_error_is_saved_and_shows_the_error_the_second_time(web: FlaskClient) -> None:
    form = all_forms()[MANCHESTER]
    draft = start(web, form)
    first = _text(web.get(f"{draft}/subject-child"))
    assert "There is a problem" not in first  # a page not yet saved shows no errors
    response = post(web, f"{draft}/subject-child", {"child.name": "Amara Example"})
    assert response.status_code == 303 and "/subject-child" in response.headers["Location"]
    again = _text(web.get(response.headers["Location"]))
    assert "There is a problem" in again
    assert 'value="Amara Example"' in again  # what was typed is kept
    assert statuses(web.get(draft).text)["Subject child"] == "In progress"


def test_answers_are_kept_when_the_page_is_left_unsaved_elsewhere(web: FlaskClient) -> None:
    """Each task is saved on its own: typing in one never changes another."""
    draft = _filled(web)
    post(web, f"{draft}/referrer", {"referrer.name": "Sam Example"})
    assert 'value="Zofia Wójcik"' in _text(web.get(f"{draft}/subject-child"))


# ---------------------------------------------------------------- lists: add another, remove with a question

def test_add_another_opens_a_new_item_with_the_focus_on_its_first_question(web: FlaskClient) -> None:
    draft = _filled(web)
    summary = _text(web.get(f"{draft}/family-composition"))
    assert "Add another family member" in summary
    new = _text(web.get(f"{draft}/family-composition/new"))
    first_input = re.search(r'<(input|textarea)[^>]*class="govuk-(input|textarea)[^>]*>', new)
    assert first_input and "autofocus" in first_input.group(0)


def test_a_blank_new_item_says_so_rather_than_doing_nothing(web: FlaskClient) -> None:
    draft = _filled(web)
    response = post(web, f"{draft}/family-composition/new", {})
    assert response.status_code == 303
    page = _text(web.get(response.headers["Location"]))
    assert "Enter at least one answer for this family member" in page


def test_remove_asks_first_and_no_keeps_it(web: FlaskClient) -> None:
    draft = _filled(web)
    before = _text(web.get(f"{draft}/family-composition"))
    assert before.count("Remove<") == 3
    question = _text(web.get(f"{draft}/family-composition/1/remove"))
    assert "Are you sure you want to remove Family member 1: Katarzyna Wójcik?" in question
    kept = post(web, f"{draft}/family-composition/1/remove", {"remove": "no"})
    assert kept.status_code == 303
    assert "Katarzyna Wójcik" in _text(web.get(f"{draft}/family-composition"))
    unanswered = post(web, f"{draft}/family-composition/1/remove", {})
    assert "Select yes to remove it" in _text(web.get(unanswered.headers["Location"]))
    removed = post(web, f"{draft}/family-composition/1/remove", {"remove": "yes"})
    after = _text(web.get(removed.headers["Location"]))
    assert "Family member 1: Katarzyna Wójcik was removed." in after
    assert after.count("Remove<") == 2


# ---------------------------------------------------------------- check answers, change, confirm, next

def test_a_change_link_returns_to_that_answer_then_back_to_check(web: FlaskClient) -> None:
    draft = _filled(web)
    check = _text(web.get(f"{draft}/check"))
    link = re.search(r'href="([^"]*/subject-child\?return=check#f-child-name)"', check)
    assert link, "no Change link to the child's name"
    page = _text(web.get(link.group(1)))
    assert 'value="check"' in page
    response = post(web, link.group(1).split("#")[0], {"child.name": "Zofia Example", "child.micare_id": "MC0481923",
                                                       "child.date_of_birth-day": "9",
                                                       "child.date_of_birth-month": "5",
                                                       "child.date_of_birth-year": "2017"}, **{"return": "check"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/check")
    assert "Zofia Example" in _text(web.get(f"{draft}/check"))


def test_check_cards_are_titled_by_what_they_hold(web: FlaskClient) -> None:
    draft = _filled(web, AGENDA)
    check = _text(web.get(f"{draft}/check"))
    titles = re.findall(r'<h2 class="govuk-summary-card__title">\s*(.*?)\s*</h2>', check, re.S)
    assert "Answers" not in titles
    assert any(re.fullmatch(r"Case 2: \S+", t) for t in titles), titles


def test_the_confirmation_page_says_where_it_goes_and_by_when(web: FlaskClient) -> None:
    draft = _filled(web)
    check = web.get(f"{draft}/check").text
    web.post(f"{draft}/confirm", data={"csrf_token": _token(check)})
    done = squash(_text(web.get(f"{draft}/done")))
    assert "attached to the Child and Family referral on Micare" in done
    assert "Source: Manchester's guidance, 3.8 and Appendix 2" in done
    assert "By 19 November 2026 (the first Thursday after the pro forma was completed" in done


def test_the_page_limit_says_how_much_to_cut_and_links_to_the_answer(web: FlaskClient) -> None:
    sentence = "Mum says the arguments at home have got worse since the summer and the children hear them. "
    body = _example()
    body["worried_about"] = (sentence * 50)[:3900]
    body["working_well"] = (sentence * 30)[:1800]
    draft = _filled(web, body=body)
    check = _text(web.get(f"{draft}/check"))
    found = re.search(r'href="([^"]+#f-worried_about)">Shorten \'What are we worried about\?\' by about ([\d,]+) '
                      r"characters, about \d+ lines", check)
    assert found, check[:3000]
    assert "Confirm and continue" not in check
    cut = int(found.group(2).replace(",", ""))
    page = web.get(found.group(1).split("#")[0]).text
    assert f'data-maxlength="{3900 - cut}"' in page


# ---------------------------------------------------------------- uploads fill only blanks

def test_an_upload_fills_only_blank_answers_and_says_what_it_left(web: FlaskClient) -> None:
    form = all_forms()[MANCHESTER]
    pdf = pipeline.render(form, _example(), "pdf").content
    draft = start(web, form)
    post(web, f"{draft}/worries-and-strengths", {"worried_about": "Typed by the worker before the upload."})
    page = web.get(draft).text
    response = web.post(f"{draft}/upload", data={"csrf_token": _token(page),
                                                 "file": (io.BytesIO(pdf), "pro-forma.pdf")})
    assert response.status_code == 303
    listed = _text(web.get(draft))
    assert "answers filled in from the PDF" in listed
    assert "Left as you had them, because the document said something else: What are we worried about?" in listed
    worries = _text(web.get(f"{draft}/worries-and-strengths"))
    assert "Typed by the worker before the upload." in worries
    assert "Filled in from a document, for you to check" in worries


def test_a_case_system_handover_becomes_a_draft_marked_for_checking(client: FlaskClient) -> None:
    response = client.post(f"/forms/{MANCHESTER}/prefill", json={"form": MANCHESTER, "data": _example()})
    assert response.status_code == 303
    listed = _text(client.get(response.headers["Location"]))
    assert "In progress" in listed  # filled, not yet checked


# ---------------------------------------------------------------- a draft is its owner's alone

@pytest.fixture()
def signed_in_app() -> Flask:
    return create_app({"TESTING": True, "WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": "127.0.0.1",
                       "DRAFT_KEYS": new_key(), "PERSON_ID_KEY": "test-person-key"})


def _as(app: Flask, person: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"HTTP_X_FORWARDED_USER": person, "REMOTE_ADDR": "127.0.0.1"})
    client.get("/")
    return client


def test_another_person_cannot_see_list_change_or_delete_a_draft(signed_in_app: Flask) -> None:
    alice, bob = _as(signed_in_app, "alice@example.gov.uk"), _as(signed_in_app, "bob@example.gov.uk")
    draft = _filled(alice)
    assert alice.get(draft).status_code == 200
    assert draft.split("/")[-1] not in bob.get("/").text
    for url in (draft, f"{draft}/subject-child", f"{draft}/check", f"{draft}/family-composition/1"):
        assert bob.get(url).status_code == 404, url
    token = _token(bob.get(f"/forms/{MANCHESTER}").text)
    assert bob.post(f"{draft}/subject-child", data={"csrf_token": token, "child.name": "X"}).status_code == 404
    assert bob.post(f"{draft}/delete", data={"csrf_token": token}).status_code == 404
    assert 'value="Zofia Wójcik"' in _text(alice.get(f"{draft}/subject-child"))


def test_signed_in_pages_need_the_draft_keys_configured() -> None:
    from formgen.service.identity import WebConfigError
    with pytest.raises(WebConfigError, match="FORMGEN_DRAFT_KEYS"):
        create_app({"TESTING": True, "WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": "127.0.0.1"})


# ---------------------------------------------------------------- CSRF

def test_a_post_without_the_token_saves_nothing(web: FlaskClient) -> None:
    draft = _filled(web)
    response = web.post(f"{draft}/subject-child", data={"child.name": "Changed Name"})
    assert response.status_code == 400
    assert 'value="Zofia Wójcik"' in _text(web.get(f"{draft}/subject-child"))


def test_the_downloaded_pdf_holds_what_was_typed(web: FlaskClient) -> None:
    draft = _filled(web)
    web.post(f"{draft}/confirm", data={"csrf_token": _token(web.get(f"{draft}/check").text)})
    document = web.post(f"{draft}/download", data={"csrf_token": _token(web.get(f"{draft}/done").text),
                                                   "format": "pdf"})
    assert "Zofia Wójcik" in pdf_text(document.data)


# ---------------------------------------------------------------- a chair's cases from the cases' documents

def test_a_chair_adds_cases_from_several_documents_at_once(web: FlaskClient) -> None:
    consent = all_forms()["shropshire-strengthening-families-consent"]
    second = {**_example(consent.id), "carefirst_number": "CF2291034",
              "household": [{"full_name": "Leanne Cartwright", "relationship": "Mother", "lives_in_household": True}],
              "children": [{"full_name": "Mia Cartwright", "date_of_birth": "2017-02-11"}]}
    files = [pipeline.render(consent, _example(consent.id), "pdf").content,
             pipeline.render(consent, second, "docx").content, b"GIF89a a photo"]
    agenda = all_forms()[AGENDA]
    draft = start(web, agenda)
    page = web.get(f"{draft}/cases").text
    assert 'name="files"' in page and "multiple" in page
    response = web.post(f"{draft}/cases/documents", content_type="multipart/form-data", data={
        "csrf_token": _token(page), "files": [(io.BytesIO(content), f"case-{i}.pdf") for i, content in enumerate(files)]})
    assert response.status_code == 303
    listed = _text(web.get(f"{draft}/cases"))
    assert "2 cases added from documents" in listed
    assert "File 3: not used. This service cannot read this file." in listed
    assert "Case 2: CF2291034" in listed
    assert listed.count("Filled in from a document: check it") == 2
    assert "Mia Cartwright" in _text(web.get(f"{draft}/cases/2"))


def test_a_failed_upload_keeps_every_answer_and_says_why(web: FlaskClient) -> None:
    draft = _filled(web)
    page = web.get(draft).text
    failed = web.post(f"{draft}/upload", data={"csrf_token": _token(page), "file": (io.BytesIO(b"GIF89a"), "x.gif")})
    assert failed.status_code == 422
    assert "This service cannot read this file." in _text(failed)
    assert 'value="Zofia Wójcik"' in _text(web.get(f"{draft}/subject-child"))
    assert set(statuses(web.get(draft).text).values()) == {"Completed"}


def test_workers_starting_together_on_a_laptop_make_one_drafts_key(tmp_path: Any) -> None:
    """No key configured, no sign-on: the first worker makes the key beside the database; all agree on it."""
    import threading

    from formgen.service.drafts_hooks import _local_key

    apps = [Flask(f"w{i}", instance_path=str(tmp_path)) for i in range(8)]
    keys: list[bytes] = []
    threads = [threading.Thread(target=lambda a=a: keys.append(_local_key(a))) for a in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drafts.key"]
    assert (tmp_path / "drafts.key").stat().st_mode & 0o077 == 0


def test_with_the_pages_off_no_draft_store_is_opened(tmp_path: Any) -> None:
    app = create_app({"WEB_PAGES": "off", "AUDIT_DB": str(tmp_path / "audit.sqlite3")})
    assert "formgen_drafts" not in app.extensions
    assert not list(tmp_path.glob("*.key"))
