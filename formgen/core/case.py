"""One case record: the family's story told once, for every document a council's route needs.

A case record is the shared vocabulary of formgen/core/shared.py (children with their NHS numbers and case
ids, family, address, worries, strengths, needs, level of need, the worker) with what a route adds: the
lead professional, the latest assessment, the family's consent, the meetings, the dates things happened
(`events`), and each document's own answers (`documents`, by form id). docs/case-record.md describes it.

A document's body is `form.takes(shared(record))`, then what the route maps from the record into that form
(`from_case` in the council profile), then the record's own part for that document, then the answers the
route fixes. A reference into the record (`ref`) is a dotted path ("consent.given_on"), an event
("events.plan_sent"), or a meeting by its kind ("meetings.final-cin-review", "meetings.ehpm.date").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from formgen.core import fields as f
from formgen.core.rules import INPUT_LIMITS, formgen_reading, rule
from formgen.core.shared import SharedCase, drop_empty

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KIND = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,7}$")
FORM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")

Moment = dt.date | dt.datetime  # a date, or a date and a UK local time of day

# The record's rules across a route (each document's own rules are its form's) ---------------------------

NAMED_BY_ROUTE = rule(
    "named-by-the-route",
    "A case record names only the events, meetings and documents of its route, so nothing it gives is "
    "silently left out of the documents or the calendar.",
    INPUT_LIMITS, ("events", "meetings.*.kind", "documents"),
)
ANSWER_FIXED_BY_ROUTE = rule(
    "answer-fixed-by-the-route",
    "The route decides some answers of its documents (a Manchester step-down is a step-down; a Shropshire "
    "3.b case is route 3.b): a document's own part of the record cannot give them another value.",
    formgen_reading("The route is chosen from the council's guidance; a document that said otherwise would "
                    "put the case on the wrong route."),
    ("documents",),
)
DOCUMENT_NEEDS_ITS_ANSWERS = rule(
    "document-needs-its-answers",
    "Every document of the route is valid and complete on its own: what the record lacks for a document, or "
    "gives against its rules, is named under documents.<form id>.<field> with the form's own rule.",
    INPUT_LIMITS, ("documents",),
)
CASE_RULES = (NAMED_BY_ROUTE, ANSWER_FIXED_BY_ROUTE, DOCUMENT_NEEDS_ITS_ANSWERS)


class MomentField(f.Text):
    """A date (YYYY-MM-DD), or a date and time of day in UK local time (YYYY-MM-DDTHH:MM)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        found = moment(text)
        if found is None:
            raise self.make_error("invalid")
        return found


def _moment_field(label: str) -> MomentField:
    message = f"{label} must be a real date, YYYY-MM-DD, or a date and time, YYYY-MM-DDTHH:MM (UK local time)."
    return MomentField(required=True, metadata={"label": label, "title": label, "maxLength": 16,
                                                "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$"},
                       error_messages={"required": f"{label} is required.", "null": f"{label} is required.",
                                       "invalid": message, "blank": message})


def _keyed(pattern: re.Pattern[str], what: str, values: fields.Field, label: str, maximum: int) -> fields.Dict:
    """A JSON object whose keys follow `pattern`: events by name, documents by form id, case ids by system."""
    return fields.Dict(
        keys=fields.String(validate=validate.Regexp(pattern, error=f"'{{input}}' is not {what}.")),
        values=values, required=False, load_default=dict,
        validate=validate.Length(max=maximum, error=f"{label}: give at most {{max}}."),
        metadata={"label": label, "title": label},
        error_messages={"invalid": f"{label} must be a JSON object.", "null": f"{label} must be a JSON object."},
    )


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name")
    date_of_birth = f.date("Child's date of birth", required=False, past=True)
    gender = f.line("Gender", required=False, max_length=40)
    nhs_number = f.nhs_number("Child's NHS number")
    case_ids = _keyed(re.compile(r"^\S.{0,39}$"), "a case system's name", f.line("Case id", max_length=40),
                      "Case ids, by case system (for example {\"Mosaic\": \"603918\"})", 6)


class FamilyMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=80, hint="For example: mother, stepfather.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    gender = f.line("Gender", required=False, max_length=40)
    lives_in_household = f.boolean("Lives in the household", required=False)
    notes = f.text("Notes", required=False, max_length=400)


class AddressSchema(f.FormSchema):
    line_1 = f.line("Address line 1")
    line_2 = f.line("Address line 2", required=False)
    town = f.line("Town or city")
    postcode = f.postcode()


class WorkerSchema(f.FormSchema):
    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or agency", required=False)
    telephone = f.line("Telephone", required=False, max_length=40)
    email = f.email()


class LeadProfessionalSchema(WorkerSchema):
    agreed_with_family = f.boolean("The family agreed the lead professional", required=False)
    consulted = f.boolean("The lead professional has been consulted about their role", required=False)


class AssessmentSchema(f.FormSchema):
    kind = f.line("Which assessment", required=False, max_length=120, hint="For example: Child and Family Assessment.")
    completed_on = f.date("Date the assessment was completed", required=False, past=True)
    summary = f.text("Summary of the assessment and the needs it found", required=False)
    recommendations = f.text("The assessment's recommendations", required=False)


