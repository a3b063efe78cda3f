"""Two journeys in Chromium: a meeting chair builds a five-case agenda from the cases' own documents (counted:
page submits, fields typed), and a second signed-in person cannot see the first person's draft."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import axe_violations, serving
from helpers import pdf_text, squash

from api import create_app
from formgen.core.registry import all_forms
from formgen.engine import pipeline
from formgen.engine.prefill import rows_from_uploads
from formgen.service.web.schema_form import ROWS_KEY, encode
from formgen.store.drafts import new_key

pytestmark = pytest.mark.usefixtures("browser_ready")

AGENDA = "shropshire-step-down-agenda"
CONSENT = "shropshire-strengthening-families-consent"
# The chair's answers for each case that no consent form holds (Appendix A's columns), and the meeting's own.
CASE_ANSWERS = {"route": "3.a", "consent_location": "carestore > Consent > SF consent",
                "assessment": "Single assessment completed; the worries have reduced.",
                "recommendations": "Early Help Whole Family Action Plan.", "service": "Targeted Early Help",
                "service_role": "Lead professional."}
FAMILIES = [("CF2291001", "Mia", "Cartwright"), ("CF2291002", "Oskar", "Lindqvist"), ("CF2291003", "Tomi", "Adeyemi"),
            ("CF2291004", "Ffion", "Parry"), ("CF2291005", "Ravi", "Mistry")]


class Counted:
    """The chair's effort: each answer typed or chosen, each page submitted, each submit refused."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.typed = 0
        self.submits = 0
        page.on("request", self._request)

    def _request(self, request: Any) -> None:
        if request.is_navigation_request() and request.method == "POST":
            self.submits += 1

    def fill(self, pairs: list[tuple[str, str]]) -> None:
        for name, value in pairs:
            if name.endswith(f".{ROWS_KEY}") or not value:
                continue
            target = self.page.locator(f'[name="{name}"]')
            if target.first.get_attribute("type") in ("radio", "checkbox"):
                self.page.locator(f'[name="{name}"][value="{value}"]').check()
            else:
                target.fill(value)
            self.typed += 1


def _consent(carefirst: str, first: str, last: str) -> dict[str, Any]:
    body = copy.deepcopy(dict(all_forms()[CONSENT].example))
    body.update(carefirst_number=carefirst,
                household=[{"full_name": f"Jo {last}", "relationship": "Mother", "lives_in_household": True}],
                children=[{"full_name": f"{first} {last}", "date_of_birth": "2016-04-12"}])
    return body


def _assert_accessible(page: Any, where: str) -> None:
    assert axe_violations(page) == [], where


