""""Start a step-down" (formgen/service/web/step_down.py), page by page with the test client and no JavaScript:
choose the route, give the case once, then only what each document adds, and download the pack (a ZIP), opened
and checked. Errors follow the GOV.UK pattern: a summary linking to each field, and the message by the field."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import csrf_token
from flask.testing import FlaskClient
from helpers import docx_text, pdf_text, squash
from werkzeug.datastructures import MultiDict

from formgen.engine import routes
from formgen.service.web import step_down
from formgen.service.web.schema_form import encode

# Routes whose documents add only whole fields or parts of groups. Not yet here: a document that adds to rows the
# case fills (Shropshire's consent form asks each child's view beside the case's children): see the report.
ROUTES = [("peterborough", "1"), ("peterborough", "2"), ("peterborough", "3"), ("step-down-clinic", "step-down"),
          ("shropshire", "3.a"), ("shropshire", "3.b"), ("shropshire", "4.a"), ("shropshire", "4.b"),
          ("herefordshire", "level-3-step-down"), ("manchester", "step-down")]
# Downloaded as both PDF and Word documents, each opened: the routes the issue names for the whole journey.
BOTH_FORMATS = {("shropshire", "3.b"), ("herefordshire", "level-3-step-down"), ("manchester", "step-down")}
CHILD_VOCABULARY = {"full_name", "date_of_birth", "nhs_number", "gender", "case_ids"}


def example(council_id: str, route_id: str) -> dict[str, Any]:
    found = routes.example_record(*routes.find(council_id, route_id))
    assert found is not None
    return json.loads(json.dumps(found))


def hidden_record(page: str) -> dict[str, Any]:
    found = re.search(r'name="record" value="([^"]*)"', page)
    assert found, "the page carries no record"
    record: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return record


def summary_links(page: str) -> list[tuple[str, str]]:
    block = page.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [(href, html.unescape(re.sub(r"\s+", " ", text)).strip())
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', block, re.S)]


def post_case(web: FlaskClient, council_id: str, route_id: str, record: dict[str, Any]) -> Any:
    profile, _ = routes.find(council_id, route_id)
    page = web.get(f"/step-down?route={council_id}/{route_id}")
    assert page.status_code == 200
    data = MultiDict(encode(step_down.case_fields(council_id, route_id), step_down.to_page(profile, record)))
    data.add("csrf_token", csrf_token(page.text))
    return web.post(f"/step-down/{council_id}/{route_id}/case", data=data)


def post_document(web: FlaskClient, council_id: str, route_id: str, page: Any, index: int, own: dict[str, Any],
                  action: str = "continue") -> Any:
    _, route = routes.find(council_id, route_id)
    record = hidden_record(page.text)
    document = step_down.included(route, record)[index]
    data = MultiDict(encode(step_down.document_fields(route, document, record), own))
    data.add("csrf_token", csrf_token(page.text))
    data.add("record", json.dumps(record))
    data.add("action", action)
    return web.post(f"/step-down/{council_id}/{route_id}/documents/{index}", data=data)


def test_the_start_page_links_to_start_a_step_down(web: FlaskClient) -> None:
    assert 'href="/step-down"' in web.get("/").text
    page = web.get("/step-down").text
    assert "Start a step-down" in page
    for council_id, route_id in ROUTES:
        assert f'value="{council_id}/{route_id}"' in page
    assert 'value="shropshire/3.b"' in page and 'value="shropshire/step-up"' not in page  # a step-up is not a step-down


def test_choosing_nothing_is_an_error_in_the_govuk_pattern(web: FlaskClient) -> None:
    page = web.get("/step-down?route=")
    assert page.status_code == 400
    assert summary_links(page.text) == [("#route", "Select the council and route of the step-down")]
    assert 'class="govuk-error-message"' in page.text


def through_the_documents(web: FlaskClient, council_id: str, route_id: str, page: Any,
                          parts: dict[str, Any]) -> Any:
    """Each document page in turn, answered with the example's own part for it: the check page."""
    _, route = routes.find(council_id, route_id)
    documents = step_down.included(route, hidden_record(page.text))
    children = hidden_record(page.text)["children"]
    for index, document in enumerate(documents):
        assert f"Document {index + 1} of {len(documents)}" in page.text
        asked = step_down.document_fields(route, document, hidden_record(page.text))
        # Only what the document adds: nothing the case already gave is asked again; a list the case fills
        # (its children) is asked only what each of them adds, one row each, by name.
        assert not {x.name for x in asked} & {"address", "family_members", "worried_about"}, (document.form, asked)
        for rows in (x for x in asked if x.name == "children"):
            assert rows.row_titles == tuple(c["full_name"] for c in children), (document.form, rows)
            assert not {x.name for x in rows.children} & CHILD_VOCABULARY, (document.form, rows.children)
            assert f'govuk-fieldset__legend--s">{html.escape(rows.row_titles[0])}</legend>' in page.text
        assert 'name="children.0.full_name"' not in page.text  # the child's name is typed once, on the case page
        page = post_document(web, council_id, route_id, page, index, parts.get(document.form, {}),
                             "continue" if document.form in parts else "skip")
        assert page.status_code == 200, page.text[:3000]
        assert "There is a problem" not in page.text, summary_links(page.text)
    assert "Check the case and download the pack" in page.text
    return page


