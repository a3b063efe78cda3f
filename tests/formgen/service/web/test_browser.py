"""A social worker in Chromium: fill in the Manchester pro forma, meet an error, fix it, check, download a PDF,
then start the Herefordshire step-down plan from that PDF. axe-core checks every kind of page on the way."""

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


def fill_fields(page: Any, fields: tuple[Field, ...], body: dict[str, Any]) -> None:
    pairs = encode(fields, body)
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


def test_fill_in_fix_an_error_check_download_then_prefill_another_form(page: Any) -> None:
    example = copy.deepcopy(dict(all_forms()[MANCHESTER].example))
    child_name = "Amelia Brookfield"
    example["child"]["name"] = child_name
    example["worried_about"] = "Amelia has missed eleven mornings of school since half term."
    body = copy.deepcopy(example)
    del body["child"]["name"]  # the worker forgets the child's name

    page.goto("/")
    page.get_by_role("link", name="Early Help Allocations Pro Forma").click()
    fill_in(page, MANCHESTER, body)
    page.get_by_role("button", name="Continue", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.title().startswith("Error: ")
    assert "Subject child's full name is required." in summary.inner_text()
    assert "Subject child's full name is required." in page.locator("#f-child-name-error").inner_text()
    assert_accessible(page, "a form page with errors")

    summary.get_by_role("link", name="Subject child's full name is required.").click()
    assert page.evaluate("document.activeElement.id") == "f-child-name"
    page.keyboard.type(child_name)
    # Everything typed before the error is still there.
    assert page.locator('[name="family_members.2.full_name"]').input_value() == "Daniel Ó Súilleabháin"
    page.get_by_role("button", name="Continue", exact=True).click()

    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert child_name in page.locator("main").inner_text()
    assert "16 November 2026" in page.locator("main").inner_text()
    assert_accessible(page, "the check answers page")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "allocations-pro-forma-MC0481923.pdf"
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    text = squash(pdf_text(pdf))
    assert child_name in text
    assert "Amelia has missed eleven mornings of school since half term." in text
    assert "Katarzyna Wójcik" in text

    if HEREFORDSHIRE not in all_forms():
        pytest.skip("the Herefordshire step-down plan is not registered")
    page.goto(f"/forms/{HEREFORDSHIRE}")
    page.set_input_files("#upload-file", files=[{"name": "pro-forma.pdf", "mimeType": "application/pdf",
                                                 "buffer": pdf}])
    page.get_by_role("button", name="Fill in from this file").click()
    banner = page.locator(".govuk-notification-banner")
    assert "Early Help Allocations Pro Forma" in banner.inner_text()
    assert page.locator('[name="children.0.full_name"]').input_value() == child_name
    assert page.locator('[name="children.0.date_of_birth-year"]').input_value() == "2017"
    assert page.locator('[name="address.line_1"]').input_value() == "14 Birchfield Grove"
    members = [page.locator(f'[name="family_members.{i}.full_name"]').input_value() for i in range(3)]
    assert members == ["Katarzyna Wójcik", "Leo Wójcik", "Daniel Ó Súilleabháin"]
    assert_accessible(page, "a form page filled in from a document")


def test_page_works_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"/forms/{MANCHESTER}")
        page.locator('button[value="add:family_members"]').click()
        assert page.locator('[name="family_members.1.full_name"]').count() == 1
        page.get_by_role("button", name="Remove Family member 2").click()
        assert page.locator('[name="family_members.1.full_name"]').count() == 0
        page.get_by_role("button", name="Continue", exact=True).click()
        assert page.locator(".govuk-error-summary").is_visible()
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
        assert page.locator(".govuk-error-summary").is_visible()
        assert_accessible(page, f"the step-down case page with an error at {width} px")
        page.locator('[name="children.0.full_name"]').fill(record["children"][0]["full_name"])
        page.get_by_role("button", name="Continue", exact=True).click()
        for index, document in enumerate(step_down.included(route, record)):
            assert page.get_by_text(f"Document {index + 1} of 2").is_visible(), page.content()[:3000]
            assert_accessible(page, f"the step-down page of {document.form} at {width} px")
            fill_fields(page, step_down.document_fields(route, document, record), parts[document.form])
            page.get_by_role("button", name="Continue", exact=True).click()
        assert page.get_by_role("heading", name="Check the case and download the pack").is_visible()
        assert_accessible(page, f"the step-down check page at {width} px")
    finally:
        page.close()
