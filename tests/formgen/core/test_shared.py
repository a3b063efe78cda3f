"""formgen/core/shared.py: which family members are children of the family, so a form with a list of children
lists them there (issue 16, item 7: the pro forma's brother landed among the plan's family members)."""

from __future__ import annotations

import pytest

from formgen.core.shared import SharedCase, is_cafa, is_child_of_family, with_children_of_family

ON = "2026-11-16"  # the source document's date


@pytest.mark.parametrize("relationship", [
    "Brother", "sister", "Half-brother", "half sister", "Step-sister", "Stepbrother", "Sibling (half)",
    "Son", "Daughter", "Twin sister", "Foster brother", "Brother (lives with his father)", "Son of mum's partner",
])
def test_a_brother_sister_son_or_daughter_without_a_date_of_birth_is_a_child_of_the_family(relationship: str) -> None:
    assert is_child_of_family({"full_name": "Sam Example", "relationship": relationship}, ON)


@pytest.mark.parametrize("relationship", [
    "Mother", "Father of Tyler and Rosie", "Mother's partner", "Sister's partner", "Brother-in-law",
    "Maternal grandmother", "Aunt", "Cousin", "",
])
def test_adults_and_others_without_a_date_of_birth_stay_family_members(relationship: str) -> None:
    assert not is_child_of_family({"full_name": "Sam Example", "relationship": relationship}, ON)


def test_a_date_of_birth_decides_on_the_source_documents_date() -> None:
    # 17 on the day of the source document (18 on 20 November 2026): a child on that document's day.
    assert is_child_of_family({"relationship": "Cousin", "date_of_birth": "2008-11-20"}, ON)
    assert not is_child_of_family({"relationship": "Cousin", "date_of_birth": "2008-11-16"}, ON)  # 18 that day
    # An adult brother is an adult: he stays a family member.
    assert not is_child_of_family({"relationship": "Brother", "date_of_birth": "2001-04-02"}, ON)
    # A mother who is 17 is still the children's mother: she stays among the family, her age printed there.
    assert not is_child_of_family({"relationship": "Mother", "date_of_birth": "2009-06-01"}, ON)


def test_children_of_the_family_move_to_the_children_and_adults_stay() -> None:
    case: SharedCase = {
        "as_of": ON,
        "children": [{"full_name": "Zofia Wójcik", "date_of_birth": "2017-05-09"}],
        "family_members": [
            {"full_name": "Katarzyna Wójcik", "relationship": "Mother", "date_of_birth": "1991-02-14"},
            {"full_name": "Leo Wójcik", "relationship": "Brother", "date_of_birth": "2021-08-30", "notes": "Nursery"},
            {"full_name": "Zofia Wójcik", "relationship": "Child"},  # already a child: not listed twice
            {"full_name": "Maja Wójcik", "relationship": "Half-sister"},
        ],
    }
    moved = with_children_of_family(case)
    assert [c["full_name"] for c in moved.get("children") or []] == ["Zofia Wójcik", "Leo Wójcik", "Maja Wójcik"]
    assert (moved.get("children") or [])[1] == {"full_name": "Leo Wójcik", "date_of_birth": "2021-08-30"}
    assert [m["full_name"] for m in moved.get("family_members") or []] == ["Katarzyna Wójcik"]
    assert case["family_members"][1]["full_name"] == "Leo Wójcik"  # the source's case is left as it was


@pytest.mark.parametrize(("kind", "cafa"), [
    ("Child and Family Assessment", True), ("Child & Family Assessment", True), ("CAFA", True),
    ("Single assessment", True), ("Section 47 enquiry", False), ("Early Help Assessment", False), ("", False),
])
def test_a_cafa_is_known_by_its_names(kind: str, cafa: bool) -> None:
    assert is_cafa({"kind": kind}) is cafa
