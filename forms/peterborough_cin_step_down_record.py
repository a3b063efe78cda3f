"""Peterborough: the Child in Need meeting step-down record (seed 004, section 3).

A case on a child in need plan steps down to multi-agency support through a Team around the Child (TAF) when
the multi-disciplinary team supporting the plan agrees. The notes of the Child in Need meeting record that
agreement and the name of the nominated Lead Professional from an Early Help partner agency, who picks the case
up after it closes to Children's Social Care; the outcome on Liquid Logic is "Referral to Early Help", not NFA.
No MASG is needed: the lead professional is identified, the team around the child is established, and the
SMART action plan exists already. The guidance gives no page limit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, guidance, rule
from formgen.core.shared import SharedCase, drop_empty
from forms.common import AddressSchema, ContactSchema, address_text, contact_text, join_lines
from forms.peterborough_common import (
    AUTHORITY,
    OUTCOMES,
    SECTION_2_NOTE,
    SECTION_3,
    child_rows,
    children_field,
    family_field,
    family_rows,
    shared_case,
    taken_case,
    worker_text,
)

FORM_ID = "peterborough-cin-step-down-record"

# An agency that is Children's Social Care itself: it closes the case, so it is neither an Early Help partner
# agency nor part of the team that carries on after closure.
SOCIAL_CARE = re.compile(r"social\s+care|\bCSC\b", re.IGNORECASE)
# "Multi-agency": more than one agency carries on with the family after Children's Social Care closes.
MIN_AGENCIES = 2

_AGREEMENT_SAYS = ("Agreement to step down to TAF must be clearly recorded in the notes of the Child in Need Meeting "
                   "together with the name of the nominated Lead Professional from an Early Help partner agency who "
                   "will pick the case up following closure to Children's Social Care")
_NO_MASG_SAYS = ("These cases do not need to be presented to any of the three MASG panels as the lead professional is "
                 "already identified; there is already an established multi-agency team around the child; there is "
                 "already a SMART action plan to improve outcomes.")

# ---------------------------------------------------------------- rules

AGREEMENT_RECORDED = rule(
    "agreement-to-step-down-to-taf-recorded",
    "The multi-disciplinary team supporting the Child in Need plan agrees to step down to a Team around the Child "
    "(TAF), and the agreement is clearly recorded in the notes of the Child in Need meeting (section 3).",
    [guidance("004", SECTION_3, says="there is agreement to this course of action within the multi-disciplinary "
              "team supporting the Child in Need plan"),
     guidance("004", SECTION_3, says=_AGREEMENT_SAYS)],
    ("taf_agreed",), {"taf_agreed": False},
    error="Step down to a Team around the Child only when the Child in Need meeting agrees and its notes record it "
          "(section 3).",
)
LEAD_PROFESSIONAL_NAMED = rule(
    "nominated-lead-professional-named",
    "The notes name the nominated Lead Professional who will pick the case up following closure to Children's "
    "Social Care (section 3). Without one, the case is not ready for this route: a multi-agency support plan "
    "without an identified lead professional goes to the MASG.",
    [guidance("004", SECTION_3, says=_AGREEMENT_SAYS),
     guidance("004", SECTION_3, says=_NO_MASG_SAYS)],
    ("lead_professional",), {"lead_professional": DELETE},
    error="Name the nominated Lead Professional from the Child in Need meeting's notes. Without one, the case goes "
          "to the MASG (section 3).",
)
LEAD_PROFESSIONAL_FROM_PARTNER = rule(
    "lead-professional-from-an-early-help-partner-agency",
    "The nominated Lead Professional comes from an Early Help partner agency, not from Children's Social Care, "
    "which closes the case (section 3).",
    guidance("004", SECTION_3, says="the nominated Lead Professional from an Early Help partner agency who will pick "
             "the case up following closure to Children's Social Care"),
    ("lead_professional.agency",), {"lead_professional.agency": "Peterborough Children's Social Care"},
    error="Give a Lead Professional from an Early Help partner agency, not from Children's Social Care (section 3).",
)
MULTI_AGENCY_TEAM = rule(
    "established-multi-agency-team-around-the-child",
    "There is already an established multi-agency team around the child: the team names at least two agencies "
    "besides Children's Social Care. A step-down to one agency is a single agency referral, made in the usual way.",
    [guidance("004", SECTION_3, says="there is already an established multi-agency team around the child"),
     guidance("004", SECTION_3, says="In the event that a case steps down from a CIN Plan to a single agency "
              "referral, the social worker would make the referral to that agency in the usual way."),
     formgen_reading("The guidance does not count the agencies; formgen reads multi-agency as at least two agencies "
                     "that carry on after Children's Social Care closes the case.", SECTION_3)],
    ("team_around_the_child",), {"team_around_the_child": [
        {"name": "Claire Dunmore", "role": "Head of Year 9", "agency": "Fenland View Academy"}]},
    error="Name at least two agencies besides Children's Social Care. For one agency, make a single agency referral "
          "instead (section 3).",
)
SMART_PLAN = rule(
    "existing-smart-action-plan",
    "There is already a SMART action plan to improve outcomes: give its actions, each with who does it, by when, "
    "and how progress will be measured (section 3).",
    guidance("004", SECTION_3, says="there is already a SMART action plan to improve outcomes"),
    ("smart_plan",), {"smart_plan": []},
    error="Give the SMART action plan's actions, each with who does it, by when and how progress is measured "
          "(section 3).",
)
OUTCOME_NOT_NFA = rule(
    "outcome-referral-to-early-help-not-nfa",
    "The outcome selected on Liquid Logic is 'Referral to Early Help' and not NFA (section 3).",
    guidance("004", SECTION_3, says="Outcome selected on Liquid Logic is 'Referral to Early Help ' and NOT 'NFA'."),
    ("outcome",), {"outcome": "nfa"},
    error="Select 'Referral to Early Help' as the outcome on Liquid Logic, not NFA (section 3).",
)
FAMILY_AGREES = rule(
    "family-agrees-to-continuing-support",
    "The parent or carer agrees to continuing support in Early Help through the Team around the Child.",
    [guidance("004", SECTION_2_NOTE, says="The parent or carer must agree to a continuing support plan in Early "
              "Help"),
     formgen_reading("Section 3 does not repeat section 2's note; Early Help rests on the family's agreement "
                     "(section 1, Note: parents and young people are able to decline the offer of a service), so "
                     "formgen asks for it here too.", SECTION_3)],
    ("family_agrees",), {"family_agrees": False},
    error="Step down only when the parent or carer agrees to continuing support in Early Help.",
)
CLOSURE_AFTER_MEETING = rule(
    "closure-not-before-the-cin-meeting",
    "The case closes to Children's Social Care after the agreement is recorded: the date of closure is not "
    "before the Child in Need meeting.",
    guidance("004", SECTION_3, says="who will pick the case up following closure to Children's Social Care"),
    ("closure_date",), {"closure_date": "2026-11-16"},
    error="The date of closure must be on or after the date of the Child in Need meeting (section 3).",
)

RULES = (AGREEMENT_RECORDED, LEAD_PROFESSIONAL_NAMED, LEAD_PROFESSIONAL_FROM_PARTNER, MULTI_AGENCY_TEAM, SMART_PLAN,
         OUTCOME_NOT_NFA, FAMILY_AGREES, CLOSURE_AFTER_MEETING)

# ---------------------------------------------------------------- fixed words the document prints

INTRO = Wording(
    "cin-route",
    "Stepping down from a Child in Need plan to multi-agency support through a Team around the Child (TAF), as "
    "agreed by the multi-disciplinary team supporting the plan (Peterborough's step-down guidance, section 3).",
    guidance("004", SECTION_3, says="Where a case that has been subject to a child in need plan is to be stepped down "
             "to multi-agency support through a Team around the Child and there is agreement to this course of "
             "action within the multi-disciplinary team supporting the Child in Need plan"),
)
AGREED = Wording(
    "taf-agreed",
    "Yes: the multi-disciplinary team supporting the Child in Need plan agrees to step down to TAF, as recorded "
    "in the notes of this meeting (section 3).",
    guidance("004", SECTION_3, says=_AGREEMENT_SAYS),
)
LEAD_PROFESSIONAL_WORDS = Wording(
    "lead-professional",
    "From an Early Help partner agency; picks the case up following closure to Children's Social Care "
    "(section 3).",
    guidance("004", SECTION_3, says=_AGREEMENT_SAYS),
)
OUTCOME_WORDS = Wording(
    "outcome-not-nfa",
    "Selected on Liquid Logic; not NFA (section 3).",
    guidance("004", SECTION_3, says="Outcome selected on Liquid Logic is 'Referral to Early Help ' and NOT 'NFA'."),
)
NO_MASG = Wording(
    "no-masg-needed",
    "Not needed: this case is not presented to any of the three MASG panels, as the lead professional is already "
    "identified, there is already an established multi-agency team around the child, and there is already a SMART "
    "action plan to improve outcomes (section 3).",
    guidance("004", SECTION_3, says=_NO_MASG_SAYS),
)
FAMILY_AGREEMENT = Wording(
    "family-agreement",
    "Yes: the parent or carer agrees to continuing support in Early Help. (Asked by formgen, for Peterborough to "
    "confirm: section 3 does not mention it; section 2's note asks for the parent or carer's agreement to a "
    "continuing support plan in Early Help.)",
    formgen_reading("Section 3 is silent on the family's agreement; formgen applies section 2's note.", SECTION_3),
)
WORDING = (INTRO, AGREED, LEAD_PROFESSIONAL_WORDS, OUTCOME_WORDS, NO_MASG, FAMILY_AGREEMENT)

# ---------------------------------------------------------------- schema


class MemberSchema(f.FormSchema):
    name = f.line("Name")
    role = f.line("Role")
    agency = f.line("Agency")


class LeadProfessionalSchema(f.FormSchema):
    name = f.line("Lead Professional's name")
    role = f.line("Role", required=False)
    agency = f.line("Early Help partner agency")
    telephone = f.line("Telephone", required=False, max_length=40)
    email = f.email()


class ActionSchema(f.FormSchema):
    action = f.text("What will happen (specific)", max_length=600)
    by_whom = f.line("Who")
    by_when = f.date("By when")
    measure = f.text("How we will know (measurable)", max_length=400)


class CinStepDownSchema(f.FormSchema):
    meeting_date = f.date("Date of the Child in Need meeting", past=True)
    children = children_field()
    family_members = family_field()
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    social_worker = f.group(ContactSchema, "Social worker")
    chair = f.line("Chair of the meeting", required=False)
    team_around_the_child = f.rows(
        MemberSchema, "The multi-disciplinary team around the child", minimum=1, maximum=20,
        hint="Everyone supporting the Child in Need plan: at least two agencies besides Children's Social Care.")
    taf_agreed = f.boolean("The multi-disciplinary team agrees to step down to a Team around the Child (TAF)")
    agreement_notes = f.text("The agreement as recorded in the notes of the meeting", max_length=2000)
    lead_professional = f.required_when(
        f.group(LeadProfessionalSchema, "Nominated Lead Professional", required=False,
                hint="From an Early Help partner agency; picks the case up after closure (section 3)."),
        "on this route: without one, a multi-agency support plan goes to the MASG (sections 2 and 3)")
    family_agrees = f.boolean("The parent or carer agrees to continuing support in Early Help")
    worried_about = f.text("What are we still worried about?", required=False, max_length=3000)
    working_well = f.text("What is working well?", required=False, max_length=3000)
    smart_plan = f.required_when(
        f.rows(ActionSchema, "The existing SMART action plan", maximum=15),
        "on this route: there is already a SMART action plan to improve outcomes (section 3)")
    outcome = f.choice("Outcome selected on Liquid Logic", OUTCOMES,
                       hint="'Referral to Early Help', not NFA (section 3).")
    closure_date = f.date("Date the case closes to Children's Social Care", required=False)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        _agreement_rules(data, errors)
        _team_rules(data, errors)
        errors.raise_any()


def _agreement_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    if data.get("taf_agreed") is False:
        errors.add(AGREEMENT_RECORDED, "taf_agreed")
    if data.get("family_agrees") is False:
        errors.add(FAMILY_AGREES, "family_agrees")
    if data.get("outcome") == "nfa":
        errors.add(OUTCOME_NOT_NFA, "outcome")
    if "smart_plan" in data and not data["smart_plan"]:
        errors.add(SMART_PLAN, "smart_plan")
    closes, met = data.get("closure_date"), data.get("meeting_date")
    if closes and met and closes < met:
        errors.add(CLOSURE_AFTER_MEETING, "closure_date")


def _team_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    lead = data.get("lead_professional")
    if not lead:
        errors.add(LEAD_PROFESSIONAL_NAMED, "lead_professional")
    elif lead.get("agency") and SOCIAL_CARE.search(lead["agency"]):
        errors.add(LEAD_PROFESSIONAL_FROM_PARTNER, "lead_professional.agency")
    team = data.get("team_around_the_child")
    if team and len(_partner_agencies(team)) < MIN_AGENCIES:
        errors.add(MULTI_AGENCY_TEAM, "team_around_the_child")


def _partner_agencies(team: list[Mapping[str, Any]]) -> set[str]:
    """The different agencies in the team, other than Children's Social Care."""
    return {" ".join(m["agency"].lower().split()) for m in team
            if m.get("agency") and not SOCIAL_CARE.search(m["agency"])}


