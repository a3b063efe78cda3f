"""A social worker in Chromium: the Manchester pro forma task by task, leaving and coming back from "Your drafts",
changing an answer from check answers, confirming and downloading. axe-core checks every kind of page on the way,
at 1280 and 390 px."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from conftest import axe_violations
from helpers import pdf_text, squash

from formgen.core.registry import all_forms
from formgen.engine import routes
from formgen.service.web import step_down
from formgen.service.web.schema_form import ROWS_KEY, Field, describe, encode

MANCHESTER = "manchester-allocations-pro-forma"
HEREFORDSHIRE = "herefordshire-eha-step-down-plan"

pytestmark = pytest.mark.usefixtures("browser_ready")


def _fill(page: Any, pairs: list[tuple[str, str]]) -> None:
    for name, value in pairs:
        if name.endswith(f".{ROWS_KEY}"):
            continue
        target = page.locator(f'[name="{name}"]')
        if target.first.get_attribute("type") in ("radio", "checkbox"):
            page.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            target.fill(value)


def _row_of(name: str) -> tuple[str, int] | None:
    """('family_members', 2) for 'family_members.2.full_name'; None outside repeating rows."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[1].isdigit():
        return parts[0], int(parts[1])
    return None


def fill_in(page: Any, form_id: str, body: dict[str, Any]) -> None:
    """Type a body into the page as a person would: first rows first, then "Add another" for each extra row."""
    fill_fields(page, describe(all_forms()[form_id].schema), body)


def fill_fields(page: Any, fields: tuple[Field, ...], body: dict[str, Any], prefix: str = "") -> None:
    pairs = encode(fields, body, prefix)
    extra: dict[tuple[str, int], list[tuple[str, str]]] = {}
    first: list[tuple[str, str]] = []
    for name, value in pairs:
        row = _row_of(name)
        if row and row[1] > 0:
            extra.setdefault(row, []).append((name, value))
        else:
            first.append((name, value))
    _fill(page, first)
    for (list_name, _), row_pairs in extra.items():
        add = page.locator(f'button[value="add:{list_name}"]')
        if add.count():  # rows the case fills (a step-down's children) are all on the page already
            add.click()
        _fill(page, row_pairs)


