"""Shropshire: the step-down meeting agenda, one meeting and all its cases (seed 001, 3.a-4.b, Appendix A).

Weekly meetings (Assessment Team Manager and Early Help Manager) step cases down by routes 3.a and 3.b;
monthly meetings (Case Management Managers and Early Help Manager, the Disabled Children's Team
included) by routes 4.a and 4.b. For every case the Appendix A checklist is discussed. The document is a
front page listing the cases in order, then each case with its details and the eleven questions, with
room to write, ready to print for the chair.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates, validates_schema

from formgen.core import fields as f
from formgen.core.dates import uk_date
from formgen.core.registry import FormSpec

FORM_ID = "shropshire-step-down-agenda"

MEETINGS = {
    "weekly": "Weekly step-down meeting: Assessment Team Manager and Early Help Manager (3.a, 3.b)",
    "monthly": "Monthly step-down meeting: Case Management Managers and Early Help Manager (4.a, 4.b)",
}
ROUTES = {
    "3.a": "3.a Assessment Team to Targeted Early Help Services",
    "3.b": "3.b Assessment Team to Early Help Services, lead professional identified",
    "4.a": "4.a Case Management Team (DCT included) to Targeted Early Help Services",
    "4.b": "4.b Case Management Team (DCT included) to Early Help Services",
}
ROUTES_BY_MEETING = {"weekly": ("3.a", "3.b"), "monthly": ("4.a", "4.b")}
NEEDS_LEAD_PROFESSIONAL = ("3.b", "4.b")
NEEDS_FINAL_MEETING = ("4.a", "4.b")
FINAL_MEETINGS = {"final-cin-review": "Final CIN review", "cp-core-group": "CP core group"}

# Appendix A: the questions discussed at step-down meetings for every case, in the seed's order.
CHECKLIST: dict[str, str] = {
    "consent_and_engagement": "The social worker has gained consent to share this information with those involved in "
                              "stepping down, and the child and parent/carer are fully engaged with the need for a "
                              "further plan of support and/or intervention.",
    "risks_and_needs": "What were the risks and needs in this situation that required social work intervention?",
    "work_done": "What work has been done to address/reduce the level of risk and strengthen family functioning?",
    "protective_factors": "What are the current protective factors? (the things that keep the child safe and well)",
    "why_now": "Why is the case stepping down at this time?",
    "outcomes": "What are the outcomes that still need to be achieved through our integrated working model of Early Help?",
    "strengthening_families_criteria": "How do these outcomes relate to the Strengthening Families ‘problem’ "
                                       "criteria? (social worker/lead professional)",
    "early_warning_signs": "What would it look like if risk were to increase? (early warning signs)",
    "actions_if_risk_increases": "What actions should be taken if risk increases?",
    "information_provided": "Have you provided all the most recent information to the child, parent/carer and "
                            "professionals that are required to provide the next level of support and/or intervention?",
    "closure_summary": "Has a closure summary been fully completed which identifies all professionals involved and "
                       "criteria for a step up should risk increase?",
}
# Blank answers leave two lines to write on.
ROOM_TO_WRITE = "\u00a0\n\u00a0"

_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _time(label: str, *, required: bool = True) -> f.Text:
    field = f.line(label, required=required, max_length=5, hint="24-hour clock, for example 14:30.")
    return field


def _check_time(value: str | None, label: str) -> None:
    if value and not _TIME.match(value):
        raise ValidationError(f"{label} must be a time on the 24-hour clock, like 09:30 or 14:00.")


class PersonSchema(f.FormSchema):
    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or service", required=False)


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    date_of_birth = f.date("Child's date of birth", required=False, past=True)


class FinalMeetingSchema(f.FormSchema):
    kind = f.choice("Final CIN review or CP core group", FINAL_MEETINGS)
    date = f.date("Date of the Final CIN review or CP core group")
    time = _time("Time of the Final CIN review or CP core group")

    @validates("time")
    def _time_ok(self, value: str, **_: Any) -> None:
        _check_time(value, "The time of the Final CIN review or CP core group")


class ApprovalSchema(f.FormSchema):
    name = f.line("Service manager who approved")
    date = f.date("Date approved", past=True)


ChecklistSchema = f.FormSchema.from_dict(
    {key: f.text(question, required=False, max_length=1500) for key, question in CHECKLIST.items()},
    name="ChecklistSchema",
)
ChecklistSchema.__module__ = __name__


class CaseSchema(f.FormSchema):
    carefirst_number = f.line("carefirst number", max_length=20)
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    family = f.line("Family (parents and carers)", max_length=300, hint="For example: Sarah Bennett (mother).")
    team = f.line("Team stepping down", hint="For example: Assessment Team 2, Disabled Children's Team.")
    social_worker = f.line("Social worker", required=False)
    route = f.choice("Route", {k: v for k, v in ROUTES.items()})
    consent_location = f.line("Where the signed Strengthening Families consent is saved on carestore", required=False,
                              max_length=300, hint="For example: carestore > Consent > 2026-11-12 SF consent.")
    assessment = f.text("Social work assessment (summary)", max_length=3000)
    recommendations = f.text("Social work assessment recommendations", max_length=3000)
    service = f.line("Proposed Targeted Early Help or Early Help service")
    service_role = f.text("Role of the service", max_length=1500)
    lead_professional = f.group(PersonSchema, "Identified lead professional", required=False,
                                hint="Routes 3.b and 4.b: the lead professional already identified.")
    final_meeting = f.group(FinalMeetingSchema, "Final CIN review or CP core group", required=False,
                            hint="Routes 4.a and 4.b.")
    straight_from_cp_plan = f.boolean("Stepping down straight from a child protection plan, without a period of "
                                      "child in need planning", required=False)
    service_manager_approval = f.group(ApprovalSchema, "Service manager's approval", required=False,
                                       hint="Needed to step down straight from a child protection plan (4.a).")
    checklist = f.group(ChecklistSchema, "Appendix A checklist: answers or notes", required=False)


class AgendaSchema(f.FormSchema):
    meeting = f.choice("Meeting", {"weekly": "Weekly", "monthly": "Monthly"})
    date = f.date("Date of the meeting")
    time = _time("Time of the meeting")
    place = f.line("Place", required=False)
    online_link = f.line("Online meeting link", required=False, max_length=500)
    chair = f.group(PersonSchema, "Chair")
    attendees = f.rows(PersonSchema, "Attendees", minimum=1, maximum=20)
    cases = f.rows(CaseSchema, "Cases", minimum=1, maximum=40)

    @validates("time")
    def _time_ok(self, value: str, **_: Any) -> None:
        _check_time(value, "The time of the meeting")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        if not data.get("place") and not data.get("online_link"):
            errors["place"] = ["Give the place of the meeting, an online meeting link, or both."]
        meeting = data.get("meeting")
        seen: dict[str, int] = {}
        for index, case in enumerate(data.get("cases") or []):
            found: dict[str, list[str]] = {}
            name = _case_name(index, case)
            route = case.get("route")
            if meeting in ROUTES_BY_MEETING and route and route not in ROUTES_BY_MEETING[meeting]:
                allowed = " and ".join(ROUTES_BY_MEETING[meeting])
                other = "monthly" if meeting == "weekly" else "weekly"
                found["route"] = [
                    f"{name} is route {route}, but a {meeting} step-down meeting takes routes {allowed} only "
                    f"({'3.a, 3.b' if meeting == 'weekly' else '4.a, 4.b'}). Put it on the {other} meeting's agenda, "
                    "or correct the route."
                ]
            if not case.get("consent_location"):
                found["consent_location"] = [
                    f"{name} has no consent reference. No request for Early Help intervention is accepted until a "
                    "parent or carer living in the household has signed the Strengthening Families consent form: "
                    "say where the signed form is saved on carestore (3.a, 4.a)."
                ]
            if route in NEEDS_LEAD_PROFESSIONAL and not case.get("lead_professional"):
                found["lead_professional"] = [
                    f"{name} is route {route}: name the identified lead professional (their name, role and setting) "
                    f"({route})."
                ]
            if route in NEEDS_FINAL_MEETING and not case.get("final_meeting"):
                found["final_meeting"] = [
                    f"{name} is route {route}: give the date and time of the Final CIN review or CP core group, "
                    f"which are shared at the monthly step-down meeting ({route})."
                ]
            if case.get("straight_from_cp_plan") and not case.get("service_manager_approval"):
                found["service_manager_approval"] = [
                    f"{name} steps down straight from a child protection plan without a period of child in need "
                    "planning: this needs a service manager's approval; record who approved it and when (4.a)."
                ]
            final = case.get("final_meeting") or {}
            if final.get("date") and data.get("date") and final["date"] < data["date"]:
                found.setdefault("final_meeting", []).append(
                    f"{name}: the Final CIN review or CP core group is before this meeting; it should be arranged "
                    "in advance of step down, after the step-down meeting (4.a)."
                )
            number = case.get("carefirst_number")
            if number in seen:
                found["carefirst_number"] = [
                    f"{name} has the same carefirst number as case {seen[number] + 1}: list each case once."
                ]
            elif number:
                seen[number] = index
            if found:
                errors.setdefault("cases", {})[index] = found
        if errors:
            raise ValidationError(errors)


def _case_name(index: int, case: Mapping[str, Any]) -> str:
    number = case.get("carefirst_number")
    return f"Case {index + 1} (carefirst {number})" if number else f"Case {index + 1}"


def _person(person: Mapping[str, Any] | None) -> str:
    if not person:
        return ""
    return ", ".join(p for p in (person.get("name"), person.get("role"), person.get("team")) if p)


def _children(case: Mapping[str, Any]) -> str:
    return ", ".join(c["full_name"] for c in case["children"])


def _case_context(index: int, case: Mapping[str, Any]) -> dict[str, Any]:
    route = case["route"]
    final = case.get("final_meeting")
    approval = case.get("service_manager_approval")
    answers = case.get("checklist") or {}
    details = [
        ("carefirst number", case["carefirst_number"]),
        ("Children", "\n".join(
            f"{c['full_name']} (born {uk_date(c['date_of_birth'])})" if c.get("date_of_birth") else c["full_name"]
            for c in case["children"])),
        ("Family", case["family"]),
        ("Team stepping down", case["team"] + (f"; social worker {case['social_worker']}" if case.get("social_worker") else "")),
        ("Route", ROUTES[route]),
        ("Signed consent saved on carestore", case.get("consent_location") or ""),
        ("Social work assessment", case["assessment"]),
        ("Recommendations", case["recommendations"]),
        ("Proposed service", case["service"]),
        ("Role of the service", case["service_role"]),
    ]
    if route in NEEDS_LEAD_PROFESSIONAL or case.get("lead_professional"):
        details.append(("Identified lead professional", _person(case.get("lead_professional"))))
    if final:
        details.append((FINAL_MEETINGS[final["kind"]], f"{uk_date(final['date'])} at {final['time']}"))
    if case.get("straight_from_cp_plan"):
        details.append(("Straight from a child protection plan",
                        f"Approved by {approval['name']} (service manager) on {uk_date(approval['date'])}"
                        if approval else "Service manager's approval not recorded"))
    return {
        "number": index + 1,
        "heading": f"Case {index + 1}: {_children(case)} (carefirst {case['carefirst_number']})",
        "carefirst_number": case["carefirst_number"],
        "children": _children(case),
        "team": case["team"],
        "route": route,
        "service": case["service"],
        "details": [{"label": label, "value": value} for label, value in details if value],
        "questions": [
            {"number": n, "question": question, "answer": answers.get(key) or ROOM_TO_WRITE}
            for n, (key, question) in enumerate(CHECKLIST.items(), start=1)
        ],
    }


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    meeting: str = data["meeting"]
    where = "\n".join(p for p in (data.get("place"), data.get("online_link")) if p)
    cases = [_case_context(i, c) for i, c in enumerate(data["cases"])]
    return {
        "title_line": f"{'Weekly' if meeting == 'weekly' else 'Monthly'} step-down meeting, {uk_date(data['date'])}",
        "meeting": MEETINGS[meeting],
        "when": f"{uk_date(data['date'])} at {data['time']}",
        "where": where,
        "chair": _person(data["chair"]),
        "attendees": "\n".join(_person(a) for a in data["attendees"]),
        "case_count": f"{len(cases)} case{'s' if len(cases) != 1 else ''}",
        "cases": cases,
    }


def _example_case(number: int, route: str, family: str, children: list[tuple[str, str]], meeting_date: dt.date,
                  **extra: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "carefirst_number": f"CF{2280000 + number}",
        "children": [{"full_name": name, "date_of_birth": born} for name, born in children],
        "family": family,
        "team": "Assessment Team 2" if route.startswith("3") else "Case Management Team North",
        "social_worker": "Owen Hughes" if route.startswith("3") else "Bethan Morgan",
        "route": route,
        "consent_location": f"carestore > Consent > {meeting_date.isoformat()} SF consent",
        "assessment": "Single assessment completed. Concerns about neglect of routines and school attendance "
                      "have reduced; parents engaged well with the assessment.",
        "recommendations": "Step down to Early Help for a Whole Family Action Plan: routines, attendance and "
                           "parenting support.",
        "service": "Targeted Early Help, Shrewsbury locality" if route.endswith("a") else "Meole Brace School",
        "service_role": "Lead professional: complete the Whole Family Webstar and coordinate the Early Help "
                        "Partnership Meeting.",
    }
    if route in NEEDS_LEAD_PROFESSIONAL:
        case["lead_professional"] = {"name": "Hannah Jones", "role": "Pastoral lead", "team": "Meole Brace School"}
    if route in NEEDS_FINAL_MEETING:
        case["final_meeting"] = {"kind": "final-cin-review", "date": (meeting_date + dt.timedelta(days=9)).isoformat(),
                                 "time": "10:00"}
    case.update(extra)
    return case


def example_with_cases(count: int, meeting: str = "monthly") -> dict[str, Any]:
    """A valid agenda with `count` cases (up to 40), alternating the meeting's two routes: for tests and benchmarks."""
    body = copy.deepcopy(EXAMPLE if meeting == "monthly" else WEEKLY_EXAMPLE)
    routes = ROUTES_BY_MEETING[meeting]
    date = dt.date.fromisoformat(body["date"])
    body["cases"] = [
        _example_case(100 + n, routes[n % 2], f"Parent {n + 1} (mother)", [(f"Child {n + 1} Example", "2015-06-01")], date,
                      checklist={"why_now": "The CIN plan's actions are achieved and the family agree."})
        for n in range(count)
    ]
    return body