@pytest.mark.parametrize("width", [1280, 390])
def test_a_chair_builds_a_five_case_agenda_from_five_documents(browser: Any, live_server: str, width: int) -> None:
    agenda = all_forms()[AGENDA]
    consent = all_forms()[CONSENT]
    files = [{"name": f"consent-{carefirst}.pdf", "mimeType": "application/pdf",
              "buffer": pipeline.render(consent, _consent(carefirst, first, last), "pdf").content}
             for carefirst, first, last in FAMILIES]
    # What the documents give each case, so the chair types only the rest.
    given = rows_from_uploads(agenda, [f["buffer"] for f in files]).rows
    assert len(given) == 5
    # Route 3.a cases go to the weekly meeting, which an Assessment Team manager attends (Appendix A).
    meeting = {**{k: v for k, v in agenda.example.items() if k not in ("cases", "attendees")}, "meeting": "weekly"}
    attendees = [{"name": "Dafydd Roberts", "attends_as": "eh-manager"},
                 {"name": "Lowri Davies", "attends_as": "assessment-team-manager"}]
    context = browser.new_context(base_url=live_server, accept_downloads=True,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    chair = Counted(page)
    try:
        page.goto(f"/forms/{AGENDA}")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("link", name="The meeting", exact=True).click()
        chair.fill(encode(_meeting_task().fields, meeting))
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("link", name="Attendees", exact=True).click()
        for index, person in enumerate(attendees):
            page.locator("#add-item").click()
            chair.fill([(f"attendees.{index}.{k}", v) for k, v in person.items()])
            page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Save and continue").click()

        page.get_by_role("link", name="Cases", exact=True).click()
        page.set_input_files("#upload-files", files=files)
        page.get_by_role("button", name="Add from these documents").click()
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert "5 cases added from documents" in banner
        _assert_accessible(page, f"the cases added from documents at {width} px")
        for number in range(1, 6):
            page.goto(page.url.split("#")[0] + f"/{number}")
            chair.fill([(f"cases.{number - 1}.{k}", v) for k, v in CASE_ANSWERS.items()
                        if k not in given[number - 1]])
            page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Save and continue").click()
        page.wait_for_url(lambda url: url.rstrip("/").count("/") == 4 and "/drafts/" in url.split("#")[0])
        assert page.locator(".govuk-task-list__status").all_inner_texts() == ["Completed"] * len(_tasks())
        page.get_by_role("link", name="Check your answers").click()
        assert "Before you can download" not in page.locator("main").inner_text()
        page.get_by_role("button", name="Confirm and continue").click()
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the document").click()
        with open(download_info.value.path(), "rb") as handle:
            text = squash(pdf_text(handle.read()))
        for carefirst, first, last in FAMILIES:
            assert carefirst in text and f"{first} {last}" in text
        # The counts for the note (today: 69 fields typed, 6 full reloads, 1 failed submit): printed, and
        # held to what this journey needs, so a change that makes the chair type more fails here.
        print(f"chair at {width} px: {chair.submits} page submits, {chair.typed} fields typed, 0 refused")
        # Only what no document holds: the meeting's own answers, who attends, and each case's Appendix A columns.
        meeting_answers = [pair for pair in encode(_meeting_task().fields, meeting) if pair[1]]
        assert chair.typed == len(meeting_answers) + 2 * len(attendees[0]) + 5 * len(CASE_ANSWERS)
        assert chair.submits == 14
    finally:
        context.close()


def _meeting_task() -> Any:
    return next(t for t in _tasks() if t.slug == "the-meeting")


def _tasks() -> Any:
    from web_journey import tasks
    return tasks(all_forms()[AGENDA])


# ---------------------------------------------------------------- two people, one server

@pytest.fixture(scope="module")
def signed_in_server(browser_ready: None) -> Iterator[str]:
    """The app behind single sign-on: the proxy (this machine) names the person in X-Forwarded-User."""
    app = create_app({"WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": "127.0.0.1",
                      "DRAFT_KEYS": new_key(), "PERSON_ID_KEY": "browser-test-person-key", "TESTING": True})
    with serving(app) as url:
        yield url


def test_a_second_person_cannot_see_the_first_persons_draft(browser: Any, signed_in_server: str) -> None:
    first = browser.new_context(base_url=signed_in_server, extra_http_headers={"X-Forwarded-User": "ana@example.org"})
    second = browser.new_context(base_url=signed_in_server, extra_http_headers={"X-Forwarded-User": "ben@example.org"})
    try:
        ana, ben = first.new_page(), second.new_page()
        ana.goto("/forms/manchester-allocations-pro-forma")
        ana.get_by_role("button", name="Start now").click()
        ana.get_by_role("link", name="Subject child", exact=True).click()
        ana.locator('[name="child.name"]').fill("Lola Example")
        ana.get_by_role("button", name="Save and continue").click()
        draft = ana.url.split("#")[0]
        ana.goto("/")
        assert "LE" in ana.locator("#drafts").inner_text()
        ben.goto("/")
        assert ben.locator("#drafts").count() == 0
        answer = ben.goto(draft)
        assert answer is not None and answer.status == 404
        assert "This draft is not here" in ben.locator("h1").inner_text()
        _assert_accessible(ben, "the draft-not-here page")
        assert ben.goto(f"{draft}/subject-child").status == 404
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_remove_and_delete_questions_are_accessible(browser: Any, live_server: str, width: int) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/forms/manchester-allocations-pro-forma")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("link", name="Family composition", exact=True).click()
        page.locator("#add-item").click()
        page.locator('[name="family_members.0.full_name"]').fill("Kai Example")
        page.get_by_role("button", name="Save and continue").click()
        # Saved, with what is still missing shown on the item's page; the list has it.
        page.locator(".govuk-error-summary").wait_for()
        page.get_by_role("link", name="Back").click()
        page.get_by_role("link", name="Remove Family member 1: Kai Example").click()
        _assert_accessible(page, f"the remove question at {width} px")
        page.get_by_role("button", name="Continue").click()
        page.locator(".govuk-error-summary").wait_for()
        _assert_accessible(page, f"the remove question with an error at {width} px")
        page.get_by_label("No").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("link", name="Back").click()
        page.get_by_role("link", name="Delete this draft").click()
        _assert_accessible(page, f"the delete question at {width} px")
        page.get_by_role("button", name="Delete the draft").click()
        page.get_by_role("heading", name="Choose a form").wait_for()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_pages_with_errors_are_accessible(browser: Any, live_server: str, width: int) -> None:
    """A task page and an item page after a save with something missing, a list with too few items, and check
    answers listing what stops the download, each linking to the answer."""
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto("/forms/manchester-allocations-pro-forma")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("link", name="Subject child", exact=True).click()
        page.locator('[name="child.micare_id"]').fill("MC0000417")
        page.get_by_role("button", name="Save and continue").click()
        page.locator(".govuk-error-summary").wait_for()
        assert page.title().startswith("Error: ")
        _assert_accessible(page, f"a task page with errors at {width} px")
        page.get_by_role("link", name="Back").click()
        page.get_by_role("link", name="Family composition", exact=True).click()
        page.get_by_role("button", name="Save and continue").click()
        page.locator(".govuk-error-summary").wait_for()
        _assert_accessible(page, f"a list page with an error at {width} px")
        page.locator("#add-item").click()
        page.locator('[name="family_members.0.full_name"]').fill("Kai Example")
        page.get_by_role("button", name="Save and continue").click()
        _assert_accessible(page, f"an item page with errors at {width} px")
        page.goto(page.url.split("/family-composition")[0] + "/check")
        summary = page.locator(".govuk-error-summary")
        summary.wait_for()
        _assert_accessible(page, f"check answers with problems at {width} px")
        summary.get_by_role("link").first.click()
        assert "return=check" in page.url
    finally:
        context.close()
