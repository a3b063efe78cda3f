"""Herefordshire: Early Help Assessment step-down plan (seed 000, Step-Down guidance, March 2021).

When a s47 enquiry or a Child and Family Assessment finds remaining needs at 'Intensive' level
(level 3) that Early Help could meet, the social worker obtains written consent, identifies a key
person with the family, completes this plan (sections 1 to 4) and, following a discussion with an
early help co-ordinator, sends it to the Early Help Co-ordinator team. One plan covers one child or a
sibling group; `?split=child` gives one copy per child, each filed on that child's record.

The guidance gives its timescales without a start point, and one ("10 days of the closure") without
saying whether the days are working days: the document prints each timescale in the guidance's own
words, and every date formgen computes from them as formgen's reading, the earliest, safest for the child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import add_working_days, age_text, is_working_day, uk_date, working_days_between
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, Rule, RuleErrors, Wording, formgen_reading, guidance, rule
from formgen.core.shared import SharedCase, drop_empty, is_cafa, iso, with_children_of_family
from forms.common import (
    AddressSchema,
    ContactSchema,
    address_text,
    contact_text,
    join_lines,
    person_row,
    with_messages,
)

FORM_ID = "herefordshire-eha-step-down-plan"

# The seed has no paragraph numbers: its passages are cited by where they sit.
GUIDANCE = "Step-Down guidance, March 2021"
OPENING = "opening table: step-down after a s47 or Child & Family Assessment"
SW_MANAGER = "roles and responsibilities: social work manager"
SOCIAL_WORKER = "roles and responsibilities: social worker"
EH_MANAGER = "roles and responsibilities: early help co-ordinator manager"
SIBLINGS = "starting the step-down from a sibling group"
SECTION_3 = "section 3, Early Help Assessment - Part 2"
KEY_PERSON = "Details of Key Person involved in Early Help Assessment"

STEP_DOWN_LEVEL = 3
# The guidance names one level, level 3, 'Intensive'; it names no other level, so 1, 2 and 4 show as numbers.
LEVEL_WORDS = {STEP_DOWN_LEVEL: "Intensive"}
LEVEL_WORDS_SOURCE = guidance("000", OPENING, says="remaining needs are at 'Intensive' (Level 3)")
# "Send it through to the Early Help Co-ordinator team within two weeks" (opening table).
SEND_CALENDAR_DAYS = 14
SEND_WORKING_DAYS = 10
# "Step down is completed and case closed within 10 working days timescale" (social work manager).
CLOSURE_WORKING_DAYS = 10
# "Escalate any step-downs not received within 10 days of the closure" (early help co-ordinator manager).
ESCALATION_DAYS = 10

FOLLOWS = {
    "s47-enquiry": "Section 47 enquiry",
    "child-and-family-assessment": "Child and Family Assessment",
}

FAMILY_SUPPORT_WORK = {
    "none": "No social care family support work was open.",
    "completed": "Social care family support work is complete.",
    "outstanding": "Social care family support work is still outstanding.",
}

MAPPING = {
    "worried_about": "What are we worried about? - wellbeing concerns",
    "working_well": "What's working well? - existing strengths",
    "complicating_factors": "Complicating factors",
    "existing_wellbeing": "Existing wellbeing",
}

# The rules ---------------------------------------------------------------------------------------

_SEQUENCE = ("the social worker will obtain written consent, identify a key person with the family, complete an "
             "Early Help Assessment step-down plan, and following a discussion with an early help co-ordinator, "
             "send it through to the Early Help Co-ordinator team within two weeks")
_SHOWN_BEFORE_CLOSURE = ("To ensure the family is shown the step down plan, is in agreement with actions and consent "
                         "is obtained before the case is closed to social care.")

LEVEL_3_ONLY = rule(
    "level-3-intensive-only",
    "A step-down plan is for remaining needs at 'Intensive' level (level 3) that Early Help could meet.",
    guidance("000", OPENING, says="the family have remaining needs are at 'Intensive' (Level 3) that could be met "
                                  "by Early Help"),
    ("level_of_need",), breach={"level_of_need": 2},
)
DECISION_FOLLOWS_ASSESSMENT = rule(
    "decision-follows-assessment",
    "The decision to step down follows the s47 enquiry or Child and Family Assessment: the assessment's date "
    "cannot be after the date of the decision.",
    guidance("000", OPENING, says="Where a decision is made following a s47 or Child & Family Assessment"),
    ("assessment_completed_on", "decided_on"), breach={"assessment_completed_on": "2026-04-25"},
    error="The date of the s47 enquiry or Child and Family Assessment must be on or before the date of the "
          "decision.",
)
WRITTEN_CONSENT = rule(
    "written-consent",
    "Obtain the family's written consent before stepping down: Early Help goes ahead only if the parent or "
    "young person agrees.",
    guidance("000", OPENING, says="If they are in agreement with a step-down to Early Help, the social worker "
                                  "will obtain written consent"),
    ("consent.written_consent_obtained",), breach={"consent.written_consent_obtained": False},
)
CONSENT_BEFORE_PLAN = rule(
    "consent-before-plan",
    "Written consent comes first: it is given before the plan is completed and sent.",
    guidance("000", OPENING, says=_SEQUENCE),
    ("consent.given_on", "date_completed", "sent_on"), breach={"consent.given_on": "2026-05-01"},
)
CONSENT_BEFORE_CLOSURE = rule(
    "consent-before-closure",
    "Written consent is obtained before the case is closed to social care.",
    guidance("000", SOCIAL_WORKER, says=_SHOWN_BEFORE_CLOSURE),
    ("consent.given_on", "case_closed_on"), breach={"consent.given_on": "2026-05-06"},
)
PLAN_AGREED = rule(
    "family-agrees-plan",
    "Show the family the step-down plan and agree the actions with them before the case is closed to social care.",
    guidance("000", SOCIAL_WORKER, says=_SHOWN_BEFORE_CLOSURE),
    ("consent.plan_agreed",), breach={"consent.plan_agreed": False},
)
KEY_PERSON_AGREED = rule(
    "key-person-agreed-with-family",
    "The key person is agreed with the family before the plan is sent.",
    [guidance("000", OPENING, says="identify a key person with the family"),
     guidance("000", KEY_PERSON, says="This should be agreed with the family and the nominated key person.")],
    ("key_person.family_agreed",), breach={"key_person.family_agreed": False},
)
KEY_PERSON_CONSULTED = rule(
    "key-person-consulted",
    "Consult the nominated key person about their role in the step-down plan before sending it.",
    guidance("000", SOCIAL_WORKER, says="To ensure that the nominated Key Professional (KP) has been consulted "
                                        "about their role with the step down plan."),
    ("key_person.consulted",), breach={"key_person.consulted": False},
)
FAMILY_SUPPORT_COMPLETE = rule(
    "family-support-work-complete-before-transfer",
    "Any outstanding work by social care family support is completed before transfer: complete it, then send "
    "the plan.",
    [guidance("000", OPENING, says="Any outstanding work being undertaken by social care family support should be "
                                   "completed before transfer."),
     guidance("000", SOCIAL_WORKER, says="To ensure that any outstanding work is completed by the EHFSW before "
                                         "stepping down.")],
    ("family_support_work",), breach={"family_support_work": "outstanding"},
)
COORDINATOR_BEFORE_SENDING = rule(
    "coordinator-consulted-before-sending",
    "The plan is sent following a discussion with an early help co-ordinator: the discussion cannot be after "
    "the date the plan was sent.",
    guidance("000", OPENING, says="following a discussion with an early help co-ordinator, send it through to the "
                                  "Early Help Co-ordinator team"),
    ("early_help_coordinator.consulted_on", "sent_on"), breach={"early_help_coordinator.consulted_on": "2026-05-05"},
    error="The discussion with the early help co-ordinator must be on or before the date the plan was sent.",
)
PLAN_AFTER_DECISION = rule(
    "plan-after-decision",
    "The plan cannot be completed before the decision to step down.",
    guidance("000", OPENING, says="Where a decision is made ... the social worker will ... complete an Early Help "
                                  "Assessment step-down plan"),
    ("date_completed", "decided_on"), breach={"date_completed": "2026-04-23"},
)
SENT_AFTER_COMPLETED = rule(
    "sent-after-completed",
    "The plan cannot be sent before the date it was completed.",
    guidance("000", OPENING, says=_SEQUENCE),
    ("sent_on", "date_completed"), breach={"sent_on": "2026-04-29"},
)
CLOSURE_AFTER_DECISION = rule(
    "closure-after-decision",
    "The case cannot be closed to social care before the decision to step down.",
    guidance("000", SW_MANAGER, says="To ensure that step down is completed and case closed within 10 working days "
                                     "timescale."),
    ("case_closed_on", "decided_on"), breach={"case_closed_on": "2026-04-23"},
)
PLAN_BEFORE_CLOSURE = rule(
    "plan-before-closure",
    "The plan is completed, and shown to the family, before the case is closed to social care.",
    [guidance("000", SOCIAL_WORKER, says=_SHOWN_BEFORE_CLOSURE),
     guidance("000", SW_MANAGER, says="To ensure all work is completed by social worker before Step down and "
                                      "closure.")],
    ("date_completed", "case_closed_on"), breach={"case_closed_on": "2026-04-29"},
)
MAPPING_GIVEN = rule(
    "mapping-areas-given",
    "Give each of the four mapping areas of section 3, or send the family's most recent assessment mapping in "
    "latest_assessment to fill it.",
    guidance("000", SECTION_3, says="Section 3 has been reworked to pull the four mapping areas from your most "
                                    "recent Assessment and Plan but can be edited if updates are needed"),
    tuple(MAPPING), breach={"worried_about": DELETE, "latest_assessment.worried_about": DELETE},
)
EACH_CHILD_ONCE = rule(
    "each-child-once",
    "Each child appears once in the sibling group: no Mosaic case ID or NHS number is given twice.",
    [guidance("000", SIBLINGS, says="The step can now be started via a sibling group ... to save duplication of "
                                    "work."),
     formgen_reading("A child listed twice would get two copies of the plan; a Mosaic ID, like an NHS number, "
                     "identifies one child.", f"000, {SIBLINGS}")],
    ("children.*.case_id", "children.*.nhs_number"), breach={"children.1.case_id": "712406"},
)
SUBJECT_IN_GROUP = rule(
    "subject-child-in-the-group",
    "The subject child of a copy is one of the children in this step-down.",
    formgen_reading("Each child's copy of a sibling group's plan is filed on that child's record, so it names one "
                    "of the children the plan covers.", f"000, {SIBLINGS}"),
    ("subject_child",), breach={"subject_child": "999999"},
)
START_AFTER_BIRTH = rule(
    "start-date-after-birth",
    "A child's start date cannot be before their date of birth.",
    formgen_reading("The sibling table's start date is when the current involvement with the child started.",
                    f"000, {SIBLINGS}: the sibling table"),
    ("children.*.start_date",), breach={"children.2.start_date": "2025-12-01"},
)

RULES: tuple[Rule, ...] = (
    LEVEL_3_ONLY, DECISION_FOLLOWS_ASSESSMENT, WRITTEN_CONSENT, CONSENT_BEFORE_PLAN, CONSENT_BEFORE_CLOSURE,
    PLAN_AGREED, KEY_PERSON_AGREED, KEY_PERSON_CONSULTED, FAMILY_SUPPORT_COMPLETE, COORDINATOR_BEFORE_SENDING,
    PLAN_AFTER_DECISION, SENT_AFTER_COMPLETED, CLOSURE_AFTER_DECISION, PLAN_BEFORE_CLOSURE, MAPPING_GIVEN,
    EACH_CHILD_ONCE, SUBJECT_IN_GROUP, START_AFTER_BIRTH,
)

# What the document prints about the timescales: the guidance's words, then formgen's readings ---------

SEND_WORDS = Wording(
    "send-within-two-weeks",
    'The guidance: the social worker will "send it through to the Early Help Co-ordinator team within two weeks" '
    f"({GUIDANCE}, {OPENING}).",
    guidance("000", OPENING, says="send it through to the Early Help Co-ordinator team within two weeks"),
)
CLOSURE_WORDS = Wording(
    "closed-within-10-working-days",
    'The guidance: "step down is completed and case closed within 10 working days timescale" '
    f"({GUIDANCE}, {SW_MANAGER}).",
    guidance("000", SW_MANAGER, says="To ensure that step down is completed and case closed within 10 working days "
                                     "timescale."),
)
ESCALATION_WORDS = Wording(
    "escalate-within-10-days-of-closure",
    'The guidance: the early help co-ordinator manager is "To escalate any step-downs not received within 10 days '
    f'of the closure" ({GUIDANCE}, {EH_MANAGER}).',
    guidance("000", EH_MANAGER, says="To escalate any step-downs not received within 10 days of the closure."),
)
START_READING = Wording(
    "reading-start-point",
    "formgen's reading, not the council's rule: the guidance gives no start point for the two weeks or the 10 "
    "working days, so formgen counts both from the day the s47 enquiry or Child and Family Assessment was "
    "completed, the earliest event this plan records: the earliest dates the guidance could mean, the safest "
    f"for the child ({GUIDANCE}, {OPENING}; {SW_MANAGER}).",
    formgen_reading("The guidance gives the timescales without saying what they are counted from; counting from "
                    "the earliest event the plan records gives the earliest dates.",
                    f"000, {OPENING}; {SW_MANAGER}; {SOCIAL_WORKER}"),
)
TWO_WEEKS_READING = Wording(
    "reading-two-weeks",
    "formgen's reading, not the council's rule: two weeks could mean 14 calendar days or 10 working days "
    "(weekends and bank holidays in England not counted). formgen takes whichever ends first, the safest for "
    f"the child ({GUIDANCE}, {OPENING}).",
    formgen_reading("Two weeks is 14 calendar days or 10 working days; a bank holiday makes the working-day "
                    "reading later, so formgen takes the earlier date.", f"000, {OPENING}"),
)
ESCALATION_READING = Wording(
    "reading-10-days-of-closure",
    "formgen's reading, not the council's rule: the guidance does not say whether the 10 days of the closure "
    "are working or calendar days. formgen counts calendar days, which gives the earlier date, the safest for "
    f"the child ({GUIDANCE}, {EH_MANAGER}).",
    formgen_reading("10 calendar days never end later than 10 working days, so a step-down that has not "
                    "arrived is escalated sooner.", f"000, {EH_MANAGER}"),
)
WORDING = (SEND_WORDS, CLOSURE_WORDS, ESCALATION_WORDS, START_READING, TWO_WEEKS_READING, ESCALATION_READING)

# The schemas --------------------------------------------------------------------------------------


class ChildSchema(f.FormSchema):
    """A row of the sibling table: id, name, date of birth (age computed), gender, start date; and the
    NHS number, the consistent child identifier (Children Act 2004, s.16LC)."""

    case_id = f.case_id("Case ID", "Mosaic", hint="The child's Mosaic ID, for example 603918.")
    full_name = f.line("Child's full name")
    nhs_number = f.nhs_number("Child's NHS number")
    date_of_birth = f.date("Child's date of birth", past=True)
    gender = f.line("Gender", max_length=40)
    start_date = f.date("Start date", past=True, hint="As on the Mosaic sibling table: when the current involvement started.")

    @validates_schema
    def _dates(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        born, start = data.get("date_of_birth"), data.get("start_date")
        if born and start and start < born:
            errors.add(START_AFTER_BIRTH, "start_date")
        errors.raise_any()


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=60, hint="For example: mother, stepfather, grandmother.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a parent lives and the contact arrangements.")


class ConsentSchema(f.FormSchema):
    written_consent_obtained = f.boolean("Written consent to the step-down has been obtained")
    given_by = with_messages(
        f.line("Consent given by", hint="The parent, carer or young person who gave written consent."),
        required=f"Say who gave written consent to the step-down ({GUIDANCE}).",
    )
    relationship = f.line("Relationship of the person who consented", max_length=60,
                          hint="For example: mother, father, young person.")
    given_on = with_messages(
        f.date("Date written consent was given", past=True,
               hint="Consent comes first: on or before the dates the plan was completed and sent, and the case closed."),
        required=f"Give the date written consent was given ({GUIDANCE}).",
    )
    plan_agreed = f.boolean("The family has been shown the plan and agrees with the actions")


class CoordinatorSchema(f.FormSchema):
    name = f.line("Early help co-ordinator's name")
    consulted_on = f.date("Date the early help co-ordinator was consulted", past=True)


class AssessmentMappingSchema(f.FormSchema):
    """The Signs of Safety mapping of the family's most recent assessment, to prefill section 3."""

    kind = f.line("Latest assessment: which assessment", required=False, max_length=120,
                  hint="For example: Child and Family Assessment.")
    completed_on = f.date("Latest assessment: date completed", required=False, past=True)
    worried_about = f.text(f"Latest assessment: {MAPPING['worried_about']}", required=False, max_length=4000)
    working_well = f.text(f"Latest assessment: {MAPPING['working_well']}", required=False, max_length=4000)
    complicating_factors = f.text(f"Latest assessment: {MAPPING['complicating_factors']}", required=False, max_length=4000)
    existing_wellbeing = f.text(f"Latest assessment: {MAPPING['existing_wellbeing']}", required=False, max_length=4000)