def assert_accessible(page: Any, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core found problems on {where}: {violations}"


def test_start_page_lists_every_form_by_council(page: Any) -> None:
    page.goto("/")
    for spec in all_forms().values():
        assert page.get_by_role("link", name=spec.title).count() >= 1
        assert page.get_by_role("heading", name=spec.authority, exact=True).count() == 1
    assert_accessible(page, "the start page")


def _fill_task(page: Any, task: Any, body: dict[str, Any], checked: set[str], where: str) -> None:
    """One task as a person does it: its page, or a list's page with an item page per item."""
    page.get_by_role("link", name=task.title, exact=True).click()
    rows = task.rows
    if rows is None:
        _check_once(page, checked, "task", where)
        _fill(page, encode(task.fields, body))
        page.get_by_role("button", name="Save and continue").click()
        return
    _check_once(page, checked, "list", where)
    for index, item in enumerate(body.get(rows.name) or []):
        page.locator("#add-item").click()
        # After "add another" the new item's first question has the focus (no script needed: autofocus, which
        # the browser applies once the page has loaded: waited for, and it fails if it never comes).
        page.wait_for_function("prefix => (document.activeElement && document.activeElement.name || '')"
                               ".startsWith(prefix)", arg=f"{rows.name}.{index}.", timeout=10_000)
        _check_once(page, checked, "item", where)
        fill_fields(page, rows.children, item, prefix=f"{rows.name}.{index}")
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()


def _check_once(page: Any, checked: set[str], kind: str, where: str) -> None:
    if kind not in checked:
        checked.add(kind)
        assert_accessible(page, f"a {kind} page {where}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_social_worker_fills_the_pro_forma_across_tasks_leaves_comes_back_and_downloads(
        browser: Any, live_server: str, width: int) -> None:
    from web_journey import tasks

    form = all_forms()[MANCHESTER]
    body = copy.deepcopy(dict(form.example))
    body["worried_about"] = "Amelia has missed eleven mornings of school since half term."
    page = browser.new_page(viewport={"width": width, "height": 900}, base_url=live_server)
    where = f"at {width} px"
    checked: set[str] = set()
    try:
        page.goto(f"/forms/{form.id}")
        _check_once(page, checked, "form start", where)
        page.get_by_role("button", name="Start now").click()
        _check_once(page, checked, "task list", where)
        task_list = page.url
        for task in tasks(form):
            _fill_task(page, task, body, checked, where)
            # Back on the task list (a redirect keeps the fragment of the page before it: compare without it).
            page.wait_for_url(lambda url: url.split("#")[0] == task_list)
            # Every submit was answered by a redirect: refresh and Back are plain GETs, never a resubmission.
            assert page.reload().request.method == "GET"
        assert page.locator(".govuk-task-list__status").all_inner_texts() == ["Completed"] * len(tasks(form))
        page.go_back()
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "back_forward"

        # Leave, and come back from "Your drafts" with every answer there.
        page.goto("/")
        draft_id = task_list.rsplit("/", 1)[-1]
        mine = page.locator("#drafts tr", has=page.locator(f'a[href$="{draft_id}"]'))
        assert "ZW" in mine.inner_text() and "Zofia" not in page.locator("#drafts").inner_text()
        _check_once(page, checked, "start with drafts", where)
        mine.get_by_role("link", name=form.title).click()
        page.get_by_role("link", name="Worries and strengths", exact=True).click()
        assert page.locator('[name="worried_about"]').input_value() == body["worried_about"]
        page.get_by_role("link", name="Back").click()

        # Check, change one answer, come back to check.
        page.get_by_role("link", name="Check your answers").click()
        _check_once(page, checked, "check answers", where)
        page.locator('a[href*="/subject-child?return=check#f-child-name"]').click()
        page.locator('[name="child.name"]').fill("Amelia Brookfield")
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("heading", name="Check your answers").wait_for()
        assert "Amelia Brookfield" in page.locator("main").inner_text()
        page.get_by_role("button", name="Confirm and continue").click()
        _check_once(page, checked, "confirmation", where)
        assert "attached to the Child and Family referral on Micare" in page.locator("main").inner_text()
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download the document").click()
        with open(download_info.value.path(), "rb") as handle:
            text = squash(pdf_text(handle.read()))
        assert "Amelia Brookfield" in text and "Amelia has missed eleven mornings" in text
        page.goto("/")
        assert page.locator(f'a[href$="{draft_id}"]').count() == 0  # downloaded: the draft is gone
    finally:
        page.close()


def test_the_pages_work_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/forms/{MANCHESTER}")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("link", name="Family composition", exact=True).click()
        page.locator("#add-item").click()
        page.wait_for_function("() => document.activeElement && document.activeElement.name === "
                               "'family_members.0.full_name'", timeout=10_000)
        page.locator('[name="family_members.0.full_name"]').fill("Kai Example")
        page.get_by_role("button", name="Save and continue").click()
        # Saved, with what is still missing shown on the item's page; the list has it.
        page.locator(".govuk-error-summary").wait_for()
        page.get_by_role("link", name="Back").click()
        page.get_by_role("link", name="Remove Family member 1: Kai Example").click()
        page.get_by_role("heading", name="Are you sure you want to remove Family member 1: Kai Example?").wait_for()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Continue").click()
        assert "None added yet." in page.locator("main").inner_text()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_api_reference_draws_every_form_and_is_accessible(browser: Any, live_server: str, width: int) -> None:
    """/api/docs: Swagger UI from node_modules under the page's CSP (no inline script), axe-clean, closed and open."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    try:
        page.goto(f"{live_server}/api/docs")
        page.wait_for_selector(".opblock")
        assert page.locator(f'.opblock-summary-path[data-path="/api/forms/{MANCHESTER}/render"]').count() == 1
        assert_accessible(page, f"the API reference at {width} px")
        operation = page.locator(f'.opblock-summary-path[data-path="/api/forms/{MANCHESTER}/validate"]')
        operation.click()
        page.get_by_role("button", name="Try it out").click()
        page.wait_for_selector("textarea.body-param__text")
        assert "Zofia" in page.locator("textarea.body-param__text").input_value()  # the form's own example
        page.locator(".opblock-summary-path[data-path='/api/forms/{form_id}/schema']").click()
        assert_accessible(page, f"the API reference with operations open at {width} px")
        assert refused == []
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_other_housing_provider_is_revealed_only_when_other_is_chosen(browser: Any, live_server: str,
                                                                      width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{live_server}/forms/{MANCHESTER}")
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("link", name="Address and housing", exact=True).click()
        other = page.locator('[name="housing_provider_other"]')
        assert not other.is_visible()
        page.locator('[name="housing_provider"][value="other"]').check()
        assert other.is_visible()
        assert_accessible(page, f"a form with a revealed question at {width} px")
        page.locator('[name="housing_provider"][value="home-owner"]').check()
        assert not other.is_visible()
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_footer_pages_are_accessible(browser: Any, live_server: str, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for name in ("help", "accessibility", "privacy"):
            page.goto(f"{live_server}/about/{name}")
            assert_accessible(page, f"/about/{name} at {width} px")
    finally:
        page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_start_a_step_down_is_accessible_page_by_page(browser: Any, live_server: str, width: int) -> None:
    """Shropshire 3.b typed in as a person would: the route, the case, each document (the children's rows by
    name), the check page; axe-core on each, and on the case page with an error."""
    record = routes.example_record(*routes.find("shropshire", "3.b"))
    assert record is not None
    record = copy.deepcopy(record)
    parts = record.pop("documents")
    profile, route = routes.find("shropshire", "3.b")
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(f"{live_server}/step-down")
        assert_accessible(page, f"the step-down route choice at {width} px")
        page.get_by_role("button", name="Continue", exact=True).click()
        assert_accessible(page, f"the step-down route choice with an error at {width} px")
        page.locator('[name="route"][value="shropshire/3.b"]').check()
        page.get_by_role("button", name="Continue", exact=True).click()
        assert_accessible(page, f"the step-down case page at {width} px")
        fill_fields(page, step_down.case_fields("shropshire", "3.b"), step_down.to_page(profile, record))
        page.locator('[name="children.0.full_name"]').fill("")
        page.get_by_role("button", name="Continue", exact=True).click()
        page.locator(".govuk-error-summary").wait_for()
        assert_accessible(page, f"the step-down case page with an error at {width} px")
        page.locator('[name="children.0.full_name"]').fill(record["children"][0]["full_name"])
        page.get_by_role("button", name="Continue", exact=True).click()
        for index, document in enumerate(step_down.included(route, record)):
            # Wait for the next page: under load the click returns before the navigation has finished.
            page.get_by_text(f"Document {index + 1} of 2").wait_for(state="visible")
            assert_accessible(page, f"the step-down page of {document.form} at {width} px")
            fill_fields(page, step_down.document_fields(route, document, record), parts[document.form])
            page.get_by_role("button", name="Continue", exact=True).click()
        page.get_by_role("heading", name="Check the case and download the pack").wait_for()
        assert_accessible(page, f"the step-down check page at {width} px")
    finally:
        page.close()