# ---------------------------------------------------------------- the document


def _lead_professional_text(lead: Mapping[str, Any]) -> str:
    return join_lines([contact_text({"name": lead["name"], "role": lead.get("role"), "team": lead["agency"],
                                     "telephone": lead.get("telephone"), "email": lead.get("email")}),
                       LEAD_PROFESSIONAL_WORDS.text])


def _closure_text(data: Mapping[str, Any]) -> str:
    closes: dt.date | None = data.get("closure_date")
    if closes is None:
        return "Date not yet set."
    return f"{closes:%A} {uk_date(closes)}."


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    met: dt.date = data["meeting_date"]
    return {
        "intro": INTRO.text,
        "meeting_date": f"{met:%A} {uk_date(met)}",
        "children": child_rows(data["children"], met),
        "family_members": family_rows(data["family_members"]),
        "address": join_lines([address_text(data["address"]),
                               f"Tel {data['telephone']}" if data.get("telephone") else ""]),
        "social_worker": worker_text(data["social_worker"]),
        "chair": data.get("chair") or "",
        "team": [{"name": m["name"], "role": m["role"], "agency": m["agency"]} for m in data["team_around_the_child"]],
        "taf_agreed": AGREED.text,
        "agreement_notes": data["agreement_notes"],
        "lead_professional": _lead_professional_text(data["lead_professional"]),
        "family_agrees": FAMILY_AGREEMENT.text,
        "worried_about": data.get("worried_about") or "",
        "working_well": data.get("working_well") or "",
        "plan": [{"action": a["action"], "by_whom": a["by_whom"], "by_when": uk_date(a["by_when"]),
                  "measure": a["measure"]} for a in data["smart_plan"]],
        "outcome": f"{OUTCOMES[data['outcome']]}. {OUTCOME_WORDS.text}",
        "no_masg": NO_MASG.text,
        "closure": _closure_text(data),
    }