class WellbeingPlanRowSchema(f.FormSchema):
    what_needs_to_happen = f.text("What needs to happen", max_length=1000)
    by_whom = f.line("By whom")
    outcome = f.text("Outcome", max_length=1000)
    timescale = f.line("Achievable timescale", max_length=120, hint="For example: by the February half term.")


class KeyPersonSchema(ContactSchema):
    family_agreed = f.boolean("The family agreed the key person")
    consulted = f.boolean("The key person has been consulted about their role")


class ActionSchema(f.FormSchema):
    date = f.date("Date of the action", past=True)
    action = f.text("Action taken", max_length=1000)


class StepDownPlanSchema(f.FormSchema):
    date_completed = f.date("Date the plan was completed", past=True,
                            hint="After the decision and written consent, and before the case is closed to social care.")
    children = f.rows(ChildSchema, "Children (one child or a sibling group)", minimum=1, maximum=10)
    subject_child = f.line("Subject child's case ID", required=False, max_length=20,
                           hint="Leave out for one plan covering the sibling group; ?split=child fills it for each copy.")
    family_members = f.rows(FamilyMemberSchema, "Family members", minimum=1, maximum=15,
                            hint="Parents, carers and others in the family who are not children in this step-down.")
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    email = f.line("Family email", required=False, max_length=254)
    social_worker = f.group(ContactSchema, "Social worker completing the plan")
    level_of_need = f.integer("Level of need", minimum=1, maximum=4,
                              hint="Step-down is for remaining needs at 'Intensive' level (level 3).",
                              words=LEVEL_WORDS, words_source=LEVEL_WORDS_SOURCE)
    follows = with_messages(
        f.choice("Step-down follows", FOLLOWS),
        required=f"Say whether the step-down follows a s47 enquiry or a Child and Family Assessment ({GUIDANCE}).",
    )
    assessment_completed_on = with_messages(
        f.date("Date the s47 enquiry or Child and Family Assessment was completed", past=True,
               hint="This service counts the timescales from this date: the guidance gives no start point."),
        required=f"Give the date of the s47 enquiry or Child and Family Assessment the step-down follows ({GUIDANCE}).",
    )
    decided_on = f.date("Date of the decision to step down", past=True)
    consent = with_messages(
        f.group(ConsentSchema, "Written consent"),
        required=f"Written consent is needed before a step-down: give who consented and when ({GUIDANCE}).",
    )
    family_support_work = f.choice("Social care family support work", FAMILY_SUPPORT_WORK,
                                   hint="Any outstanding work should be completed before transfer.")
    early_help_coordinator = with_messages(
        f.group(CoordinatorSchema, "Early help co-ordinator consulted"),
        required=f"Name the early help co-ordinator you discussed the step-down with, and when ({GUIDANCE}).",
    )
    presenting_needs = f.text("Summary of presenting needs", max_length=4000)
    worried_about = f.text(MAPPING["worried_about"], required=False, max_length=4000)
    working_well = f.text(MAPPING["working_well"], required=False, max_length=4000)
    complicating_factors = f.text(MAPPING["complicating_factors"], required=False, max_length=4000)
    existing_wellbeing = f.text(MAPPING["existing_wellbeing"], required=False, max_length=4000)
    latest_assessment = f.group(AssessmentMappingSchema, "Latest assessment's mapping", required=False,
                                hint="Fills any mapping area this request leaves out; what the request gives wins.")
    wellbeing_plan = f.rows(WellbeingPlanRowSchema, "Wellbeing plan", minimum=1, maximum=20,
                            hint="Completed with the family: the work required, by whom, outcome and timescale.")
    key_person = with_messages(
        f.group(KeyPersonSchema, "Key person"),
        required=f"Name the key person who will lead on this step-down, agreed with the family ({GUIDANCE}).",
    )
    actions_taken = f.rows(ActionSchema, "Actions taken", minimum=1, maximum=20)
    sent_on = f.date("Date the plan was sent to the Early Help Co-ordinator team", required=False, past=True)
    case_closed_on = f.date("Date the case was closed to social care", required=False, past=True,
                            hint="The plan is completed, and consent given, before this date.")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        _need_errors(data, errors)
        _agreement_errors(data, errors)
        _date_errors(data, errors)
        _children_errors(data, errors)
        errors.raise_any()


