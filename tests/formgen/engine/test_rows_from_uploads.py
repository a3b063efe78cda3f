"""formgen/engine/prefill.py, rows_from_uploads: a meeting chair uploads each case's own documents and gets the
agenda's cases (issue 16, item 7). The families are fictional, made from the forms' examples."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from formgen.core.errors import BadDocument
from formgen.core.registry import FormSpec, get_form
from formgen.engine import pipeline
from formgen.engine.prefill import rows_from_uploads

CLINIC_AGENDA = get_form("step-down-clinic-agenda")
TRANSFER = get_form("step-down-clinic-transfer")
OUTCOME = get_form("step-down-clinic-outcome")


def _nhs(first_nine: str) -> str:
    """A test NHS number (999 range, never issued) with its Modulus 11 check digit."""
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    assert check != 10, first_nine
    return first_nine + str(0 if check == 11 else check)


def _example(form: FormSpec, **changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(dict(form.example)), **changes}


def _rendered(form: FormSpec, body: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"form": form.id, "data": body}).encode()
    return pipeline.render(form, body, fmt).content


def _bello_transfer() -> dict[str, Any]:
    return _example(
        TRANSFER,
        children=[{"full_name": "Tunde Bello", "nhs_number": _nhs("999302002"), "date_of_birth": "2013-02-11",
                   "lcs_id": "4502211"}],
        family_members=[{"full_name": "Funmi Bello", "relationship": "Mother", "date_of_birth": "1984-06-30"}],
        address={"line_1": "3 Orchard Row", "town": "Northfield", "postcode": "NF2 8LB"},
        social_worker={"name": "Imran Qureshi", "team": "Assessment Team 1", "email": "imran.qureshi@example.org"},
        team_manager={"name": "Sophie Lindqvist", "team": "Assessment Team 1"},
        most_recent_assessment={**TRANSFER.example["most_recent_assessment"], "completed_on": "2026-11-10",
                                "completed_by": "Imran Qureshi"},
        senior_practitioner=None, early_help_family_worker=None,
    )


def _castellano_outcome() -> dict[str, Any]:
    return _example(
        OUTCOME,
        children=[{"full_name": "Ruby Castellano", "nhs_number": "9993030007", "date_of_birth": "2012-10-08",
                   "lcs_id": "4398120"}],
        social_worker={"name": "Daniel Achterberg", "team": "Children in Need Team 1"},
        team_manager={"name": "Priya Bhatt", "team": "Children in Need Team 1"},
        early_help_family_worker=None,
        rationale="Ruby's child in need plan is met: she is settled at her new school and her mum's health has "
                  "improved. Ruby would like a youth worker to talk to; no social work is needed.",
    )


def _novak_outcome() -> dict[str, Any]:
    return _example(
        OUTCOME,
        children=[{"full_name": "Petra Novak", "nhs_number": _nhs("999304001"), "date_of_birth": "2018-01-23",
                   "lcs_id": "4611870"},
                  {"full_name": "Jan Novak", "date_of_birth": "2021-05-02", "lcs_id": "4611871"}],
        social_worker={"name": "Grace Whitaker", "team": "Children in Need Team 3"},
        team_manager={"name": "Owen Pritchard", "team": "Children in Need Team 3"},
        outcome="other-early-help", outcome_detail="The family hub's parenting programme and stay-and-play.",
        early_help_family_worker=None,
        rationale="The worries about Petra's routines have eased; Mum wants a parenting group, which the family "
                  "hub runs. No social work involvement is needed.",
    )


def _hughes_agenda() -> dict[str, Any]:
    """A clinic agenda booked with one case: a row of its own."""
    return _example(CLINIC_AGENDA, cases=[{
        "slot": "11:00", "case_origin": "open-to-social-work",
        "children": [{"full_name": "Megan Hughes", "nhs_number": _nhs("999305001"), "date_of_birth": "2015-09-17",
                      "lcs_id": "4555012"}],
        "social_worker": {"name": "Cerys Howell", "team": "Children in Need Team 2"},
        "team_manager": {"name": "Gareth Pryce", "team": "Children in Need Team 2"},
        "most_recent_assessment": "Child and Family Assessment, completed 2 November 2026",
        "summary": "Megan's attendance is back to 97% and the family are managing; Dad asked for help with money.",
    }])


def _chair_adds(body: dict[str, Any]) -> dict[str, Any]:
    """What no document of a case can know: the clinic's day, time, place and Early Help, and each case's slot."""
    cases = [{**case, "slot": f"{9 + index}:30".zfill(5)} for index, case in enumerate(body["cases"])]
    return {"clinic_date": "2026-12-08", "start_time": "09:30", "place": "Room 2, Northfield Family Hub",
            "early_help": [{"name": "Helen Okoro", "role": "team-manager"}], "cases": cases}


def test_five_families_documents_give_five_cases_that_validate_once_the_chair_adds_the_slots() -> None:
    uploads = [
        _rendered(TRANSFER, copy.deepcopy(dict(TRANSFER.example)), "pdf"),     # 1: the Mensahs
        _rendered(TRANSFER, _bello_transfer(), "docx"),                         # 2: the Bellos
        _rendered(OUTCOME, _castellano_outcome(), "pdf"),                       # 3: the Castellanos
        _rendered(OUTCOME, _novak_outcome(), "json"),                           # 4: the Novaks
        _rendered(CLINIC_AGENDA, _hughes_agenda(), "docx"),                     # 5: the Hugheses
        _rendered(OUTCOME, copy.deepcopy(dict(OUTCOME.example)), "pdf"),        # the Mensahs' outcome note
        b"GIF89a a photo",
        _rendered(get_form("shropshire-step-down-agenda"), copy.deepcopy(dict(
            get_form("shropshire-step-down-agenda").example)), "json"),
    ]
    found = rows_from_uploads(CLINIC_AGENDA, uploads)
    assert found.list_field == "cases"
    assert len(found.rows) == 5
    # Which answers each row got, from which document.
    booked = {"case_origin", "children", "social_worker", "team_manager"}
    assert [set(row) for row in found.rows] == [
        booked | {"most_recent_assessment", "summary"},  # the transfer, then the outcome note's rationale
        booked | {"most_recent_assessment"},
        booked | {"summary"},
        booked | {"summary"},
        booked | {"most_recent_assessment", "summary"},
    ]
    assert [[c["lcs_id"] for c in row["children"]] for row in found.rows] == [
        ["4471203", "4471204"], ["4502211"], ["4398120"], ["4611870", "4611871"], ["4555012"]]
    assert found.rows[0]["most_recent_assessment"] == "Child and Family Assessment, completed 13 November 2026"
    assert found.rows[0]["summary"] == OUTCOME.example["rationale"]
    assert found.rows[4]["most_recent_assessment"] == "Child and Family Assessment, completed 2 November 2026"
    assert found.rows[2]["team_manager"] == {"name": "Priya Bhatt", "team": "Children in Need Team 1"}

    outcomes = found.outcomes
    assert [o.case for o in outcomes] == [1, 2, 3, 4, 5, 1, None, None]
    assert outcomes[0].message.startswith("File 1: this Transfer to the Early Help Family Worker Team filled in "
                                          "case 1 (Aisha Mensah, Kwame Mensah): ")
    assert "children.0.lcs_id" in outcomes[0].filled and "summary" not in outcomes[0].filled
    assert outcomes[5].filled == ("summary",)
    assert outcomes[5].message == ("File 6: this Step Down Clinic case discussion: outcome note is about the same "
                                   "child as case 1 (Aisha Mensah, Kwame Mensah); it filled in 1 answer more.")
    assert outcomes[6].refused and "This service cannot read this file." in outcomes[6].message
    assert outcomes[7].message == ("File 8: not used. This Step-down meeting agenda lists 4 cases; each row here is "
                                   "one case. Upload each case's own document instead.")

    body = _chair_adds(found.body())
    pipeline.validate(CLINIC_AGENDA, body)  # raises if any case still lacks an answer


def test_a_second_document_that_differs_keeps_the_first_documents_answers_and_says_so() -> None:
    other_manager = _example(OUTCOME, team_manager={"name": "Tom Fairweather", "team": "Children in Need Team 2"})
    found = rows_from_uploads(CLINIC_AGENDA, [_rendered(TRANSFER, copy.deepcopy(dict(TRANSFER.example)), "json"),
                                              _rendered(OUTCOME, other_manager, "json")])
    assert len(found.rows) == 1
    assert found.rows[0]["team_manager"]["name"] == "Gareth Pryce"
    assert "left as they were: team_manager.name." in found.outcomes[1].message


def test_shropshire_consent_forms_start_the_weekly_meetings_cases() -> None:
    consent = get_form("shropshire-strengthening-families-consent")
    agenda = get_form("shropshire-step-down-agenda")
    second = _example(consent, carefirst_number="CF2291034",
                      household=[{"full_name": "Leanne Cartwright", "relationship": "Mother", "lives_in_household": True}],
                      children=[{"full_name": "Mia Cartwright", "date_of_birth": "2017-02-11",
                                 "nhs_number": "9990098727"}],
                      worker={"name": "Owen Hughes", "role": "Social Worker", "team": "Assessment Team 2"})
    found = rows_from_uploads(agenda, [_rendered(consent, copy.deepcopy(dict(consent.example)), "pdf"),
                                       _rendered(consent, second, "json")])
    assert [set(row) for row in found.rows] == [{"carefirst_number", "children", "family", "social_worker", "team"}] * 2
    assert found.rows[0]["family"] == "Rhiannon Price (mother), Tomasz Nowak (stepfather), Gareth Price (father)"
    assert [c["full_name"] for c in found.rows[1]["children"]] == ["Mia Cartwright"]
    # The meeting's own answers: its time and place, and for each case its route, where the signed consent is
    # saved, and what the social work assessment and the service are (no consent form says them).
    meeting = {k: v for k, v in agenda.example.items() if k not in ("cases", "meeting", "attendees")}
    cases = [{**row, "route": "3.a", "consent_location": "carestore > Consent > SF consent",
              "assessment": "Single assessment completed.", "recommendations": "Early Help Whole Family Action Plan.",
              "service": "Targeted Early Help", "service_role": "Lead professional."} for row in found.rows]
    pipeline.validate(agenda, {**meeting, "meeting": "weekly", "cases": cases, "attendees": [
        {"name": "Dafydd Roberts", "attends_as": "eh-manager"},
        {"name": "Lowri Davies", "attends_as": "assessment-team-manager"}]})


def test_a_form_that_lists_no_cases_is_refused_in_plain_words() -> None:
    with pytest.raises(BadDocument, match="The Early Help Allocations Pro Forma does not list cases"):
        rows_from_uploads(get_form("manchester-allocations-pro-forma"), [])


def test_rows_past_the_lists_room_are_refused() -> None:
    room = CLINIC_AGENDA.schema().fields["cases"].max_items  # type: ignore[attr-defined]
    uploads = [json.dumps({"form": TRANSFER.id, "data": _example(
        TRANSFER, children=[{"full_name": f"Child {n}", "lcs_id": f"47{n:05d}"}])}).encode() for n in range(room + 1)]
    found = rows_from_uploads(CLINIC_AGENDA, uploads)
    assert len(found.rows) == room
    assert found.outcomes[-1].message == f"File {room + 1}: not used. The cases list has room for {room}, and all are used."


def test_data_a_form_cannot_read_refuses_that_file_and_the_others_still_fill_their_rows() -> None:
    # It reads as a shared case, but a relationship that is a number breaks the agenda's own row.
    broken = json.dumps({"form": TRANSFER.id, "data": {"family_members": [{"full_name": "A", "relationship": 5}]}}
                        ).encode()
    found = rows_from_uploads(CLINIC_AGENDA, [broken, _rendered(TRANSFER, copy.deepcopy(dict(TRANSFER.example)),
                                                                "json")])
    assert found.outcomes[0].message == ("File 1: not used. The file's data is not a valid Transfer to the Early "
                                         "Help Family Worker Team.")
    assert [o.case for o in found.outcomes] == [None, 1] and len(found.rows) == 1
