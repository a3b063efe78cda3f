"""Shropshire: the step-down meeting agenda, one meeting and all its cases (seed 001, 3.a-4.b, Appendix A).

Weekly meetings (an Early Help Manager and an Assessment Team Manager) step cases down by routes 3.a and
3.b; monthly meetings (the Case Management Managers and an Early Help Manager, the Disabled Children's
Team included) by routes 4.a and 4.b. For every case the Appendix A checklist is discussed. The document
is a front page listing the cases in order, then each case with its details and Appendix A's questions,
word for word, with room to write, ready to print for the chair.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, guidance, rule
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family

FORM_ID = "shropshire-step-down-agenda"

# ---------------------------------------------------------------- the guidance's words

# Who meets, in the guidance's own words (3.a, 4.a), printed under the title.
WEEKLY_MEETING_SAYS = ("An EH Manager will meet with an Assessment Team Manager at a weekly step down meeting to "
                       "step cases down to all Targeted EH Services. The SF consent form shared and checklist in "
                       "appendix A discussed for all cases.")
MONTHLY_MEETING_SAYS = ("The Case Management Managers and EH Manager will meet at a monthly step down meeting to "
                        "discuss cases stepping down to all Targeted EH Services. At the monthly step down meetings "
                        "the dates/times of the Final CIN review/CP core group are shared, SF consent forms shared "
                        "and checklist in appendix A is discussed for all cases with EH Manager.")
MEETING_SAYS = {"weekly": (WEEKLY_MEETING_SAYS, "3.a"), "monthly": (MONTHLY_MEETING_SAYS, "4.a")}

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
NEEDS_STEP_DOWN_MEETING_DATE = ("3.b",)
NEEDS_FINAL_MEETING = ("4.a", "4.b")
# The Assessment Teams step down from a social work assessment; only Case Management holds CP plans.
CASE_MANAGEMENT_ROUTES = ("4.a", "4.b")
FINAL_MEETINGS = {"final-cin-review": "Final CIN review", "cp-core-group": "CP core group"}

ATTENDS_AS = {
    "eh-manager": "Early Help Manager",
    "assessment-team-manager": "Assessment Team Manager",
    "case-management-manager": "Case Management Manager",
    "other": "Other",
}
# Who must be at each meeting (3.a: "An EH Manager will meet with an Assessment Team Manager";
# 4.a: "The Case Management Managers and EH Manager will meet").
MUST_ATTEND = {
    "weekly": ("eh-manager", "assessment-team-manager"),
    "monthly": ("eh-manager", "case-management-manager"),
}
MUST_ATTEND_WORDS = {
    "weekly": ("an Early Help Manager", "an Assessment Team Manager"),
    "monthly": ("an Early Help Manager", "at least one Case Management Manager"),
}

# Appendix A, word for word (its slips included: it is the council's text, not ours).
APPENDIX_A_TITLE = "Step down meeting agenda"
APPENDIX_A_LEAD_IN = ("The following questions need to be discuss at step down meetings to ensure robust step down "
                      "to Targeted Early Help/Early Help Services takes place;")
CHECKLIST: dict[str, str] = {
    "consent_and_engagement": "The social worker will have gained consent to share the following information with "
                              "those involved in the stepping down process and the child and parent/carer and fully "
                              "engaged with the requirement for a further plan to provide support and or "
                              "intervention.",
    "risks_and_needs": "What were the risks and needs in this situation that required social work intervention.",
    "work_done": "What work has been done to address/reduce level of risk and strengthen family functioning?",
    "protective_factors": "What are the current protective factors? (the things that keep the child safe and well)",
    "why_now": "Why is the case stepping down at this time?",
    "outcomes": "What are the outcomes that still need to be achieved through our integrated working model of Early Help?",
    "strengthening_families_criteria": "How do these outcomes relate to the Strengthening Family \u2018problem\u2019 "
                                       "criteria? (Social worker/LP)",
    "early_warning_signs": "What would it look like if risk were to increase? (early warning signs)",
    "actions_if_risk_increases": "What actions should be taken if risk increases?",
    "information_provided": "Have you provided all the most recent information to the child, parent/carer and "
                            "professionals that are required to provide the next level of support and or "
                            "intervention?",
    "closure_summary": "Has a closure summary been fully completed which identifies all professionals involved and "
                       "criteria for a step up should risk increase?",
}

HAVENBROOK_SAYS = ("If short breaks at Havenbrook are in place, the registered manager for Havenbrook should be "
                   "invited to the EHPM and a review date for the short breaks should be in place.")
HAVENBROOK_ACTION = ("Invite the registered manager for Havenbrook to the Early Help Partnership Meeting (EHPM) "
                     "(3.a, 3.b).")
HAVENBROOK_READING = ("Sections 4.a and 4.b do not mention Havenbrook: asking for the invitation and the review "
                      "date here is formgen's reading of 3.a and 3.b, so the short breaks are not lost at step down.")
APPROVAL_READING = ("Section 4.b does not repeat 4.a's note on service manager approval: asking for it here is "
                    "formgen's reading, the safer one for the child.")

# Blank answers leave two lines to write on.
ROOM_TO_WRITE = "\u00a0\n\u00a0"

# ---------------------------------------------------------------- rules

_NB_4A = guidance("001", "4.a, NB", says="Cases can only step down straight from a child protection plan to Early "
                  "Help without a period of child in need planning where there has been service manager approval.")

MEETING_PLACE = rule(
    "meeting-place-or-link",
    "The agenda says where the meeting is held: a place, an online meeting link, or both.",
    formgen_reading("The guidance does not say where step-down meetings are held; an agenda that says neither "
                    "leaves the managers unable to join.", "3.a and 4.a"),
    ("place", "online_link"),
    breach={"place": DELETE, "online_link": DELETE},
)
WEEKLY_ATTENDEES = rule(
    "weekly-meeting-attendees",
    "At a weekly step-down meeting an Early Help Manager meets an Assessment Team Manager: both are among "
    "the attendees.",
    guidance("001", "3.a", says="An EH Manager will meet with an Assessment Team Manager at a weekly step down "
             "meeting to step cases down to all Targeted EH Services."),
    ("attendees",),
    breach={"meeting": "weekly"},
)
MONTHLY_ATTENDEES = rule(
    "monthly-meeting-attendees",
    "At a monthly step-down meeting the Case Management Managers meet an Early Help Manager: an Early Help "
    "Manager and at least one Case Management Manager are among the attendees.",
    guidance("001", "4.a", says="The Case Management Managers and EH Manager will meet at a monthly step down "
             "meeting to discuss cases stepping down to all Targeted EH Services."),
    ("attendees",),
    breach={"attendees.0.attends_as": "other"},
)
ROUTE_MATCHES_MEETING = rule(
    "route-matches-meeting",
    "A weekly meeting takes the Assessment Teams' cases (routes 3.a and 3.b); a monthly meeting takes the Case "
    "Management Teams' cases, the Disabled Children's Team included (routes 4.a and 4.b).",
    [guidance("001", "3.a", says="An EH Manager will meet with an Assessment Team Manager at a weekly step down "
              "meeting"),
     guidance("001", "3.b", says="The EH Manager will be notified of all cases stepping down to EH Services at "
              "the weekly step down meeting."),
     guidance("001", "4.a", says="The Case Management Managers and EH Manager will meet at a monthly step down "
              "meeting"),
     guidance("001", "4.b", says="The EH Manager will also be notified of all cases stepping down to EH Services "
              "at the monthly Case Management step down meeting.")],
    ("cases.*.route",),
    breach={"cases.1.route": "3.b"},
)
CONSENT_SAVED = rule(
    "consent-saved-on-carestore",
    "Every case says where the signed Strengthening Families consent form is saved on carestore: at least one "
    "parent or carer living in the household has to have signed it before any request for intervention is "
    "accepted.",
    [guidance("001", "3.a", says="share where the SF signed consent is saved on carestore ... At least a signature "
              "from one parent/carer living within the household is required before any request for intervention "
              "is accepted."),
     guidance("001", "3.b", says="EH Manager to email SF team this information and where the signed consent is "
              "saved on carestore"),
     guidance("001", "4.a", says="share where SF signed consent is saved on carestore"),
     guidance("001", "4.b", says="EH Manager to email SF team this information and where the signed consent is "
              "saved on carestore")],
    ("cases.*.consent_location",),
    breach={"cases.2.consent_location": DELETE},
)
LEAD_PROFESSIONAL = rule(
    "lead-professional-for-3b-4b",
    "A case on route 3.b or 4.b names its identified lead professional.",
    [guidance("001", "3.b", says="The Assessment Team Manager will share the name of setting, name of identified "
              "Lead Professional (LP), date of step down meeting due to take place"),
     guidance("001", "4.b", says="Case Management Managers will share the name of setting, name of identified "
              "Lead Professional (LP), date of Final CIN review/CP core group due to take place.")],
    ("cases.*.lead_professional",),
    breach={"cases.1.lead_professional": DELETE},
)
STEP_DOWN_MEETING_DATE = rule(
    "step-down-meeting-date-for-3b",
    "A case on route 3.b gives the date of the step-down meeting due to take place with the setting, the family "
    "and the other agencies involved.",
    guidance("001", "3.b", says="The Assessment Team Manager will share the name of setting, name of identified "
             "Lead Professional (LP), date of step down meeting due to take place with setting/family/other "
             "agencies involved and SW"),
    ("cases.*.step_down_meeting_date",),
    breach={"meeting": "weekly", "cases.1.route": "3.b"},
)
STEP_DOWN_MEETING_AHEAD = rule(
    "step-down-meeting-not-before-this-meeting",
    "The 3.b step-down meeting is one still due to take place: its date is not before this weekly meeting.",
    guidance("001", "3.b", says="date of step down meeting due to take place"),
    ("cases.*.step_down_meeting_date",),
    breach={"meeting": "weekly", "cases.1.route": "3.b", "cases.1.step_down_meeting_date": "2026-11-02"},
)
FINAL_MEETING = rule(
    "final-meeting-for-4a-4b",
    "A case on route 4.a or 4.b gives the date and time of its Final CIN review or CP core group: they are "
    "shared at the monthly step-down meeting.",
    guidance("001", "4.a", says="At the monthly step down meetings the dates/times of the Final CIN review/CP core "
             "group are shared"),
    ("cases.*.final_meeting",),
    breach={"cases.0.final_meeting": DELETE},
)
FINAL_MEETING_AHEAD = rule(
    "final-meeting-not-before-this-meeting",
    "The Final CIN review or CP core group is arranged in advance of step down, to take place after the monthly "
    "meeting that shares its date: it is not before this meeting.",
    guidance("001", "4.a", says="SW to arrange Step down to Early Help meeting (Final CIN review/CP core group) in "
             "advance of step down ... EH Manager to liaise with SF team who will be responsible for adding the EH "
             "Services step down cases to ECINs before the Final CIN review/CP core group meeting takes place."),
    ("cases.*.final_meeting.date",),
    breach={"cases.0.final_meeting.date": "2026-11-18"},
)
STRAIGHT_FROM_CP_ON_4_ONLY = rule(
    "straight-from-cp-plan-only-on-4a-4b",
    "Only a Case Management Team case (route 4.a or 4.b) can step down straight from a child protection plan: "
    "the Assessment Teams' routes 3.a and 3.b step down from a social work assessment.",
    [_NB_4A,
     guidance("001", "3.a", says="to step down to the appropriate level of service within Targeted Early Help (EH), "
              "as per the social work assessment (SWA) recommendations.")],
    ("cases.*.straight_from_cp_plan",),
    breach={"meeting": "weekly", "cases.1.route": "3.a"},
)
APPROVAL = rule(
    "straight-from-cp-plan-needs-approval",
    "A case stepping down straight from a child protection plan, without a period of child in need planning, "
    "has a service manager's approval: say who approved it and when.",
    [_NB_4A, formgen_reading("4.b does not repeat 4.a's note; its cases come from the same Case Management Teams "
                             "and the same CIN/CP plans, so formgen asks for the approval there too.", "4.a and 4.b")],
    ("cases.*.service_manager_approval",),
    breach={"cases.1.service_manager_approval": DELETE},
)
NO_FINAL_CIN_REVIEW = rule(
    "straight-from-cp-plan-has-no-final-cin-review",
    "A case stepping down straight from a child protection plan has had no child in need planning, so it has no "
    "Final CIN review: its step-down meeting is the CP core group.",
    [_NB_4A, guidance("001", "4.a", says="SW to arrange Step down to Early Help meeting (Final CIN review/CP core "
                      "group)")],
    ("cases.*.final_meeting.kind",),
    breach={"cases.1.final_meeting.kind": "final-cin-review"},
)
CORE_GROUP_IS_STRAIGHT_FROM_CP = rule(
    "cp-core-group-means-straight-from-cp-plan",
    "A case whose step-down meeting is a CP core group is still on a child protection plan, so it steps down "
    "straight from that plan: say so, and record the service manager's approval.",
    [formgen_reading("The guidance does not say this in words: a CP core group meets only while a child protection "
                     "plan is in place, so stepping down at one skips child in need planning, which 4.a allows only "
                     "with a service manager's approval.", "4.a"), _NB_4A],
    ("cases.*.straight_from_cp_plan",),
    breach={"cases.1.straight_from_cp_plan": False},
)
HAVENBROOK = rule(
    "havenbrook-short-breaks-review-date",
    "Where short breaks at Havenbrook are in place, a review date for the short breaks is given (and the "
    "registered manager for Havenbrook is to be invited to the Early Help Partnership Meeting).",
    [guidance("001", "3.a", says=HAVENBROOK_SAYS), guidance("001", "3.b", says=HAVENBROOK_SAYS),
     formgen_reading("4.a and 4.b do not mention Havenbrook; formgen applies 3.a and 3.b's rule to them too, so a "
                     "child's short breaks are reviewed after step down.", "3.a, 3.b, 4.a and 4.b")],
    ("cases.*.short_breaks_review_date",),
    breach={"cases.1.short_breaks_review_date": DELETE},
)
EACH_CASE_ONCE = rule(
    "each-case-once",
    "Each case is listed once: no two cases share a carefirst number.",
    formgen_reading("The carefirst numbers of all cases stepping down are shared at the meeting; a case listed "
                    "twice would be discussed twice and could be stepped down on conflicting details.", "3.a and 4.a"),
    ("cases.*.carefirst_number",),
    breach={"cases.3.carefirst_number": "CF2280001"},
)

RULES = (MEETING_PLACE, WEEKLY_ATTENDEES, MONTHLY_ATTENDEES, ROUTE_MATCHES_MEETING, CONSENT_SAVED,
         LEAD_PROFESSIONAL, STEP_DOWN_MEETING_DATE, STEP_DOWN_MEETING_AHEAD, FINAL_MEETING, FINAL_MEETING_AHEAD,
         STRAIGHT_FROM_CP_ON_4_ONLY, APPROVAL, NO_FINAL_CIN_REVIEW, CORE_GROUP_IS_STRAIGHT_FROM_CP, HAVENBROOK,
         EACH_CASE_ONCE)

# ---------------------------------------------------------------- schemas


class PersonSchema(f.FormSchema):
    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or service", required=False)


class AttendeeSchema(f.FormSchema):
    name = f.line("Name")
    attends_as = f.choice("Attends as", ATTENDS_AS,
                          hint="Weekly meetings: an Early Help Manager and an Assessment Team Manager (3.a). Monthly "
                               "meetings: the Case Management Managers and an Early Help Manager (4.a).")
    role = f.line("Role", required=False, hint="Their own job title, if it says more (needed for 'Other').")
    team = f.line("Team or service", required=False)


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    nhs_number = f.nhs_number()
    date_of_birth = f.date("Child's date of birth", required=False, past=True)


class FinalMeetingSchema(f.FormSchema):
    kind = f.choice("Final CIN review or CP core group", FINAL_MEETINGS)
    date = f.date("Date of the Final CIN review or CP core group")
    time = f.time_of_day("Time of the Final CIN review or CP core group")


class ApprovalSchema(f.FormSchema):
    name = f.line("Service manager who approved")
    date = f.date("Date approved", past=True)


ChecklistSchema = f.FormSchema.from_dict(
    {key: f.text(question, required=False, max_length=1500, called=f"The answer to checklist question {n}")
     for n, (key, question) in enumerate(CHECKLIST.items(), start=1)},
    name="ChecklistSchema",
)
ChecklistSchema.__module__ = __name__


class CaseSchema(f.FormSchema):
    carefirst_number = f.case_id("carefirst number", "carefirst", hint="The case's number on carefirst.")
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    family = f.line("Family (parents and carers)", max_length=300, hint="For example: Sarah Bennett (mother).")
    team = f.line("Team stepping down", hint="For example: Assessment Team 2, Disabled Children's Team.")
    social_worker = f.line("Social worker", required=False)
    route = f.choice("Route", dict(ROUTES))
    consent_location = f.required_when(
        f.line("Where the signed Strengthening Families consent is saved on carestore", required=False,
               max_length=300, hint="For example: carestore > Consent > 2026-11-12 SF consent."),
        "for every case, whatever its route (3.a, 3.b, 4.a, 4.b): no request for intervention is accepted "
        "without the signed consent")
    assessment = f.text("Social work assessment (summary)", max_length=3000)
    recommendations = f.text("Social work assessment recommendations", max_length=3000)
    service = f.line("Proposed Targeted Early Help or Early Help service")
    service_role = f.text("Role of the service", max_length=1500)
    lead_professional = f.required_when(
        f.group(PersonSchema, "Identified lead professional", required=False), "when the route is 3.b or 4.b")
    step_down_meeting_date = f.required_when(
        f.date("Date of the step-down meeting with the setting, family and other agencies", required=False),
        "when the route is 3.b")
    final_meeting = f.required_when(
        f.group(FinalMeetingSchema, "Final CIN review or CP core group", required=False),
        "when the route is 4.a or 4.b")
    straight_from_cp_plan = f.required_when(
        f.boolean("Stepping down straight from a child protection plan, without a period of child in need "
                  "planning", required=False),
        "(as yes) when the step-down meeting is a CP core group")
    service_manager_approval = f.required_when(
        f.group(ApprovalSchema, "Service manager's approval", required=False),
        "when the case steps down straight from a child protection plan (4.a)")
    short_breaks_at_havenbrook = f.boolean("Short breaks at Havenbrook are in place", required=False)
    short_breaks_review_date = f.required_when(
        f.date("Review date for the short breaks at Havenbrook", required=False),
        "when short breaks at Havenbrook are in place")
    checklist = f.group(ChecklistSchema, "Appendix A checklist: answers or notes", required=False)


class AgendaSchema(f.FormSchema):
    meeting = f.choice("Meeting", {"weekly": "Weekly", "monthly": "Monthly"})
    date = f.date("Date of the meeting")
    time = f.time_of_day("Time of the meeting")
    place = f.line("Place", required=False)
    online_link = f.line("Online meeting link", required=False, max_length=500)
    chair = f.group(PersonSchema, "Chair")
    attendees = f.rows(AttendeeSchema, "Attendees", minimum=1, maximum=20)
    cases = f.rows(CaseSchema, "Cases", minimum=1, maximum=40)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        if not data.get("place") and not data.get("online_link"):
            errors.add(MEETING_PLACE, "place", "Give the place of the meeting, an online meeting link, or both.")
        _check_attendees(errors, data.get("meeting"), data.get("attendees") or [])
        seen: dict[str, int] = {}
        for index, case in enumerate(data.get("cases") or []):
            _check_case(errors, index, case, data)
            number = case.get("carefirst_number")
            if number in seen:
                errors.add(EACH_CASE_ONCE, f"cases.{index}.carefirst_number",
                           f"{_case_name(index, case)} has the same carefirst number as case {seen[number] + 1}: "
                           "list each case once.")
            elif number:
                seen[number] = index
        errors.raise_any()


def _check_attendees(errors: RuleErrors, meeting: str | None, attendees: list[Mapping[str, Any]]) -> None:
    if meeting not in MUST_ATTEND:
        return
    present = {a.get("attends_as") for a in attendees}
    missing = [words for role, words in zip(MUST_ATTEND[meeting], MUST_ATTEND_WORDS[meeting], strict=True)
               if role not in present]
    if missing:
        broken = WEEKLY_ATTENDEES if meeting == "weekly" else MONTHLY_ATTENDEES
        section = "3.a" if meeting == "weekly" else "4.a"
        errors.add(broken, "attendees",
                   f"Add {' and '.join(missing)} to the attendees of this {meeting} step-down meeting ({section}).")


def _check_case(errors: RuleErrors, index: int, case: Mapping[str, Any], data: Mapping[str, Any]) -> None:
    """The rules about one case, its errors filed under cases.<index>."""
    name = _case_name(index, case)
    at = f"cases.{index}"
    route = case.get("route")
    meeting = data.get("meeting")
    if meeting in ROUTES_BY_MEETING and route and route not in ROUTES_BY_MEETING[meeting]:
        other = "monthly" if meeting == "weekly" else "weekly"
        errors.add(ROUTE_MATCHES_MEETING, f"{at}.route",
                   f"{name} is route {route}, which goes to the {other} meeting: move it there, or correct the "
                   "route.")
    if not case.get("consent_location"):
        errors.add(CONSENT_SAVED, f"{at}.consent_location",
                   f"{name}: say where the signed Strengthening Families consent form is saved on carestore"
                   f"{f' ({route})' if route else ''}.")
    if route in NEEDS_LEAD_PROFESSIONAL and not case.get("lead_professional"):
        errors.add(LEAD_PROFESSIONAL, f"{at}.lead_professional",
                   f"{name} is route {route}: name the identified lead professional ({route}).")
    _check_step_down_meeting(errors, name, at, case, data)
    _check_final_meeting(errors, name, at, case, data)
    _check_straight_from_cp(errors, name, at, case)
    if case.get("short_breaks_at_havenbrook") and not case.get("short_breaks_review_date"):
        # 4.a and 4.b do not mention Havenbrook: only 3.a and 3.b are cited (the rulebook gives the reading).
        where = "" if route in CASE_MANAGEMENT_ROUTES else " (3.a, 3.b)"
        errors.add(HAVENBROOK, f"{at}.short_breaks_review_date",
                   f"{name} has short breaks at Havenbrook: give the review date for the short breaks{where}.")


def _check_step_down_meeting(errors: RuleErrors, name: str, at: str, case: Mapping[str, Any],
                             data: Mapping[str, Any]) -> None:
    date = case.get("step_down_meeting_date")
    if case.get("route") in NEEDS_STEP_DOWN_MEETING_DATE and not date:
        errors.add(STEP_DOWN_MEETING_DATE, f"{at}.step_down_meeting_date",
                   f"{name} is route 3.b: give the date of the step-down meeting with the setting, family and "
                   "other agencies (3.b).")
    if date and data.get("date") and date < data["date"]:
        errors.add(STEP_DOWN_MEETING_AHEAD, f"{at}.step_down_meeting_date",
                   f"{name}: the step-down meeting with the setting and family must be on or after this meeting's "
                   "date (3.b).")


def _check_final_meeting(errors: RuleErrors, name: str, at: str, case: Mapping[str, Any],
                         data: Mapping[str, Any]) -> None:
    route = case.get("route")
    final = case.get("final_meeting") or {}
    if route in NEEDS_FINAL_MEETING and not final:
        errors.add(FINAL_MEETING, f"{at}.final_meeting",
                   f"{name} is route {route}: give the date and time of the Final CIN review or CP core group "
                   f"({route}).")
    if final.get("date") and data.get("date") and final["date"] < data["date"]:
        errors.add(FINAL_MEETING_AHEAD, f"{at}.final_meeting.date",
                   f"{name}: the Final CIN review or CP core group must be on or after this meeting's date (4.a).")


def _check_straight_from_cp(errors: RuleErrors, name: str, at: str, case: Mapping[str, Any]) -> None:
    route = case.get("route")
    straight = case.get("straight_from_cp_plan") is True
    kind = (case.get("final_meeting") or {}).get("kind")
    if straight and route and route not in CASE_MANAGEMENT_ROUTES:
        errors.add(STRAIGHT_FROM_CP_ON_4_ONLY, f"{at}.straight_from_cp_plan",
                   f"{name} is route {route}: only 4.a and 4.b cases step down straight from a CP plan. Correct the "
                   "route, or untick this.")
    if straight and not case.get("service_manager_approval"):
        errors.add(APPROVAL, f"{at}.service_manager_approval",
                   f"{name} steps down straight from a child protection plan: give the service manager who "
                   "approved it, and when (4.a).")
    if straight and kind == "final-cin-review":
        errors.add(NO_FINAL_CIN_REVIEW, f"{at}.final_meeting.kind",
                   f"{name} steps down straight from a child protection plan: choose CP core group, not Final CIN "
                   "review (4.a).")
    if kind == "cp-core-group" and not straight:
        errors.add(CORE_GROUP_IS_STRAIGHT_FROM_CP, f"{at}.straight_from_cp_plan",
                   f"{name} steps down at a CP core group: tick 'straight from a child protection plan', or "
                   "choose Final CIN review (4.a).")


# ---------------------------------------------------------------- the document


def _case_name(index: int, case: Mapping[str, Any]) -> str:
    number = case.get("carefirst_number")
    return f"Case {index + 1} (carefirst {number})" if number else f"Case {index + 1}"


def _person(person: Mapping[str, Any] | None) -> str:
    if not person:
        return ""
    return ", ".join(p for p in (person.get("name"), person.get("role"), person.get("team")) if p)


def _attendee(person: Mapping[str, Any]) -> str:
    attends_as = person.get("attends_as")
    role = ATTENDS_AS.get(attends_as or "") if attends_as != "other" else None
    job = person.get("role") if person.get("role") != role else None
    return ", ".join(p for p in (person.get("name"), role, job, person.get("team")) if p)


def _child(child: Mapping[str, Any]) -> str:
    """The child's name with their NHS number beside it, then their date of birth."""
    found = child["full_name"]
    if child.get("nhs_number"):
        found += f", NHS number {f.format_nhs_number(child['nhs_number'])}"
    if child.get("date_of_birth"):
        found += f" (born {uk_date(child['date_of_birth'])})"
    return found


