"""Filling a form through its task pages with Flask's test client, as a browser without JavaScript would.

Here, at the top of tests/ (on pytest's pythonpath), so any test module can use it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from formgen.core.registry import FormSpec
from formgen.service.web.schema_form import describe, encode
from formgen.service.web.tasks import Task, tasks_of


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def tasks(form: FormSpec) -> tuple[Task, ...]:
    return tasks_of(form, describe(form.schema))


def start(web: FlaskClient, form: FormSpec) -> str:
    """A new draft: its address, /drafts/<id>."""
    token = csrf_token(web.get(f"/forms/{form.id}").text)
    response = web.post(f"/forms/{form.id}/drafts", data={"csrf_token": token})
    assert response.status_code == 303, response.text[:500]
    return str(response.headers["Location"]).split("#")[0]


def post(web: FlaskClient, url: str, pairs: list[tuple[str, str]] | Mapping[str, str], **extra: str) -> Any:
    """Post a page the way its form would (the CSRF token from the page itself); the response, not followed."""
    token = csrf_token(web.get(url).text)
    data = MultiDict(list(pairs.items()) if isinstance(pairs, Mapping) else pairs)
    data.add("csrf_token", token)
    for key, value in extra.items():
        data.add(key, value)
    return web.post(url, data=data)


def fill(web: FlaskClient, form: FormSpec, draft: str, body: Mapping[str, Any]) -> list[Any]:
    """Every task's page posted with the body's answers; the responses (each must be a redirect)."""
    responses = []
    for task in tasks(form):
        rows = task.rows
        if rows is None:
            responses.append(post(web, f"{draft}/{task.slug}", encode(task.fields, body)))
            continue
        for index, item in enumerate(body.get(rows.name) or []):
            responses.append(post(web, f"{draft}/{task.slug}/new", encode(rows.children, item, f"{rows.name}.{index}")))
        responses.append(post(web, f"{draft}/{task.slug}", {"action": "save"}))
    return responses


def statuses(page: str) -> dict[str, str]:
    """The task list's titles and statuses, as the page shows them."""
    found = re.findall(r'govuk-task-list__link[^>]*>\s*([^<]+?)\s*</a>.*?govuk-task-list__status[^>]*>\s*'
                       r'(?:<strong[^>]*>)?\s*([^<]+?)\s*<', page, re.S)
    return {title: state for title, state in found}


def token_of(page: str) -> str:
    return csrf_token(page)


def finish(web: FlaskClient, form: FormSpec, body: Mapping[str, Any], fmt: str = "pdf", **extra: str) -> Any:
    """Start, fill every task, check, confirm and download: the download's response."""
    draft = start(web, form)
    fill(web, form, draft, body)
    confirmed = web.post(f"{draft}/confirm", data={"csrf_token": csrf_token(web.get(f"{draft}/check").text)})
    assert confirmed.status_code == 303, confirmed.text[:300]
    done = web.get(f"{draft}/done").text
    return web.post(f"{draft}/download", data={"csrf_token": csrf_token(done), "format": fmt, **extra})


def start_from_file(web: FlaskClient, form: FormSpec, content: bytes, name: str) -> Any:
    """'Start from this file' on the form's first page: the response (a redirect to the task list, or the page
    with the upload's error)."""
    import io

    token = csrf_token(web.get(f"/forms/{form.id}").text)
    return web.post(f"/forms/{form.id}/drafts", data={"csrf_token": token, "action": "upload",
                                                      "file": (io.BytesIO(content), name)},
                    content_type="multipart/form-data")
