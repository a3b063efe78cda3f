"""Every form's case system ids are checked against their case system's form (formgen/core/fields.py,
`case_id`), so a typed id can never break a file name or a header: each form refuses one by name."""

from __future__ import annotations

import pytest
from bodies import changed, errors_for, set_path

from formgen.core.registry import get_form
from formgen.engine import pipeline

HOSTILE = "CF–1234"  # Word's autocorrect dash: once a 500 from gunicorn after rendering
CASES = [
    ("manchester-allocations-pro-forma", "child.micare_id", HOSTILE, "letters, digits and hyphens"),
    ("herefordshire-eha-step-down-plan", "children.0.case_id", "MC0481923", "digits only"),  # Mosaic ids are numbers
    ("shropshire-step-down-agenda", "cases.0.carefirst_number", 'a";filename=x.html', "letters, digits and hyphens"),
    ("shropshire-strengthening-families-consent", "carefirst_number", "../../etc/x", "letters, digits and hyphens"),
    ("peterborough-cin-step-down-record", "children.0.lcs_id", "LCS 3980412", "letters, digits and hyphens"),
    ("peterborough-lcs-ehm-transfer", "children.0.lcs_id", "MC-Łódź", "letters, digits and hyphens"),
    ("peterborough-masg-step-down", "children.0.lcs_id", "LCS/4471826", "letters, digits and hyphens"),
    ("step-down-clinic-agenda", "cases.0.children.0.lcs_id", HOSTILE, "letters, digits and hyphens"),
    ("step-down-clinic-joint-visit", "children.0.ehm_id", "EHM 12", "letters, digits and hyphens"),
    ("step-down-clinic-outcome", "children.0.lcs_id", "line\nbreak", "letters, digits and hyphens"),
    ("step-down-clinic-transfer", "children.0.lcs_id", "-4471203", "letters, digits and hyphens"),
    ("multi-agency-referral-form", "children.0.case_id", "MC 0517734", "Micare"),
]


@pytest.mark.parametrize(("form_id", "path", "typed", "says"), CASES, ids=[c[0] for c in CASES])
def test_a_case_id_outside_its_systems_form_is_refused_by_name(form_id: str, path: str, typed: str, says: str) -> None:
    errors = errors_for(get_form(form_id), changed(get_form(form_id).example, set_path(path, typed)))
    assert any(says in message for message in errors[path]), errors


def test_the_marf_checks_the_id_against_the_chosen_councils_case_system() -> None:
    form = get_form("multi-agency-referral-form")
    # Micare allows letters; Herefordshire's Mosaic ids are digits only (000, the sibling table).
    errors = errors_for(form, changed(form.example, set_path("council", "herefordshire")))
    assert any("Mosaic" in message and "digits only" in message for message in errors["children.0.case_id"])
    assert "case-id-fits-the-councils-case-system" in getattr(errors["children.0.case_id"][0], "rule_id", "")


@pytest.mark.parametrize(("form_id", "path", "kept"), [
    ("herefordshire-eha-step-down-plan", "children.0.case_id", "712406"),
    ("step-down-clinic-joint-visit", "children.0.ehm_id", "EHM-20931"),
    ("multi-agency-referral-form", "children.0.case_id", "MC-0517734"),
])
def test_ids_of_the_systems_form_are_kept(form_id: str, path: str, kept: str) -> None:
    form = get_form(form_id)
    pipeline.validate(form, changed(form.example, set_path(path, kept)))
