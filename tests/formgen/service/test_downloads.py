"""Documents' file names from free text (a Micare ID, a carefirst number): RFC 6266 Content-Disposition that
nothing typed can break, split or point at a folder."""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from gunicorn.http.wsgi import HEADER_VALUE_RE

from formgen.core.registry import get_form
from formgen.service.downloads import content_disposition

FORM = "manchester-allocations-pro-forma"


def _parts(header: str) -> dict[str, str]:
    """The header's parameters, as a strict reader splits them (name=value; ...), every name once."""
    kind, *params = [part.strip() for part in header.split(";")]
    assert kind == "attachment"
    found: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        assert name not in found, f"{name} appears twice in {header!r}"
        found[name] = value
    return found


HOSTILE = [
    ("CF–1234", "CF-1234", "CF–1234"),
    ("MC-Łódź", "MC-odz", "MC-Łódź"),
    ('a";filename=x.html', "a-filename-x.html", "a-filename=x.html"),
    ("../../etc/x", "etc-x", "etc-x"),
    ("line\r\nSet-Cookie: x=1", "line-Set-Cookie-x-1", "line-Set-Cookie-x=1"),
    ("MC0481923", "MC0481923", "MC0481923"),
    ("\u202egnp.exe", "gnp.exe", "gnp.exe"),  # a right-to-left override cannot disguise the name
]


@pytest.mark.parametrize(("typed", "ascii_name", "exact_name"), HOSTILE)
def test_a_name_from_free_text_makes_one_safe_header(typed: str, ascii_name: str, exact_name: str) -> None:
    header = content_disposition(f"allocations-pro-forma-{typed}.pdf")
    # gunicorn refuses a header value outside these characters (the 500 after rendering).
    assert HEADER_VALUE_RE.fullmatch(header)
    assert header.isascii()
    parts = _parts(header)
    assert parts["filename"] == f'"allocations-pro-forma-{ascii_name}.pdf"'
    exact = unquote(parts["filename*"].removeprefix("UTF-8''")) if "filename*" in parts else parts["filename"].strip('"')
    assert exact == f"allocations-pro-forma-{exact_name}.pdf"
    for name in (parts["filename"], exact):
        assert "/" not in name and "\\" not in name and ".." not in name


def test_a_plain_name_has_no_second_form() -> None:
    assert content_disposition("marf-manchester-2026-03-27.pdf") == 'attachment; filename="marf-manchester-2026-03-27.pdf"'


def test_a_very_long_name_keeps_its_extension() -> None:
    parts = _parts(content_disposition("allocations-pro-forma-" + "Ł" * 300 + ".docx"))
    assert parts["filename"].endswith('.docx"')
    assert unquote(parts["filename*"].removeprefix("UTF-8''")).endswith(".docx")
    assert len(unquote(parts["filename*"].removeprefix("UTF-8''"))) <= 120


def _example(**child: Any) -> dict[str, Any]:
    body = copy.deepcopy(dict(get_form(FORM).example))
    body["child"].update(child)
    return body


@pytest.mark.parametrize("micare_id", ["CF–1234", "MC-Łódź", 'a";filename=x.html', "../../etc/x"])
def test_the_api_refuses_a_hostile_id_by_name_before_it_can_name_a_document(client: FlaskClient, micare_id: str) -> None:
    # The Micare ID is checked against Micare's form (letters, digits, hyphens): it never reaches a file name.
    # content_disposition (above) stays safe for whatever a future form might name a document from.
    response = client.post(f"/api/forms/{FORM}/render?format=pdf", json=_example(micare_id=micare_id))
    assert response.status_code == 422
    assert "Content-Disposition" not in response.headers
    assert "child.micare_id" in response.get_json()["errors"]


def test_the_api_names_a_document_from_its_micare_id(client: FlaskClient) -> None:
    response = client.post(f"/api/forms/{FORM}/render?format=pdf", json=_example(micare_id="MC-0481923"))
    assert response.status_code == 200
    header = response.headers["Content-Disposition"]
    assert HEADER_VALUE_RE.fullmatch(header)
    assert _parts(header)["filename"] == '"allocations-pro-forma-MC-0481923.pdf"'
