"""Every form's rulebook: each rule is listed once with a source, and each can be broken and is refused."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import pytest

from formgen.core.errors import ValidationFailed
from formgen.core.problems import flatten_errors
from formgen.core.registry import FormSpec, all_forms
from formgen.core.rules import DELETE, FIELD_CONSTRAINTS, Rule, RuleErrors, apply_breach, rule, rule_ids
from formgen.core.rules import guidance as cite
from formgen.engine import pipeline

FORMS = all_forms()
ROOT = Path(__file__).resolve().parents[3]


def _rules() -> list[tuple[str, Rule]]:
    return [(form_id, found) for form_id, form in FORMS.items() for found in form.rulebook() if found.breach]


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_rule_ids_are_unique_and_every_rule_has_a_source(form: FormSpec) -> None:
    ids = [found.id for found in form.rulebook()]
    assert len(ids) == len(set(ids))
    for found in form.rulebook():
        assert found.sources, found.id
        assert found.text.strip() and found.fields, found.id


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_rule_in_a_form_module_is_in_its_rulebook(form: FormSpec) -> None:
    module = importlib.import_module(form.schema.__module__)
    declared = {value.id for value in vars(module).values() if isinstance(value, Rule)}
    assert declared <= {found.id for found in form.rulebook()}


@pytest.mark.parametrize(("form_id", "broken"), _rules(), ids=[f"{f}:{r.id}" for f, r in _rules()])
def test_each_rule_can_be_broken_and_is_refused(form_id: str, broken: Rule) -> None:
    body = apply_breach(FORMS[form_id].example, broken.breach)
    with pytest.raises(ValidationFailed) as refused:
        pipeline.validate(FORMS[form_id], body)
    named = {rule_id for ids in refused.value.rules.values() for rule_id in ids}
    assert broken.id in named, refused.value.errors


# GOV.UK error messages are short and say what to do; the rulebook keeps the whole rule (Rule.text).
MAX_WORDS = 30


def _too_long_or_named(messages: dict[str, list[str]]) -> list[str]:
    return [f"{path}: {text}" for path, texts in messages.items() for text in texts
            if len(text.split()) > MAX_WORDS or "formgen" in text.lower()]


@pytest.mark.parametrize(("form_id", "broken"), _rules(), ids=[f"{f}:{r.id}" for f, r in _rules()])
def test_each_broken_rule_is_told_in_a_short_message_without_the_product_s_name(form_id: str, broken: Rule) -> None:
    body = apply_breach(FORMS[form_id].example, broken.breach)
    with pytest.raises(ValidationFailed) as refused:
        pipeline.validate(FORMS[form_id], body)
    assert not _too_long_or_named(refused.value.errors)


def _field_messages(schema: Any, seen: set[type]) -> dict[str, list[str]]:
    """Every error message a schema's fields carry, by field path (nested schemas and list items included)."""
    found: dict[str, list[str]] = {}
    cls = schema if isinstance(schema, type) else type(schema)
    if cls in seen:
        return found
    seen.add(cls)
    for name, field_ in cls().fields.items():
        texts = [text for key, text in field_.error_messages.items() if key != "validator_failed"]
        texts += [getattr(check, "error", "") or "" for check in field_.validators]
        found[name] = [text for text in texts if isinstance(text, str)]
        inner = getattr(field_, "inner", field_)
        nested = getattr(inner, "nested", None)
        if nested is not None and not isinstance(nested, str):
            for path, more in _field_messages(nested, seen).items():
                found[f"{name}.{path}"] = more
    return found


@pytest.mark.parametrize("form", FORMS.values(), ids=list(FORMS))
def test_every_field_s_own_messages_are_short_and_without_the_product_s_name(form: FormSpec) -> None:
    assert not _too_long_or_named(_field_messages(form.schema, set()))


