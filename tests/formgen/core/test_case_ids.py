"""formgen/core/fields.py: case_id(label, system), a case system's id that is safe in a file name and a header."""

from __future__ import annotations

import pytest
from marshmallow import ValidationError

from formgen.core import fields as f
from formgen.core.councils import all_councils


class _Case(f.FormSchema):
    mosaic = f.case_id("Mosaic ID", "Mosaic", required=False)
    micare = f.case_id("Micare ID", "Micare", required=False)
    carefirst = f.case_id("carefirst number", "carefirst", required=False)
    lcs = f.case_id("LCS ID", "Liquid Logic (LCS)", required=False)
    ehm = f.case_id("EHM ID", "EHM", required=False)


@pytest.mark.parametrize(("field", "value"), [
    ("mosaic", "603918"),  # the seed's Mosaic sibling table (000)
    ("micare", "MC0481923"),
    ("micare", "1234567"),
    ("carefirst", "CF2284619"),
    ("lcs", "LL-20931"),
    ("ehm", "7654321"),
])
def test_ids_of_each_systems_shape_are_kept(field: str, value: str) -> None:
    assert _Case().load({field: value})[field] == value


@pytest.mark.parametrize(("field", "value", "says"), [
    ("mosaic", "MC0481923", "Mosaic ID must be digits only (up to 12), like 603918."),
    ("micare", "CF–1234", "Micare ID must be letters, digits and hyphens (up to 20), like MC0481923."),
    ("micare", "MC-Łódź", "Micare ID must be letters, digits and hyphens"),
    ("carefirst", 'a";filename=x.html', "carefirst number must be letters, digits and hyphens"),
    ("carefirst", "../../etc/x", "carefirst number must be letters, digits and hyphens"),
    ("lcs", "12 34", "LCS ID must be letters, digits and hyphens"),
    ("ehm", "-123", "EHM ID must be letters, digits and hyphens"),
    # The Kelvin sign folds onto K when matched case-insensitively; an id must be ASCII itself.
    ("micare", "MC\u212a123", "Micare ID must use only the letters A to Z, digits and hyphens."),
])
def test_ids_that_could_break_a_file_name_are_refused_by_name(field: str, value: str, says: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Case().load({field: value})
    assert any(says in message for message in caught.value.messages[field])  # type: ignore[index, union-attr]


def test_every_case_system_a_council_profile_names_has_a_format() -> None:
    for profile in all_councils().values():
        systems = profile.case_system.value
        for system in (systems.name, systems.early_help_system):
            assert system.strip().lower() in f.CASE_ID_FORMATS, (profile.id, system)


def test_an_unknown_system_is_a_programming_error() -> None:
    with pytest.raises(KeyError, match="No case id format for the case system 'Frameworki'"):
        f.case_id("Case ID", "Frameworki")