def _need_errors(data: Mapping[str, Any], errors: RuleErrors) -> None:
    level = data.get("level_of_need")
    if level is not None and level < STEP_DOWN_LEVEL:
        errors.add(LEVEL_3_ONLY, "level_of_need",
                   f"Level {level} needs do not need this plan: it is for remaining needs at 'Intensive' level "
                   "(level 3).")
    elif level is not None and level > STEP_DOWN_LEVEL:
        errors.add(LEVEL_3_ONLY, "level_of_need",
                   f"Needs at level {level} stay with social care: step down to Early Help only when the remaining "
                   "needs are at 'Intensive' level (level 3).")
    if data.get("family_support_work") == "outstanding":
        errors.add(FAMILY_SUPPORT_COMPLETE, "family_support_work")
    latest = data.get("latest_assessment") or {}
    for key, label in MAPPING.items():
        if not data.get(key) and not latest.get(key):
            errors.add(MAPPING_GIVEN, key, f"Give '{label}', or fill it from the latest assessment's mapping "
                                           "(section 3).")


def _agreement_errors(data: Mapping[str, Any], errors: RuleErrors) -> None:
    consent = data.get("consent") or {}
    if consent.get("written_consent_obtained") is False:
        errors.add(WRITTEN_CONSENT, "consent.written_consent_obtained")
    if consent.get("plan_agreed") is False:
        errors.add(PLAN_AGREED, "consent.plan_agreed")
    key_person = data.get("key_person") or {}
    if key_person.get("family_agreed") is False:
        errors.add(KEY_PERSON_AGREED, "key_person.family_agreed")
    if key_person.get("consulted") is False:
        errors.add(KEY_PERSON_CONSULTED, "key_person.consulted")


