"""Shropshire: the Strengthening Families consent form (seed 001, 3.a, 3.b, 4.a, 4.b).

No request for Early Help intervention is accepted until at least one parent or carer living in the
household has signed it, "signed on both sides and relevant boxes ticked on the consent form" (4.a, 4.b).
The form is pre-filled with the household, the children, the address, the carefirst number, the purpose
and the agencies; the family signs it by hand, or on screen in the fillable PDF, and
POST /api/forms/{id}/extract reads a completed PDF back (formgen/documents/extract.py), checked by
CompletedConsentSchema below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates_schema

from formgen.core import fields as f
from formgen.core.dates import age_on, age_text, uk_date
from formgen.core.fields import EMPTY_RESULT
from formgen.core.registry import FormSpec
from formgen.core.shared import SharedCase, drop_empty
from forms.common import AddressSchema, ContactSchema, address_text, contact_text

FORM_ID = "shropshire-strengthening-families-consent"

# UK GDPR Article 8 as amended by the Data Protection Act 2018, s.9: 13 in the UK. Recital 38: children
# merit specific protection of their personal data.
AGE_OF_CONSENT = 13

DEFAULT_PURPOSE = (
    "To share information about your family with the agencies involved in your Early Help Whole Family "
    "Action Plan, so that they can work together with you to give the right support at the right time. "
    "Your family's details and plan will be recorded on ECINS, Shropshire's Early Help case system, by "
    "the Strengthening Families team."
)

# What the family ticks. Side 1: the consent itself; side 2: their rights and the programme.
STATEMENTS_SIDE_1: dict[str, str] = {
    "understands_purpose": "I understand why information about my family will be shared, and who it will be shared with.",
    "agrees_to_share": "I agree that the agencies listed may share information about my family with each other "
                       "for the Early Help Whole Family Action Plan.",
    "agrees_to_ecins": "I agree that my family's details and plan may be recorded on ECINS by the Strengthening "
                       "Families team.",
}
STATEMENTS_SIDE_2: dict[str, str] = {
    "understands_withdrawal": "I understand that I can withdraw my consent at any time by telling my lead "
                              "professional or social worker, and that information will still be shared "
                              "without consent if a child is at risk of significant harm.",
    "agrees_to_programme_checks": "I agree that the Strengthening Families team may use this information to check "
                                  "the progress of our plan and for claims under the national Supporting "
                                  "Families programme.",
    "happy_to_give_feedback": "I am happy to be contacted later for feedback about the help my family received.",
}
# "Relevant boxes ticked" (4.a, 4.b): the boxes without which there is no consent to share.
REQUIRED_STATEMENTS = ("understands_purpose", "agrees_to_share", "agrees_to_ecins", "understands_withdrawal")


class HouseholdMemberSchema(f.FormSchema):
    full_name = f.line("Parent or carer's full name")
    relationship = f.line("Relationship to the children", max_length=60, hint="For example: mother, stepfather, kinship carer.")
    lives_in_household = f.boolean("Lives in the household")
    side_1_signature = f.line("Signature on side 1", required=False,
                              hint="Filled in on screen: a name typed here counts as signed. On paper, signed by hand.")
    side_1_date = f.date("Date signed on side 1", required=False, past=True)
    side_2_signature = f.line("Signature on side 2", required=False,
                              hint="Filled in on screen: a name typed here counts as signed. On paper, signed by hand.")
    side_2_date = f.date("Date signed on side 2", required=False, past=True)


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    date_of_birth = f.date("Child's date of birth", past=True)
    view = f.text("The child's or young person's view", required=False, max_length=600,
                  hint="In their own words where possible.")
    can_sign = f.boolean("Of an age and understanding to sign", required=False,
                         hint=f"Children aged {AGE_OF_CONSENT} or over may sign for themselves (UK GDPR Article 8); "
                              "set true for a younger child the worker judges able to understand.")
    signature = f.line("Child's or young person's signature", required=False)
    signature_date = f.date("Date the child or young person signed", required=False, past=True)


class AgencySchema(f.FormSchema):
    name = f.line("Agency")
    role = f.line("What the agency does for the family", required=False)


class StatementsSchema(f.FormSchema):
    """Each box the family ticks: true when ticked (a pre-filled form leaves them out)."""

    understands_purpose = f.boolean(STATEMENTS_SIDE_1["understands_purpose"], required=False)
    agrees_to_share = f.boolean(STATEMENTS_SIDE_1["agrees_to_share"], required=False)
    agrees_to_ecins = f.boolean(STATEMENTS_SIDE_1["agrees_to_ecins"], required=False)
    understands_withdrawal = f.boolean(STATEMENTS_SIDE_2["understands_withdrawal"], required=False)
    agrees_to_programme_checks = f.boolean(STATEMENTS_SIDE_2["agrees_to_programme_checks"], required=False)
    happy_to_give_feedback = f.boolean(STATEMENTS_SIDE_2["happy_to_give_feedback"], required=False)


def _signature_pairs(errors: dict[str, Any], path: tuple[Any, ...], row: Mapping[str, Any],
                     signature: str, date: str, where: str, prepared: dt.date | None) -> None:
    def add(field: str, message: str) -> None:
        target = errors
        for key in path:
            target = target.setdefault(key, {})
        target.setdefault(field, []).append(message)

    signed, dated = row.get(signature), row.get(date)
    if dated and not signed:
        add(signature, f"A date is given {where} but no signature: sign {where}, or remove the date.")
    if signed and not dated:
        add(date, f"Date the signature {where}.")
    if dated and prepared and dated < prepared:
        add(date, f"The date signed {where} cannot be before the date the form was prepared ({uk_date(prepared)}).")


class ConsentSchema(f.FormSchema):
    carefirst_number = f.line("carefirst number", max_length=20, hint="The case's number on carefirst.")
    prepared_on = f.date("Date the form was prepared", past=True)
    address = f.group(AddressSchema, "Family address")
    household = f.rows(HouseholdMemberSchema, "Parents and carers", minimum=1, maximum=4,
                       hint="Each parent or carer, and whether they live in the household.")
    children = f.rows(ChildSchema, "Children and young people", minimum=1, maximum=6)
    purpose = f.text("Purpose of sharing information", required=False, max_length=1000,
                     hint="Left out: the standard purpose (sharing with the agencies of the Whole Family Action Plan).")
    agencies = f.rows(AgencySchema, "Agencies information will be shared with", minimum=1, maximum=10)
    statements = f.group(StatementsSchema, "Statements the family ticks", required=False)
    worker = f.group(ContactSchema, "Worker obtaining consent")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        prepared: dt.date | None = data.get("prepared_on")
        household = data.get("household") or []
        if household and not any(m.get("lives_in_household") for m in household):
            errors["household"] = [
                "At least one parent or carer on the form must live in the household: no request for "
                "Early Help intervention is accepted until one of them has signed (3.a, 3.b)."
            ]
        for index, member in enumerate(household):
            for side in (1, 2):
                _signature_pairs(errors, ("household", index), member, f"side_{side}_signature",
                                 f"side_{side}_date", f"on side {side}", prepared)
        for index, child in enumerate(data.get("children") or []):
            _signature_pairs(errors, ("children", index), child, "signature", "signature_date",
                             "by the child or young person", prepared)
            born = child.get("date_of_birth")
            on = child.get("signature_date") or prepared
            if child.get("signature") and born and on and age_on(born, on) < AGE_OF_CONSENT and not child.get("can_sign"):
                errors.setdefault("children", {}).setdefault(index, {}).setdefault("signature", []).append(
                    f"{child.get('full_name')} is under {AGE_OF_CONSENT}, the age at which a child can consent for "
                    "themselves in the UK (UK GDPR Article 8; Recital 38): a parent or carer consents for them. "
                    "Record their view instead, or set can_sign to true if the worker judges they have the age "
                    "and understanding to sign."
                )
        if errors:
            raise ValidationError(errors)


class CompletedConsentSchema(ConsentSchema):
    """A completed form (read back by formgen/documents/extract.py): signed on both sides, relevant boxes ticked."""

    @validates_schema
    def _completed(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        resident = [m for m in data.get("household") or [] if m.get("lives_in_household")]
        missing: list[str] = []
        for side in (1, 2):
            if not any(m.get(f"side_{side}_signature") and m.get(f"side_{side}_date") for m in resident):
                missing.append(
                    f"No parent or carer living in the household has signed and dated side {side}. The form must "
                    "be signed on both sides by at least one parent or carer living in the household before a "
                    "request for Early Help intervention is accepted (3.a, 3.b, 4.a)."
                )
        if missing:
            errors["household"] = missing
        statements = data.get("statements") or {}
        for key in REQUIRED_STATEMENTS:
            if statements.get(key) is not True:
                side = 1 if key in STATEMENTS_SIDE_1 else 2
                errors.setdefault("statements", {})[key] = [
                    f"Tick this box on side {side}: “{(STATEMENTS_SIDE_1 | STATEMENTS_SIDE_2)[key]}” "
                    "The form needs the relevant boxes ticked (4.a, 4.b)."
                ]
        if errors:
            raise ValidationError(errors)


# formgen/documents/extract.py validates a completed PDF with this schema instead of the form's own.


def _shown(value: str | None) -> str:
    """A form field's printed value; Word's empty field (five en spaces) when there is none."""
    return value if value else EMPTY_RESULT


def _date_shown(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else EMPTY_RESULT


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    prepared: dt.date = data["prepared_on"]
    statements = data.get("statements") or {}
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
    children = []
    for child in data["children"]:
        age = age_on(child["date_of_birth"], prepared)
        signs = age >= AGE_OF_CONSENT or bool(child.get("can_sign"))
        children.append({
            "full_name": child["full_name"],
            "date_of_birth": uk_date(child["date_of_birth"]),
            "age": age_text(child["date_of_birth"], prepared),
            "view": _shown(child.get("view")),
            "signs": signs,
            "signature": _shown(child.get("signature")),
            "signature_date": _date_shown(child.get("signature_date")),
            "who_consents": (
                ""
                if signs else
                f"Under {AGE_OF_CONSENT}: a parent or carer consents for them (UK GDPR Article 8, Recital 38). "
                "Their view is recorded above."
            ),
        })
    agencies = [f"{a['name']}: {a['role']}" if a.get("role") else a["name"] for a in data["agencies"]]
    return {
        "carefirst_number": data["carefirst_number"],
        "prepared_on": uk_date(prepared),
        "address": address_text(data["address"]),
        "household": household,
        "children": children,
        "purpose": data.get("purpose") or DEFAULT_PURPOSE,
        "agencies": "\n".join(agencies),
        "statements": {
            key: {"text": text, "checked": 1 if statements.get(key) else 0}
            for key, text in {**STATEMENTS_SIDE_1, **STATEMENTS_SIDE_2}.items()
        },
        "worker": contact_text(data["worker"]),
    }


_PARENT_WORDS = ("mother", "father", "mum", "dad", "parent", "carer", "guardian", "step", "grand", "aunt",
                 "uncle", "partner", "foster")
_CHILD_WORDS = ("brother", "sister", "sibling", "son", "daughter", "half")


def shares(body: Mapping[str, Any]) -> SharedCase:
    number = body.get("carefirst_number")
    return drop_empty({
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
             "case_ids": {"carefirst": number} if number else {}}
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
    """The household (parents and carers), the children and the address of a shared case."""
    children: list[dict[str, Any]] = [dict(c) for c in case.get("children") or []]
    household = []
    for member in case.get("family_members") or []:
        relationship = (member.get("relationship") or "").lower()
        if any(word in relationship for word in _CHILD_WORDS) and not any(w in relationship for w in ("step", "grand")):
            children.append({"full_name": member.get("full_name"), "date_of_birth": member.get("date_of_birth")})
        elif any(word in relationship for word in _PARENT_WORDS):
            household.append(member)
    number = next((c.get("case_ids", {}).get("carefirst") for c in children if c.get("case_ids")), None)
    return drop_empty({
        "carefirst_number": number,
        "address": case.get("address"),
        "household": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "lives_in_household": m.get("lives_in_household")}
            for m in household
        ],
        "children": [{"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth")} for c in children],
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
        {"full_name": "Amelia Price", "date_of_birth": "2012-03-21",
         "view": "I want Mum to get some help with Noah and I want to keep going to football."},
        {"full_name": "Noah Price", "date_of_birth": "2019-09-02",
         "view": "Noah drew his family and said he likes it when Tomasz takes him to the park."},
    ],
    "agencies": [
        {"name": "Targeted Early Help (Shrewsbury locality)", "role": "Lead professional and family support"},
        {"name": "Meole Brace School", "role": "Amelia's school: attendance and pastoral support"},
        {"name": "Health visiting team", "role": "Noah's speech and language referral"},
        {"name": "Strengthening Families team", "role": "Records the plan on ECINS"},
    ],
    "worker": {"name": "Owen Hughes", "role": "Social Worker", "team": "Assessment Team 2",
               "telephone": "01743 496 012", "email": "owen.hughes@example.org"},
}

FORM = FormSpec(
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
    filename=lambda data: f"strengthening-families-consent-{data['carefirst_number']}",
    shares=shares,
    takes=takes,
    completed_schema=CompletedConsentSchema,
)