def test_a_rule_s_short_error_is_what_the_person_is_told_and_its_text_stays_in_the_rulebook() -> None:
    long = rule("both", "Both sides are signed by a parent or carer who lives in the household, before any request "
                "for intervention is accepted.", cite("001", "4.a"), ("household",), {"household": []},
                error="Sign both sides.")
    errors = RuleErrors()
    errors.add(long, "household")
    errors.add(long, "children", "Date the signature.")
    assert errors.messages == {"household": ["Sign both sides."], "children": ["Date the signature."]}
    assert long.to_json()["rule"].startswith("Both sides are signed by a parent or carer")


def test_rule_errors_file_messages_under_nested_paths_with_their_rule() -> None:
    level = rule("level", "Level 1 is universal services.", cite("002", "Appendix 1"), ("level",), {"level": 1})
    errors = RuleErrors()
    errors.add(level, "cases.2.level")
    errors.add(level, "cases.2.level", "Level 1 again.")
    assert not RuleErrors()
    assert errors.messages == {"cases": {2: {"level": ["Level 1 is universal services.", "Level 1 again."]}}}
    assert rule_ids(errors.messages["cases"][2]["level"]) == ["level"]
    assert rule_ids(["Not a valid date."]) == [FIELD_CONSTRAINTS.id]


def test_a_breach_sets_and_removes_dotted_paths() -> None:
    example: dict[str, Any] = {"a": {"b": 1}, "items": [{"x": 1}, {"x": 2}], "gone": 1}
    body = apply_breach(example, {"a.b": 2, "items.1.x": 3, "items.2": {"x": 4}, "gone": DELETE})
    assert body == {"a": {"b": 2}, "items": [{"x": 1}, {"x": 3}, {"x": 4}]}
    assert example["a"]["b"] == 1  # the example itself is untouched


def test_an_unknown_guidance_number_is_a_mistake_in_the_code() -> None:
    with pytest.raises(ValueError, match="No guidance"):
        cite("999", "1.1")


def test_the_rulebook_is_published(client: Any) -> None:
    for form_id, form in FORMS.items():
        book = client.get(f"/api/forms/{form_id}/rules").get_json()
        assert [entry["id"] for entry in book["rules"]] == [found.id for found in form.rulebook()]
        assert all(entry["sources"] and entry["sources"][0]["citation"] for entry in book["rules"])


def test_a_422_names_the_rules_each_field_broke(client: Any) -> None:
    form_id = next(iter(FORMS))
    body = dict(FORMS[form_id].example) | {"not_a_field": 1}
    problem = client.post(f"/api/forms/{form_id}/validate", json=body).get_json()
    assert problem["rules"]["not_a_field"] == [FIELD_CONSTRAINTS.id]


@pytest.mark.parametrize("order", ["list-first", "item-first"])
def test_a_list_can_break_a_rule_itself_and_in_an_item(order: str) -> None:
    both = rule("both", "Both sides are signed.", cite("001", "4.a"), ("household",), {"household": []})
    errors = RuleErrors()
    adds = [("household", "Sign both sides."), ("household.0.signed_on", "Date the signature.")]
    for path, text in adds if order == "list-first" else reversed(adds):
        errors.add(both, path, text)
    flat = flatten_errors(errors.messages)
    assert flat == {"household": ["Sign both sides."], "household.0.signed_on": ["Date the signature."]}
    assert rule_ids(flat["household"]) == ["both"]


@pytest.mark.parametrize("module", sorted(p.stem for p in (ROOT / "forms").glob("*.py") if p.stem != "__init__"))
def test_form_modules_refuse_only_through_their_rules(module: str) -> None:
    """A form module never builds a marshmallow ValidationError itself: each refusal goes through a Rule
    (RuleErrors), so it carries the rule's id and is listed in the rulebook."""
    tree = ast.parse((ROOT / "forms" / f"{module}.py").read_text())
    named = [node.lineno for node in ast.walk(tree)
             if (isinstance(node, ast.Name) and node.id == "ValidationError")
             or (isinstance(node, ast.Attribute) and node.attr == "ValidationError")
             or (isinstance(node, ast.alias) and node.name == "ValidationError")]
    assert not named, f"forms/{module}.py uses ValidationError on lines {named}: raise through RuleErrors"