# ---------------------------------------------------------------- sharing


def shares(body: Mapping[str, Any]) -> SharedCase:
    lead = body.get("lead_professional") or {}
    return drop_empty({
        **shared_case(body, "social_worker", body.get("meeting_date")),
        "family_agrees": body.get("family_agrees"),
        "lead_professional": {"name": lead.get("name"), "role": lead.get("role"), "team": lead.get("agency"),
                              "telephone": lead.get("telephone"), "email": lead.get("email")},
        "needs_to_happen": "\n".join(f"- {a.get('action')} ({a.get('by_whom')})"
                                     for a in body.get("smart_plan") or [] if a.get("action")),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    lead = case.get("lead_professional") or {}
    return drop_empty({
        **taken_case(case, "social_worker"),
        "family_agrees": case.get("family_agrees"),
        "lead_professional": {"name": lead.get("name"), "role": lead.get("role"), "agency": lead.get("team"),
                              "telephone": lead.get("telephone"), "email": lead.get("email")},
        "smart_plan": [{"action": case["needs_to_happen"]}] if case.get("needs_to_happen") else [],
    })


# ---------------------------------------------------------------- example (fictional people)

# Oliwia's Child in Need plan, reviewed on Tuesday 17 November 2026: the team agrees to step down to TAF with her
# Head of Year as Lead Professional; the case closes to Children's Social Care a week later (section 3).
EXAMPLE: dict[str, Any] = {
    "meeting_date": "2026-11-17",
    "children": [
        {"full_name": "Oliwia Nowak", "nhs_number": "9994521209", "lcs_id": "LCS3980412", "date_of_birth": "2012-09-14"},
    ],
    "family_members": [
        {"full_name": "Agnieszka Nowak", "relationship": "Mother", "date_of_birth": "1985-03-08",
         "notes": "Oliwia lives with her mum and mum's partner."},
        {"full_name": "Dean Carter", "relationship": "Mother's partner", "date_of_birth": "1983-12-01",
         "notes": "Has lived with the family since 2024."},
    ],
    "address": {"line_1": "8 Thistle Court", "line_2": "Orton Waterville", "town": "Peterborough",
                "postcode": "PE2 7ZY"},
    "telephone": "01733 496 377",
    "social_worker": {"name": "Tom Ashworth", "role": "Social Worker", "team": "Children in Need Team 1",
                      "telephone": "01733 496 612", "email": "tom.ashworth@example.org"},
    "chair": "Priti Shah, Team Manager, Children in Need Team 1",
    "team_around_the_child": [
        {"name": "Tom Ashworth", "role": "Social Worker", "agency": "Peterborough Children's Social Care"},
        {"name": "Claire Dunmore", "role": "Head of Year 9", "agency": "Fenland View Academy"},
        {"name": "Sarah Okoye", "role": "School Nurse", "agency": "Healthy Child Programme (school nursing)"},
        {"name": "Liam Hart", "role": "Youth Worker", "agency": "Peterborough Youth Service"},
    ],
    "taf_agreed": True,
    "agreement_notes": (
        "The plan's outcomes on safety at home have been met: there have been no incidents since June and Dean has "
        "completed the domestic abuse perpetrator programme. Everyone at the meeting, Oliwia and her mum included, "
        "agreed that the remaining needs (school attendance, Oliwia's anxiety and sleep, and support for mum with "
        "a teenager) can be met by the team around Oliwia, with Claire Dunmore as Lead Professional."
    ),
    "lead_professional": {"name": "Claire Dunmore", "role": "Head of Year 9", "agency": "Fenland View Academy",
                          "telephone": "01733 496 851", "email": "c.dunmore@example.org"},
    "family_agrees": True,
    "worried_about": (
        "- Oliwia's attendance is 82% this term; she misses mornings after nights she cannot sleep.\n"
        "- Oliwia says she still worries when mum and Dean argue, although there has been no violence since June."
    ),
    "working_well": (
        "- Mum and Dean have kept to the safety plan for five months.\n"
        "- Oliwia trusts Claire and the school nurse and goes to the lunchtime club three days a week."
    ),
    "smart_plan": [
        {"action": "Weekly check-in with Oliwia on Monday mornings, and a call home by 10am on any day she is absent.",
         "by_whom": "Claire Dunmore", "by_when": "2027-03-26",
         "measure": "Attendance up from 82% to 95% by the end of the spring term (school register)."},
        {"action": "Six sessions on sleep and worry with Oliwia at school.", "by_whom": "Sarah Okoye",
         "by_when": "2027-01-29", "measure": "Oliwia's own scale for sleep and worry rises from 4 to 7 out of 10."},
        {"action": "Mum joins the Family Hub's parenting teenagers course.", "by_whom": "Agnieszka Nowak",
         "by_when": "2027-02-26", "measure": "Course completed; mum's own scale for confidence rises from 5 to 8."},
    ],
    "outcome": "referral-to-early-help",
    "closure_date": "2026-11-24",
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The meeting", ("meeting_date", "chair")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Address", ("address", "telephone")),
    ("Social worker", ("social_worker",)),
    ("Team around the child", ("team_around_the_child",)),
    ("Agreement", ("taf_agreed", "agreement_notes", "family_agrees")),
    ("Lead professional", ("lead_professional",)),
    ("Worries and strengths", ("worried_about", "working_well")),
    ("SMART action plan", ("smart_plan",)),
    ("Outcome", ("outcome", "closure_date")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Child in Need meeting step-down record",
    authority=AUTHORITY,
    description="Stepping down from a Child in Need plan to a Team around the Child, with the nominated Lead "
                "Professional (section 3).",
    source="004_1eeb0ade2e7becbd.txt, section 3",
    schema=CinStepDownSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,  # the guidance gives no page limit
    filename=lambda data: f"cin-step-down-{data['children'][0]['lcs_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