def _children(case: Mapping[str, Any]) -> str:
    return ", ".join(c["full_name"] for c in case["children"])


def _children_listed(case: Mapping[str, Any]) -> str:
    """For the front page's narrow column: each child's name, their NHS number under it, kept on one line."""
    return "\n".join(
        c["full_name"] + (f"\nNHS {f.format_nhs_number(c['nhs_number'])}".replace(" ", "\u00a0")
                          if c.get("nhs_number") else "")
        for c in case["children"])


def _approval(case: Mapping[str, Any]) -> str:
    approval = case["service_manager_approval"]
    said = (f"Without a period of child in need planning (4.a): approved by {approval['name']} (service manager) "
            f"on {uk_date(approval['date'])}.")
    return f"{said}\n{APPROVAL_READING}" if case["route"] == "4.b" else said


def _havenbrook(case: Mapping[str, Any]) -> str:
    if case.get("short_breaks_at_havenbrook") is False:
        return "Not in place."
    said = (f"In place; review date for the short breaks {uk_date(case['short_breaks_review_date'])}.\n"
            f"{HAVENBROOK_ACTION}")
    return f"{said}\n{HAVENBROOK_READING}" if case["route"] in CASE_MANAGEMENT_ROUTES else said


def _case_details(case: Mapping[str, Any]) -> list[tuple[str, str]]:
    route = case["route"]
    final = case.get("final_meeting")
    details = [
        ("carefirst number", case["carefirst_number"]),
        ("Children", "\n".join(_child(c) for c in case["children"])),
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
    if case.get("step_down_meeting_date"):
        details.append(("Step-down meeting with the setting, family and agencies",
                        uk_date(case["step_down_meeting_date"])))
    if final:
        details.append((FINAL_MEETINGS[final["kind"]], f"{uk_date(final['date'])} at {final['time']}"))
    if case.get("straight_from_cp_plan"):
        details.append(("Straight from a child protection plan", _approval(case)))
    if case.get("short_breaks_at_havenbrook") is not None:
        details.append(("Short breaks at Havenbrook", _havenbrook(case)))
    return details


def _case_context(index: int, case: Mapping[str, Any]) -> dict[str, Any]:
    answers = case.get("checklist") or {}
    return {
        "number": index + 1,
        "heading": f"Case {index + 1}: {_children(case)} (carefirst {case['carefirst_number']})",
        "carefirst_number": case["carefirst_number"],
        "children": _children_listed(case),
        "team": case["team"],
        "route": case["route"],
        "service": case["service"],
        "details": [{"label": label, "value": value} for label, value in _case_details(case) if value],
        "questions": [
            {"number": n, "question": question, "answer": answers.get(key) or ROOM_TO_WRITE}
            for n, (key, question) in enumerate(CHECKLIST.items(), start=1)
        ],
    }


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    meeting: str = data["meeting"]
    where = "\n".join(p for p in (data.get("place"), data.get("online_link")) if p)
    cases = [_case_context(i, c) for i, c in enumerate(data["cases"])]
    says, section = MEETING_SAYS[meeting]
    return {
        "title_line": f"{'Weekly' if meeting == 'weekly' else 'Monthly'} step-down meeting, {uk_date(data['date'])}",
        "guidance_says": f"\u201c{says}\u201d (Shropshire's step-down guidance, {section})",
        "meeting": MEETINGS[meeting],
        "when": f"{uk_date(data['date'])} at {data['time']}",
        "where": where,
        "chair": _person(data["chair"]),
        "attendees": "\n".join(_attendee(a) for a in data["attendees"]),
        "case_count": f"{len(cases)} case{'s' if len(cases) != 1 else ''}",
        "cases": cases,
        "appendix_a_heading": f"Appendix A: {APPENDIX_A_TITLE}",
        "appendix_a_lead_in": APPENDIX_A_LEAD_IN,
    }


# ---------------------------------------------------------------- prefill (formgen/core/shared.py)

_NAMED = re.compile(r"^\s*(?P<name>[^()]+?)\s*\((?P<relationship>[^()]+)\)\s*$")


def _family_members(family: str | None) -> list[dict[str, Any]]:
    """'Rhiannon Price (mother), Tomasz Nowak (stepfather)' as people, or none when it is not written that way."""
    parts = [part for part in (family or "").split(",") if part.strip()]
    matched = [_NAMED.match(part) for part in parts]
    if not parts or not all(matched):
        return []
    return [{"full_name": m["name"], "relationship": m["relationship"].capitalize()} for m in matched if m]


STEP_DOWN_MEETING_WORDS = "Step-down meeting with the setting, family and other agencies"
_FINAL_CIN = re.compile(r"\bfinal\s+(cin|child\s+in\s+need)\b", re.IGNORECASE)
_CORE_GROUP = re.compile(r"\bcore\s+group\b", re.IGNORECASE)
_STEP_DOWN_MEETING = re.compile(r"\bstep[\s-]*down\s+meeting\b", re.IGNORECASE)


def _shared_visits(case: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The case's meetings still to come: both are after this meeting (its rules), so neither is held yet."""
    final = case.get("final_meeting") or {}
    visits = [{"date": iso(final.get("date")), "time": final.get("time"), "held": False,
               "kind": FINAL_MEETINGS.get(final.get("kind") or "")}] if final else []
    if case.get("step_down_meeting_date"):
        visits.append({"date": iso(case["step_down_meeting_date"]), "kind": STEP_DOWN_MEETING_WORDS, "held": False})
    return visits


def _final_meeting(visits: list[Any]) -> dict[str, Any] | None:
    """A Final CIN review (Manchester's "final Child in Need meeting", 3.8.5) or a CP core group to come."""
    for visit in visits:
        kind = str(visit.get("kind") or "")
        found = "final-cin-review" if _FINAL_CIN.search(kind) else "cp-core-group" if _CORE_GROUP.search(kind) else None
        if found and visit.get("held") is False:
            return {"kind": found, "date": visit.get("date"), "time": visit.get("time")}
    return None


def shares(body: Mapping[str, Any]) -> SharedCase:
    """The agenda's first case: its children (with their NHS numbers), family and social worker. An agenda holds
    many families; only the one at the top is shared, so no two families are ever mixed in one form."""
    case = (body.get("cases") or [{}])[0]
    number = case.get("carefirst_number")
    lead = case.get("lead_professional") or {}
    shared: SharedCase = drop_empty({
        "as_of": iso(body.get("date")),
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": iso(c.get("date_of_birth")),
             "nhs_number": (c.get("nhs_number") or "").replace(" ", ""),
             "case_ids": {"carefirst": number} if number else {}}
            for c in case.get("children") or []
        ],
        "family_members": _family_members(case.get("family")),
        "worker": {"name": case.get("social_worker"), "role": "Social worker" if case.get("social_worker") else None,
                   "team": case.get("team")},
        "lead_professional": {"name": lead.get("name"), "role": lead.get("role"), "team": lead.get("team")},
        "assessment": {"summary": case.get("assessment"), "recommendations": case.get("recommendations")},
        "reason": (case.get("checklist") or {}).get("why_now"),  # "Why is the case stepping down at this time?"
        "visits": _shared_visits(case),
    })
    return shared


