"""A route's pack (formgen/engine/pack.py), built from one case record and checked by opening it: every
document names the children and prints the shared answers typed once in the record; the merged PDF's
bookmarks point at the right pages; the calendar's dates are the seeds' timescales, bank holidays included."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
import zipfile
from functools import cache
from typing import Any

import icalendar
import pytest
from helpers import docx_text, pdf_body_text, pdf_reader, pdf_text, squash, strings_in

from formgen.core.case import lookup
from formgen.core.councils import all_councils
from formgen.core.errors import UnsupportedFormat
from formgen.core.fields import format_nhs_number
from formgen.core.registry import all_forms
from formgen.engine import routes
from formgen.engine.pack import CALENDAR, MANIFEST, Pack, build_pack, calendar, safe_name
from formgen.engine.routes import CaseRecordIncomplete

# Routes whose forms exist and that have an example case record: each is built and checked.
BUILT = [(c, r.id) for c, p in all_councils().items() for r in p.routes
         if not routes.missing_forms(r) and routes.example_record(p, r) is not None]
# Every route a seed describes is declared in its council's profile (docs/routes.md): each must be built.
EVERY_ROUTE = {(c, r.id) for c, p in all_councils().items() for r in p.routes}

# What each document prints from the record, by reference: typed once in the record, found in the document.
PRINTS = {
    "herefordshire-eha-step-down-plan": ["address.line_1", "worker.name", "lead_professional.name", "consent.given_by",
                                         "assessment.summary", "family_members.0.full_name"],
    "manchester-allocations-pro-forma": ["address.line_1", "worker.name", "worried_about", "working_well",
                                         "needs_to_happen", "family_members.0.full_name"],
    "shropshire-strengthening-families-consent": ["address.line_1", "worker.name", "family_members.0.full_name"],
    "shropshire-step-down-agenda": ["assessment.summary", "assessment.recommendations", "worker.name"],
    "multi-agency-referral-form": ["address.line_1", "worker.name", "worried_about", "working_well",
                                   "assessment.summary", "complicating_factors", "family_members.0.full_name"],
    "peterborough-lcs-ehm-transfer": ["address.line_1", "worker.name", "worried_about", "working_well",
                                      "needs_to_happen", "consent.given_by", "family_members.0.full_name"],
    "peterborough-masg-step-down": ["address.line_1", "worker.name", "worried_about", "working_well", "needs_to_happen",
                                    "consent.given_by", "family_members.0.full_name"],
    # Its team table names the social worker and the lead professional again among the team's members (the
    # meeting's own list): their names are checked printed, not typed once.
    "peterborough-cin-step-down-record": ["address.line_1", "lead_professional.email", "worker.email",
                                          "worried_about", "working_well", "family_members.0.full_name"],
    "step-down-clinic-agenda": ["worker.name", "team_manager.name", "assessment.summary", "meetings.clinic.place"],
    "step-down-clinic-outcome": ["worker.name", "team_manager.name", "lead_professional.name"],
    "step-down-clinic-transfer": ["address.line_1", "worker.name", "team_manager.name", "lead_professional.name",
                                  "worried_about", "working_well", "needs_to_happen", "family_members.0.full_name"],
    "step-down-clinic-joint-visit": ["address.line_1", "worker.name", "lead_professional.name",
                                     "family_members.0.full_name"],
}


def record(council_id: str, route_id: str) -> dict[str, Any]:
    found = routes.example_record(*routes.find(council_id, route_id))
    assert found is not None
    return copy.deepcopy(found)


@cache
def packed(council_id: str, route_id: str, fmt: str = "pdf", merged: bool = False) -> Pack:
    return build_pack(council_id, route_id, record(council_id, route_id), fmt, merged)


def files(pack: Pack) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def events(pack: Pack) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(files(pack)[CALENDAR])
    return list(calendar.walk("VEVENT"))


def test_every_route_a_seed_describes_is_built_from_its_example_record() -> None:
    assert set(BUILT) == EVERY_ROUTE
    assert {("peterborough", "1"), ("peterborough", "2"), ("peterborough", "3"),
            ("step-down-clinic", "step-down")} <= set(BUILT)


def test_every_form_of_a_route_prints_what_it_takes_from_the_record() -> None:
    assert {d.form for c, r in EVERY_ROUTE for d in routes.find(c, r)[1].documents} <= set(PRINTS)


@pytest.mark.parametrize(("council_id", "route_id"), BUILT, ids=[f"{c}:{r}" for c, r in BUILT])
def test_every_document_names_the_children_and_prints_the_shared_answers_typed_once(council_id: str,
                                                                                     route_id: str) -> None:
    rec = record(council_id, route_id)
    found = files(packed(council_id, route_id))
    manifest = json.loads(found[MANIFEST])
    _, route = routes.find(council_id, route_id)
    assert {d["form"] for d in manifest["documents"]} == {d.form for d in routes.included(route, rec)}
    own_parts = set(strings_in(rec["documents"]))
    for entry in manifest["documents"]:
        text = squash(pdf_body_text(found[entry["file"]]))  # running headers do not split an answer
        assert entry["pages"] == len(pdf_reader(found[entry["file"]]).pages)
        for child in rec["children"]:
            assert child["full_name"] in text, (entry["file"], child["full_name"])
            assert format_nhs_number(child["nhs_number"]) in text, (entry["file"], child["nhs_number"])
        for ref in PRINTS.get(entry["form"], []):
            value = lookup(rec, ref)
            assert isinstance(value, str) and value, ref
            assert squash(value) in text, (entry["file"], ref)
            assert value not in own_parts, ref  # typed once: in the record, not again in a document's own part


def test_a_sibling_group_gets_one_plan_per_child_each_saying_whose_copy_it_is() -> None:
    found = files(packed("herefordshire", "level-3-step-down"))
    plans = sorted(name for name in found if name.endswith(".pdf"))
    assert plans == ["01-eha-step-down-plan-712406.pdf", "01-eha-step-down-plan-712407.pdf",
                     "01-eha-step-down-plan-712408.pdf"]
    for name, child in zip(plans, ("Ellie-Mae Bevan", "Tyler Bevan", "Rosie Bevan"), strict=True):
        assert f"This copy is for {child}'s record" in squash(pdf_text(found[name]))


def test_both_formats_are_packed_when_asked() -> None:
    found = files(packed("shropshire", "3.b", "both"))
    assert sorted(found) == ["01-strengthening-families-consent-CF2284619.docx",
                             "01-strengthening-families-consent-CF2284619.pdf",
                             "02-step-down-agenda-weekly-2026-11-19.docx", "02-step-down-agenda-weekly-2026-11-19.pdf",
                             CALENDAR, MANIFEST]
    agenda = squash(docx_text(found["02-step-down-agenda-weekly-2026-11-19.docx"]))
    assert "Amelia Price" in agenda and "Hannah Jones, Pastoral lead, Meole Brace School" in agenda
    with pytest.raises(UnsupportedFormat):
        build_pack("shropshire", "3.b", record("shropshire", "3.b"), "odt")


# ----------------------------------------------------------------------------------- the merged PDF


def outline(pack: Pack) -> list[tuple[int, str, int, str]]:
    """(depth, title, page index, that page's text) for every bookmark of the merged PDF."""
    name = next(n for n in files(pack) if n.endswith(".pdf"))
    reader = pdf_reader(files(pack)[name])
    found: list[tuple[int, str, int, str]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                found.append((depth, item.title, page, squash(reader.pages[page].extract_text() or "")))

    walk(reader.outline, 0)
    return found


def test_the_merged_pdf_has_a_bookmark_per_document_and_per_child_at_the_right_page() -> None:
    pack = packed("herefordshire", "level-3-step-down", merged=True)
    marks = outline(pack)
    assert [(d, t, p) for d, t, p, _ in marks] == [
        (0, "Early Help Assessment Step-Down Plan", 0), (1, "Ellie-Mae Bevan", 0), (1, "Tyler Bevan", 3),
        (1, "Rosie Bevan", 6)]
    for depth, child, _, text in marks[1:]:
        assert depth == 1 and f"This copy is for {child}'s record" in text
    assert pack.pages == 9 and sorted(files(pack)) == [CALENDAR, MANIFEST, "pack-herefordshire-level-3-step-down-712406.pdf"]


def test_a_bookmark_for_a_child_points_at_the_first_page_that_names_them() -> None:
    marks = outline(packed("shropshire", "3.b", merged=True))
    documents = [(t, p) for d, t, p, _ in marks if d == 0]
    assert documents == [("Strengthening Families consent form", 0), ("Step-down meeting agenda", 2)]
    children = [(t, p, text) for d, t, p, text in marks if d == 1]
    # The consent form names the children on its side 2; the agenda on its front page.
    assert [(t, p) for t, p, _ in children] == [("Amelia Price", 1), ("Noah Price", 1), ("Amelia Price", 2),
                                                 ("Noah Price", 2)]
    assert all(t in text for t, _, text in children)


# --------------------------------------------------------------------------------------- the calendar


def dated(pack: Pack) -> dict[str, Any]:
    return {str(e.get("summary")): e.decoded("dtstart") for e in events(pack)}


def test_herefordshire_calendar_dates_are_the_plans_own_with_the_bank_holiday() -> None:
    """000: two weeks (14 days or 10 working days, the earlier), 10 working days, 10 days of the closure."""
    pack = packed("herefordshire", "level-3-step-down")
    found = {summary.removeprefix("Due: ").removesuffix(" (Mosaic 712406)"): day for summary, day in dated(pack).items()}
    assert found == {
        "Early Help Assessment step-down plan, one for each child of a sibling group": dt.date(2026, 5, 7),
        "Complete the step-down and close the case to social care": dt.date(2026, 5, 8),
        "The Early Help co-ordinators receive the step-down; if they have not, their manager escalates it":
            dt.date(2026, 5, 15)}
    plan = squash(pdf_text(files(pack)["01-eha-step-down-plan-712406.pdf"]))
    assert "by Thursday 7 May 2026" in plan and "by Friday 8 May 2026" in plan and "Friday 15 May 2026" in plan


def test_every_event_cites_its_source_in_its_description() -> None:
    for council_id, route_id in BUILT:
        for event in events(packed(council_id, route_id)):
            description = str(event.get("description"))
            assert "Source: " in description, (council_id, route_id, event.get("summary"))
            assert "\u201c" in description  # the guidance's own words, quoted
            assert "Bevan" not in str(event.get("summary")) and "Price" not in str(event.get("summary"))  # ids, not names


def test_a_reading_says_so_on_the_calendar() -> None:
    descriptions = [str(e.get("description")) for e in events(packed("herefordshire", "level-3-step-down"))]
    assert all("formgen's reading, not the council's rule" in d for d in descriptions)


def test_manchester_allocations_meeting_and_visits_on_the_calendar() -> None:
    pack = packed("manchester", "step-down")
    found = dated(pack)
    assert found["Multi-agency allocations meeting (every Thursday) (Micare MC0481923)"] == dt.date(2026, 11, 19)
    visit = found["Joint handover visit to the family (Micare MC0481923)"]
    assert visit.isoformat() == "2026-11-26T15:30:00+00:00" and str(visit.tzinfo) == "Europe/London"
    assert "Planning meeting (Micare MC0481923)" in found
    # The pro forma prints the same meeting date.
    text = squash(pdf_text(files(pack)["01-allocations-pro-forma-MC0481923.pdf"]))
    assert "Thursday 19 November 2026" in text


def test_shropshire_ecins_before_the_first_ehpm_skips_christmas() -> None:
    found = dated(packed("shropshire", "3.b"))
    assert found["Due: The Strengthening Families team adds the child and family to ECINS before the first Early Help "
                 "Partnership Meeting (carefirst CF2284619)"] == dt.date(2026, 12, 24)


def test_an_unconfirmed_local_setting_is_on_the_calendar_marked_as_such() -> None:
    pack = packed("shropshire", "step-up")
    event = next(e for e in events(pack) if str(e.get("summary")).startswith("Due: Multi-Agency Referral Form"))
    assert event.decoded("dtstart").isoformat() == "2026-11-25T11:40:00+00:00"
    description = str(event.get("description"))
    assert "not yet confirmed by Shropshire Council" in description and "no verdict" in description


# ------------------------------------------------------------------------------------- what is refused


def test_a_page_limit_broken_in_a_pack_is_a_422_naming_the_document() -> None:
    rec = record("manchester", "step-down")
    long = "A long answer that goes on and on. " * 110
    rec["worried_about"] = rec["working_well"] = rec["needs_to_happen"] = long.strip()
    with pytest.raises(CaseRecordIncomplete) as refused:
        build_pack("manchester", "step-down", rec)
    assert set(refused.value.documents) == {"manchester-allocations-pro-forma"}
    assert all(path.startswith("documents.manchester-allocations-pro-forma.") for path in refused.value.errors)


def test_file_names_in_the_pack_are_safe_whatever_the_case_ids() -> None:
    rec = record("manchester", "step-down")
    rec["children"][0]["case_ids"]["Micare"] = "../../MC1"
    # A Micare ID is checked against Micare's form before it can name a file; safe_name stays as a second guard.
    with pytest.raises(CaseRecordIncomplete) as refused:
        build_pack("manchester", "step-down", rec)
    assert "documents.manchester-allocations-pro-forma.child.micare_id" in refused.value.errors
    rec["children"][0]["case_ids"]["Micare"] = "MC-1"
    names = list(files(build_pack("manchester", "step-down", rec)))
    assert all("/" not in name and ".." not in name for name in names), names
    assert safe_name("../x y.pdf") == "x-y.pdf"


def test_every_form_in_a_pack_is_known_to_the_registry() -> None:
    assert {d.form for c, r in BUILT for d in routes.find(c, r)[1].documents} <= set(all_forms())


def test_user_text_in_the_calendar_is_data_never_calendar_structure() -> None:
    rec = record("shropshire", "3.b")
    injected = "Room 1\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Injected"
    rec["meetings"][0]["place"] = injected
    rec["children"][0]["case_ids"]["carefirst"] = "CF1;X-INJECT:1"
    council, route = routes.find("shropshire", "3.b")
    parsed = icalendar.Calendar.from_ical(calendar(council, route, rec))
    found = list(parsed.walk("VEVENT"))
    assert len(found) == len([e for e in events(packed("shropshire", "3.b"))])
    assert not [e for e in found if str(e.get("summary")) == "Injected"] and "X-INJECT" not in parsed
    assert any(str(e.get("location")) == injected.replace("\r\n", "\n") for e in found)


# ------------------------------------------------- Peterborough (seed 004) and the Step Down Clinic (seed 003)


def test_peterborough_route_1_review_is_24_clock_hours_even_onto_good_friday() -> None:
    """004, section 1: the Early Help Hub reviews "within 24 hours of receipt" (formgen's reading for a Transfer).
    The guidance counts hours, not working days: sent on the Thursday before Easter, the review falls on Good
    Friday, and the Transfer says so rather than moving the date."""
    pack = packed("peterborough", "1")
    [review] = events(pack)
    assert str(review.get("summary")) == ("Due: The Early Help Hub reviews the Transfer and accepts it as appropriate "
                                          "(Liquid Logic (LCS) LCS6120834)")
    due = review.decoded("dtstart")
    assert due.isoformat() == "2026-04-03T16:10:00+01:00" and str(due.tzinfo) == "Europe/London"  # BST
    description = str(review.get("description"))
    assert "within 24 hours of receipt" in description and "formgen's reading, not the council's rule" in description
    text = squash(pdf_text(files(pack)["01-lcs-ehm-transfer-LCS6120834.pdf"]))
    assert "Friday 3 April 2026 at 16:10" in text and "a bank holiday (Good Friday)" in text
    assert "Step down to Early Help" in text and "NFA (No Further Action)." not in text  # the route fixes the outcome


def test_peterborough_routes_2_and_3_calendar_the_meeting_the_seed_names_and_invent_no_deadline() -> None:
    """004, sections 2 and 3 give no timescale: the calendar holds the MASG, or the Child in Need meeting, at its
    time, and nothing formgen would have had to invent."""
    masg = events(packed("peterborough", "2"))
    assert [(str(e.get("summary")), e.decoded("dtstart").isoformat()) for e in masg] == [
        ("Multi-Agency Support Group (MASG): the social worker presents the needs (Liquid Logic (LCS) LCS4471826)",
         "2026-11-19T10:00:00+00:00")]
    assert str(masg[0].get("location")) == "Central MASG panel, Sand Martin House"
    cin = events(packed("peterborough", "3"))
    assert [e.decoded("dtstart").isoformat() for e in cin] == ["2026-11-17T15:30:00+00:00"]
    assert "do not need to be presented to any of the three MASG panels" in str(cin[0].get("description"))
    text = squash(pdf_text(files(packed("peterborough", "2"))["01-masg-step-down-LCS4471826.pdf"]))
    assert "Thursday 19 November 2026, Central MASG panel" in text and "Referral to Early Help" in text
    record_3 = squash(pdf_text(files(packed("peterborough", "3"))["01-cin-step-down-LCS3980412.pdf"]))
    assert "Tuesday 17 November 2026" in record_3 and "Fenland View Academy" in record_3


def test_the_clinic_calendar_has_the_discussion_the_date_given_and_the_joint_visit() -> None:
    """003, Step Down 2 and 4: the case discussion, the date given to complete assessment (the record's own date,
    not one formgen counts: the guidance gives none), and the joint visit."""
    pack = packed("step-down-clinic", "step-down")
    assert {k: v.isoformat() for k, v in dated(pack).items()} == {
        "Case Discussion at the Early Help Step Down Clinic (LCS 4471203)": "2026-11-24T10:00:00+00:00",
        "Due: Complete the assessment by the date given at the case discussion (LCS 4471203)": "2026-12-22",
        "Joint visit: the Social Worker and the Early Help Family Worker (LCS 4471203)": "2026-11-27T15:45:00+00:00"}
    found = files(pack)
    outcome = squash(pdf_text(found["02-step-down-clinic-outcome-4471203.pdf"]))
    assert "to be completed by 22 December 2026" in outcome
    assert "Date given to complete assessment: 22 December 2026" in squash(pdf_text(found["03-step-down-transfer-4471203.pdf"]))
    agenda = squash(pdf_text(found["01-step-down-clinic-agenda-2026-11-24.pdf"]))
    assert "10:00: Aisha Mensah and Kwame Mensah" in agenda


def test_the_clinic_transfer_carries_the_assessment_from_the_documents_own_part() -> None:
    found = files(packed("step-down-clinic", "step-down"))
    reader = pdf_reader(found["03-step-down-transfer-4471203.pdf"])
    assert list(reader.attachments) and any("CAFA Mensah" in name for name in reader.attachments)


def test_the_clinic_merged_pdf_has_four_documents_each_with_both_children() -> None:
    marks = outline(packed("step-down-clinic", "step-down", merged=True))
    documents = [t for d, t, _, _ in marks if d == 0]
    assert documents == ["Early Help Step Down Clinic agenda", "Step Down Clinic case discussion: outcome note",
                         "Transfer to the Early Help Family Worker Team",
                         "Joint visit: Social Worker and Early Help Family Worker"]
    children = [(t, text) for d, t, _, text in marks if d == 1]
    assert [t for t, _ in children] == ["Aisha Mensah", "Kwame Mensah"] * 4
    assert all(t in text for t, text in children)
    pages = [p for d, _, p, _ in marks if d == 0]
    assert pages == sorted(pages) and len(set(pages)) == 4


def test_peterborough_merged_pdf_bookmarks_each_child() -> None:
    marks = outline(packed("peterborough", "2", merged=True))
    assert [(d, t) for d, t, _, _ in marks] == [(0, "MASG step-down presentation"), (1, "Ruby Adeyemi"),
                                                (1, "Theo Adeyemi")]
    assert all(t in text for _, t, _, text in marks[1:])