def download_pack(web: FlaskClient, council_id: str, route_id: str, page: Any, fmt: str) -> dict[str, bytes]:
    data = {"csrf_token": csrf_token(page.text), "record": json.dumps(hidden_record(page.text)), "format": fmt}
    download = web.post(f"/step-down/{council_id}/{route_id}/pack", data=data)
    assert download.status_code == 200 and download.mimetype == "application/zip", download.text[:2000]
    assert download.headers["Content-Disposition"].startswith('attachment; filename="pack-')
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def document_text(name: str, content: bytes) -> str:
    """The document opened: its text, or an assertion error if it does not open."""
    return squash(pdf_text(content) if name.endswith(".pdf") else docx_text(content))


@pytest.mark.parametrize(("council_id", "route_id"), ROUTES, ids=[f"{c}:{r}" for c, r in ROUTES])
def test_the_whole_journey_asks_the_case_once_then_each_document_and_downloads_the_pack(
        web: FlaskClient, council_id: str, route_id: str) -> None:
    record = example(council_id, route_id)
    parts = record.pop("documents")
    page = post_case(web, council_id, route_id, record)
    assert page.status_code == 200, page.text[:2000]
    carried = hidden_record(page.text)
    assert carried["children"] == record["children"] and carried["events"] == record["events"]
    page = through_the_documents(web, council_id, route_id, page, parts)
    # The routes the issue names are downloaded as both PDF and Word; the others as PDF (the machine is shared).
    fmt = "both" if (council_id, route_id) in BOTH_FORMATS else "pdf"
    files = download_pack(web, council_id, route_id, page, fmt)
    manifest = json.loads(files["manifest.json"])
    documents = {n: c for n, c in files.items() if n.endswith((".pdf", ".docx"))}
    assert "deadlines.ics" in files and sorted(documents) == sorted(d["file"] for d in manifest["documents"])
    if fmt == "both":
        assert {n.rsplit(".", 1)[1] for n in documents} == {"pdf", "docx"}
    for name, content in documents.items():
        text = document_text(name, content)
        # Typed once, on the case page; a per-child copy names its own child.
        named = [c["full_name"] for c in record["children"] if c["full_name"] in text]
        assert named == [c["full_name"] for c in record["children"]] or (len(named) == 1 and "child" in name), name


def test_a_case_page_error_is_shown_in_the_summary_and_by_the_field(web: FlaskClient) -> None:
    record = example("peterborough", "2")
    record.pop("documents")
    record["children"][0]["nhs_number"] = "9990000019"  # fails its Modulus 11 check
    page = post_case(web, "peterborough", "2", record)
    assert page.status_code == 200 and "There is a problem" in page.text
    links = summary_links(page.text)
    assert links and links[0][0] == "#f-children-0-nhs_number" and "NHS number" in links[0][1]
    assert 'class="govuk-error-message"' in page.text


