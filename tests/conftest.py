from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from formgen.core.registry import FormSpec, all_forms

FORM_IDS = list(all_forms())


@pytest.fixture()
def app() -> Iterator[Flask]:
    yield create_app({"TESTING": True})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(params=FORM_IDS)
def form(request: pytest.FixtureRequest) -> FormSpec:
    """Each registered form in turn: checks that hold for every form run once per form."""
    return all_forms()[request.param]


@pytest.fixture()
def example(form: FormSpec) -> dict[str, Any]:
    return copy.deepcopy(dict(form.example))
