"""Peterborough: the Transfer from LCS to EHM (seed 004, section 1, Referrals not meeting Children's Social
Care Thresholds).

A referral that the Assessment Team decides not to take to a Child and Family Assessment steps down to Early
Help when the family consents: the Referral record's outcome is step down to Early Help, and the Transfer from
Liquid Logic (LCS) to EHM details the decision and the needs identified for Early Help. The Early Help Hub
reviews it and accepts it as appropriate. The guidance gives the hub 24 hours to review contacts reassigned to
it and no time for a Transfer: the document shows the 24 hours as the review's deadline, computed from when the
Transfer was sent, and says on its face that applying them to a Transfer is formgen's reading. No page limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import bank_holiday, uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import RuleErrors, Wording, formgen_reading, guidance, rule
from formgen.core.shared import SharedCase, drop_empty
from forms.common import AddressSchema, ContactSchema, address_text, join_lines, local_datetime
from forms.peterborough_common import (
    AUTHORITY,
    SECTION_1,
    SECTION_1_CONTACTS,
    SECTION_1_NOTE,
    SECTION_1_REFERRALS,
    SECTION_2,
    child_rows,
    children_field,
    family_field,
    family_rows,
    shared_case,
    shared_team_manager,
    taken_case,
    when_text,
    worker_text,
)

FORM_ID = "peterborough-lcs-ehm-transfer"

# "The EHH Team Manager / Senior Practitioner will review these within 24 hours of receipt" (section 1, contacts).
REVIEW_HOURS = 24

ASSESSMENT_DECISIONS = {
    "no-assessment": "The decision is not to complete a Child and Family Assessment",
    "assessment-completed": "A Child and Family Assessment has been completed",
}
REFERRAL_OUTCOMES = {"step-down-to-early-help": "Step down to Early Help", "nfa": "NFA (No Further Action)"}

_REFERRALS_SAYS = ("Where a contact has been accepted by an Assessment Team and progressed to a Referral but the "
                   "decision is not to complete a C&F Assessment, then the Assessment Team will need to decide whether "
                   "a step down to Early Help is appropriate.")
_CONSENTED_SAYS = ("If the decision is to progress to Early Help and the family have consented to this then the "
                   "Assessment Team will:")
_NOTE_SAYS = ("Contacts / Referrals / MASH Enquiry requests should only be sent to the EHH where the family consented "
              "to the safeguarding referral and /or have consented to Early Help support as an outcome of the "
              "contact.")
_TRANSFER_SAYS = ("Initiate the Transfer from LCS to EHM detailing the decision and what needs have been identified "
                  "for Early Help.")
_HUB_SAYS = ("Upon receipt of the Transfer the EHH will review the information and accept the transfer as appropriate "
             "with further discussion between Team Managers if required- this may include linking to an existing "
             "Early Help Episode, starting an Early Help Hub Enquiry or progressing to start an Early Help Assessment.")
_TWENTY_FOUR_HOURS_SAYS = ("The EHH Team Manager / Senior Practitioner will review these within 24 hours of receipt and "
                           "will action and close the contact as appropriate")

# ---------------------------------------------------------------- rules

FAMILY_CONSENTED = rule(
    "family-consents-to-early-help",
    "The family has consented to Early Help support before the Transfer is sent: a referral is sent to the Early "
    "Help Hub only with the family's consent (section 1).",
    [guidance("004", SECTION_1_REFERRALS, says=_CONSENTED_SAYS), guidance("004", SECTION_1_NOTE, says=_NOTE_SAYS)],
    ("consent.consented",), {"consent.consented": False},
    error="Send the Transfer only once the family has consented to Early Help support (section 1).",
)
CONSENT_BEFORE_TRANSFER = rule(
    "consent-before-the-transfer",
    "The family consents first, then the Transfer is sent: the date of consent is not after the Transfer.",
    [guidance("004", SECTION_1_REFERRALS, says=_CONSENTED_SAYS), guidance("004", SECTION_1_NOTE, says=_NOTE_SAYS)],
    ("consent.given_on",), {"consent.given_on": "2026-11-28"},
    error="The date of consent must be on or before the date the Transfer was sent (section 1).",
)
REFERRAL_OUTCOME = rule(
    "referral-outcome-step-down-not-nfa",
    "The Referral record is completed with an outcome of step down to Early Help, not NFA: a referral closed as "
    "No Further Action is not transferred to Early Help (section 1).",
    [guidance("004", SECTION_1_REFERRALS, says="Complete the Referral record with an outcome of step down to Early "
              "Help"),
     guidance("004", SECTION_1, says="Closed as No Further Action")],
    ("referral_outcome",), {"referral_outcome": "nfa"},
    error="Complete the Referral record with the outcome step down to Early Help, not NFA (section 1).",
)
NO_ASSESSMENT = rule(
    "transfer-follows-a-referral-without-assessment",
    "A Transfer from LCS to EHM follows a referral where the decision is not to complete a Child and Family "
    "Assessment (section 1). After an assessment, the case steps down by section 2: a referral to a single agency, "
    "or a multi-agency support plan heard at the MASG (the MASG step-down presentation).",
    [guidance("004", SECTION_1_REFERRALS, says=_REFERRALS_SAYS),
     guidance("004", SECTION_2, says="In all cases where a multi-agency support plan is indicated, the case will "
              "first be heard at the Multi-Agency Support Group [MASG]")],
    ("assessment_decision",), {"assessment_decision": "assessment-completed"},
    error="After a Child and Family Assessment, step down through the MASG or a single agency referral, not a "
          "Transfer (sections 1 and 2).",
)
REFERRAL_BEFORE_TRANSFER = rule(
    "referral-before-the-transfer",
    "The Transfer follows the referral: the referral's date is not after the Transfer was sent.",
    guidance("004", SECTION_1_REFERRALS, says=_REFERRALS_SAYS),
    ("referral_date",), {"referral_date": "2026-11-28"},
    error="The referral date must be on or before the date the Transfer was sent (section 1).",
)

RULES = (FAMILY_CONSENTED, CONSENT_BEFORE_TRANSFER, REFERRAL_OUTCOME, NO_ASSESSMENT, REFERRAL_BEFORE_TRANSFER)

# ---------------------------------------------------------------- fixed words the document prints

INTRO = Wording(
    "transfer-route",
    "A referral the Assessment Team decided not to take to a Child and Family Assessment, stepping down to Early "
    "Help with the family's consent: the Transfer from LCS to EHM details the decision and what needs have been "
    "identified for Early Help (Peterborough's step-down guidance, section 1).",
    guidance("004", SECTION_1_REFERRALS, says=_TRANSFER_SAYS),
)
REVIEW_DUE = Wording(
    "ehh-review-due",
    "The Early Help Hub's Team Manager or Senior Practitioner reviews the Transfer by {due}: 24 hours after it was "
    "sent.",
    guidance("004", SECTION_1_CONTACTS, says=_TWENTY_FOUR_HOURS_SAYS),
)
REVIEW_READING = Wording(
    "ehh-review-reading",
    "Deadline worked out by formgen, for Peterborough to confirm: the guidance gives the Early Help Hub 24 hours "
    "from receipt to review contacts reassigned to it (section 1, Contacts not meeting Children's Social Care "
    "Thresholds) and gives no time for reviewing a Transfer (section 1, Referrals not meeting Children's Social Care "
    "Thresholds). formgen applies the same 24 hours, counted as clock hours as the guidance writes them, so that a "
    "Transfer is not left waiting longer than a contact.",
    formgen_reading("The guidance's only timescale for the Early Help Hub is its 24-hour review of contacts; it "
                    "sets none for a Transfer. The same 24 hours is the reading under which a family stepped down "
                    "after a referral waits no longer than one stepped down from a contact.",
                    f"{SECTION_1_CONTACTS} and {SECTION_1_REFERRALS}"),
)
NOT_A_WORKING_DAY = Wording(
    "review-due-on-a-day-off",
    "The review falls on {what}, not a working day: the guidance counts 24 hours, not working days.",
    guidance("004", SECTION_1_CONTACTS, says=_TWENTY_FOUR_HOURS_SAYS),
)
OUTCOME_WORDS = Wording(
    "referral-outcome",
    "Recorded on the Referral record; not NFA (section 1).",
    guidance("004", SECTION_1_REFERRALS, says="Complete the Referral record with an outcome of step down to Early Help"),
)
CONSENT_NOTE = Wording(
    "consent-note",
    "Referrals are sent to the Early Help Hub only where the family has consented to Early Help support "
    "(section 1, Note).",
    guidance("004", SECTION_1_NOTE, says=_NOTE_SAYS),
)
HUB_DOES = Wording(
    "what-the-hub-does",
    "The Early Help Hub reviews the information and accepts the Transfer as appropriate, with further discussion "
    "between Team Managers if required: this may include linking to an existing Early Help Episode, starting an "
    "Early Help Hub Enquiry or progressing to start an Early Help Assessment. The hub does not undertake Early Help "
    "Assessments itself: it supports partner agencies and lead professionals to complete them, or signposts to "
    "Early Help services (section 1).",
    guidance("004", SECTION_1_REFERRALS, says=_HUB_SAYS),
)
WORDING = (INTRO, REVIEW_DUE, REVIEW_READING, NOT_A_WORKING_DAY, OUTCOME_WORDS, CONSENT_NOTE, HUB_DOES)

# Room for the hub to write its decision by hand.
ROOM_TO_WRITE = "\u00a0\n\u00a0"

# ---------------------------------------------------------------- schema


class ConsentSchema(f.FormSchema):
    consented = f.boolean("The family has consented to Early Help support")
    given_by = f.line("Who consented", hint="The parent or carer (or young person) who consented.")
    given_on = f.date("Date of consent", past=True)
    how = f.line("How consent was given", required=False, hint="For example: in person, by telephone.")


def _sent_at() -> Any:
    field = local_datetime("Date and time the Transfer was sent to the Early Help Hub",
                           hint="When the Transfer was initiated on LCS, UK local time: YYYY-MM-DDTHH:MM.")
    not_future = f.not_in_future("Date and time the Transfer was sent to the Early Help Hub")
    # A record of something done: not later than today (and so a deadline that is a real date).
    field.validators = [*field.validators, lambda moment: not_future(moment.date())]
    return field


class TransferSchema(f.FormSchema):
    sent_at = _sent_at()
    referral_date = f.date("Date of the referral", past=True)
    children = children_field()
    family_members = family_field()
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    worker = f.group(ContactSchema, "Assessment Team worker sending the Transfer")
    team_manager = f.line("Assessment Team Manager", required=False,
                          hint="For further discussion between Team Managers, if the hub needs it (section 1).")
    assessment_decision = f.choice("Child and Family Assessment", ASSESSMENT_DECISIONS,
                                   hint="A Transfer follows a referral with no Child and Family Assessment (section 1).")
    referral_outcome = f.choice("Outcome on the Referral record", REFERRAL_OUTCOMES)
    decision = f.text("The decision to step down to Early Help, and why", max_length=2000)
    needs = f.text("What needs have been identified for Early Help", max_length=4000)
    worried_about = f.text("What are we worried about?", required=False, max_length=3000)
    working_well = f.text("What is working well?", required=False, max_length=3000)
    existing_early_help = f.text("Early Help support already in place, if known", required=False, max_length=1000,
                                 hint="The hub may link the Transfer to an existing Early Help Episode (section 1).")
    consent = f.group(ConsentSchema, "The family's consent")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        consent = data.get("consent") or {}
        sent: dt.datetime | None = data.get("sent_at")
        if consent.get("consented") is False:
            errors.add(FAMILY_CONSENTED, "consent.consented")
        if sent and consent.get("given_on") and consent["given_on"] > sent.date():
            errors.add(CONSENT_BEFORE_TRANSFER, "consent.given_on")
        if data.get("referral_outcome") == "nfa":
            errors.add(REFERRAL_OUTCOME, "referral_outcome")
        if data.get("assessment_decision") == "assessment-completed":
            errors.add(NO_ASSESSMENT, "assessment_decision")
        if sent and data.get("referral_date") and data["referral_date"] > sent.date():
            errors.add(REFERRAL_BEFORE_TRANSFER, "referral_date")
        errors.raise_any()


# ---------------------------------------------------------------- the Early Help Hub's review


def review_due(sent: dt.datetime) -> dt.datetime:
    """24 hours after the Transfer was sent: the hub's review of contacts (section 1), by formgen's reading."""
    return sent + dt.timedelta(hours=REVIEW_HOURS)


def _day_off(day: dt.date) -> str | None:
    """What makes `day` not a working day in England, in words, or None."""
    holiday = bank_holiday(day)
    if holiday:
        return f"a bank holiday ({holiday})"
    if day.weekday() >= 5:
        return f"a {day:%A}"
    return None


def _review_text(sent: dt.datetime) -> str:
    due = review_due(sent)
    off = _day_off(due.date())
    return join_lines([
        REVIEW_DUE.text.format(due=when_text(due)),
        NOT_A_WORKING_DAY.text.format(what=off) if off else "",
    ])


# ---------------------------------------------------------------- the document


def _consent_text(consent: Mapping[str, Any]) -> str:
    how = f" ({consent['how']})" if consent.get("how") else ""
    return join_lines([f"Yes: {consent['given_by']} consented to Early Help support on "
                       f"{uk_date(consent['given_on'])}{how}.", CONSENT_NOTE.text])


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    sent: dt.datetime = data["sent_at"]
    return {
        "intro": INTRO.text,
        "sent_at": when_text(sent),
        "review_due": _review_text(sent),
        "review_reading": REVIEW_READING.text,
        "children": child_rows(data["children"], sent.date()),
        "family_members": family_rows(data["family_members"]),
        "address": join_lines([address_text(data["address"]),
                               f"Tel {data['telephone']}" if data.get("telephone") else ""]),
        "referral_date": uk_date(data["referral_date"]),
        "worker": worker_text(data["worker"]),
        "team_manager": data.get("team_manager") or "",
        "assessment_decision": f"{ASSESSMENT_DECISIONS[data['assessment_decision']]}.",
        "referral_outcome": f"{REFERRAL_OUTCOMES[data['referral_outcome']]}. {OUTCOME_WORDS.text}",
        "decision": data["decision"],
        "needs": data["needs"],
        "worried_about": data.get("worried_about") or "",
        "working_well": data.get("working_well") or "",
        "existing_early_help": data.get("existing_early_help") or "",
        "consent": _consent_text(data["consent"]),
        "hub_does": HUB_DOES.text,
        "room_to_write": ROOM_TO_WRITE,
    }


# ---------------------------------------------------------------- sharing


def shares(body: Mapping[str, Any]) -> SharedCase:
    return drop_empty({
        **shared_case(body, "worker", body.get("sent_at")),
        "needs_to_happen": body.get("needs"),
        "team_manager": shared_team_manager(body.get("team_manager")),
        "reason": body.get("decision"),  # "The decision to step down to Early Help, and why"
        # "The family has consented to Early Help support" (section 1): their agreement to the step.
        "family_agrees": (body.get("consent") or {}).get("consented"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    return drop_empty({
        **taken_case(case, "worker"),
        "needs": case.get("needs_to_happen"),
        "team_manager": (case.get("team_manager") or {}).get("name"),
        "decision": case.get("reason"),
        "consent": {"consented": case.get("family_agrees")},
    })


# ---------------------------------------------------------------- example (fictional people)

# A health visitor's referral on Monday 23 November 2026 about Aisha's weight and mum's low mood. The Assessment
# Team decided not to complete a Child and Family Assessment; mum consented to Early Help on the 25th, and the
# Transfer went to the hub on Friday 27 November at 15:40, so the 24 hours end on a Saturday (section 1).
EXAMPLE: dict[str, Any] = {
    "sent_at": "2026-11-27T15:40",
    "referral_date": "2026-11-23",
    "children": [
        {"full_name": "Aisha Bashir", "nhs_number": "9994521306", "lcs_id": "LCS5102277", "date_of_birth": "2026-08-10"},
        {"full_name": "Yusuf Bashir", "nhs_number": "9994521403", "lcs_id": "LCS5102278", "date_of_birth": "2021-04-22"},
    ],
    "family_members": [
        {"full_name": "Sadia Bashir", "relationship": "Mother", "date_of_birth": "1995-05-19",
         "notes": "At home with the children. First language Urdu; speaks English well and does not want an "
                  "interpreter."},
        {"full_name": "Imran Bashir", "relationship": "Father", "date_of_birth": "1992-10-02",
         "notes": "Works long shifts as a delivery driver."},
    ],
    "address": {"line_1": "41 Gladstone Terrace", "town": "Peterborough", "postcode": "PE1 2ZQ"},
    "telephone": "01733 496 903",
    "worker": {"name": "Daniel Osei", "role": "Social Worker", "team": "Assessment Team 1",
               "telephone": "01733 496 455", "email": "daniel.osei@example.org"},
    "team_manager": "Karen Lowe",
    "assessment_decision": "no-assessment",
    "referral_outcome": "step-down-to-early-help",
    "decision": (
        "The health visitor's worries are about Aisha's weight gain and mum's low mood since the birth. Checks with "
        "the GP, the health visitor and Yusuf's school show no concerns about the care of either child: the needs "
        "do not meet the threshold for a Child and Family Assessment. Mum would welcome support, so the case steps "
        "down to Early Help."
    ),
    "needs": (
        "- Aisha (3 months) has dropped from the 50th to the 9th centile: feeding support and weekly weighing with "
        "the health visitor.\n"
        "- Mum has low mood and feels alone: a GP review, and a local mums' group or peer support.\n"
        "- Yusuf (5) has found Year 1 hard since Aisha was born: his school to be part of the plan.\n"
        "- An Early Help Assessment with a lead professional to bring this together, with dad involved."
    ),
    "worried_about": (
        "- Aisha's weight.\n"
        "- Mum's low mood, and dad being away from home for long hours."
    ),
    "working_well": (
        "- Both children are well cared for, and Yusuf's school knows him well.\n"
        "- Mum asked the health visitor for help herself and wants support."
    ),
    "existing_early_help": "None known.",
    "consent": {"consented": True, "given_by": "Sadia Bashir", "given_on": "2026-11-25", "how": "by telephone"},
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("The transfer", ("sent_at", "referral_date")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Address", ("address", "telephone")),
    ("Assessment Team", ("worker", "team_manager")),
    ("The decision", ("assessment_decision", "referral_outcome", "decision", "needs")),
    ("Worries and strengths", ("worried_about", "working_well", "existing_early_help")),
    ("Consent", ("consent",)),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Transfer from LCS to EHM",
    authority=AUTHORITY,
    description="A referral stepping down to Early Help without a Child and Family Assessment, transferred from "
                "Liquid Logic to EHM for the Early Help Hub (section 1).",
    source="004_1eeb0ade2e7becbd.txt, section 1",
    schema=TransferSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,  # the guidance gives no page limit
    filename=lambda data: f"lcs-ehm-transfer-{data['children'][0]['lcs_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
