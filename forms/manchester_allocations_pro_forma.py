"""Manchester: Early Help Allocations Pro Forma (seed 002, Appendix 2; rules from 3.8, 5.1, 5.5, Appendix 1).

A social worker stepping a family down to an Early Help Hub, or asking for joint work, attaches this
to the Children & Family Referral on Micare in place of its section 5. At most two pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates_schema

from formgen.core import fields as f
from formgen.core.dates import age_text, uk_date
from formgen.core.registry import FormSpec
from formgen.core.shared import SharedCase, drop_empty
from forms.common import AddressSchema, ContactSchema, address_text, contact_text, join_lines, person_row

FORM_ID = "manchester-allocations-pro-forma"

# Appendix 1: Child and Whole Family Decision Framework, Level of Need.
LEVELS_OF_NEED: dict[int, tuple[str, str]] = {
    1: ("Needs are being met, or can be met, by universal services.", "Universal Services"),
    2: ("Additional needs that a single agency can meet, or by signposting to another agency; "
        "an Early Help Assessment (EHA) is completed.", "Early Help Hub"),
    3: ("Would benefit from a coordinated programme of support from more than one agency, using the "
        "Early Help Assessment and a team around the child meeting.", "Early Help Hub"),
    4: ("Needs intensive, coordinated support for complex issues via targeted services / Early Help Hubs, "
        "where support at level 3 has not improved outcomes; an EHA should have been completed before.",
        "Early Help Hub (or MASH)"),
    5: ("At risk of, or suffering, significant harm, or needs acute services or care away from home.", "MASH"),
}

HOUSING = {
    "private-rented": "Private rented",
    "home-owner": "Home owner",
    "housing-association": "Housing association",
    "other": "Other",
}

REQUEST_TYPES = {"step-down": "Step-down", "joint-worked": "Joint worked"}
STATUS = {"step-down": "Step Down", "joint-worked": "Joint Social Work"}


class ChildSchema(f.FormSchema):
    name = f.line("Subject child's full name")
    micare_id = f.line("Micare ID", max_length=20, hint="The child's Micare number.")
    date_of_birth = f.date("Subject child's date of birth", past=True)


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the child", max_length=60, hint="For example: mother, brother, stepfather.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    notes = f.text("Notes", required=False, max_length=400,
                   hint="For example, where a father is absent, the contact arrangements in place.")


class VisitSchema(f.FormSchema):
    date = f.date("Date of the meeting or visit")
    kind = f.line("Meeting or visit", max_length=120, hint="For example: joint handover visit, final Child in Need meeting.")
    with_whom = f.line("With whom", max_length=200)


class ProFormaSchema(f.FormSchema):
    date_completed = f.date("Date completed", past=True)
    child = f.group(ChildSchema, "Subject child")
    family_members = f.rows(FamilyMemberSchema, "Family composition", minimum=1, maximum=15,
                            hint="Siblings and parents, with full names; note absent fathers' contact arrangements.")
    address = f.group(AddressSchema, "Address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    email = f.line("Family email", required=False, max_length=254)
    housing_provider = f.choice("Housing provider", HOUSING)
    housing_provider_other = f.line("Other housing provider", required=False)
    cafr_date = f.date("Date referred to Early Help (date of CAFR)", past=True)
    reason_for_referral = f.text("Reason being referred to Allocations", max_length=1500)
    referrer = f.group(ContactSchema, "Referrer")
    worried_about = f.text("What are we worried about?", max_length=4000)
    cafa_completed_on = f.date("Date CAFA completed", required=False, past=True)
    planning_meeting_on = f.date("Date of planning meeting", required=False)
    level_of_need = f.integer("Level of need", minimum=1, maximum=5,
                              hint="Manchester's Level of Need, 1 to 5 (Appendix 1).")
    previous_eha_completed = f.boolean("An Early Help Assessment has been completed before", required=False,
                                       hint="Needed for level 4 (Appendix 1).")
    request_type = f.choice("Step-down or joint worked", REQUEST_TYPES)
    intervention_timescales = f.text("Timescales for the evidence-based intervention", required=False, max_length=1000,
                                     hint="Needed for joint-worked requests (5.5).")
    family_agrees = f.boolean("The family understands and agrees to the plan",
                              hint="Early Help is consent based (2.1, 3.3, 3.8).")
    working_well = f.text("What's working well / strengths?", max_length=4000)
    needs_to_happen = f.text("What needs to happen? (areas of identified need)", max_length=4000)
    forthcoming = f.rows(VisitSchema, "Forthcoming meetings and visits", minimum=1, maximum=10,
                         hint="Dates of forthcoming meetings or visits to the family for the joint handover (3.8, 5.5).")
    status_notes = f.text("Status of intervention: notes", required=False, max_length=500)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        level = data.get("level_of_need")
        request = data.get("request_type")
        if level == 1:
            errors["level_of_need"] = [
                "Level 1 needs are met by universal services (Appendix 1), so this is not a referral "
                "to Early Help allocations. Signpost the family to universal services instead."
            ]
        if level == 5 and request == "step-down":
            errors["request_type"] = [
                "Level 5 is a referral to MASH (Appendix 1). Early Help can support a level 5 case only "
                "as joint work alongside social work (5.1): choose joint-worked, or refer to MASH."
            ]
        if level == 4 and data.get("previous_eha_completed") is not True:
            errors["previous_eha_completed"] = [
                "Level 4 is for families where support at level 3 has not improved outcomes, and an Early "
                "Help Assessment should have been completed before (Appendix 1). Confirm it has been, "
                "or consider level 3."
            ]
        if request == "joint-worked" and not data.get("intervention_timescales"):
            errors["intervention_timescales"] = [
                "A joint-worked request must give timescales for the evidence-based intervention (5.5)."
            ]
        if data.get("housing_provider") == "other" and not data.get("housing_provider_other"):
            errors["housing_provider_other"] = ["Say who the housing provider is when you choose Other."]
        if data.get("housing_provider") not in (None, "other") and data.get("housing_provider_other"):
            errors["housing_provider_other"] = ["Only give another housing provider when you choose Other."]
        if not data.get("cafa_completed_on") and not data.get("planning_meeting_on"):
            errors["cafa_completed_on"] = [
                "Give the date the CAFA was completed, the date of the planning meeting, or both."
            ]
        if data.get("family_agrees") is False:
            errors["family_agrees"] = [
                "Early Help is consent based: the family should understand and be part of the plan "
                "before a case is stepped down or joint worked (2.1, 3.3, 3.8)."
            ]
        completed: dt.date | None = data.get("date_completed")
        child = data.get("child") or {}
        born = child.get("date_of_birth")
        cafr = data.get("cafr_date")
        if completed and cafr and cafr > completed:
            errors["cafr_date"] = ["The CAFR date cannot be after the date this pro forma was completed."]
        if born and cafr and cafr < born:
            errors["cafr_date"] = ["The CAFR date cannot be before the child's date of birth."]
        for index, visit in enumerate(data.get("forthcoming") or []):
            if completed and visit.get("date") and visit["date"] < completed:
                errors.setdefault("forthcoming", {})[index] = {"date": [
                    "A forthcoming meeting or visit cannot be before the date this pro forma was completed."
                ]}
        if errors:
            raise ValidationError(errors)


def _level_text(level: int, completed: dt.date) -> str:
    meaning, pathway = LEVELS_OF_NEED[level]
    lines = [f"Level {level}: {meaning}", f"Referral pathway: {pathway}."]
    if level == 4:
        # 3.8.1 and 3.8.2: level 4 cases go to the next Thursday allocations meeting, within 5 days.
        days_to_thursday = (3 - completed.weekday()) % 7
        meeting = completed + dt.timedelta(days=days_to_thursday)
        lines.append(f"To be presented at the multi-agency allocations meeting on Thursday {uk_date(meeting)} (3.8.1).")
    if level == 3:
        lines.append("The Early Help Social Worker may give advice and guidance without allocation (3.8.1).")
    return "\n".join(lines)


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed: dt.date = data["date_completed"]
    child = data["child"]
    housing = data["housing_provider"]
    request = data["request_type"]
    contact = join_lines([
        address_text(data["address"]),
        f"Tel {data['telephone']}" if data.get("telephone") else "",
        data.get("email") or "",
    ])
    assessment = join_lines([
        f"CAFA completed {uk_date(data['cafa_completed_on'])}" if data.get("cafa_completed_on") else "",
        f"Planning meeting {uk_date(data['planning_meeting_on'])}" if data.get("planning_meeting_on") else "",
    ])
    status = STATUS[request]
    if data.get("status_notes"):
        status = f"{status}\n{data['status_notes']}"
    return {
        "date_completed": uk_date(completed),
        "child_name": child["name"],
        "micare_id": child["micare_id"],
        "child_date_of_birth": uk_date(child["date_of_birth"]),
        "child_age": age_text(child["date_of_birth"], completed),
        "family_members": [person_row(m, completed) for m in data["family_members"]],
        "address": contact,
        "housing_provider": data["housing_provider_other"] if housing == "other" else HOUSING[housing],
        "cafr_date": uk_date(data["cafr_date"]),
        "reason_for_referral": data["reason_for_referral"],
        "referrer": contact_text(data["referrer"]),
        "assessment_dates": assessment,
        "level_of_need": _level_text(data["level_of_need"], completed),
        "request_type": REQUEST_TYPES[request],
        "joint_worked": request == "joint-worked",
        "intervention_timescales": data.get("intervention_timescales") or "",
        "worried_about": data["worried_about"],
        "working_well": data["working_well"],
        "needs_to_happen": data["needs_to_happen"],
        "forthcoming": [
            {"date": uk_date(v["date"]), "kind": v["kind"], "with_whom": v["with_whom"]}
            for v in sorted(data["forthcoming"], key=lambda v: v["date"])
        ],
        "status_of_intervention": status,
    }


def shares(body: Mapping[str, Any]) -> SharedCase:
    child = body.get("child") or {}
    return drop_empty({
        "children": [{"full_name": child.get("name"), "date_of_birth": child.get("date_of_birth"),
                      "case_ids": {"Micare": child.get("micare_id")} if child.get("micare_id") else {}}],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "email": body.get("email"),
        "worker": body.get("referrer"),
        "worried_about": body.get("worried_about"),
        "working_well": body.get("working_well"),
        "needs_to_happen": body.get("needs_to_happen"),
        "level_of_need": body.get("level_of_need"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    children = case.get("children") or []
    child = children[0] if children else {}
    members = [dict(m) for m in case.get("family_members") or []]
    # Siblings named as children in the source become family members here.
    for sibling in children[1:]:
        members.append({"full_name": sibling.get("full_name"), "relationship": "Sibling",
                        "date_of_birth": sibling.get("date_of_birth")})
    return drop_empty({
        "child": {"name": child.get("full_name"), "date_of_birth": child.get("date_of_birth"),
                  "micare_id": (child.get("case_ids") or {}).get("Micare")},
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in members
        ],
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        "email": case.get("email"),
        "referrer": case.get("worker"),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "needs_to_happen": case.get("needs_to_happen"),
        "level_of_need": case.get("level_of_need"),
    })


EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-11-16",
    "child": {"name": "Zofia Wójcik", "micare_id": "MC0481923", "date_of_birth": "2017-05-09"},
    "family_members": [
        {"full_name": "Katarzyna Wójcik", "relationship": "Mother", "date_of_birth": "1991-02-14",
         "notes": "Main carer. Works part time at a local bakery."},
        {"full_name": "Leo Wójcik", "relationship": "Brother", "date_of_birth": "2021-08-30", "notes": ""},
        {"full_name": "Daniel Ó Súilleabháin", "relationship": "Father", "date_of_birth": "1988-10-03",
         "notes": "Lives separately in Stockport. Contact every other weekend, arranged by the parents; "
                  "supervision is not needed."},
    ],
    "address": {"line_1": "14 Birchfield Grove", "town": "Manchester", "postcode": "M13 0XY"},
    "telephone": "0161 496 0732",
    "housing_provider": "housing-association",
    "cafr_date": "2026-10-05",
    "reason_for_referral": (
        "The Child and Family Assessment is complete. The worries that led to it have reduced, and the "
        "remaining needs (school attendance, Leo's speech and language, and routines at home) can be met "
        "by a coordinated Early Help plan. Mum asked for support to continue after social work closes."
    ),
    "referrer": {"name": "Priya Natarajan", "role": "Social Worker", "team": "North Area Social Work Team",
                 "telephone": "0161 496 0418", "email": "priya.natarajan@example.org"},
    "worried_about": (
        "- Zofia's school attendance this term is 86%; most absences are Mondays.\n"
        "- Mum has found it hard to keep bedtime and morning routines since Leo started nursery.\n"
        "- Leo (5) has delayed speech and is waiting for a speech and language therapy assessment.\n"
        "- Mum feels isolated since moving to the area and has few people she can call on."
    ),
    "cafa_completed_on": "2026-11-02",
    "planning_meeting_on": "2026-11-12",
    "level_of_need": 3,
    "request_type": "step-down",
    "family_agrees": True,
    "working_well": (
        "- Mum engaged well with the assessment and is honest about what she finds hard.\n"
        "- Zofia is doing well in school when she attends and has a good relationship with her teacher.\n"
        "- Dad keeps to the contact arrangements and supports Zofia getting to school on his weekends.\n"
        "- Maternal aunt (Ewa) visits weekly and helps with the school run on Mondays."
    ),
    "needs_to_happen": (
        "- Family plan agreed at the joint handover visit, reviewed at a Team Around the Family meeting.\n"
        "- Support with morning routines and school attendance, working with the school's attendance lead.\n"
        "- Early Help to follow up Leo's speech and language referral with the health visitor.\n"
        "- Link Mum with the local parents' group and the family hub's stay-and-play sessions."
    ),
    "forthcoming": [
        {"date": "2026-11-26", "kind": "Joint handover visit to the family",
         "with_whom": "Priya Natarajan (Social Worker) and the allocated Early Help practitioner"},
        {"date": "2026-12-10", "kind": "Team Around the Family meeting",
         "with_whom": "Family, school attendance lead, health visitor, Early Help practitioner"},
    ],
}

FORM = FormSpec(
    id=FORM_ID,
    title="Early Help Allocations Pro Forma",
    authority="Manchester City Council",
    description="Step-down or joint-worked request from social work to an Early Help Hub (Appendix 2).",
    source="002_cb5f9c2c56a44ba2.txt, Appendix 2",
    schema=ProFormaSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=2,
    filename=lambda data: f"allocations-pro-forma-{data['child']['micare_id']}",
    shares=shares,
    takes=takes,
)
