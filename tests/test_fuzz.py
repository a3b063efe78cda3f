"""Fuzzing: bodies drawn from each form's own JSON Schema, and schemathesis over /api/openapi.json.

Bounded so the suite stays quick: FORMGEN_FUZZ_EXAMPLES (default 15) bodies per form and property,
and the same number of calls per API operation. Runs are derandomised, so a failure repeats.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import docx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pypdf import PdfReader
from schemathesis import checks

from api import create_app
from formgen.core.errors import PageLimitExceeded, ValidationFailed
from formgen.core.registry import FormSpec
from formgen.engine import pipeline
from formgen.service.openapi import form_json_schema

EXAMPLES = int(os.environ.get("FORMGEN_FUZZ_EXAMPLES", "15"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _without_patterns(node: Any) -> Any:
    """The schema less its text patterns: drawing regexes is slow, and the bodies should also carry
    the control characters and blanks the patterns forbid, to exercise those refusals."""
    if isinstance(node, dict):
        return {key: _without_patterns(value) for key, value in node.items() if key != "pattern"}
    if isinstance(node, list):
        return [_without_patterns(value) for value in node]
    return node


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    yield prefix or "_schema"
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, f"{prefix}.{index}" if prefix else str(index))


def _opens(document: pipeline.RenderedDocument) -> None:
    if document.format is pipeline.Format.PDF:
        assert len(PdfReader(io.BytesIO(document.content)).pages) >= 1
    else:
        docx.Document(io.BytesIO(document.content))


def _render_or_refuse(form: FormSpec, body: Any) -> str:
    """Render in both formats: each opens, or the engine refuses by naming fields that exist."""
    outcomes = set()
    for fmt in form.formats:
        try:
            _opens(pipeline.render(form, body, fmt))
            outcomes.add("rendered")
        except PageLimitExceeded as error:
            assert error.pages > (form.max_pages or 0)
            outcomes.add("over-page-limit")
        except ValidationFailed as error:
            known = set(_paths(body))
            for path in error.errors:
                # Each error names a field the body has, or one it lacks that belongs to an object it has.
                assert path in known or path.rsplit(".", 1)[0] in known or "." not in path, path
            outcomes.add("invalid")
    assert len(outcomes) == 1, outcomes  # both formats agree
    return outcomes.pop()


def test_bodies_drawn_from_the_schema_render_or_are_refused_by_field(form: FormSpec) -> None:
    @FUZZ
    @given(from_schema(_without_patterns(form_json_schema(form.id))))
    def check(body: dict[str, Any]) -> None:
        _render_or_refuse(form, body)

    check()


# Free text as a family or worker might write it, and some that a hostile caller might.
_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cs", "Cc")),
        st.sampled_from("\n\t{}%#<>&;\"'/\\ 👩‍👧‍👦עברית\u200b\u202e"),
    ),
    min_size=1,
    max_size=300,
).filter(lambda text: text.strip() != "")


def _free_text_paths(schema: dict[str, Any], node: dict[str, Any], value: Any,
                     path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], int]]:
    while "$ref" in node or "anyOf" in node:
        if "anyOf" in node:
            node = next(branch for branch in node["anyOf"] if branch.get("type") != "null")
        else:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, str):
        # Free text: long answers with no rule beyond length (lines such as postcodes have rules).
        if node.get("maxLength", 0) >= 400 and "enum" not in node and "format" not in node:
            yield path, int(node["maxLength"])
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _free_text_paths(schema, node["properties"][key], item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _free_text_paths(schema, node["items"], item, (*path, index))


# Answers that a rule about content would refuse: a bare digit, a bare label ("neglect").
_PROBES = ("0", "neglect")


def _content_ruled(form: FormSpec, path: tuple[Any, ...]) -> bool:
    """Whether a form has its own rule about what this answer says (e.g. 'not a bare label')."""
    for probe in _PROBES:
        body = engine_copy(form.example)
        node = body
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = probe
        try:
            pipeline.validate(form, body)
        except ValidationFailed as error:
            if ".".join(map(str, path)) in error.errors:
                return True
    return False


def test_any_free_text_in_a_valid_body_renders_in_both_formats(form: FormSpec) -> None:
    schema = form_json_schema(form.id)
    paths = [path for path, _ in _free_text_paths(schema, schema, form.example, ())
             if not _content_ruled(form, path)]
    assert paths, f"{form.id}: the example has no free text without rules of its own"

    @FUZZ
    @given(st.lists(_TEXT, min_size=len(paths), max_size=len(paths)))
    def check(texts: list[str]) -> None:
        body = engine_copy(form.example)
        for path, text in zip(paths, texts, strict=True):
            node = body
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = text
        assert _render_or_refuse(form, body) in ("rendered", "over-page-limit")

    check()


def engine_copy(value: Any) -> Any:
    import copy

    return copy.deepcopy(dict(value))


# ---------------------------------------------------------------- schemathesis over the OpenAPI document

def _api_schema() -> schemathesis.schemas.BaseSchema:
    """The served OpenAPI document, less its text patterns (see _without_patterns), on the WSGI app."""
    app = create_app({"TESTING": True})
    document = app.test_client().get("/api/openapi.json").json
    loaded = schemathesis.openapi.from_dict(_without_patterns(document))
    loaded.app = app
    loaded.location = "/api/openapi.json"
    return loaded


schema = _api_schema()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_has_no_server_error_and_keeps_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[
        checks.not_a_server_error,
        checks.status_code_conformance,
        checks.content_type_conformance,
        checks.response_schema_conformance,
    ])
