"""The case record (formgen/core/case.py): its schema, references into it, and the shared vocabulary it gives."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from marshmallow import ValidationError

from formgen.core.case import CaseRecordSchema, check_ref, lookup, moment, shared
from formgen.core.councils import COUNCILS_DIR
from formgen.core.problems import flatten_errors

EXAMPLES = sorted((COUNCILS_DIR / "examples").glob("*/*.json"))


def example(path: Path = COUNCILS_DIR / "examples" / "shropshire" / "3.b.json") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.name}/{p.stem}" for p in EXAMPLES])
def test_every_example_record_is_a_valid_case_record(path: Path) -> None:
    CaseRecordSchema().load(example(path))


def _errors(record: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        CaseRecordSchema().load(record)
    return flatten_errors(refused.value.messages)


@pytest.mark.parametrize(("path", "value", "field", "words"), [
    ("children", [], "children", "give between 1 and 10"),
    ("children.0.nhs_number", "943 476 5918", "children.0.nhs_number", "not a valid NHS number"),
    ("events.Plan Sent", "2026-11-02", "events.Plan Sent.key", "is not an event name"),
    ("events.plan_sent", "2 November", "events.plan_sent.value", "must be a real date"),
    ("events.plan_sent", "2026-02-30", "events.plan_sent.value", "must be a real date"),
    ("meetings.0.kind", "Final CIN Review", "meetings.0.kind", "lowercase words joined by hyphens"),
    ("documents.Not a form", {}, "documents.Not a form.key", "is not a form id"),
    ("documents.shropshire-step-down-agenda", [], "documents.shropshire-step-down-agenda.value", "JSON object"),
    ("pets", "a cat", "pets", "Unknown field"),
    ("address.postcode", "SY3", "address.postcode", "a UK postcode"),
])
def test_a_broken_record_is_refused_naming_the_field(path: str, value: Any, field: str, words: str) -> None:
    record = example()
    node: Any = record
    *parents, last = path.split(".")
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[last] = value
    errors = _errors(record)
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_an_event_may_be_a_date_or_a_date_and_time() -> None:
    record = example()
    record["events"] = {"team_manager_agreed": "2026-11-12", "discussed_at_step_down_meeting": "2026-11-19T14:35"}
    loaded = CaseRecordSchema().load(record)
    assert loaded["events"]["discussed_at_step_down_meeting"] == dt.datetime(2026, 11, 19, 14, 35)


def test_references_name_events_meetings_and_the_records_fields() -> None:
    record = example()
    assert lookup(record, "consent.given_on") == "2026-11-16"
    assert lookup(record, "children.1.full_name") == "Noah Price"
    assert lookup(record, "events.team_manager_agreed") == "2026-11-12"
    assert lookup(record, "meetings.step-down-meeting.date") == "2026-11-25"
    assert lookup(record, "meetings.step-down-meeting")["place"] == "Meole Brace School"
    assert lookup(record, "meetings.never") is None and lookup(record, "children.9.full_name") is None
    assert moment(lookup(record, "meetings.ehpm")) == dt.datetime(2026, 12, 29, 10, 0)
    assert moment("2026-11-16") == dt.date(2026, 11, 16) and moment("16/11/2026") is None


def test_the_earliest_meeting_of_a_kind_is_the_one_a_reference_names() -> None:
    record = {"meetings": [{"kind": "ehpm", "date": "2027-01-12"}, {"kind": "ehpm", "date": "2026-12-29"}]}
    assert lookup(record, "meetings.ehpm.date") == "2026-12-29"


def test_a_reference_is_checked_against_the_record_and_the_route() -> None:
    events, meetings = {"plan_sent": "the plan was sent"}, {"ehpm": object()}
    assert check_ref("events.plan_sent", events, meetings) is None
    assert check_ref("meetings.ehpm.time", events, meetings) is None
    assert check_ref("lead_professional.agreed_with_family", events, meetings) is None
    assert "no event" in (check_ref("events.plan_lost", events, meetings) or "")
    assert "no meeting" in (check_ref("meetings.party", events, meetings) or "")
    assert "has no 'colour'" in (check_ref("meetings.ehpm.colour", events, meetings) or "")
    assert "has no 'documents'" in (check_ref("documents.x", events, meetings) or "")


def test_the_shared_part_is_formgen_s_shared_vocabulary_and_nothing_else() -> None:
    record = example()
    found = shared(record)
    assert set(found) <= {"children", "family_members", "address", "telephone", "email", "worker", "worried_about",
                          "working_well", "complicating_factors", "needs_to_happen", "level_of_need"}
    assert found["children"][0]["case_ids"] == {"carefirst": "CF2284619"}
    assert "documents" not in found and "consent" not in found
    assert record == example()  # the record is not changed
    assert shared(copy.deepcopy(record) | {"telephone": ""}).get("telephone") is None  # empty answers are dropped
