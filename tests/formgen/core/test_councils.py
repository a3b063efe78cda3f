"""Council profiles (councils/*.toml): loaded as data, checked strictly, and enough to add a council."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from formgen.core.councils import COUNCILS_DIR, CouncilProfileError, FollowUp, all_councils, load_profiles, parse_profile
from formgen.core.registry import get_form


def manchester_raw() -> dict[str, Any]:
    return tomllib.loads((COUNCILS_DIR / "manchester.toml").read_text(encoding="utf-8"))


def test_the_four_councils_have_profiles_from_their_seeds() -> None:
    councils = all_councils()
    assert list(councils) == ["herefordshire", "manchester", "peterborough", "shropshire"]
    assert councils["manchester"].follow_up.hours == 48  # 002, Appendix 1
    assert councils["manchester"].follow_up.source == "Appendix 1"
    assert councils["manchester"].case_id_name == "Micare ID"
    assert councils["manchester"].step_back_months == 3 and councils["manchester"].step_back_source == "4.4"
    assert councils["manchester"].taf_working_days == 5 and councils["manchester"].taf_source == "4.3"
    assert [n for n, level in councils["manchester"].levels.items() if level.meets_threshold] == [4, 5]
    assert councils["herefordshire"].case_id_name == "Mosaic ID"
    assert councils["herefordshire"].levels[3].name == "Intensive"  # 000: "'intensive' level (level 3)"
    assert councils["shropshire"].case_id_name == "carefirst number"
    assert councils["shropshire"].follow_up.working_days == 2
    assert councils["peterborough"].case_id_name == "LCS ID"


@pytest.mark.parametrize("council_id", ["herefordshire", "manchester", "peterborough", "shropshire"])
def test_each_profile_cites_its_seed_and_says_where_the_seed_is_silent(council_id: str) -> None:
    profile = all_councils()[council_id]
    text = (COUNCILS_DIR / f"{council_id}.toml").read_text(encoding="utf-8")
    for source in profile.sources:
        assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", source)
        assert source in text
    if not profile.follow_up.source:
        assert "Silent in the seed" in text


def test_follow_up_in_hours_counts_every_hour() -> None:
    rule = FollowUp(hours=48, working_days=None, source="")
    assert rule.due(dt.datetime(2026, 11, 12, 11, 40)) == dt.datetime(2026, 11, 14, 11, 40)
    assert rule.words == "48 hours"


def test_follow_up_in_working_days_skips_weekends_and_bank_holidays() -> None:
    rule = FollowUp(hours=None, working_days=2, source="")
    # Friday 28 August 2026, then the August bank holiday on Monday 31 August.
    assert rule.due(dt.datetime(2026, 8, 28, 15, 0)) == dt.datetime(2026, 9, 2, 15, 0)
    assert rule.words == "2 working days"


def test_the_forms_council_choices_are_the_loaded_profiles() -> None:
    field = get_form("multi-agency-referral-form").schema().fields["council"]
    assert field.metadata["options"] == {c.id: c.name for c in all_councils().values()}


def test_adding_a_council_is_adding_a_file(tmp_path: Path) -> None:
    for path in COUNCILS_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    text = (COUNCILS_DIR / "manchester.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Manchester City Council"', 'name = "Testshire County Council"').replace(
        "hours = 48", "hours = 36")
    (tmp_path / "testshire.toml").write_text(text, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    assert "testshire" in profiles
    assert profiles["testshire"].name == "Testshire County Council"
    assert profiles["testshire"].follow_up.words == "36 hours"


def _without(path: str) -> Any:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = raw
        for key in parents:
            target = target[key]
        del target[last]
    return change


def _set(path: str, value: Any) -> Any:
    def change(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = raw
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value
    return change


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set("follow_up.working_days", 2), "either 'hours' or 'working_days', not both"),
        (_without("follow_up.hours"), "either 'hours' or 'working_days'"),
        (_set("follow_up.hours", 0), "'hours' must be 1 or more"),
        (_set("follow_up.hours", True), "'hours' must be whole number"),
        (_set("follow_up.hours", "48"), "'hours' must be whole number"),
        (_set("levels.0.meets_threshold", "no"), "'meets_threshold' must be true or false"),
        (_without("case_system"), "'case_system' is missing"),
        (_set("case_system.id_name", "  "), "'id_name' must not be blank"),
        (_set("levels.1.number", 1), "level 1 is given twice"),
        (_set("levels", []), "at least one [[levels]]"),
        (_set("levels.3.meets_threshold", False), None),  # level 5 still meets it: valid
        (_set("colour", "blue"), "unknown key(s) colour"),
        (_set("sources", []), "'sources' must list"),
        (_without("step_up.taf_meeting_within_working_days"), "'taf_meeting_within_working_days' is missing"),
    ],
)
def test_a_broken_profile_is_refused_with_what_is_wrong(change: Any, words: str | None) -> None:
    raw = manchester_raw()
    change(raw)
    if words is None:
        parse_profile("manchester", raw, "manchester.toml")
        return
    with pytest.raises(CouncilProfileError) as caught:
        parse_profile("manchester", raw, "manchester.toml")
    assert "manchester.toml" in str(caught.value)
    assert words in str(caught.value)


def test_a_profile_where_no_level_meets_the_threshold_is_refused() -> None:
    raw = manchester_raw()
    for level in raw["levels"]:
        level["meets_threshold"] = False
    with pytest.raises(CouncilProfileError, match="at least one level must meet the threshold"):
        parse_profile("manchester", raw, "manchester.toml")


@pytest.mark.parametrize(("name", "content", "words"), [
    ("Leeds.toml", "", "lowercase words joined by hyphens"),
    ("leeds.toml", "name = ", "not valid TOML"),
])
def test_bad_files_are_refused(tmp_path: Path, name: str, content: str, words: str) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(CouncilProfileError, match=re.escape(words)):
        load_profiles(tmp_path)