_MEETING_DAY = dt.date(2026, 11, 19)

EXAMPLE: dict[str, Any] = {
    "meeting": "monthly",
    "date": _MEETING_DAY.isoformat(),
    "time": "14:00",
    "place": "Meeting Room 3, Shirehall, Shrewsbury",
    "online_link": "https://meet.example.org/step-down-monthly",
    "chair": {"name": "Dafydd Roberts", "role": "Early Help Manager"},
    "attendees": [
        {"name": "Dafydd Roberts", "role": "Early Help Manager"},
        {"name": "Sian Evans", "role": "Case Management Manager", "team": "Case Management Team North"},
        {"name": "Marcus Okafor", "role": "Case Management Manager", "team": "Disabled Children's Team"},
    ],
    "cases": [
        _example_case(1, "4.a", "Rhiannon Price (mother), Tomasz Nowak (stepfather)",
                      [("Amelia Price", "2012-03-21"), ("Noah Price", "2019-09-02")], _MEETING_DAY,
                      checklist={
                          "risks_and_needs": "Neglect of routines; Noah's speech delay unaddressed; Amelia missing school.",
                          "why_now": "CIN plan actions achieved over six months; family want continued support.",
                      }),
        _example_case(2, "4.b", "Joanne Whitfield (mother)", [("Kai Whitfield", "2014-11-30")], _MEETING_DAY,
                      team="Disabled Children's Team",
                      straight_from_cp_plan=True,
                      service_manager_approval={"name": "Catrin Lloyd", "date": "2026-11-10"}),
        _example_case(3, "4.a", "Mariam Haddad (mother), Yusuf Haddad (father)", [("Lina Haddad", "2016-05-14")],
                      _MEETING_DAY),
        _example_case(4, "4.b", "Craig Bennett (father)", [("Ellie Bennett", "2011-01-08"), ("Josh Bennett", "2013-07-19")],
                      _MEETING_DAY, lead_professional={"name": "Priya Shah", "role": "Family Support Worker",
                                                       "team": "Shrewsbury Family Hub"}),
    ],
}

WEEKLY_EXAMPLE: dict[str, Any] = {
    **{k: v for k, v in EXAMPLE.items() if k != "cases"},
    "meeting": "weekly",
    "chair": {"name": "Dafydd Roberts", "role": "Early Help Manager"},
    "attendees": [
        {"name": "Dafydd Roberts", "role": "Early Help Manager"},
        {"name": "Lowri Davies", "role": "Assessment Team Manager", "team": "Assessment Team 2"},
    ],
    "cases": [
        _example_case(11, "3.a", "Leanne Cartwright (mother)", [("Mia Cartwright", "2017-02-11")], _MEETING_DAY),
        _example_case(12, "3.b", "Daniel Green (father)", [("Oscar Green", "2015-08-23")], _MEETING_DAY),
    ],
}

FORM = FormSpec(
    id=FORM_ID,
    title="Step-down meeting agenda",
    authority="Shropshire Council",
    description="One weekly or monthly step-down meeting and its cases, with the Appendix A checklist for each.",
    source="001_758cea11271c27d3.txt, 3.a, 3.b, 4.a, 4.b, Appendix A",
    schema=AgendaSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,
    filename=lambda data: f"step-down-agenda-{data['meeting']}-{data['date'].isoformat()}",
)