class ConsentSchema(f.FormSchema):
    written = f.boolean("Written consent to the step-down has been obtained", required=False)
    given_by = f.line("Consent given by", required=False)
    relationship = f.line("Relationship of the person who consented", required=False, max_length=60)
    given_on = f.date("Date consent was given", required=False, past=True)
    family_agrees_plan = f.boolean("The family understands and agrees to the plan", required=False)


class MeetingSchema(f.FormSchema):
    kind = f.formatted("Kind of meeting", pattern=KIND.pattern, example="final-cin-review",
                       what="the route's name for the meeting (lowercase words joined by hyphens)", max_length=60,
                       hint="One of the meetings the route names (GET /api/routes/{council}).")
    date = f.date("Date of the meeting")
    time = f.time_of_day("Time of the meeting", required=False)
    place = f.line("Place", required=False)
    with_whom = f.line("With whom", required=False, max_length=300)


class CaseRecordSchema(f.FormSchema):
    children = f.rows(ChildSchema, "Children (the subject child first)", minimum=1, maximum=10)
    family_members = f.rows(FamilyMemberSchema, "Family members (everyone else in the family)", maximum=15)
    address = f.group(AddressSchema, "Family address", required=False)
    telephone = f.line("Family telephone", required=False, max_length=40)
    email = f.email("Family email")
    worker = f.group(WorkerSchema, "The social worker or practitioner completing the documents", required=False)
    lead_professional = f.group(LeadProfessionalSchema, "Lead professional (key person) after the step", required=False)
    team_manager = f.group(WorkerSchema, "The social work Team Manager overseeing the case", required=False)
    worried_about = f.text("What are we worried about?", required=False)
    working_well = f.text("What's working well?", required=False)
    complicating_factors = f.text("Complicating factors", required=False)
    existing_wellbeing = f.text("Existing wellbeing", required=False)
    needs_to_happen = f.text("What needs to happen?", required=False)
    level_of_need = f.integer("Level of need", minimum=1, maximum=9, required=False,
                              hint="A level from the council's threshold document (see its profile).")
    assessment = f.group(AssessmentSchema, "The latest assessment", required=False)
    consent = f.group(ConsentSchema, "The family's consent to the step", required=False)
    meetings = f.rows(MeetingSchema, "Meetings and visits", maximum=20)
    events = _keyed(EVENT_NAME, "an event name (lowercase words joined by underscores)",
                    _moment_field("Date of the event"), "Dates things happened, by the route's event names", 40)
    documents = _keyed(FORM_ID, "a form id", fields.Dict(error_messages={"invalid": "Must be a JSON object."}),
                       "Each document's own answers, by form id", 20)


# References into a record ------------------------------------------------------------------------

_GROUPS: dict[str, type[f.FormSchema]] = {
    "address": AddressSchema, "worker": WorkerSchema, "lead_professional": LeadProfessionalSchema,
    "team_manager": WorkerSchema,
    "assessment": AssessmentSchema, "consent": ConsentSchema,
}
_MEETING_FIELDS = set(MeetingSchema._declared_fields)


def check_ref(ref: str, events: Mapping[str, str], meetings: Mapping[str, Any]) -> str | None:
    """Why `ref` cannot name anything in a case record of this route, or None when it can."""
    root, _, rest = ref.partition(".")
    if root == "events":
        return None if rest in events else f"'{ref}': the route names no event '{rest}'"
    if root == "meetings":
        kind, _, field = rest.partition(".")
        if kind not in meetings:
            return f"'{ref}': the route names no meeting '{kind}'"
        return None if not field or field in _MEETING_FIELDS else f"'{ref}': a meeting has no '{field}'"
    if root not in CaseRecordSchema._declared_fields or root == "documents":
        return f"'{ref}': a case record has no '{root}'"
    if rest and root in _GROUPS and rest.split(".")[0] not in _GROUPS[root]._declared_fields:
        return f"'{ref}': a case record's {root} has no '{rest}'"
    return None


def moment(value: Any) -> Moment | None:
    """A date or date-time from a record's text (or a meeting: its date, at its time when given)."""
    if isinstance(value, Mapping):
        day = moment(value.get("date"))
        time = value.get("time")
        if isinstance(day, dt.date) and isinstance(time, str) and re.match(r"^\d{2}:\d{2}$", time):
            return moment(f"{value['date']}T{time}") or day
        return day
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    try:
        if _DATE.match(value):
            return dt.date.fromisoformat(value)
        if _DATE_TIME.match(value):
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return None


def day_of(value: Moment) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def meeting(record: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    """The record's first meeting of `kind`, by date."""
    found = [m for m in record.get("meetings") or [] if isinstance(m, Mapping) and m.get("kind") == kind]
    return min(found, key=lambda m: str(m.get("date"))) if found else None


def lookup(record: Mapping[str, Any], ref: str) -> Any:
    """The value `ref` names in a (raw, JSON) record, or None when the record does not give it."""
    root, _, rest = ref.partition(".")
    if root == "meetings" and rest:
        kind, _, field = rest.partition(".")
        found = meeting(record, kind)
        return found if found is None or not field else found.get(field)
    node: Any = record
    for part in ref.split("."):
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def shared(record: Mapping[str, Any]) -> SharedCase:
    """The record in formgen/core/shared.py's vocabulary: what every form's `takes` reads."""
    keys = ("children", "family_members", "address", "telephone", "email", "worker", "team_manager", "worried_about",
            "working_well", "complicating_factors", "needs_to_happen", "level_of_need")
    found: SharedCase = drop_empty({key: record.get(key) for key in keys})
    return found
