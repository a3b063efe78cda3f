"""Shropshire: the Strengthening Families consent form (seed 001, 3.a, 3.b, 4.a, 4.b).

No request for Early Help intervention is accepted until at least one parent or carer living in the
household has signed it, "signed on both sides and relevant boxes ticked on the consent form" (4.a, 4.b).
The form is pre-filled with the household, the children, the address, the carefirst number, the purpose
and the agencies; the family signs it by hand, or on screen in the fillable PDF, and
POST /api/forms/{id}/extract reads a completed PDF back (formgen/documents/extract.py).

Once any parent or carer has signed, the body is a signed form and every signing rule applies, whether it
is validated, rendered or read back; a form read back is held to them even when no one has signed yet
(CompletedConsentSchema).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import age_text, uk_date
from formgen.core.fields import EMPTY_RESULT
from formgen.core.registry import FormSpec
from formgen.core.rules import (
    Rule,
    RuleErrors,
    SourceKind,
    Wording,
    formgen_reading,
    guidance,
    law,
    rule,
    template_default,
)
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from forms.common import AddressSchema, ContactSchema, address_text, contact_text

FORM_ID = "shropshire-strengthening-families-consent"

# ---------------------------------------------------------------- the words the form prints, with their sources

TEMPLATE_NOTE = "Wording drafted by formgen for Shropshire Council to confirm."
TEMPLATE_MARK = "\u2020"  # a dagger beside each drafted wording, explained by TEMPLATE_NOTE on the same side

INSTRUCTIONS = Wording(
    "instructions",
    "Please read both sides, tick the boxes you agree with, and sign and date each side.",
    template_default("How to complete the form, drawn from 001, 4.a and 4.b: signed on both sides and relevant "
                     "boxes ticked on the consent form."),
)
DEFAULT_PURPOSE = Wording(
    "default-purpose",
    "To share information about your family with the agencies involved in your Early Help Whole Family "
    "Action Plan, so that they can work together with you to give the right support at the right time. "
    "Your family's details and plan will be recorded on ECINS, Shropshire's Early Help case system, by "
    "the Strengthening Families team.",
    template_default("The purpose printed when none is given, drawn from 001, 3.a (consent to sharing "
                     "information with the agencies involved in the EH Whole Family Action Plan) and 3.b "
                     "(the SF team adds the family to ECINs)."),
)
# What the family ticks. Side 1: the consent itself; side 2: their rights and the programme.
STATEMENTS: dict[str, Wording] = {
    "understands_purpose": Wording(
        "statement-understands-purpose",
        "I understand why information about my family will be shared, and who it will be shared with.",
        template_default("Tick box on side 1."),
    ),
    "agrees_to_share": Wording(
        "statement-agrees-to-share",
        "I agree that the agencies listed may share information about my family with each other for the "
        "Early Help Whole Family Action Plan.",
        template_default("Tick box on side 1, drawn from 001, 3.a: consent to sharing information with the "
                         "agencies involved in the EH Whole Family Action Plan."),
    ),
    "agrees_to_ecins": Wording(
        "statement-agrees-to-ecins",
        "I agree that my family's details and plan may be recorded on ECINS by the Strengthening Families team.",
        template_default("Tick box on side 1, drawn from 001, 3.b: the SF team adds the family to ECINs."),
    ),
    "understands_withdrawal": Wording(
        "statement-understands-withdrawal",
        "I understand that I can withdraw my consent at any time by telling my lead professional or social "
        "worker, and that information will still be shared without consent if a child is at risk of "
        "significant harm.",
        template_default("Rights text on side 2."),
    ),
    "agrees_to_programme_checks": Wording(
        "statement-agrees-to-programme-checks",
        "I agree that the Strengthening Families team may use this information to check the progress of our "
        "plan and for claims under the national Supporting Families programme.",
        template_default("Tick box on side 2, drawn from 001, 3.b: cases are checked by the Strengthening "
                         "Families Team for activity, and monitored for eligibility for claim submission."),
    ),
    "happy_to_give_feedback": Wording(
        "statement-happy-to-give-feedback",
        "I am happy to be contacted later for feedback about the help my family received.",
        template_default("Tick box on side 2, drawn from 001, 1: feedback from service users."),
    ),
}
SIDE_1_STATEMENTS = ("understands_purpose", "agrees_to_share", "agrees_to_ecins")
SIDE_2_STATEMENTS = ("understands_withdrawal", "agrees_to_programme_checks", "happy_to_give_feedback")
# "Relevant boxes ticked" (4.a, 4.b): formgen's reading of which boxes there is no consent to share without.
REQUIRED_STATEMENTS = ("understands_purpose", "agrees_to_share", "agrees_to_ecins", "understands_withdrawal")
# Each box by the words it opens with: an error message names the box without quoting all of it.
BOX_OPENINGS = {
    "understands_purpose": "I understand why information about my family will be shared",
    "agrees_to_share": "I agree that the agencies listed may share information",
    "agrees_to_ecins": "I agree that my family's details and plan may be recorded on ECINS",
    "understands_withdrawal": "I understand that I can withdraw my consent at any time",
    "agrees_to_programme_checks": "I agree that the Strengthening Families team may use this information",
    "happy_to_give_feedback": "I am happy to be contacted later for feedback",
}

WHO_SIGNS = Wording(
    "who-signs",
    "At least one parent or carer who lives in the household must sign and date both sides before a request "
    "for Early Help can be accepted.",
    guidance("001", "3.a, 3.b, 4.a", says="At least a signature from one parent/carer living within the household "
             "is required before any request for intervention is accepted; signed on both sides"),
)
HOW_TO_SIGN = Wording(
    "how-to-sign",
    "On a printed form, sign by hand in the signature box. On screen, typing your full name in the signature "
    "box counts as signing.",
    template_default("How to sign on paper and on screen: the guidance asks for a signed form and does not say "
                     "how a form completed on screen is signed."),
)
CHILDREN_CONSENT = Wording(
    "children-consent",
    "Who consents for a child (formgen's reading; Shropshire's guidance, 3.a, sets no age): a child or young "
    "person who understands what sharing their information means, and can decide for themselves, signs for "
    "themselves at any age (Gillick v West Norfolk and Wisbech AHA [1986] AC 112), as the worker records. A "
    "parent or carer consents for a child who does not yet understand. Every child's view is recorded.",
    formgen_reading("The guidance sets no age at which a child consents for themselves; the safest reading for "
                    "the child is that their own understanding decides (Gillick competence), and that their "
                    "view is always recorded.", "001, 3.a and 4.a"),
)
PARENT_CONSENTS = Wording(
    "parent-consents",
    "A parent or carer consents for them.",
    formgen_reading("A child the worker has not recorded as able to decide for themselves does not sign: a "
                    "parent or carer consents for them (Gillick v West Norfolk and Wisbech AHA [1986] AC 112).",
                    "001, 3.a"),
)
RECORDS = Wording(
    "records",
    "The social worker scans the signed form onto carefirst (carestore). If a Targeted Early Help service has "
    "no access to carefirst, the Early Help Manager forwards the signed form to them securely.",
    guidance("001", "3.a, 4.a", says="SF consent form is scanned onto carefirst under carestore. If a Targeted EH "
             "Service does not have access to carefirst, the EH Manager will securely forward the signed consent "
             "form onto them."),
)

WORDING = (INSTRUCTIONS, DEFAULT_PURPOSE, *STATEMENTS.values(), WHO_SIGNS, HOW_TO_SIGN, CHILDREN_CONSENT,
           PARENT_CONSENTS, RECORDS)

# ---------------------------------------------------------------- the rules

GILLICK = law("Gillick v West Norfolk and Wisbech AHA [1986] AC 112",
              says="A child under 16 can consent for themselves once they have enough understanding and "
                   "intelligence to understand fully what is proposed; no fixed age decides it.")
# Either parent or carer signing side 1 and side 2 of the example: what a breach of the signing rules builds on.
_SIGNED_BY_MOTHER = {"household.0.side_1_signature": "Rhiannon Price", "household.0.side_1_date": "2026-11-20",
                     "household.0.side_2_signature": "Rhiannon Price", "household.0.side_2_date": "2026-11-20"}

RESIDENT_ON_FORM = rule(
    "resident-parent-on-form",
    "At least one parent or carer on the form lives in the household: no request for Early Help intervention "
    "is accepted until one of them has signed.",
    guidance("001", "3.a, 3.b", says="At least a signature from one parent/carer living within the household is "
             "required before any request for intervention is accepted."),
    ("household",),
    breach={"household.0.lives_in_household": False, "household.1.lives_in_household": False},
)
SIGNATURE_DATED = rule(
    "signature-dated",
    "Each signature has its date, and a date is given only beside a signature.",
    formgen_reading("A signature without its date cannot show when consent was given; a date without a "
                    "signature reads as consent that was never given.", "001, 4.a (signed on both sides)"),
    ("household.*.side_1_signature", "household.*.side_1_date", "household.*.side_2_signature",
     "household.*.side_2_date", "children.*.signature", "children.*.signature_date"),
    breach={"household.0.side_1_date": "2026-11-20"},
)
SIGNED_AFTER_PREPARED = rule(
    "signed-after-prepared",
    "No one signs before the date the form was prepared.",
    formgen_reading("A signature dated before the form existed is a mistake in the date, or a signature "
                    "taken from another form."),
    ("household.*.side_1_date", "household.*.side_2_date", "children.*.signature_date"),
    breach={**_SIGNED_BY_MOTHER, "household.0.side_1_date": "2026-11-01"},
)
CHILD_UNDERSTANDS = rule(
    "child-signs-when-they-understand",
    "A child or young person signs for themselves, at any age, only when the worker records that they "
    "understand what sharing their information means and can decide for themselves (Gillick competence); "
    "otherwise a parent or carer consents for them, and the child's view is recorded either way.",
    [GILLICK,
     guidance("001", "3.a", says="The SW will talk to the child/young person and family about the agreed plan to "
              "step down to secure their full engagement and consent to sharing information"),
     formgen_reading("The guidance sets no age. The age of 13 in UK GDPR Article 8 (which the guidance asks "
                     "workers to consider) concerns online services offered directly to children, not consent to "
                     "share information in children's social care; formgen applies no age, and the worker's "
                     "judgement of the child's understanding decides.", "001, 3.a and 3.b")],
    ("children.*.signature", "children.*.can_sign"),
    breach={"children.1.signature": "Noah Price", "children.1.signature_date": "2026-11-20"},
)
RESIDENT_SIGNS = rule(
    "resident-parent-signs",
    "Once a parent or carer has signed, at least one who lives in the household has signed: a signature from "
    "a parent or carer who lives elsewhere is not enough.",
    guidance("001", "3.a, 3.b", says="At least a signature from one parent/carer living within the household is "
             "required before any request for intervention is accepted."),
    ("household",),
    breach={key.replace("household.0", "household.2"): value for key, value in _SIGNED_BY_MOTHER.items()},
)
SIGNED_ON_BOTH_SIDES = rule(
    "signed-on-both-sides",
    "Once a parent or carer has signed, each side is signed and dated by a parent or carer who lives in the "
    "household (one may sign side 1 and another side 2).",
    guidance("001", "4.a, 4.b", says="signed on both sides and relevant boxes ticked on the consent form"),
    ("household",),
    breach={key: value for key, value in _SIGNED_BY_MOTHER.items() if "side_1" in key},
)
BOXES_TICKED = rule(
    "relevant-boxes-ticked",
    "Once a parent or carer has signed, the boxes there is no consent to share without are ticked: the purpose "
    "is understood, sharing and ECINS are agreed, and the right to withdraw is understood.",
    [guidance("001", "4.a, 4.b", says="signed on both sides and relevant boxes ticked on the consent form"),
     formgen_reading("The guidance does not say which boxes are relevant: formgen takes those without which "
                     "there is no informed consent to share; the programme-checks and feedback boxes stay "
                     "optional.", "001, 4.a")],
    tuple(f"statements.{key}" for key in REQUIRED_STATEMENTS),
    breach=_SIGNED_BY_MOTHER,
)
RULES: tuple[Rule, ...] = (RESIDENT_ON_FORM, SIGNATURE_DATED, SIGNED_AFTER_PREPARED, CHILD_UNDERSTANDS,
                           RESIDENT_SIGNS, SIGNED_ON_BOTH_SIDES, BOXES_TICKED)

# ---------------------------------------------------------------- the schema

# Input limits: the largest body these allow fits the form's two sides (tested), so no valid body is
# refused for its length.
NAME = 40
SIGNATURE = NAME  # a name typed on screen counts as signing
VIEW = 220
RELATIONSHIP = 30


class ConsentAddressSchema(AddressSchema):
    line_1 = f.line("Address line 1", max_length=60)
    line_2 = f.line("Address line 2", required=False, max_length=60)
    town = f.line("Town or city", max_length=30)


class WorkerSchema(ContactSchema):
    name = f.line("Name", max_length=NAME)
    role = f.line("Role", required=False, max_length=40)
    team = f.line("Team or agency", required=False, max_length=50)
    telephone = f.line("Telephone", required=False, max_length=20)
    email = f.formatted("Email", pattern=f.EMAIL, example="name@example.org", what="an email address",
                        required=False, max_length=60)


def _signature(label: str, when: str) -> Any:
    return f.required_when(
        f.line(label, required=False, max_length=SIGNATURE,
               hint="Filled in on screen: a name typed here counts as signed. On paper, signed by hand."),
        when,
    )


class HouseholdMemberSchema(f.FormSchema):
    full_name = f.line("Parent or carer's full name", max_length=NAME)
    relationship = f.line("Relationship to the children", max_length=RELATIONSHIP,
                          hint="For example: mother, stepfather, kinship carer.")
    lives_in_household = f.boolean("Lives in the household")
    side_1_signature = _signature("Signature on side 1", "from at least one parent or carer living in the "
                                  "household, once the form is signed")
    side_1_date = f.required_when(f.date("Date signed on side 1", required=False, past=True), "when side 1 is signed")
    side_2_signature = _signature("Signature on side 2", "from at least one parent or carer living in the "
                                  "household, once the form is signed")
    side_2_date = f.required_when(f.date("Date signed on side 2", required=False, past=True), "when side 2 is signed")


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name", max_length=NAME)
    date_of_birth = f.date("Child's date of birth", past=True)
    nhs_number = f.nhs_number()
    view = f.text("The child's or young person's view", required=False, max_length=VIEW,
                  hint="In their own words where possible.")
    can_sign = f.boolean(
        "Understands and can decide for themselves (Gillick competence)", required=False,
        hint="True when the worker judges that this child understands what sharing their information means and "
             "can decide for themselves, whatever their age: they then sign for themselves. Otherwise a parent "
             "or carer consents for them. Their view is recorded either way.",
    )
    signature = f.line("Child's or young person's signature", required=False, max_length=SIGNATURE,
                       hint="Only when the worker records that they understand and can decide for themselves.")
    signature_date = f.required_when(
        f.date("Date the child or young person signed", required=False, past=True), "when the child signs")


class AgencySchema(f.FormSchema):
    name = f.line("Agency", max_length=50)
    role = f.line("What the agency does for the family", required=False, max_length=80)


def _box(key: str) -> Any:
    """A box the family ticks, named in error messages by its opening words."""
    return f.boolean(STATEMENTS[key].text, required=False, called=f"“{BOX_OPENINGS[key]}…”")


class StatementsSchema(f.FormSchema):
    """Each box the family ticks: true when ticked (a pre-filled form leaves them out)."""

    understands_purpose = _box("understands_purpose")
    agrees_to_share = _box("agrees_to_share")
    agrees_to_ecins = _box("agrees_to_ecins")
    understands_withdrawal = _box("understands_withdrawal")
    agrees_to_programme_checks = _box("agrees_to_programme_checks")
    happy_to_give_feedback = _box("happy_to_give_feedback")


# The list's own messages, filed where marshmallow keeps them beside its items' errors (a row's date and the
# household's signing can both be wrong); flatten_errors reports them as "household".
HOUSEHOLD = "household._schema"


def _check_signature(errors: RuleErrors, path: str, row: Mapping[str, Any], signature: str, date: str,
                     where: str, prepared: dt.date | None) -> None:
    signed, dated = row.get(signature), row.get(date)
    if dated and not signed:
        errors.add(SIGNATURE_DATED, f"{path}.{signature}",
                   f"A date is given {where} but no signature: sign {where}, or remove the date.")
    if signed and not dated:
        errors.add(SIGNATURE_DATED, f"{path}.{date}", f"Date the signature {where}.")
    if dated and prepared and dated < prepared:
        errors.add(SIGNED_AFTER_PREPARED, f"{path}.{date}",
                   f"The date signed {where} cannot be before the date the form was prepared ({uk_date(prepared)}).")


def _check_child(errors: RuleErrors, index: int, child: Mapping[str, Any]) -> None:
    if child.get("signature") and not child.get("can_sign"):
        errors.add(CHILD_UNDERSTANDS, f"children.{index}.signature",
                   f"{child.get('full_name')} has signed: record that they understand and can decide for "
                   "themselves (Gillick competence), or remove their signature.")


def _signed_by(household: Iterable[Mapping[str, Any]], side: int) -> list[Mapping[str, Any]]:
    return [m for m in household if m.get(f"side_{side}_signature")]


def _check_signed_form(errors: RuleErrors, household: list[Mapping[str, Any]], statements: Mapping[str, Any]) -> None:
    """The rules of a signed form: a resident parent or carer signs, on both sides, with the relevant boxes ticked."""
    signers = _signed_by(household, 1) + _signed_by(household, 2)
    if signers and not any(m.get("lives_in_household") for m in signers):
        errors.add(RESIDENT_SIGNS, HOUSEHOLD,
                   "Only a parent or carer who lives elsewhere has signed: a parent or carer living in the "
                   "household must sign too (3.a, 3.b).")
    for side in (1, 2):
        if not any(m.get("lives_in_household") and m.get(f"side_{side}_date") for m in _signed_by(household, side)):
            errors.add(SIGNED_ON_BOTH_SIDES, HOUSEHOLD,
                       f"A parent or carer living in the household must sign and date side {side} (3.a, 4.a).")
    for key in REQUIRED_STATEMENTS:
        if statements.get(key) is not True:
            side = 1 if key in SIDE_1_STATEMENTS else 2
            errors.add(BOXES_TICKED, f"statements.{key}",
                       f"Tick “{BOX_OPENINGS[key]}…” on side {side}: a signed form needs it (4.a, 4.b).")


class ConsentSchema(f.FormSchema):
    # A form read back after signing is held to the signing rules even when no one has signed it.
    always_signed: ClassVar[bool] = False

    carefirst_number = f.case_id("carefirst number", "carefirst", hint="The case's number on carefirst.")
    prepared_on = f.date("Date the form was prepared", past=True)
    address = f.group(ConsentAddressSchema, "Family address")
    household = f.rows(HouseholdMemberSchema, "Parents and carers", minimum=1, maximum=4,
                       hint="Each parent or carer, and whether they live in the household.")
    children = f.rows(ChildSchema, "Children and young people", minimum=1, maximum=4,
                      hint="Up to four fit the form's two sides; for a larger family, prepare a second form for the "
                           "other children.")
    purpose = f.text("Purpose of sharing information", required=False, max_length=500,
                     hint="Left out: the standard purpose (sharing with the agencies of the Whole Family Action Plan).")
    agencies = f.rows(AgencySchema, "Agencies information will be shared with", minimum=1, maximum=6,
                      hint="Up to six fit side 1: group services of one agency on one line (for example, Health: "
                           "health visitor and GP).")
    statements = f.group(StatementsSchema, "Statements the family ticks", required=False)
    worker = f.group(WorkerSchema, "Worker obtaining consent")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        prepared: dt.date | None = data.get("prepared_on")
        household = data.get("household") or []
        if household and not any(m.get("lives_in_household") for m in household):
            errors.add(RESIDENT_ON_FORM, HOUSEHOLD, "Add a parent or carer who lives in the household: one of them "
                                                    "must sign before Early Help can be requested (3.a, 3.b).")
        for index, member in enumerate(household):
            for side in (1, 2):
                _check_signature(errors, f"household.{index}", member, f"side_{side}_signature",
                                 f"side_{side}_date", f"on side {side}", prepared)
        for index, child in enumerate(data.get("children") or []):
            _check_signature(errors, f"children.{index}", child, "signature", "signature_date",
                             "by the child or young person", prepared)
            _check_child(errors, index, child)
        if household and (self.always_signed or _signed_by(household, 1) or _signed_by(household, 2)):
            _check_signed_form(errors, household, data.get("statements") or {})
        errors.raise_any()


class CompletedConsentSchema(ConsentSchema):
    """A completed form read back by formgen/documents/extract.py: the signing rules apply even unsigned."""

    always_signed: ClassVar[bool] = True


# ---------------------------------------------------------------- the document


def _shown(value: str | None) -> str:
    """A form field's printed value; Word's empty field (five en spaces) when there is none."""
    return value if value else EMPTY_RESULT


def _date_shown(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else EMPTY_RESULT


def _mark(*wordings: Wording) -> str:
    """The dagger that sends the reader to TEMPLATE_NOTE, for words formgen drafted for the council to confirm."""
    return TEMPLATE_MARK if any(w.source.kind is SourceKind.TEMPLATE_DEFAULT for w in wordings) else ""


def _child_row(child: Mapping[str, Any], prepared: dt.date) -> dict[str, Any]:
    return {
        "full_name": child["full_name"],
        "date_of_birth": uk_date(child["date_of_birth"]),
        "age": age_text(child["date_of_birth"], prepared),
        "nhs_number": f.format_nhs_number(child.get("nhs_number")),
        "view": _shown(child.get("view")),
        "signs": bool(child.get("can_sign")),
        "signature": _shown(child.get("signature")),
        "signature_date": _date_shown(child.get("signature_date")),
    }


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    prepared: dt.date = data["prepared_on"]
    ticked = data.get("statements") or {}
    household = [
        {
            "full_name": m["full_name"],
            "relationship": m["relationship"],
            "lives": 1 if m["lives_in_household"] else 0,
            "sig1": _shown(m.get("side_1_signature")),
            "date1": _date_shown(m.get("side_1_date")),
            "sig2": _shown(m.get("side_2_signature")),
            "date2": _date_shown(m.get("side_2_date")),
        }
        for m in data["household"]
    ]
    purpose_words = [] if data.get("purpose") else [DEFAULT_PURPOSE]
    side_1 = [INSTRUCTIONS, *purpose_words, *(STATEMENTS[key] for key in SIDE_1_STATEMENTS), WHO_SIGNS, HOW_TO_SIGN]
    side_2 = [STATEMENTS[key] for key in SIDE_2_STATEMENTS]
    return {
        "carefirst_number": data["carefirst_number"],
        "prepared_on": uk_date(prepared),
        "instructions": INSTRUCTIONS.text,
        "instructions_mark": _mark(INSTRUCTIONS),
        "address": address_text(data["address"]),
        "household": household,
        "children": [_child_row(child, prepared) for child in data["children"]],
        "purpose": data.get("purpose") or DEFAULT_PURPOSE.text,
        "purpose_mark": _mark(*purpose_words),
        "agencies": [{"name": a["name"], "role": a.get("role") or ""} for a in data["agencies"]],
        "statements": {
            key: {"text": words.text, "mark": _mark(words), "checked": 1 if ticked.get(key) else 0}
            for key, words in STATEMENTS.items()
        },
        "who_signs": WHO_SIGNS.text,
        "who_signs_mark": _mark(WHO_SIGNS),
        "how_to_sign": HOW_TO_SIGN.text,
        "how_to_sign_mark": _mark(HOW_TO_SIGN),
        "children_consent": CHILDREN_CONSENT.text,
        "parent_consents": PARENT_CONSENTS.text,
        "records": RECORDS.text,
        "side_1_note": TEMPLATE_NOTE if _mark(*side_1) else "",
        "side_2_note": TEMPLATE_NOTE if _mark(*side_2) else "",
        "template_mark": TEMPLATE_MARK,
        "worker": contact_text(data["worker"]),
    }


# ---------------------------------------------------------------- prefill

_PARENT_WORDS = ("mother", "father", "mum", "dad", "parent", "carer", "guardian", "step", "grand", "aunt",
                 "uncle", "partner", "foster")


def shares(body: Mapping[str, Any]) -> SharedCase:
    number = body.get("carefirst_number")
    return drop_empty({
        "as_of": iso(body.get("prepared_on")),
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": iso(c.get("date_of_birth")),
             "nhs_number": c.get("nhs_number"), "case_ids": {"carefirst": number} if number else {}}
            for c in body.get("children") or []
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "lives_in_household": m.get("lives_in_household")}
            for m in body.get("household") or []
        ],
        "address": body.get("address"),
        "worker": body.get("worker"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    """The household (parents and carers), the children and the address of a shared case.

    A child of the family the source lists among the family (formgen/core/shared.py) is one of the children;
    of the adults, only parents and carers sign, so only they are the household."""
    case = with_children_of_family(case)
    children = case.get("children") or []
    household = [m for m in case.get("family_members") or []
                 if any(word in (m.get("relationship") or "").lower() for word in _PARENT_WORDS)]
    number = next((c.get("case_ids", {}).get("carefirst") for c in children if c.get("case_ids")), None)
    return drop_empty({
        "carefirst_number": number,
        "address": case.get("address"),
        "household": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "lives_in_household": m.get("lives_in_household")}
            for m in household
        ],
        "children": [{"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
                      "nhs_number": c.get("nhs_number")} for c in children],
        "worker": case.get("worker"),
    })


EXAMPLE: dict[str, Any] = {
    "carefirst_number": "CF2284619",
    "prepared_on": "2026-11-16",
    "address": {"line_1": "7 Severn View Close", "town": "Shrewsbury", "postcode": "SY3 9ZZ"},
    "household": [
        {"full_name": "Rhiannon Price", "relationship": "Mother", "lives_in_household": True},
        {"full_name": "Tomasz Nowak", "relationship": "Stepfather", "lives_in_household": True},
        {"full_name": "Gareth Price", "relationship": "Father", "lives_in_household": False},
    ],
    "children": [
        {"full_name": "Amelia Price", "date_of_birth": "2012-03-21", "nhs_number": "9990001006", "can_sign": True,
         "view": "I want Mum to get some help with Noah and I want to keep going to football."},
        {"full_name": "Noah Price", "date_of_birth": "2019-09-02", "nhs_number": "9990001014",
         "view": "Noah drew his family and said he likes it when Tomasz takes him to the park."},
    ],
    "purpose": "To share information about our family with the agencies in our Early Help Whole Family Action "
               "Plan, so they can work together with us on Amelia's school attendance and Noah's speech and "
               "language, and so the Strengthening Families team can record the plan on ECINS.",
    "agencies": [
        {"name": "Targeted Early Help (Shrewsbury locality)", "role": "Lead professional and family support"},
        {"name": "Meole Brace School", "role": "Amelia's school: attendance and pastoral support"},
        {"name": "Health visiting team", "role": "Noah's speech and language referral"},
        {"name": "Strengthening Families team", "role": "Records the plan on ECINS"},
    ],
    "worker": {"name": "Owen Hughes", "role": "Social Worker", "team": "Assessment Team 2",
               "telephone": "01743 496 012", "email": "owen.hughes@example.org"},
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the form", ("carefirst_number", "prepared_on", "address")),
    ("Parents and carers", ("household",)),
    ("Children and young people", ("children",)),
    ("Purpose of sharing", ("purpose",)),
    ("Agencies", ("agencies",)),
    ("Statements", ("statements",)),
    ("Worker", ("worker",)),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Strengthening Families consent form",
    authority="Shropshire Council",
    description="Consent to share information with the agencies of the Early Help Whole Family Action Plan; "
                "signed on both sides, fillable on screen and read back.",
    source="001_758cea11271c27d3.txt, 3.a, 3.b, 4.a, 4.b",
    schema=ConsentSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=2,
    # One sheet, two sides: the largest body the schema allows fits them (tested), so the limit refuses nothing valid.
    page_limit_source=guidance("001", "4.a, 4.b", says="SW to obtain a signed Strengthening Families (SF) consent "
                               "form (signed on both sides and relevant boxes ticked on the consent form)"),
    filename=lambda data: f"strengthening-families-consent-{data['carefirst_number']}",
    shares=shares,
    takes=takes,
    completed_schema=CompletedConsentSchema,
    rules=RULES,
    wording=WORDING,
)
