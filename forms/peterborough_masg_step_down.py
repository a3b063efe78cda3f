"""Peterborough: the MASG step-down presentation (seed 004, section 2).

After a Child and Family Assessment, a family that needs a multi-agency support plan, not continuing social
care, is first heard at the Multi-Agency Support Group (MASG), which identifies a lead professional and
agrees the resources. The social worker presents the needs there. Before that, the outcome of the assessment
on Liquid Logic is "Referral to Early Help" (never NFA) with a narrative saying the case steps down via the
MASG, the case has been discussed with the Early Help Service, and the parent or carer has agreed to a
continuing support plan and consented to the assessment being shared with the MASG's agencies, noted on
Liquid Logic. The guidance gives no page limit.
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
from formgen.core.shared import SharedCase, drop_empty, is_cafa, iso
from forms.common import AddressSchema, ContactSchema, address_text, join_lines
from forms.peterborough_common import (
    AUTHORITY,
    OUTCOMES,
    SECTION_2,
    SECTION_2_NOTE,
    child_rows,
    children_field,
    family_field,
    family_rows,
    shared_case,
    shared_team_manager,
    taken_case,
    worker_text,
    yes_no,
)

FORM_ID = "peterborough-masg-step-down"

# The narrative must say the case steps down "via the MASG" (section 2): the group by its initials or name.
NAMES_THE_MASG = re.compile(r"\bMASG\b|multi[-\s]?agency\s+support\s+group", re.IGNORECASE)

_OUTCOME_SAYS = ("In order to step the case down to MASG, the outcome of the Child and Family Assessments must be "
                 "'Referral to Early Help' and within the narrative comments, the social worker or team manager MUST "
                 "record that the case is to be stepped down via the MASG. Do NOT select NFA as the outcome in these "
                 "circumstances.")
_CONSENT_SAYS = ("The parent or carer must agree to a continuing support plan in Early Help and have given their "
                 "consent either to the referral being made to the single agency or to the information contained "
                 "within the Child and Family Assessment to be shared with the agencies that make up the MASG.")

# ---------------------------------------------------------------- rules

OUTCOME_NOT_NFA = rule(
    "outcome-referral-to-early-help-not-nfa",
    "A case stepped down via the MASG has the Child and Family Assessment outcome 'Referral to Early Help' on "
    "Liquid Logic, never NFA. NFA is the outcome only for single agency support, where the social worker refers "
    "the family on to that agency and no MASG is needed (section 2).",
    [guidance("004", SECTION_2, says=_OUTCOME_SAYS),
     guidance("004", SECTION_2, says="For single agency support: The social worker refers the child or young person "
              "and their family on to the agency concerned. The social worker in this instance selects NFA as the "
              "outcome on Liquid Logic.")],
    ("assessment_outcome",), {"assessment_outcome": "nfa"},
    error="Select 'Referral to Early Help' as the outcome on Liquid Logic, not NFA: NFA is for single agency "
          "support (section 2).",
)
NARRATIVE_SAYS_VIA_MASG = rule(
    "narrative-records-step-down-via-masg",
    "The narrative comments with the outcome record that the case is to be stepped down via the MASG (section 2): "
    "name the MASG (or the Multi-Agency Support Group) in them.",
    guidance("004", SECTION_2, says="within the narrative comments, the social worker or team manager MUST record that "
             "the case is to be stepped down via the MASG"),
    ("outcome_narrative",), {"outcome_narrative": "Assessment complete. Case to close to Children's Social Care."},
    error="Record in the narrative comments that the case is to be stepped down via the MASG (section 2).",
)
DISCUSSED_WITH_EARLY_HELP_FIRST = rule(
    "discussed-with-early-help-service-first",
    "Where a multi-agency support plan is indicated, the social worker first discusses the case with the Early "
    "Help Service: give the date and with whom, on or before the date of the MASG (section 2).",
    guidance("004", SECTION_2, says="Where a multi-agency support plan is indicated: The social worker should first "
             "discuss the case with the Early Help Service."),
    ("early_help_discussion",), {"early_help_discussion": DELETE},
    error="Give the date of the social worker's discussion with the Early Help Service, and who it was with "
          "(section 2).",
)
AGREES_TO_SUPPORT_PLAN = rule(
    "parent-agrees-to-continuing-support-plan",
    "The parent or carer agrees to a continuing support plan in Early Help before the case steps down "
    "(section 2, Note).",
    guidance("004", SECTION_2_NOTE, says=_CONSENT_SAYS),
    ("consent.agrees_to_support_plan",), {"consent.agrees_to_support_plan": False},
    error="Step down only when the parent or carer agrees to a continuing support plan in Early Help (section 2, "
          "Note).",
)
CONSENT_TO_SHARE = rule(
    "consent-to-share-assessment-with-masg",
    "The parent or carer consents to the information in the Child and Family Assessment being shared with the "
    "agencies that make up the MASG (section 2, Note).",
    guidance("004", SECTION_2_NOTE, says=_CONSENT_SAYS),
    ("consent.shares_assessment_with_masg",), {"consent.shares_assessment_with_masg": False},
    error="Step down only when the parent or carer consents to sharing the Child and Family Assessment with the "
          "MASG's agencies (section 2, Note).",
)
CONSENT_NOTED = rule(
    "consent-noted-on-liquid-logic",
    "Consent to the assessment being shared with the MASG's agencies is clearly noted on Liquid Logic "
    "(section 2, Note).",
    guidance("004", SECTION_2_NOTE, says="Consent to information being shared in this way must be clearly noted on "
             "Liquid Logic."),
    ("consent.noted_on_liquid_logic",), {"consent.noted_on_liquid_logic": False},
    error="Note the consent to share the assessment with the MASG's agencies on Liquid Logic (section 2, Note).",
)
CONSENT_BEFORE_MASG = rule(
    "consent-before-the-masg",
    "Consent to share the assessment with the MASG's agencies is given before the MASG hears the case: its date "
    "is on or before the date of the MASG.",
    guidance("004", SECTION_2_NOTE, says=_CONSENT_SAYS),
    ("consent.given_on",), {"masg_date": "2026-11-05"},
)
ASSESSMENT_BEFORE_MASG = rule(
    "assessment-before-the-masg",
    "The case steps down following the Child and Family Assessment: the assessment is completed on or before "
    "the date of the MASG.",
    guidance("004", SECTION_2, says="Children and young people who have had a Single Assessment may not need "
             "continuing support from Children's Social Care, but may need continuing support from one or more "
             "other agencies."),
    ("assessment_completed_on",), {"assessment_completed_on": "2026-11-20", "masg_date": "2026-11-19"},
    error="The assessment must be completed on or before the date of the MASG (section 2).",
)
SOMEONE_PRESENTS = rule(
    "someone-presents-the-needs",
    "The social worker is invited to the MASG to present the needs of the child, young person and family; if "
    "they cannot attend, name who presents the needs instead.",
    [guidance("004", SECTION_2, says="The social worker will be invited to attend the MASG to present the needs of "
              "the child, young person and their family."),
     formgen_reading("The guidance expects the social worker to present and does not say what happens when they "
                     "cannot attend; formgen asks who presents instead, so the panel still hears the family's "
                     "needs from someone who knows them.", SECTION_2)],
    ("presenter",), {"social_worker_attends": False},
    error="Name who presents the family's needs at the MASG, as the social worker cannot attend (section 2).",
)
CLOSED_AFTER_ACCEPTED = rule(
    "closed-only-after-masg-accepts",
    "The case can be closed to Children's Social Care once the MASG has accepted it for discussion, not before: "
    "give the date it was accepted, on or before the date of closure.",
    guidance("004", SECTION_2, says="The case can be closed to Children's Social Care once the case has been "
             "accepted for discussion at the MASG."),
    ("closed_on",), {"closed_on": "2026-11-11"},
    error="Close the case only once the MASG has accepted it: give the date accepted, on or before the date of "
          "closure (section 2).",
)

RULES = (OUTCOME_NOT_NFA, NARRATIVE_SAYS_VIA_MASG, DISCUSSED_WITH_EARLY_HELP_FIRST, AGREES_TO_SUPPORT_PLAN,
         CONSENT_TO_SHARE, CONSENT_NOTED, CONSENT_BEFORE_MASG, ASSESSMENT_BEFORE_MASG, SOMEONE_PRESENTS,
         CLOSED_AFTER_ACCEPTED)

# ---------------------------------------------------------------- fixed words the document prints

INTRO = Wording(
    "masg-route",
    "Stepping down to Early Help after a Child and Family Assessment, where a multi-agency support plan is "
    "indicated: the case is first heard at the Multi-Agency Support Group (MASG), which identifies an appropriate "
    "lead professional and agrees the resources needed to support the child or young person and their family "
    "(Peterborough's step-down guidance, section 2).",
    guidance("004", SECTION_2, says="In all cases where a multi-agency support plan is indicated, the case will "
             "first be heard at the Multi-Agency Support Group [MASG], which will identify an appropriate the lead "
             "professional and agree resources needed to support the child or young person and their family."),
)
OUTCOME_WORDS = Wording(
    "outcome-not-nfa",
    "Selected on Liquid Logic; not NFA, which is the outcome only when the family is referred on to a single "
    "agency (section 2).",
    guidance("004", SECTION_2, says=_OUTCOME_SAYS),
)
NOTED = Wording(
    "consent-noted",
    "Yes: consent to share in this way is clearly noted on Liquid Logic (section 2, Note).",
    guidance("004", SECTION_2_NOTE, says="Consent to information being shared in this way must be clearly noted on "
             "Liquid Logic."),
)
REFERRER_HELPS = Wording(
    "referrer-helps",
    "It is often helpful to the panel if the referrer can attend, as they can often present more contextual "
    "information than is available in any assessment (section 2).",
    guidance("004", SECTION_2, says="It is often helpful to the panel if the referrer can attend as they can often "
             "present more contextual information than that which is available in any assessment, no matter how "
             "thorough."),
)
PRESENTER_READING = Wording(
    "presenter-reading",
    "formgen's reading, for Peterborough to confirm: the guidance invites the social worker to present the needs "
    "and does not say who presents when they cannot attend (section 2).",
    formgen_reading("The guidance does not say who presents the needs when the social worker cannot attend.",
                    SECTION_2),
)
CLOSURE = Wording(
    "closure-after-acceptance",
    "The case can be closed to Children's Social Care once the case has been accepted for discussion at the MASG "
    "(section 2).",
    guidance("004", SECTION_2, says="The case can be closed to Children's Social Care once the case has been "
             "accepted for discussion at the MASG."),
)
WORDING = (INTRO, OUTCOME_WORDS, NOTED, REFERRER_HELPS, PRESENTER_READING, CLOSURE)

# ---------------------------------------------------------------- schema


class DiscussionSchema(f.FormSchema):
    date = f.date("Date of the discussion with the Early Help Service", past=True)
    with_whom = f.line("Discussed with", hint="Who in the Early Help Service, for example: the Early Help Hub "
                                              "Senior Practitioner.")


class ConsentSchema(f.FormSchema):
    given_by = f.line("Parent or carer who gave consent")
    given_on = f.date("Date consent was given", past=True)
    agrees_to_support_plan = f.boolean("The parent or carer agrees to a continuing support plan in Early Help")
    shares_assessment_with_masg = f.boolean(
        "The parent or carer consents to the Child and Family Assessment being shared with the agencies that make "
        "up the MASG")
    noted_on_liquid_logic = f.boolean("This consent is clearly noted on Liquid Logic")


class ReferrerSchema(f.FormSchema):
    name = f.line("Referrer's name")
    role = f.line("Referrer's role and agency", required=False)
    attends = f.boolean("The referrer will attend the MASG")


class MasgStepDownSchema(f.FormSchema):
    date_completed = f.date("Date completed", past=True)
    children = children_field()
    family_members = family_field()
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    social_worker = f.group(ContactSchema, "Social worker")
    team_manager = f.line("Team manager", required=False)
    masg_date = f.date("Date of the MASG", hint="The meeting of the Multi-Agency Support Group that hears the case.")
    masg_panel = f.line("MASG panel", required=False, hint="Peterborough has three MASG panels (section 3): which "
                                                           "one hears the case.")
    social_worker_attends = f.boolean("The social worker will attend the MASG to present the needs",
                                      hint="The social worker is invited to present the needs of the child, young "
                                           "person and family (section 2).")
    presenter = f.required_when(
        f.line("Who presents the needs instead", required=False,
               hint="Name and role of the person presenting the needs at the MASG."),
        "when the social worker cannot attend the MASG")
    referrer = f.group(ReferrerSchema, "Referrer", required=False,
                       hint="It is often helpful to the panel if the referrer can attend (section 2).")
    assessment_completed_on = f.date("Date the Child and Family Assessment was completed", past=True)
    assessment_outcome = f.choice("Outcome of the Child and Family Assessment on Liquid Logic", OUTCOMES,
                                  hint="'Referral to Early Help' to step down via the MASG; never NFA (section 2).")
    outcome_narrative = f.text("Narrative comments recorded with the outcome", max_length=1000,
                               hint="Record that the case is to be stepped down via the MASG (section 2).")
    early_help_discussion = f.required_when(
        f.group(DiscussionSchema, "Discussion with the Early Help Service", required=False),
        "before the MASG hears the case: the social worker first discusses it with the Early Help Service "
        "(section 2)")
    consent = f.group(ConsentSchema, "Consent")
    worried_about = f.text("What are we worried about?", max_length=3000)
    working_well = f.text("What is working well?", required=False, max_length=3000)
    needs = f.text("The needs of the child, young person and family to present to the MASG", max_length=4000)
    suggestions = f.text("Suggested lead professional and resources", required=False, max_length=1500,
                         hint="The MASG identifies the lead professional and agrees the resources (section 2); say "
                              "what the social worker suggests, if anything.")
    accepted_on = f.date("Date the MASG accepted the case for discussion", required=False, past=True)
    closed_on = f.date("Date the case closed to Children's Social Care", required=False, past=True)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        _outcome_rules(data, errors)
        _consent_rules(data, errors)
        _meeting_rules(data, errors)
        errors.raise_any()


def _outcome_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    if data.get("assessment_outcome") == "nfa":
        errors.add(OUTCOME_NOT_NFA, "assessment_outcome")
    narrative = data.get("outcome_narrative")
    if narrative and not NAMES_THE_MASG.search(narrative):
        errors.add(NARRATIVE_SAYS_VIA_MASG, "outcome_narrative")


def _consent_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    consent = data.get("consent") or {}
    if consent.get("agrees_to_support_plan") is False:
        errors.add(AGREES_TO_SUPPORT_PLAN, "consent.agrees_to_support_plan")
    if consent.get("shares_assessment_with_masg") is False:
        errors.add(CONSENT_TO_SHARE, "consent.shares_assessment_with_masg")
    if consent.get("noted_on_liquid_logic") is False:
        errors.add(CONSENT_NOTED, "consent.noted_on_liquid_logic")
    masg: dt.date | None = data.get("masg_date")
    if masg and consent.get("given_on") and consent["given_on"] > masg:
        errors.add(CONSENT_BEFORE_MASG, "consent.given_on",
                   f"The date of consent must be on or before the date of the MASG, {uk_date(masg)} "
                   "(section 2, Note).")


def _meeting_rules(data: Mapping[str, Any], errors: RuleErrors) -> None:
    masg: dt.date | None = data.get("masg_date")
    discussion = data.get("early_help_discussion")
    if not discussion:
        errors.add(DISCUSSED_WITH_EARLY_HELP_FIRST, "early_help_discussion")
    elif masg and discussion.get("date") and discussion["date"] > masg:
        errors.add(DISCUSSED_WITH_EARLY_HELP_FIRST, "early_help_discussion.date",
                   "The discussion with the Early Help Service must be on or before the date of the MASG "
                   "(section 2).")
    assessed = data.get("assessment_completed_on")
    if masg and assessed and assessed > masg:
        errors.add(ASSESSMENT_BEFORE_MASG, "assessment_completed_on")
    if data.get("social_worker_attends") is False and not data.get("presenter"):
        errors.add(SOMEONE_PRESENTS, "presenter")
    closed, accepted = data.get("closed_on"), data.get("accepted_on")
    if closed and (not accepted or closed < accepted):
        errors.add(CLOSED_AFTER_ACCEPTED, "closed_on")


# ---------------------------------------------------------------- the document


def _masg_text(data: Mapping[str, Any]) -> str:
    panel = f", {data['masg_panel']}" if data.get("masg_panel") else ""
    return f"{data['masg_date']:%A} {uk_date(data['masg_date'])}{panel}"


def _presenting_text(data: Mapping[str, Any]) -> str:
    name = data["social_worker"]["name"]
    if data["social_worker_attends"]:
        lines = [f"{name} (social worker) attends to present the needs of the child, young person and family."]
        if data.get("presenter"):
            lines.append(f"Also presenting: {data['presenter']}.")
        return join_lines(lines)
    return join_lines([f"{name} (social worker) cannot attend. Presenting the needs instead: {data['presenter']}.",
                       PRESENTER_READING.text])


def _referrer_text(referrer: Mapping[str, Any] | None) -> str:
    if not referrer:
        return ""
    who = ", ".join(p for p in (referrer["name"], referrer.get("role")) if p)
    return join_lines([f"{who}. Attends the MASG: {yes_no(referrer['attends'])}.", REFERRER_HELPS.text])


def _consent_lines(consent: Mapping[str, Any]) -> dict[str, str]:
    by = f"{consent['given_by']} on {uk_date(consent['given_on'])}"
    return {
        "support_plan": f"Yes: {consent['given_by']} agrees to a continuing support plan in Early Help.",
        "share": f"Yes: consent given by {by} to the Child and Family Assessment being shared with the agencies that "
                 "make up the MASG.",
        "noted": NOTED.text,
    }


def _closure_text(data: Mapping[str, Any]) -> str:
    accepted, closed = data.get("accepted_on"), data.get("closed_on")
    if closed:
        status = f"Accepted for discussion on {uk_date(accepted)}; closed to Children's Social Care on {uk_date(closed)}."
    elif accepted:
        status = (f"Accepted for discussion on {uk_date(accepted)}: the case can now be closed to Children's Social "
                  "Care.")
    else:
        status = "Not yet accepted for discussion: the case stays open to Children's Social Care until it is."
    return join_lines([CLOSURE.text, status])


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed: dt.date = data["date_completed"]
    discussion = data["early_help_discussion"]
    return {
        "intro": INTRO.text,
        "date_completed": uk_date(completed),
        "children": child_rows(data["children"], completed),
        "family_members": family_rows(data["family_members"]),
        "address": join_lines([address_text(data["address"]),
                               f"Tel {data['telephone']}" if data.get("telephone") else ""]),
        "social_worker": worker_text(data["social_worker"]),
        "team_manager": data.get("team_manager") or "",
        "masg": _masg_text(data),
        "presenting": _presenting_text(data),
        "referrer": _referrer_text(data.get("referrer")),
        "assessment_completed_on": uk_date(data["assessment_completed_on"]),
        "assessment_outcome": f"{OUTCOMES[data['assessment_outcome']]}. {OUTCOME_WORDS.text}",
        "outcome_narrative": data["outcome_narrative"],
        "early_help_discussion": f"{uk_date(discussion['date'])}, with {discussion['with_whom']}.",
        "consent": _consent_lines(data["consent"]),
        "worried_about": data["worried_about"],
        "working_well": data.get("working_well") or "",
        "needs": data["needs"],
        "suggestions": data.get("suggestions") or "",
        "closure": _closure_text(data),
    }


# ---------------------------------------------------------------- sharing


def shares(body: Mapping[str, Any]) -> SharedCase:
    consent = body.get("consent") or {}
    assessed = body.get("assessment_completed_on")
    return drop_empty({
        **shared_case(body, "social_worker", body.get("date_completed")),
        "needs_to_happen": body.get("needs"),
        "team_manager": shared_team_manager(body.get("team_manager")),
        # "The parent or carer must agree to a continuing support plan in Early Help" (section 2, Note).
        "family_agrees": consent.get("agrees_to_support_plan"),
        "assessment": {"kind": "Child and Family Assessment", "completed_on": iso(assessed)} if assessed else None,
    })


def takes(case: SharedCase) -> dict[str, Any]:
    assessment = case.get("assessment") or {}
    return drop_empty({
        **taken_case(case, "social_worker"),
        "needs": case.get("needs_to_happen"),
        "team_manager": (case.get("team_manager") or {}).get("name"),
        "consent": {"agrees_to_support_plan": case.get("family_agrees")},
        "assessment_completed_on": assessment.get("completed_on") if is_cafa(assessment) else None,
    })


# ---------------------------------------------------------------- example (fictional people)

# A sibling group stepping down after a Child and Family Assessment completed on Wednesday 4 November 2026: mum
# consented on the 6th (noted on Liquid Logic), the social worker discussed the case with the Early Help Service
# on the 9th, the MASG accepted it for discussion on the 12th and hears it on Thursday 19 November (section 2).
EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-11-12",
    "children": [
        {"full_name": "Ruby Adeyemi", "nhs_number": "9994521004", "lcs_id": "LCS4471826", "date_of_birth": "2015-06-12"},
        {"full_name": "Theo Adeyemi", "nhs_number": "9994521101", "lcs_id": "LCS4471827", "date_of_birth": "2019-02-03"},
    ],
    "family_members": [
        {"full_name": "Grace Adeyemi", "relationship": "Mother", "date_of_birth": "1989-09-30",
         "notes": "Main carer. Works evenings at a care home three days a week."},
        {"full_name": "Samuel Adeyemi", "relationship": "Father", "date_of_birth": "1986-01-17",
         "notes": "Lives in Huntingdon. Has the children every other weekend, arranged between the parents."},
    ],
    "address": {"line_1": "23 Larkspur Walk", "town": "Peterborough", "postcode": "PE2 9ZX"},
    "telephone": "01733 496 218",
    "social_worker": {"name": "Hannah Whitfield", "role": "Social Worker", "team": "Family Safeguarding Team 2",
                      "telephone": "01733 496 540", "email": "hannah.whitfield@example.org"},
    "team_manager": "Marcus Bell",
    "masg_date": "2026-11-19",
    "masg_panel": "Central MASG panel",
    "social_worker_attends": True,
    "referrer": {"name": "Joanne Price", "role": "Designated Safeguarding Lead, Welland Park Primary School",
                 "attends": True},
    "assessment_completed_on": "2026-11-04",
    "assessment_outcome": "referral-to-early-help",
    "outcome_narrative": "Assessment complete. A multi-agency support plan is indicated: the case is to be stepped "
                         "down via the MASG.",
    "early_help_discussion": {"date": "2026-11-09",
                              "with_whom": "Jo Marsh, Senior Practitioner, Early Help Hub"},
    "consent": {"given_by": "Grace Adeyemi", "given_on": "2026-11-06", "agrees_to_support_plan": True,
                "shares_assessment_with_masg": True, "noted_on_liquid_logic": True},
    "worried_about": (
        "- Ruby's attendance this term is 84%; she is often late on the days mum works the evening before.\n"
        "- Theo (7) has had three exclusions from lunchtimes this term for hitting other children.\n"
        "- Mum is managing on her own during the week and says she is exhausted; the family has rent arrears of "
        "about £600.\n"
        "- Ruby looks after Theo on the evenings mum works, until a neighbour arrives at 8pm."
    ),
    "working_well": (
        "- Mum worked openly with the assessment and asked for help herself.\n"
        "- Both children are warm and close to their mum and dad; dad keeps to the contact arrangements.\n"
        "- Ruby's school knows the family well and the Designated Safeguarding Lead sees Ruby weekly."
    ),
    "needs": (
        "- Childcare on mum's working evenings, so Ruby is not looking after Theo.\n"
        "- Support for Theo's behaviour at school and at home: a school-led plan and a parenting programme for mum.\n"
        "- Help with the rent arrears and a benefits check.\n"
        "- Someone to coordinate the plan with mum as lead professional, and a Team around the Family review."
    ),
    "suggestions": "Welland Park Primary School as lead professional; Family Hub parenting programme; housing "
                   "officer for the arrears.",
    "accepted_on": "2026-11-12",
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the presentation", ("date_completed", "masg_date", "masg_panel", "social_worker_attends", "presenter")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Address", ("address", "telephone")),
    ("Social worker", ("social_worker", "team_manager")),
    ("Referrer", ("referrer",)),
    ("Assessment", ("assessment_completed_on", "assessment_outcome", "outcome_narrative", "early_help_discussion")),
    ("Consent", ("consent",)),
    ("Worries, strengths and needs", ("worried_about", "working_well", "needs", "suggestions")),
    ("Outcome", ("accepted_on", "closed_on")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="MASG step-down presentation",
    authority=AUTHORITY,
    description="Stepping down to Early Help via the Multi-Agency Support Group after a Child and Family "
                "Assessment (section 2).",
    source="004_1eeb0ade2e7becbd.txt, section 2",
    schema=MasgStepDownSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,  # the guidance gives no page limit
    filename=lambda data: f"masg-step-down-{data['children'][0]['lcs_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