def test_what_a_document_lacks_is_asked_on_its_own_page(web: FlaskClient) -> None:
    record = example("peterborough", "2")
    parts = record.pop("documents")
    page = post_case(web, "peterborough", "2", record)
    own = dict(parts["peterborough-masg-step-down"])
    own["outcome_narrative"] = "Assessment complete. Case to close."  # must say it steps down via the MASG
    page = post_document(web, "peterborough", "2", page, 0, own)
    assert "There is a problem" in page.text and "Document 1 of 1" in page.text
    assert any("MASG" in text for _, text in summary_links(page.text))


def test_a_stale_page_does_nothing(web: FlaskClient) -> None:
    record = example("peterborough", "3")
    record.pop("documents")
    profile, _ = routes.find("peterborough", "3")
    data = MultiDict(encode(step_down.case_fields("peterborough", "3"), step_down.to_page(profile, record)))
    data.add("csrf_token", "not-the-token")
    page = web.post("/step-down/peterborough/3/case", data=data)
    assert page.status_code == 400 and "nothing was done" in page.text


def test_the_pack_posted_from_the_check_page_counts_its_documents(web: FlaskClient) -> None:
    record = example("peterborough", "3")
    token = csrf_token(web.get("/step-down?route=peterborough/3").text)
    data = {"csrf_token": token, "record": json.dumps(record), "format": "pdf"}
    download = web.post("/step-down/peterborough/3/pack", data=data)
    assert download.status_code == 200 and download.headers["X-Document-Count"] == "1"


CONSENT, AGENDA = "shropshire-strengthening-families-consent", "shropshire-step-down-agenda"


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"the page carries no {name}"
    return html.unescape(found.group(1))


def test_each_childs_view_is_asked_by_name_and_a_blank_row_keeps_its_place(web: FlaskClient) -> None:
    record = example("shropshire", "3.b")
    parts = record.pop("documents")
    page = post_case(web, "shropshire", "3.b", record)
    assert "Amelia Price</legend>" in page.text and "Noah Price</legend>" in page.text
    assert "Add another<span class=\"govuk-visually-hidden\"> to Children" not in page.text  # the case's children
    own = dict(parts[CONSENT], children=[{}, {"view": "Noah likes the park with Tomasz."}])
    page = post_document(web, "shropshire", "3.b", page, 0, own)
    assert "Document 2 of 2" in page.text, summary_links(page.text)
    # The blank first row kept its place: Noah's words stay Noah's.
    assert hidden_record(page.text)["documents"][CONSENT]["children"] == own["children"]
    page = post_document(web, "shropshire", "3.b", page, 1, parts[AGENDA])
    files = download_pack(web, "shropshire", "3.b", page, "pdf")
    consent = next(squash(pdf_text(c)) for n, c in files.items() if n.endswith(".pdf") and "consent" in n)
    assert "Noah likes the park with Tomasz." in consent
    assert "Meole Brace School" in next(squash(pdf_text(c)) for n, c in files.items() if "agenda" in n)


def change_the_case(web: FlaskClient, page: Any, changed: dict[str, Any]) -> Any:
    """From a later page: "Change the case", then the case page posted again with `changed`."""
    profile, _ = routes.find("shropshire", "3.b")
    data = {"csrf_token": csrf_token(page.text), "record": json.dumps(hidden_record(page.text))}
    case_page = web.post("/step-down/shropshire/3.b/case", data=data)
    assert case_page.status_code == 200 and "The case" in case_page.text
    posted = MultiDict(encode(step_down.case_fields("shropshire", "3.b"), step_down.to_page(profile, changed)))
    posted.add("csrf_token", csrf_token(case_page.text))
    posted.add("before", hidden(case_page.text, "before"))
    return web.post("/step-down/shropshire/3.b/case", data=posted)