def _date_errors(data: Mapping[str, Any], errors: RuleErrors) -> None:
    completed = data.get("date_completed")
    assessed = data.get("assessment_completed_on")
    decided = data.get("decided_on")
    sent = data.get("sent_on")
    closed = data.get("case_closed_on")
    consented = (data.get("consent") or {}).get("given_on")
    consulted = (data.get("early_help_coordinator") or {}).get("consulted_on")
    if assessed and decided and assessed > decided:
        errors.add(DECISION_FOLLOWS_ASSESSMENT, "assessment_completed_on")
    if decided and completed and completed < decided:
        errors.add(PLAN_AFTER_DECISION, "date_completed")
    if sent and completed and sent < completed:
        errors.add(SENT_AFTER_COMPLETED, "sent_on")
    if closed and decided and closed < decided:
        errors.add(CLOSURE_AFTER_DECISION, "case_closed_on")
    elif closed and completed and completed > closed:
        errors.add(PLAN_BEFORE_CLOSURE, "date_completed",
                   f"The plan must be completed, and shown to the family, on or before the date the case was "
                   f"closed, {uk_date(closed)}.")
    if consented and completed and consented > completed:
        errors.add(CONSENT_BEFORE_PLAN, "consent.given_on",
                   f"Written consent comes first: it cannot be given after the plan was completed on {uk_date(completed)}.")
    elif consented and sent and consented > sent:
        errors.add(CONSENT_BEFORE_PLAN, "consent.given_on",
                   f"Written consent comes first: it cannot be given after the plan was sent on {uk_date(sent)}.")
    if consented and closed and consented > closed:
        errors.add(CONSENT_BEFORE_CLOSURE, "consent.given_on")
    if consulted and sent and consulted > sent:
        errors.add(COORDINATOR_BEFORE_SENDING, "early_help_coordinator.consulted_on")


