"""Council profiles (councils/*.toml): loaded as data, checked strictly, every value with its source."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from formgen.core.councils import (
    COUNCILS_DIR,
    CouncilProfileError,
    FollowUp,
    Status,
    Until,
    all_councils,
    load_profiles,
    parse_profile,
    to_confirm,
)
from formgen.core.registry import all_forms, get_form

SEEDS = Path("/work/shared/seeds")


def raw_profile(council_id: str = "manchester") -> dict[str, Any]:
    return tomllib.loads((COUNCILS_DIR / f"{council_id}.toml").read_text(encoding="utf-8"))


def test_the_councils_have_profiles_from_their_guidance() -> None:
    councils = all_councils()
    assert list(councils) == ["herefordshire", "manchester", "peterborough", "shropshire", "step-down-clinic"]
    manchester = councils["manchester"]
    assert manchester.guidance == ("002",)
    assert manchester.follow_up.value.hours == 48
    assert (manchester.follow_up.provenance.seed, manchester.follow_up.provenance.section) == ("002", "Appendix 1, level 5")
    assert manchester.case_system.value.id_name == "Micare ID"
    assert manchester.step_back is not None and manchester.step_back.value == 3
    assert manchester.step_back.provenance.section == "4.4"
    assert manchester.meeting_within is not None and manchester.meeting_within.provenance.section == "4.3"
    assert [n for n, level in manchester.levels.value.items() if level.meets_threshold] == [4, 5]
    assert [n for n, level in manchester.levels.value.items() if level.child_protection] == [5]
    assert councils["herefordshire"].levels.value[3].name == "Intensive"  # 000: "'intensive' level (level 3)"
    assert councils["shropshire"].case_system.value.id_name == "carefirst number"
    assert councils["peterborough"].case_system.value.id_name == "LCS ID"
    clinic = councils["step-down-clinic"]
    assert clinic.marf_completed_by is not None and clinic.marf_completed_by.value == "Senior Practitioner"
    assert clinic.front_door.value == "MASH" and clinic.front_door.provenance.section == "Step Up 3"


@pytest.mark.parametrize("council_id", ["herefordshire", "peterborough", "shropshire"])
def test_numbers_the_guidance_does_not_give_are_unconfirmed_local_settings(council_id: str) -> None:
    """The issue: the written-referral deadline, the meeting within 5 working days, the 3-month return and the
    levels of need were formgen's defaults printed as these councils' rules."""
    profile = all_councils()[council_id]
    for setting in (profile.follow_up, profile.meeting_within, profile.step_back, profile.levels):
        assert setting is not None
        assert setting.provenance.status is Status.UNCONFIRMED, setting.key
        assert not setting.is_councils and setting.provenance.set_by
    # Each meeting is named from the council's own guidance.
    assert profile.meeting.provenance.status is Status.GUIDANCE


@pytest.mark.parametrize("council_id", list(all_councils()))
def test_every_value_says_where_it_comes_from(council_id: str) -> None:
    profile = all_councils()[council_id]
    for setting in profile.settings:
        p = setting.provenance
        if p.status is Status.GUIDANCE:
            assert p.seed in profile.guidance and p.section, setting.key
        else:
            assert p.set_by and p.note, setting.key  # who set it, and why, in words a document can print
            assert p.until_confirmed in (Until.PRINT, Until.OMIT)
        assert setting.to_json()["source"]["status"] == str(p.status)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the councils' guidance (seeds) is not on this machine")
@pytest.mark.parametrize("council_id", list(all_councils()))
def test_every_quotation_is_in_the_councils_guidance(council_id: str) -> None:
    profile = all_councils()[council_id]
    for setting in profile.settings:
        p = setting.provenance
        if not p.says:
            continue
        seed = next(SEEDS.glob(f"{p.seed}_*.txt")).read_text(encoding="utf-8")
        text = " ".join(seed.replace("**", "").split()).lower()
        for piece in p.says.split(" ... "):
            assert " ".join(piece.split()).lower().rstrip(".") in text, (setting.key, piece)


def test_follow_up_in_hours_counts_every_hour() -> None:
    rule = FollowUp(hours=48, working_days=None)
    assert rule.due(dt.datetime(2026, 11, 12, 11, 40)) == dt.datetime(2026, 11, 14, 11, 40)
    assert rule.words == "48 hours"


def test_follow_up_in_working_days_skips_weekends_and_bank_holidays() -> None:
    rule = FollowUp(hours=None, working_days=2)
    # Friday 28 August 2026, then the August bank holiday on Monday 31 August.
    assert rule.due(dt.datetime(2026, 8, 28, 15, 0)) == dt.datetime(2026, 9, 2, 15, 0)
    assert rule.words == "2 working days"


def test_the_forms_council_choices_are_the_loaded_profiles() -> None:
    field = get_form("multi-agency-referral-form").schema().fields["council"]
    assert field.metadata["options"] == {c.id: c.name for c in all_councils().values()}


def _copy_councils(tmp_path: Path) -> None:
    for path in COUNCILS_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())


def test_adding_a_council_is_adding_a_file(tmp_path: Path) -> None:
    _copy_councils(tmp_path)
    text = (COUNCILS_DIR / "manchester.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Manchester City Council"', 'name = "Testshire County Council"').replace(
        "hours = 48", "hours = 36")
    (tmp_path / "testshire.toml").write_text(text, encoding="utf-8")
    profiles = load_profiles(tmp_path)
    assert profiles["testshire"].name == "Testshire County Council"
    assert profiles["testshire"].follow_up.value.words == "36 hours"


def test_a_council_confirms_a_local_setting_in_its_file(tmp_path: Path) -> None:
    """docs/councils.md: the value, its source, who confirmed it and when."""
    _copy_councils(tmp_path)
    path = tmp_path / "shropshire.toml"
    text = path.read_text(encoding="utf-8")
    unconfirmed = ('[follow_up]\nvalue = { working_days = 2 }\nset_by = "formgen, for the council to confirm"\n'
                   'note = "its guidance says safeguarding concerns are always followed up with a MARF, but gives no '
                   'deadline"\nuntil_confirmed = "print"\n')
    assert unconfirmed in text
    path.write_text(text.replace(unconfirmed, (
        '[follow_up]\nvalue = { hours = 24 }\nset_by = "formgen, for the council to confirm"\n'
        'note = "its guidance gives no deadline"\nsource = "Shropshire Council MARF procedure, section 2"\n'
        'confirmed_by = "Jo Bright, Head of Early Help (fictional)"\nconfirmed_on = 2027-01-15\n')), encoding="utf-8")
    profile = load_profiles(tmp_path)["shropshire"]
    assert profile.follow_up.provenance.status is Status.CONFIRMED and profile.follow_up.is_councils
    assert profile.cite(profile.follow_up) == ("Shropshire Council's local setting: Shropshire Council MARF procedure, "
                                               "section 2, confirmed by Jo Bright, Head of Early Help (fictional) on "
                                               "15 January 2027")
    assert "follow_up" not in [s["key"] for s in to_confirm(profile, [])["settings"]]


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


LOCAL = {"value": 24, "set_by": "formgen", "until_confirmed": "print"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_set("follow_up.value.working_days", 2), "either 'hours' or 'working_days', not both"),
        (_without("follow_up.value.hours"), "either 'hours' or 'working_days'"),
        (_set("follow_up.value.hours", 0), "'hours' must be 1 or more"),
        (_set("follow_up.value.hours", True), "'hours' must be whole number"),
        (_set("follow_up.value.hours", "48"), "'hours' must be whole number"),
        (_set("levels.value.0.meets_threshold", "no"), "'meets_threshold' must be true or false"),
        (_without("case_system"), "[case_system] is missing"),
        (_without("front_door.value"), "[front_door]: 'value' is missing"),
        (_set("case_system.value.id_name", "  "), "'id_name' must not be blank"),
        (_set("levels.value.1.number", 1), "level 1 is given twice"),
        (_set("levels.value", []), "give at least one level"),
        (_set("levels.value.3.meets_threshold", False), None),  # level 5 still meets it: valid
        (_set("colour", "blue"), "unknown key(s) colour"),
        (_set("guidance", []), "'guidance' must list"),
        (_set("guidance", ["999"]), "'guidance' must list"),
        # Provenance: from the guidance, or a local setting with who set it and whether it is confirmed.
        (_without("front_door.guidance"), "give its number as 'guidance' too"),
        (_without("front_door.section"), "[front_door]: 'section' is missing"),
        (_set("front_door.guidance", "001"), "guidance 001 is not in the profile's 'guidance' list"),
        (_set("front_door.guidance", "999"), "'guidance' must be one of"),
        (_set("front_door.set_by", "formgen"), "a value from the guidance has no local-setting keys (set_by)"),
        (_set("step_back", {**LOCAL}), None),
        (_set("step_back", {**LOCAL, "until_confirmed": "maybe"}), "'until_confirmed' must be 'print' or 'omit'"),
        (_set("step_back", {"value": 3, "set_by": "formgen"}), "'until_confirmed' is missing"),
        (_set("step_back", {"value": 3}), "'set_by' is missing"),
        (_set("step_back", {**LOCAL, "confirmed_by": "A. Manager"}), "gives both 'confirmed_by' and 'confirmed_on'"),
        (_set("step_back", {**LOCAL, "confirmed_by": "A. Manager", "confirmed_on": dt.date(2027, 1, 15)}),
         "'source' is missing"),
        (_set("step_back", {**LOCAL, "confirmed_by": "A. Manager", "confirmed_on": "15/01/2027", "source": "x"}),
         "'confirmed_on' must be a date"),
        (_set("step_back", {**LOCAL, "seed": "002"}), "unknown key(s) seed"),
    ],
)
def test_a_broken_profile_is_refused_with_what_is_wrong(change: Any, words: str | None) -> None:
    raw = raw_profile()
    change(raw)
    if words is None:
        parse_profile("manchester", raw, "manchester.toml")
        return
    with pytest.raises(CouncilProfileError) as caught:
        parse_profile("manchester", raw, "manchester.toml")
    assert "manchester.toml" in str(caught.value)
    assert words in str(caught.value)


def test_a_profile_where_no_level_meets_the_threshold_is_refused() -> None:
    raw = raw_profile()
    for level in raw["levels"]["value"]:
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


def test_what_a_council_still_has_to_confirm() -> None:
    shropshire = all_councils()["shropshire"]
    found = to_confirm(shropshire, all_forms().values())
    assert [s["key"] for s in found["settings"]] == ["front_door", "follow_up", "meeting_within", "step_back", "levels"]
    forms = {entry["form"] for entry in found["wording"] + found["rules"]}
    assert "multi-agency-referral-form" in forms
    assert not forms & {"manchester-allocations-pro-forma", "herefordshire-eha-step-down-plan"}  # not Shropshire's
    assert {"marf-layout", "do-not-leave-blank"} <= {w["id"] for w in found["wording"]}
    assert all(w["source"]["kind"] == "template-default" for w in found["wording"])
    assert "danger-statement-not-a-label" in {r["id"] for r in found["rules"]}
    assert all(any(s["kind"] == "formgen-reading" for s in r["sources"]) for r in found["rules"])
    assert to_confirm(all_councils()["manchester"], [])["settings"] == []  # all from its guidance