def case_row(case: SharedCase) -> dict[str, Any]:
    """One case of the agenda from a shared case: its carefirst number, children (with NHS numbers), family,
    social worker, the social work assessment, the lead professional, its final meeting, why it steps down now.
    The route, where the consent is saved and the service are the meeting's to say: no document tells them."""
    case = with_children_of_family(case)  # a brother or sister listed among the family is one of the children
    children = case.get("children") or []
    number = next((c.get("case_ids", {}).get("carefirst") for c in children if c.get("case_ids")), None)
    worker = case.get("worker") or {}
    lead = case.get("lead_professional") or {}
    assessment = case.get("assessment") or {}
    family = ", ".join(
        f"{m['full_name']} ({m['relationship'].lower()})" if m.get("relationship") else m["full_name"]
        for m in case.get("family_members") or [] if m.get("full_name"))
    step_down_meeting = next((v.get("date") for v in case.get("visits") or []
                              if v.get("held") is False and _STEP_DOWN_MEETING.search(str(v.get("kind") or ""))), None)
    return drop_empty({
        "carefirst_number": number,
        "children": [{"full_name": c.get("full_name"), "nhs_number": c.get("nhs_number"),
                      "date_of_birth": c.get("date_of_birth")} for c in children],
        "family": family,
        "social_worker": worker.get("name"),
        "team": worker.get("team"),
        "assessment": assessment.get("summary"),
        "recommendations": assessment.get("recommendations"),
        "lead_professional": {"name": lead.get("name"), "role": lead.get("role"), "team": lead.get("team")},
        "final_meeting": _final_meeting(case.get("visits") or []),
        "step_down_meeting_date": step_down_meeting,
        "checklist": {"why_now": case.get("reason")},
    })