def _children_errors(data: Mapping[str, Any], errors: RuleErrors) -> None:
    case_ids: set[str] = set()
    nhs_numbers: set[str] = set()
    for index, child in enumerate(data.get("children") or []):
        case_id, nhs = child.get("case_id"), child.get("nhs_number")
        if case_id in case_ids:
            errors.add(EACH_CHILD_ONCE, f"children.{index}.case_id",
                       "Each child appears once: this case ID is already in the list.")
        if nhs and nhs in nhs_numbers:
            errors.add(EACH_CHILD_ONCE, f"children.{index}.nhs_number",
                       "Each child appears once: this NHS number is already in the list.")
        if case_id:
            case_ids.add(case_id)
        if nhs:
            nhs_numbers.add(nhs)
    subject = data.get("subject_child")
    if subject and subject not in case_ids:
        errors.add(SUBJECT_IN_GROUP, "subject_child",
                   f"Give the case ID of one of the children in this step-down: {', '.join(sorted(case_ids))}.")



# Timescales: the guidance's words, and the dates formgen reads from them ----------------------------


def _weekday_date(day: dt.date) -> str:
    return f"{day:%A} {uk_date(day)}"


def clock_start(data: Mapping[str, Any]) -> tuple[dt.date, str]:
    """formgen's reading of when the two weeks and the 10 working days start, as (date, what happened):
    the earliest event the plan records, since the guidance gives no start point."""
    events = [
        (data["assessment_completed_on"], f"when the {FOLLOWS[data['follows']]} was completed"),
        (data["decided_on"], "when the decision to step down was made"),
    ]
    return min(events, key=lambda event: event[0])


def send_due(start: dt.date) -> dt.date:
    """'Within two weeks': the earlier of 14 calendar days and 10 working days after `start`."""
    return min(start + dt.timedelta(days=SEND_CALENDAR_DAYS), add_working_days(start, SEND_WORKING_DAYS))


def closure_due(start: dt.date) -> dt.date:
    """'Within 10 working days', counted from `start`."""
    return add_working_days(start, CLOSURE_WORKING_DAYS)


def escalation_due(closed: dt.date) -> dt.date:
    """'Within 10 days of the closure': 10 calendar days, the earlier of the two readings."""
    return closed + dt.timedelta(days=ESCALATION_DAYS)