def test_change_the_case_keeps_the_document_answers_that_still_apply(web: FlaskClient) -> None:
    record = example("shropshire", "3.b")
    parts = record.pop("documents")
    page = post_case(web, "shropshire", "3.b", record)
    page = post_document(web, "shropshire", "3.b", page, 0, parts[CONSENT])
    page = post_document(web, "shropshire", "3.b", page, 1, parts[AGENDA])
    assert "Check the case and download the pack" in page.text
    amelia, noah = parts[CONSENT]["children"]

    # The children in the other order: each child's view follows the child, by name; the rest is kept.
    swapped = dict(record, children=record["children"][::-1], worried_about="Noah's speech delay is the worry now.")
    page = change_the_case(web, page, swapped)
    assert "Document 1 of 2" in page.text, page.text[:2000]
    kept = hidden_record(page.text)["documents"]
    assert kept[CONSENT]["children"] == [noah, amelia]
    assert kept[CONSENT]["agencies"] == parts[CONSENT]["agencies"] and kept[AGENDA] == parts[AGENDA]
    assert html.escape(noah["view"], quote=False) in page.text  # shown again on the document's page

    # A child no longer in the case: their answers go with them, none moves to another child.
    page = change_the_case(web, page, dict(record, children=record["children"][1:]))
    assert hidden_record(page.text)["documents"][CONSENT]["children"] == [noah]


def test_add_another_child_on_the_case_page_stays_on_the_case_page(web: FlaskClient) -> None:
    record = example("shropshire", "3.b")
    record.pop("documents")
    profile, _ = routes.find("shropshire", "3.b")
    token = csrf_token(web.get("/step-down?route=shropshire/3.b").text)
    data = MultiDict(encode(step_down.case_fields("shropshire", "3.b"), step_down.to_page(profile, record)))
    data.add("csrf_token", token)
    data.add("action", "add:children")
    page = web.post("/step-down/shropshire/3.b/case", data=data)
    assert page.status_code == 200 and "<h1 class=\"govuk-heading-l\">The case</h1>" in page.text
    assert 'name="children.2.full_name"' in page.text and 'value="Noah Price"' in page.text


def test_the_pack_download_is_one_audit_row_under_the_signed_in_persons_opaque_id(tmp_path: Path) -> None:
    from api import create_app
    from formgen.service.identity import person_id
    from formgen.store.audit import AuditTrail
    from formgen.store.drafts import new_key

    sso = {"WEB_USER_HEADER": "X-Forwarded-User", "TRUSTED_PROXIES": "10.20.0.5",
           "PERSON_ID_KEY": "a-secret-only-the-council-holds", "DRAFT_KEYS": new_key()}
    app = create_app({"TESTING": True, "AUDIT_DB": str(tmp_path / "audit.sqlite3"), **sso})
    web = app.test_client()
    web.environ_base["REMOTE_ADDR"] = "10.20.0.5"
    web.environ_base["HTTP_X_FORWARDED_USER"] = "rhys.example@council.example"
    token = csrf_token(web.get("/step-down?route=peterborough/3").text)
    data = {"csrf_token": token, "record": json.dumps(example("peterborough", "3")), "format": "pdf"}
    download = web.post("/step-down/peterborough/3/pack", data=data)
    assert download.status_code == 200
    [row] = AuditTrail(tmp_path / "audit.sqlite3").rows()
    assert row["client"] == person_id("rhys.example@council.example", sso["PERSON_ID_KEY"])
    assert row["form_id"] == "route:peterborough/3" and row["format"] == "pdf" and row["outcome"] == "sent"
    assert row["sha256"] == hashlib.sha256(download.data).hexdigest()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("audit.sqlite3*"))
    assert b"rhys" not in stored.lower()


def test_a_list_the_case_only_starts_is_the_documents_own_and_can_grow(web: FlaskClient) -> None:
    """Herefordshire's wellbeing plan starts from what the case says needs to happen; the plan adds its rows."""
    plan = "herefordshire-eha-step-down-plan"
    record = example("herefordshire", "level-3-step-down")
    parts = record.pop("documents")
    page = post_case(web, "herefordshire", "level-3-step-down", record)
    first = page.text.split('name="wellbeing_plan.0.what_needs_to_happen"', 1)[1].split("</textarea>", 1)[0]
    assert record["needs_to_happen"] in html.unescape(first)  # the plan's first row starts from the case
    assert 'value="add:wellbeing_plan"' in page.text and "Ellie-Mae Bevan</legend>" in page.text
    page = post_document(web, "herefordshire", "level-3-step-down", page, 0, parts[plan])
    assert hidden_record(page.text)["documents"][plan]["wellbeing_plan"] == parts[plan]["wellbeing_plan"]
