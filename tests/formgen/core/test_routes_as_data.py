"""Routes as data (councils/*.toml, formgen/core/routes.py): declared from the guidance, checked strictly,
every document, step and deadline with its source; deadlines counted in working days with England's
bank holidays."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from typing import Any

import pytest

from formgen.core.councils import COUNCILS_DIR, CouncilProfileError, Status, all_councils, parse_profile, to_confirm
from formgen.core.routes import Due, Interval, Route, working_days_before

SEEDS = Path("/work/shared/seeds")

# Each seed's routes, as its guidance describes them (issue 18, item 1), and none it does not.
EXPECTED = {
    "herefordshire": ["level-3-step-down"],
    "manchester": ["step-down", "joint-worked"],
    "peterborough": ["1", "2", "3"],
    "shropshire": ["3.a", "3.b", "4.a", "4.b", "step-up"],
    "step-down-clinic": ["step-down", "step-up"],
}
ROUTES = [(council_id, route) for council_id, profile in all_councils().items() for route in profile.routes]


def test_every_council_declares_the_routes_its_guidance_gives() -> None:
    assert {council_id: [r.id for r in p.routes] for council_id, p in all_councils().items()} == EXPECTED
    # Herefordshire's guidance says nothing about stepping up; Manchester's step-up names no document formgen makes.
    assert not [r for r in all_councils()["herefordshire"].routes if r.direction == "step-up"]
    assert not [r for r in all_councils()["manchester"].routes if r.direction == "step-up"]


def test_each_route_names_its_documents_by_form_id_and_who_completes_them() -> None:
    documents = {(c, r.id): [(d.form, d.who) for d in r.documents] for c, r in ROUTES}
    assert documents[("shropshire", "3.b")] == [
        ("shropshire-strengthening-families-consent", "the social worker, with the family"),
        ("shropshire-step-down-agenda", "the Assessment Team Manager")]
    assert documents[("herefordshire", "level-3-step-down")] == [("herefordshire-eha-step-down-plan", "the social worker")]
    assert all_councils()["herefordshire"].routes[0].documents[0].per_child  # one plan per child
    assert [d for d, _ in documents[("peterborough", "2")]] == ["peterborough-masg-step-down"]
    assert [d for d, _ in documents[("step-down-clinic", "step-down")]] == [
        "step-down-clinic-agenda", "step-down-clinic-outcome", "step-down-clinic-transfer", "step-down-clinic-joint-visit"]
    assert documents[("step-down-clinic", "step-up")] == [("multi-agency-referral-form", "the Senior Practitioner")]


@pytest.mark.parametrize(("council_id", "route"), ROUTES, ids=[f"{c}:{r.id}" for c, r in ROUTES])
def test_every_route_document_step_and_meeting_cites_its_guidance(council_id: str, route: Route) -> None:
    profile = all_councils()[council_id]
    for part in (route, *route.tasks, *route.meetings.values()):
        p = part.provenance
        assert p.status is Status.GUIDANCE and p.seed in profile.guidance and p.section and p.says, part
    for task in route.tasks:
        assert task.name and task.who, task.id
        # A timescale the guidance gives without saying how to count it says so, in plain words, as formgen's.
        if task.reading:
            assert task.reading.startswith(("formgen's reading, not", "Date worked out by formgen, not")), task.id


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the councils' guidance (seeds) is not on this machine")
@pytest.mark.parametrize(("council_id", "route"), ROUTES, ids=[f"{c}:{r.id}" for c, r in ROUTES])
def test_every_route_quotation_is_in_the_councils_guidance(council_id: str, route: Route) -> None:
    for part in (route, *route.tasks, *route.meetings.values()):
        p = part.provenance
        seed = next(SEEDS.glob(f"{p.seed}_*.txt")).read_text(encoding="utf-8")
        text = " ".join(seed.replace("**", "").split()).lower()
        for piece in p.says.split(" ... "):
            assert " ".join(piece.split()).lower().rstrip(".") in text, (part, piece)


def test_a_reading_is_what_the_council_still_has_to_confirm() -> None:
    found = to_confirm(all_councils()["herefordshire"], [])["route_readings"]
    assert {entry["task"] for entry in found} == {"herefordshire-eha-step-down-plan", "case-closed",
                                                  "received-or-escalated"}
    assert to_confirm(all_councils()["peterborough"], [])["route_readings"][0]["task"] == "ehh-review"


# ---------------------------------------------------------------------------------- a broken route


def raw(council_id: str = "manchester") -> dict[str, Any]:
    return tomllib.loads((COUNCILS_DIR / f"{council_id}.toml").read_text(encoding="utf-8"))


def _route(change: Any) -> Any:
    def apply(profile: dict[str, Any]) -> None:
        change(profile["routes"][0])
    return apply


def _doc(key: str, value: Any) -> Any:
    return _route(lambda r: r["documents"][0].__setitem__(key, value))


def _step(key: str, value: Any) -> Any:
    return _route(lambda r: r["steps"][0].__setitem__(key, value))


@pytest.mark.parametrize(("change", "words"), [
    (_route(lambda r: r.__setitem__("direction", "sideways")), "'direction' must be one of"),
    (_route(lambda r: r.__setitem__("colour", "blue")), "unknown key(s) colour"),
    (_route(lambda r: r.__setitem__("guidance", "001")), "guidance 001 is not in the profile's 'guidance' list"),
    (_route(lambda r: r.pop("section")), "'section' is missing"),
    (_route(lambda r: r["events"].__setitem__("Sent!", "x")), "is not an event name"),
    (_route(lambda r: r.__setitem__("documents", [])), "at least one document"),
    (_route(lambda r: r["documents"].append(dict(r["documents"][0]))), "each form once"),
    (_doc("form", "Not A Form"), "'form' must be a form id"),
    (_doc("done_when", "events.never_declared"), "the route names no event 'never_declared'"),
    (_doc("done_when", "consent.signed_in_blood"), "a case record's consent has no 'signed_in_blood'"),
    (_doc("done_when", "pets"), "a case record has no 'pets'"),
    (_doc("from_case", {"child.name": "meetings.tea-party.date"}), "the route names no meeting 'tea-party'"),
    (_doc("from_case", {"forthcoming": {"visits": ["x"]}}), "a table maps { meetings = [kinds] } to rows"),
    (_step("due", {"from": "events.pro_forma_completed"}), "exactly one of"),
    (_step("due", {"from": "events.pro_forma_completed", "days": 3, "working_days": 2}), "exactly one of"),
    (_step("due", {"from": "events.pro_forma_completed", "days": 0}), "must not be 0"),
    (_step("due", {"from": "events.pro_forma_completed", "hours": -24}), "only working days may count back"),
    (_step("due", {"from": "events.pro_forma_completed", "next_weekday": "saturday"}), "'next_weekday' must be one of"),
    (_step("due", {"from": "events.pro_forma_completed", "setting": "levels"}), "'setting' must be one of"),
    (_step("due", {"on": "events.pro_forma_completed", "days": 2}), "'due' gives 'on', or 'from'"),
    (_step("meeting", "tea-party"), "the route names no meeting 'tea-party'"),
    (_step("only_if", {"level_of_need": 4}), "'only_if' maps a reference"),
    (_step("id", "manchester-allocations-pro-forma"), "each step has its own id"),
])
def test_a_broken_route_is_refused_with_what_is_wrong(change: Any, words: str) -> None:
    profile = raw()
    change(profile)
    with pytest.raises(CouncilProfileError) as caught:
        parse_profile("manchester", profile, "manchester.toml")
    assert "manchester.toml" in str(caught.value) and words in str(caught.value)


def test_a_route_with_a_local_setting_for_its_source_is_read_as_one() -> None:
    profile = raw()
    step = profile["routes"][0]["steps"][0]
    for key in ("guidance", "section", "says"):
        del step[key]
    step |= {"set_by": "formgen, for the council to confirm", "note": "not in the guidance", "until_confirmed": "print"}
    found = parse_profile("manchester", profile, "manchester.toml").routes[0].steps[0]
    assert found.provenance.status is Status.UNCONFIRMED


# ------------------------------------------------------------------------ deadlines, with bank holidays


def test_herefordshire_two_weeks_is_the_earlier_of_14_days_and_10_working_days() -> None:
    """000, opening table: "within two weeks", from the earlier of the assessment and the decision."""
    plan = all_councils()["herefordshire"].routes[0].documents[0]
    assert plan.due is not None
    profile = all_councils()["herefordshire"]
    record = {"assessment": {"completed_on": "2026-04-23"}, "events": {"step_down_decided": "2026-04-24"}}
    # 14 calendar days end on Thursday 7 May; 10 working days on Friday 8 May (Monday 4 May is a bank holiday).
    assert plan.due.date(record, profile) == dt.date(2026, 5, 7)
    # Over Christmas: 14 days from Friday 18 December end on New Year's Day; 10 working days on 6 January.
    assert plan.due.date({"assessment": {"completed_on": "2026-12-18"}}, profile) == dt.date(2027, 1, 1)


def test_herefordshire_closure_and_escalation() -> None:
    steps = {s.id: s for s in all_councils()["herefordshire"].routes[0].steps}
    profile = all_councils()["herefordshire"]
    record = {"assessment": {"completed_on": "2026-04-23"}, "events": {"case_closed": "2026-05-05"}}
    closure, escalation = steps["case-closed"].due, steps["received-or-escalated"].due
    assert closure is not None and escalation is not None
    assert closure.date(record, profile) == dt.date(2026, 5, 8)  # 10 working days, over the early May bank holiday
    assert escalation.date(record, profile) == dt.date(2026, 5, 15)  # 10 calendar days after the closure


def test_manchester_allocations_meeting_passes_over_bank_holiday_thursdays() -> None:
    """002, 3.8.2 every Thursday; 3.8.1 within 5 days (read as working days)."""
    steps = {s.id: s for s in all_councils()["manchester"].routes[0].steps}
    profile = all_councils()["manchester"]
    meeting, within = steps["allocations-meeting"].due, steps["presented-within-5-days"].due
    assert meeting is not None and within is not None
    record = {"events": {"pro_forma_completed": "2025-12-22"}}
    # Christmas Day and New Year's Day 2026 are Thursdays: the next meeting is Thursday 8 January.
    assert meeting.date(record, profile) == dt.date(2026, 1, 8)
    assert within.date(record, profile) == dt.date(2025, 12, 31)
    assert meeting.date({"events": {"pro_forma_completed": "2026-11-16"}}, profile) == dt.date(2026, 11, 19)


def test_before_a_meeting_is_the_working_day_before() -> None:
    """001, 3.b: added to ECINS before the first EHPM; Tuesday 29 December 2026 follows two bank holidays."""
    steps = {s.id: s for s in all_councils()["shropshire"].route("3.b").steps}
    due = steps["added-to-ecins"].due
    assert due is not None
    record = {"meetings": [{"kind": "ehpm", "date": "2026-12-29", "time": "10:00"}]}
    assert due.date(record, all_councils()["shropshire"]) == dt.date(2026, 12, 24)
    assert working_days_before(dt.date(2026, 4, 7), 1) == dt.date(2026, 4, 2)  # over Easter


def test_hours_count_from_the_time_when_the_record_gives_one() -> None:
    """004, section 1: the Early Help Hub's review within 24 hours of receipt."""
    steps = {s.id: s for s in all_councils()["peterborough"].route("1").steps}
    due = steps["ehh-review"].due
    assert due is not None
    profile = all_councils()["peterborough"]
    assert due.date({"events": {"transfer_received": "2026-11-20T16:05"}}, profile) == dt.datetime(2026, 11, 21, 16, 5)
    assert due.date({"events": {"transfer_sent": "2026-11-20"}}, profile) == dt.date(2026, 11, 21)