def _working_day_before(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _progress(due: dt.date, done: dt.date | None, what_done: str, not_yet: str) -> str:
    """Whether it was done by formgen's date, or how late: lateness is shown, never refused."""
    if done is None:
        return not_yet
    if done <= due:
        return f"{what_done} {uk_date(done)}: on time by formgen's reading."
    late = working_days_between(due, done)
    by = (f"by {late} working day{'s' if late != 1 else ''}" if late
          else "after formgen's date, on a day that is not a working day")
    return f"{what_done} {uk_date(done)}: late {by}, by formgen's reading."


def send_timescale(data: Mapping[str, Any]) -> str:
    start, event = clock_start(data)
    due = send_due(start)
    calendar = start + dt.timedelta(days=SEND_CALENDAR_DAYS)
    working = add_working_days(start, SEND_WORKING_DAYS)
    if calendar == working:
        how = f"14 calendar days, and 10 working days, after {uk_date(start)}, {event}"
    elif due == calendar:
        how = (f"14 calendar days after {uk_date(start)}, {event} (10 working days would end on "
               f"{_weekday_date(working)})")
    else:
        how = (f"10 working days after {uk_date(start)}, {event} (14 calendar days would end on "
               f"{_weekday_date(calendar)})")
    lines = [SEND_WORDS.text, f"By formgen's reading (see below): by {_weekday_date(due)}, {how}."]
    if not is_working_day(due):
        lines.append(f"That is not a working day in England: the last working day before it is "
                     f"{_weekday_date(_working_day_before(due))}.")
    lines.append(_progress(due, data.get("sent_on"), "Sent", "Not yet sent."))
    return "\n".join(lines)


def closure_timescale(data: Mapping[str, Any]) -> str:
    start, event = clock_start(data)
    due = closure_due(start)
    return "\n".join([
        CLOSURE_WORDS.text,
        f"By formgen's reading (see below): by {_weekday_date(due)}, 10 working days after {uk_date(start)}, "
        f"{event} (weekends and bank holidays in England not counted).",
        _progress(due, data.get("case_closed_on"), "Closed", "Not yet closed."),
    ])


def escalation_timescale(data: Mapping[str, Any]) -> str:
    closed: dt.date | None = data.get("case_closed_on")
    if closed is None:
        return "\n".join([ESCALATION_WORDS.text,
                          "The case is not yet closed to social care: the date is counted from the closure."])
    due = escalation_due(closed)
    sent: dt.date | None = data.get("sent_on")
    if sent is None:
        progress = "Not yet sent: escalate if it is not received by then."
    elif sent <= due:
        progress = f"Sent {uk_date(sent)}: within the 10 days by formgen's reading."
    else:
        progress = f"Sent {uk_date(sent)}: after the escalation date by formgen's reading."
    return "\n".join([
        ESCALATION_WORDS.text,
        f"By formgen's reading (see below): escalate if the plan is not received by {_weekday_date(due)}, "
        f"10 calendar days after the case was closed on {uk_date(closed)} (10 working days would end on "
        f"{_weekday_date(add_working_days(closed, ESCALATION_DAYS))}).",
        progress,
    ])


# What the document prints ---------------------------------------------------------------------


def mapping(data: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The four mapping areas, the request's own answer winning over the latest assessment's; and
    the labels of the areas that came from the latest assessment."""
    latest = data.get("latest_assessment") or {}
    areas: dict[str, str] = {}
    taken: list[str] = []
    for key, label in MAPPING.items():
        if data.get(key):
            areas[key] = data[key]
        else:
            areas[key] = latest.get(key) or ""
            taken.append(label)
    return areas, taken


def _ordered_children(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    children = list(data["children"])
    subject = data.get("subject_child")
    if subject:
        children.sort(key=lambda c: c["case_id"] != subject)
    return children


def _child_name(child: Mapping[str, Any]) -> str:
    """The name with the NHS number beside it, when it is known."""
    nhs = f.format_nhs_number(child.get("nhs_number"))
    return f"{child['full_name']}\nNHS number {nhs}" if nhs else child["full_name"]


def _subject_text(child: Mapping[str, Any]) -> str:
    nhs = f.format_nhs_number(child.get("nhs_number"))
    return f"{child['full_name']} (case ID {child['case_id']}{f', NHS number {nhs}' if nhs else ''})"


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed: dt.date = data["date_completed"]
    decided: dt.date = data["decided_on"]
    subject_id = data.get("subject_child")
    children = _ordered_children(data)
    count = len(children)
    subject = next((c for c in children if c["case_id"] == subject_id), None)
    if subject is not None:
        siblings = [c["full_name"] for c in children if c is not subject]
        scope = (f"This copy is for {subject['full_name']}'s record. The plan covers "
                 + (f"the sibling group of {count} children." if count > 1 else "one child."))
        sibling_text = ", ".join(siblings) if siblings else "None in this step-down"
    elif count > 1:
        scope = f"A sibling group of {count} children: one plan for all of them."
        sibling_text = ""
    else:
        scope = "One child."
        sibling_text = ""

    def role(child: Mapping[str, Any]) -> str:
        if subject is None:
            return "Sibling group" if count > 1 else "Child"
        return "Subject child" if child is subject else "Sibling"

    consent = data["consent"]
    coordinator = data["early_help_coordinator"]
    key_person = data["key_person"]
    areas, taken = mapping(data)
    latest = data.get("latest_assessment") or {}
    source = ""
    if taken:
        name = latest.get("kind") or "the most recent assessment"
        when = f", completed {uk_date(latest['completed_on'])}" if latest.get("completed_on") else ""
        source = f"From {name}{when}: {'; '.join(taken)}."
    follows = data["follows"]
    return {
        "date_completed": uk_date(completed),
        "scope": scope,
        "subject": _subject_text(subject) if subject is not None else "",
        "siblings": sibling_text,
        "children": [
            {"case_id": c["case_id"], "full_name": _child_name(c),
             "date_of_birth": f"{uk_date(c['date_of_birth'])} ({age_text(c['date_of_birth'], completed)})",
             "gender": c["gender"], "start_date": uk_date(c["start_date"]), "role": role(c)}
            for c in children
        ],
        "family_members": [person_row(m, completed) for m in data["family_members"]],
        "address": join_lines([
            address_text(data["address"]),
            f"Tel {data['telephone']}" if data.get("telephone") else "",
            data.get("email") or "",
        ]),
        "social_worker": contact_text(data["social_worker"]),
        "level_of_need": f"Level {data['level_of_need']}: 'Intensive'. Remaining needs that Early Help could meet.",
        "follows": f"{FOLLOWS[follows]}, completed {uk_date(data['assessment_completed_on'])}",
        "decided_on": uk_date(decided),
        "consent": join_lines([
            f"Written consent given by {consent['given_by']} ({consent['relationship']}) on {uk_date(consent['given_on'])}.",
            "The family has been shown this plan and agrees with the actions.",
        ]),
        "coordinator": f"{coordinator['name']}, consulted on {uk_date(coordinator['consulted_on'])}",
        "family_support_work": FAMILY_SUPPORT_WORK[data["family_support_work"]],
        "send_timescale": send_timescale(data),
        "closure_timescale": closure_timescale(data),
        "escalation_timescale": escalation_timescale(data),
        "timescale_readings": "\n".join(w.text for w in (START_READING, TWO_WEEKS_READING, ESCALATION_READING)),
        "presenting_needs": data["presenting_needs"],
        **areas,
        "mapping_source": source,
        "wellbeing_plan": [
            {"what": f"{row['what_needs_to_happen']}\nBy: {row['by_whom']}", "outcome": row["outcome"],
             "timescale": row["timescale"]}
            for row in data["wellbeing_plan"]
        ],
        "key_person": contact_text(key_person),
        "key_person_agreement": "Agreed with the family. The key person has been consulted about their role.",
        "actions_taken": [
            {"date": uk_date(a["date"]), "action": a["action"]}
            for a in sorted(data["actions_taken"], key=lambda a: a["date"])
        ],
    }

# Splitting and prefill -----------------------------------------------------------------------


def filename(data: Mapping[str, Any]) -> str:
    subject = data.get("subject_child")
    if subject:
        return f"eha-step-down-plan-{subject}"
    children = data["children"]
    suffix = "-group" if len(children) > 1 else ""
    return f"eha-step-down-plan-{children[0]['case_id']}{suffix}"


def split_by_child(body: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """One body per child of a (valid) body, each naming that child as the subject."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    for child in body["children"]:
        case_id = str(child["case_id"]).strip()
        out.append((f"eha-step-down-plan-{case_id}", {**body, "subject_child": case_id}))
    return out


def _shared_assessment(body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The s47 enquiry or Child and Family Assessment the step-down follows (opening table)."""
    follows = body.get("follows")
    if follows not in FOLLOWS:
        return None
    return {"kind": FOLLOWS[follows], "completed_on": iso(body.get("assessment_completed_on"))}


def _taken_follows(assessment: Mapping[str, Any]) -> str | None:
    """Which of the opening table's two the step-down follows, when the source says: its words, or a CAFA."""
    if is_cafa(assessment):
        return "child-and-family-assessment"
    kind = " ".join(str(assessment.get("kind") or "").lower().split())
    return "s47-enquiry" if kind in ("s47 enquiry", "section 47 enquiry", "s.47 enquiry") else None


def shares(body: Mapping[str, Any]) -> SharedCase:
    children = list(body.get("children") or [])
    subject = body.get("subject_child")
    if subject:
        children.sort(key=lambda c: c.get("case_id") != subject)
    latest = body.get("latest_assessment") or {}
    plan = body.get("wellbeing_plan") or []
    return drop_empty({
        "as_of": iso(body.get("date_completed")),
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": iso(c.get("date_of_birth")), "gender": c.get("gender"),
             "nhs_number": c.get("nhs_number"),
             "case_ids": {"Mosaic": c.get("case_id")} if c.get("case_id") else {}}
            for c in children
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": iso(m.get("date_of_birth")), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "email": body.get("email"),
        "worker": body.get("social_worker"),
        "worried_about": body.get("worried_about") or latest.get("worried_about"),
        "working_well": body.get("working_well") or latest.get("working_well"),
        "complicating_factors": body.get("complicating_factors") or latest.get("complicating_factors"),
        "needs_to_happen": "\n".join(
            f"- {row.get('what_needs_to_happen')} (by {row.get('by_whom')})" for row in plan
            if row.get("what_needs_to_happen")
        ),
        # level_of_need is not shared: Herefordshire's levels (1-4) are not Manchester's (1-5).
        "reason": body.get("presenting_needs"),
        # The family has been shown the plan and agrees with its actions (social worker's role).
        "family_agrees": (body.get("consent") or {}).get("plan_agreed"),
        "assessment": _shared_assessment(body),
        # actions_taken are not shared as visits: they are what was done, not meetings with the family.
    })


def takes(case: SharedCase) -> dict[str, Any]:
    # A brother or sister the source lists among the family is one of this plan's sibling group.
    case = with_children_of_family(case)
    assessment = case.get("assessment") or {}
    follows = _taken_follows(assessment)
    return drop_empty({
        "children": [
            {"case_id": (c.get("case_ids") or {}).get("Mosaic"), "full_name": c.get("full_name"),
             "nhs_number": c.get("nhs_number"), "date_of_birth": c.get("date_of_birth"), "gender": c.get("gender")}
            for c in case.get("children") or []
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in case.get("family_members") or []
        ],
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        "email": case.get("email"),
        "social_worker": case.get("worker"),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "complicating_factors": case.get("complicating_factors"),
        "wellbeing_plan": [{"what_needs_to_happen": case["needs_to_happen"]}] if case.get("needs_to_happen") else [],
        "presenting_needs": case.get("reason"),
        "follows": follows,
        "assessment_completed_on": assessment.get("completed_on") if follows else None,
        # The family's agreement to the plan is not written consent: that is asked for on its own.
        "consent": {"plan_agreed": case.get("family_agrees")},
    })


# A sibling group whose timescales cross the early May bank holiday (Monday 4 May 2026), so the example
# shows the two readings of "two weeks" apart: 14 calendar days end on 7 May, 10 working days on 8 May.
EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-04-30",
    "children": [
        {"case_id": "712406", "full_name": "Ellie-Mae Bevan", "nhs_number": "9994211013", "date_of_birth": "2015-03-21",
         "gender": "Female", "start_date": "2026-03-09"},
        {"case_id": "712407", "full_name": "Tyler Bevan", "nhs_number": "9994218816", "date_of_birth": "2019-11-02",
         "gender": "Male", "start_date": "2026-03-09"},
        {"case_id": "712408", "full_name": "Rosie Bevan", "nhs_number": "9994230514", "date_of_birth": "2026-01-30",
         "gender": "Female", "start_date": "2026-03-09"},
    ],
    "family_members": [
        {"full_name": "Kayleigh Bevan", "relationship": "Mother", "date_of_birth": "1994-07-09",
         "notes": "Main carer for all three children."},
        {"full_name": "Jordan Pugh", "relationship": "Father of Tyler and Rosie", "date_of_birth": "1991-04-17",
         "notes": "Lives in Leominster. Sees the children every Saturday; no supervision needed."},
    ],
    "address": {"line_1": "12 Kestrel Close", "town": "Hereford", "postcode": "HR2 7ZQ"},
    "telephone": "01432 496 118",
    "social_worker": {"name": "Gareth Lloyd-Hughes", "role": "Social Worker", "team": "Hereford Assessment Team",
                      "telephone": "01432 496 402", "email": "gareth.lloyd-hughes@example.org"},
    "level_of_need": 3,
    "follows": "child-and-family-assessment",
    "assessment_completed_on": "2026-04-23",
    "decided_on": "2026-04-24",
    "consent": {"written_consent_obtained": True, "given_by": "Kayleigh Bevan", "relationship": "Mother",
                "given_on": "2026-04-27", "plan_agreed": True},
    "family_support_work": "completed",
    "early_help_coordinator": {"name": "Anjali Mistry", "consulted_on": "2026-04-28"},
    "presenting_needs": (
        "The Child and Family Assessment found no ongoing safeguarding concerns. Remaining needs are at "
        "'Intensive' level: Ellie-Mae's school attendance (88% last term), Tyler's behaviour at school and "
        "at home since Rosie was born, and Mum's low mood and isolation. Mum asked for help to continue."
    ),
    "worried_about": (
        "- Ellie-Mae is often late or absent on days when Mum is unwell; she is falling behind in maths.\n"
        "- Tyler had two half-day exclusions for hitting other children last term.\n"
        "- Mum says she feels low and alone, and the family has rent arrears of about £600."
    ),
    "latest_assessment": {
        "kind": "Child and Family Assessment",
        "completed_on": "2026-04-23",
        "worried_about": "- Ellie-Mae's attendance and lateness.\n- Tyler's behaviour at school.",
        "working_well": (
            "- Mum is warm with the children and asks for help when she needs it.\n"
            "- Dad keeps to contact every Saturday and takes Tyler to football.\n"
            "- Maternal grandmother lives nearby and helps with the school run twice a week."
        ),
        "complicating_factors": (
            "- Mum's low mood since Rosie's birth; she is on the GP's waiting list for talking therapy.\n"
            "- Rent arrears and a recent change of benefits."
        ),
        "existing_wellbeing": (
            "- Rosie is meeting her milestones and attends baby clinic.\n"
            "- The children are well cared for and the home is warm and clean."
        ),
    },
    "wellbeing_plan": [
        {"what_needs_to_happen": "Attendance plan with Ellie-Mae's school, with a morning routine agreed with Mum.",
         "by_whom": "Key person with St Martin's Primary attendance lead", "outcome": "Attendance above 95%.",
         "timescale": "By the end of the summer term"},
        {"what_needs_to_happen": "Support for Tyler's behaviour at school and at home (Triple P for Mum).",
         "by_whom": "Early Help family support worker and school SENCo", "outcome": "No further exclusions.",
         "timescale": "12 weeks from the first meeting"},
        {"what_needs_to_happen": "Help with the rent arrears and benefits; referral to talking therapy followed up.",
         "by_whom": "Key person, Citizens Advice and the GP", "outcome": "A repayment plan; Mum seen by the service.",
         "timescale": "Within 6 weeks"},
    ],
    "key_person": {"name": "Rhiannon Davies", "role": "Family Liaison Officer", "team": "St Martin's Primary School",
                   "telephone": "01432 496 733", "email": "rhiannon.davies@example.org",
                   "family_agreed": True, "consulted": True},
    "actions_taken": [
        {"date": "2026-04-24", "action": "Step-down discussed with Mum, who agreed to Early Help support."},
        {"date": "2026-04-27", "action": "Written consent obtained from Mum; key person agreed with the family."},
        {"date": "2026-04-28", "action": "Plan discussed with the early help co-ordinator at the Tuesday drop-in."},
        {"date": "2026-04-29", "action": "Key person consulted about their role and agreed to lead."},
    ],
    "sent_on": "2026-05-01",
    "case_closed_on": "2026-05-05",
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the plan", ("date_completed", "subject_child")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Contact details", ("address", "telephone", "email")),
    ("Social worker", ("social_worker",)),
    ("The step-down decision", (
        "level_of_need", "follows", "assessment_completed_on", "decided_on",
        "family_support_work",
    )),
    ("Consent and consultation", ("consent", "early_help_coordinator")),
    ("Needs and strengths", (
        "presenting_needs", "worried_about", "working_well", "complicating_factors",
        "existing_wellbeing",
    )),
    ("Latest assessment", ("latest_assessment",)),
    ("Wellbeing plan", ("wellbeing_plan",)),
    ("Key person", ("key_person",)),
    ("Actions taken", ("actions_taken",)),
    ("Sending and closing", ("sent_on", "case_closed_on")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Early Help Assessment Step-Down Plan",
    authority="Herefordshire Council",
    description="Step-down from children's social care to Early Help at level 3, for one child or a sibling group.",
    source="000_d813ace460bad8eb.txt",
    schema=StepDownPlanSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=filename,
    split_by_child=split_by_child,
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