def takes(case: SharedCase) -> dict[str, Any]:
    """One case for the agenda (case_row)."""
    row = case_row(case)
    return {"cases": [row]} if row else {}


# ---------------------------------------------------------------- examples (fictional people only)


def _example_case(number: int, route: str, family: str, children: list[tuple[str, str, str]], meeting_date: dt.date,
                  **extra: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "carefirst_number": f"CF{2280000 + number}",
        "children": [drop_empty({"full_name": name, "nhs_number": nhs, "date_of_birth": born})
                     for name, nhs, born in children],
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
    if route in NEEDS_STEP_DOWN_MEETING_DATE:
        case["step_down_meeting_date"] = (meeting_date + dt.timedelta(days=6)).isoformat()
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
        _example_case(100 + n, routes[n % 2], f"Parent {n + 1} (mother)",
                      [(f"Child {n + 1} Example", "", "2015-06-01")], date,
                      checklist={"why_now": "The CIN plan's actions are achieved and the family agree."})
        for n in range(count)
    ]
    return body


_MEETING_DAY = dt.date(2026, 11, 19)

# NHS numbers in the 999 range are never issued (NHS test numbers); written with spaces, as on NHS letters.
EXAMPLE: dict[str, Any] = {
    "meeting": "monthly",
    "date": _MEETING_DAY.isoformat(),
    "time": "14:00",
    "place": "Meeting Room 3, Shirehall, Shrewsbury",
    "online_link": "https://meet.example.org/step-down-monthly",
    "chair": {"name": "Dafydd Roberts", "role": "Early Help Manager"},
    "attendees": [
        {"name": "Dafydd Roberts", "attends_as": "eh-manager"},
        {"name": "Sian Evans", "attends_as": "case-management-manager", "team": "Case Management Team North"},
        {"name": "Marcus Okafor", "attends_as": "case-management-manager", "team": "Disabled Children's Team"},
    ],
    "cases": [
        _example_case(1, "4.a", "Rhiannon Price (mother), Tomasz Nowak (stepfather)",
                      [("Amelia Price", "999 001 2342", "2012-03-21"), ("Noah Price", "999 002 4685", "2019-09-02")],
                      _MEETING_DAY,
                      checklist={
                          "risks_and_needs": "Neglect of routines; Noah's speech delay unaddressed; Amelia missing school.",
                          "why_now": "CIN plan actions achieved over six months; family want continued support.",
                      }),
        _example_case(2, "4.b", "Joanne Whitfield (mother)", [("Kai Whitfield", "999 003 7027", "2014-11-30")],
                      _MEETING_DAY,
                      team="Disabled Children's Team",
                      final_meeting={"kind": "cp-core-group", "date": "2026-11-26", "time": "13:30"},
                      straight_from_cp_plan=True,
                      service_manager_approval={"name": "Catrin Lloyd", "date": "2026-11-10"},
                      short_breaks_at_havenbrook=True,
                      short_breaks_review_date="2027-01-14"),
        _example_case(3, "4.a", "Mariam Haddad (mother), Yusuf Haddad (father)",
                      [("Lina Haddad", "999 007 4046", "2016-05-14")], _MEETING_DAY),
        _example_case(4, "4.b", "Craig Bennett (father)",
                      [("Ellie Bennett", "999 008 6389", "2011-01-08"), ("Josh Bennett", "", "2013-07-19")],
                      _MEETING_DAY, lead_professional={"name": "Priya Shah", "role": "Family Support Worker",
                                                       "team": "Shrewsbury Family Hub"}),
    ],
}