def test_a_deadline_from_a_profile_setting_uses_it_and_skips_bank_holidays() -> None:
    """Shropshire's written referral after a phone referral: its follow_up setting, 2 working days."""
    marf = all_councils()["shropshire"].route("step-up").documents[0]
    assert marf.due is not None and marf.due.setting == "follow_up"
    record = {"events": {"phone_referral": "2026-08-28T15:00"}}  # Friday; Monday 31 August is a bank holiday
    assert marf.due.date(record, all_councils()["shropshire"]) == dt.datetime(2026, 9, 2, 15, 0)


def test_nothing_is_due_until_the_record_gives_a_start() -> None:
    due = Due(start=("events.a", "events.b"), within=(Interval(days=3),))
    profile = all_councils()["manchester"]
    assert due.date({}, profile) is None
    assert due.date({"events": {"b": "2026-11-02", "a": "2026-11-05"}}, profile) == dt.date(2026, 11, 5)  # earliest: b
    assert Due(start=("events.a",)).date({"events": {"a": "2026-11-05"}}, profile) == dt.date(2026, 11, 5)


def test_interval_words() -> None:
    assert [Interval(working_days=10).words, Interval(days=1).words, Interval(hours=24).words,
            Interval(working_days=-1).words] == ["10 working days", "1 calendar day", "24 hours", "1 working day before"]