WEEKLY_EXAMPLE: dict[str, Any] = {
    **{k: v for k, v in EXAMPLE.items() if k != "cases"},
    "meeting": "weekly",
    "online_link": "https://meet.example.org/step-down-weekly",
    "chair": {"name": "Dafydd Roberts", "role": "Early Help Manager"},
    "attendees": [
        {"name": "Dafydd Roberts", "attends_as": "eh-manager"},
        {"name": "Lowri Davies", "attends_as": "assessment-team-manager", "team": "Assessment Team 2"},
    ],
    "cases": [
        _example_case(11, "3.a", "Leanne Cartwright (mother)", [("Mia Cartwright", "999 009 8727", "2017-02-11")],
                      _MEETING_DAY),
        _example_case(12, "3.b", "Daniel Green (father)", [("Oscar Green", "999 011 1065", "2015-08-23")],
                      _MEETING_DAY, short_breaks_at_havenbrook=True, short_breaks_review_date="2027-02-04"),
    ],
}

WORDING = (
    Wording("weekly-meeting", WEEKLY_MEETING_SAYS, guidance("001", "3.a")),
    Wording("monthly-meeting", MONTHLY_MEETING_SAYS, guidance("001", "4.a")),
    Wording("appendix-a-title", APPENDIX_A_TITLE, guidance("001", "Appendix A")),
    Wording("appendix-a-lead-in", APPENDIX_A_LEAD_IN, guidance("001", "Appendix A")),
    *(Wording(f"appendix-a-question-{n}", question, guidance("001", "Appendix A"))
      for n, question in enumerate(CHECKLIST.values(), start=1)),
    Wording("havenbrook-invitation", HAVENBROOK_ACTION, guidance("001", "3.a and 3.b", says=HAVENBROOK_SAYS)),
    Wording("havenbrook-on-4a-4b", HAVENBROOK_READING,
            formgen_reading("4.a and 4.b do not mention Havenbrook.", "3.a, 3.b, 4.a and 4.b")),
    Wording("approval-on-4b", APPROVAL_READING, formgen_reading("4.b does not repeat 4.a's note.", "4.a and 4.b")),
)

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The meeting", ("meeting", "date", "time", "place", "online_link", "chair")),
    ("Attendees", ("attendees",)),
    ("Cases", ("cases",)),
)

FORM = FormSpec(
    sections=SECTIONS,
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
    shares=shares,
    takes=takes,
    row_takes=("cases", case_row),
    rules=RULES,
    wording=WORDING,
)
