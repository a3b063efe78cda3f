"""Multi-Agency Referral Form (MARF): stepping a case up from Early Help to children's social care.

Seeds: 003 ("the Senior Practitioner will complete a MARF Form, including the latest case summary and the
rationale for the plan to step up"), 001 ("Any safeguarding concerns must be reported ... and always
followed up with a Multi-Agency Referral Form"), and 002 (Manchester: 4.3 the Team around the Family
meeting within 5 working days, 4.4 back to the team that stepped the family down within 3 months,
Appendix 1 the written referral within 48 hours of a phone referral).

What differs between councils (deadlines, case system, levels of need) comes from the council's
profile in councils/ (formgen/core/councils.py), chosen by the body's `council`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, validates, validates_schema

from formgen.core import fields as f
from formgen.core.councils import CouncilProfile, all_councils
from formgen.core.dates import add_working_days, age_text, uk_date, working_days_between
from formgen.core.registry import FormSpec
from formgen.core.shared import SharedCase, drop_empty
from forms.common import (
    BLANK_ANSWERS,
    AddressSchema,
    address_text,
    answer,
    blank_phrase,
    local_datetime,
    with_messages,
    yes_no,
)

FORM_ID = "multi-agency-referral-form"
COUNCILS = all_councils()

SEX = {"female": "Female", "male": "Male", "not-known": "Not known yet"}

# Danger statements name what a person does and its impact on the child, not a category (Signs of
# Safety). A behaviour or impact made only of these words is a label, not a statement.
_LABEL_TEXT = """
    a about abuse adverse aggression aggressive alcohol an and at attendance based behaviour behaviours boundaries
    capacity cce child children coercive concern concerns conditions control controlling county criminal cse dad
    development difficulties domestic drug drugs dv dva emotional experiences exploitation fathers father fgm
    financial for harm health historic home honour housing hygiene impact in issue issues lack lines mental misuse
    mother mothers mum neglect neglectful non-attendance of on ongoing or outcomes parent parental parenting parents
    physical poor possible radicalisation risk risks safeguarding school self-harm sexual significant substance
    supervision suspected the their to toxic trauma trio violence welfare wellbeing with worries worry
"""
LABEL_WORDS = frozenset(_LABEL_TEXT.split())
MIN_STATEMENT_WORDS = 8


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z][a-z'\-]*", text.lower())


def _statement_problem(text: str | None, what: str, example: str) -> str | None:
    """Why `text` is a label rather than a statement, or None when it reads as a statement."""
    if not text:
        return None
    words = _words(text)
    if words and all(word in LABEL_WORDS for word in words):
        return (f"'{text}' is a label, not a danger statement. Describe the {what} in the family's own "
                f"circumstances ({example}), so everyone can see what has to change (Signs of Safety "
                "danger statements; Manchester Appendix 3).")
    if len(words) < MIN_STATEMENT_WORDS:
        return (f"Describe the {what} in at least {MIN_STATEMENT_WORDS} words ({example}): a danger "
                "statement names the behaviour and its impact, not a label (Signs of Safety danger statements).")
    return None


def _nhs_number_ok(value: str) -> bool:
    digits = value.replace(" ", "")
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (31 May less 3 months is 28 or 29 February)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day_and_date(day: dt.date) -> str:
    return f"{day:%A} {uk_date(day)}"


def _time_and_day(at: dt.datetime) -> str:
    return f"{at:%H:%M} on {_day_and_date(at.date())}"


def _cite(source: str) -> str:
    return f" ({source})" if source else ""


# ---------------------------------------------------------------------------------------------- schema


class ReferrerSchema(f.FormSchema):
    name = f.line("Referrer's name")
    role = f.line("Referrer's role", hint="For example: Early Help Senior Practitioner.")
    agency = f.line("Referrer's agency or team")
    telephone = f.line("Referrer's telephone", max_length=40)
    email = f.line("Referrer's email", required=False, max_length=254)

    @validates("email")
    def _email(self, value: str | None, **_: Any) -> None:
        if value and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValidationError("Email must be an email address, like name@example.org.")


class PhoneReferralSchema(f.FormSchema):
    made_at = local_datetime("Date and time of the phone referral", hint="UK local time, e.g. 2026-11-12T11:40.")
    spoke_to = f.line("Who took the phone referral", required=False, hint="For example: MASH duty social worker.")


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name", hint="For an unborn child, for example: Unborn baby of Chiamaka Okafor.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    expected_delivery_date = f.date("Expected date of delivery", required=False, hint="For an unborn child.")
    other_names = f.line("Other names (aliases, previous names)", required=False)
    sex = f.choice("Sex", SEX, required=False)
    ethnicity = f.line("Ethnicity", required=False, max_length=100)
    religion = f.line("Religion", required=False, max_length=100)
    first_language = f.line("First language", required=False, max_length=60)
    interpreter_needed = f.boolean("An interpreter is needed", required=False)
    disability = f.text("Disability or special educational needs", required=False, max_length=600)
    nhs_number = f.line("NHS number", required=False, max_length=12, hint="10 digits, e.g. 999 000 1235.")
    school = f.line("School, nursery or childcare", required=False)
    gp = f.line("GP practice", required=False)
    case_id = f.line("Case system id", required=False, max_length=20,
                     hint="The child's id in the council's case system (the council profile names it).")

    @validates("nhs_number")
    def _nhs_number(self, value: str | None, **_: Any) -> None:
        if value and not _nhs_number_ok(value):
            raise ValidationError("NHS number must be 10 digits with a valid check digit, like 999 000 1235. "
                                  "Check it against the child's health record, or leave it out if not known.")


class HouseholdMemberSchema(f.FormSchema):
    full_name = f.line("Full name")
    relationship = f.line("Relationship to the children", max_length=80, hint="For example: mother, mother's partner.")
    date_of_birth = f.date("Date of birth", required=False, past=True)
    parental_responsibility = f.boolean("Has parental responsibility", required=False)


class AgencySchema(f.FormSchema):
    agency = f.line("Agency")
    contact = f.line("Contact name and role", required=False)
    telephone = f.line("Telephone", required=False, max_length=40)
    involvement = f.text("Involvement with the family", required=False, max_length=600)


class ConsentSchema(f.FormSchema):
    family_told = f.boolean("The family was told about this referral")
    consent_given = f.boolean("The family consented to this referral")
    why_not = f.text("Why the family was not told or consent was not sought", required=False, max_length=1500,
                     hint="For example: telling the family could put a child at risk of significant harm.")
    given_by = f.line("Who gave consent", required=False)
    covers = f.text("Whose information the consent covers", required=False, max_length=600)
    parents_views = f.text("The parents' or carers' views", required=False, max_length=2000)
    child_views = f.text("The child's own views", required=False, max_length=2000)


class DangerStatementSchema(f.FormSchema):
    who_is_worried = f.line("Who is worried", hint="For example: the school, the midwife and the Early Help worker.")
    behaviour = f.text("The behaviour that worries them", max_length=1500,
                       hint="What a person does or does not do, when and how often: not a label such as 'neglect'.")
    impact = f.text("The impact on the child if nothing changes", max_length=1500)
    safety_goal = f.text("Safety goal", max_length=1500,
                         hint="What the child's carers will be doing, that everyone can see, to keep the child safe.")


class StepDownSchema(f.FormSchema):
    team = f.line("Social work team that stepped the family down")
    social_worker = f.line("Social worker who stepped the family down", required=False)
    stepped_down_on = f.date("Date of the step-down", past=True)


_REQUIRED_BY_003 = ("the Senior Practitioner completes a MARF 'including the latest case summary and the rationale "
                    "for the plan to step up' (Step Up, 2)")


class MarfSchema(f.FormSchema):
    council = f.choice("Council", {c.id: c.name for c in COUNCILS.values()},
                       hint="The council whose profile (deadlines, case system, levels of need) applies.")
    referral_date = f.date("Date of this referral", past=True,
                           hint="Timescales on the form are counted to this date.")
    blank_answers = f.choice("Empty answers print as", BLANK_ANSWERS, required=False,
                             hint="'Please do not leave sections blank': every empty optional answer prints this.")
    referrer = f.group(ReferrerSchema, "Referrer")
    phone_referral = f.group(PhoneReferralSchema, "Phone referral this follows up", required=False)
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=10)
    address = f.group(AddressSchema, "Family address")
    family_telephone = f.line("Family telephone", required=False, max_length=40)
    household = f.rows(HouseholdMemberSchema, "Household members", minimum=1, maximum=15)
    agencies = f.rows(AgencySchema, "Other agencies involved", maximum=15)
    consent = f.group(ConsentSchema, "Consent")
    level_of_need = f.integer("Level of need", minimum=1, maximum=9,
                              hint="A level from the council's threshold document (see its profile).")
    case_summary = with_messages(
        f.text("Latest case summary", max_length=5000),
        required=f"Latest case summary is required: {_REQUIRED_BY_003}.",
        blank=f"Latest case summary must not be blank: {_REQUIRED_BY_003}.",
    )
    step_up_rationale = with_messages(
        f.text("Rationale for stepping up", max_length=4000),
        required=f"Rationale for stepping up is required: {_REQUIRED_BY_003}.",
        blank=f"Rationale for stepping up must not be blank: {_REQUIRED_BY_003}.",
    )
    worried_about = f.text("What are we worried about?", max_length=4000)
    working_well = f.text("What's working well?", max_length=4000)
    complicating_factors = f.text("Complicating factors", required=False, max_length=3000)
    needs_to_happen = f.text("What needs to happen?", max_length=4000)
    danger_statements = f.rows(DangerStatementSchema, "Danger statements", minimum=1, maximum=10)
    early_help_plan = f.text("Current Early Help plan", max_length=4000)
    worries_raised_on = f.date("Date the worries were raised", past=True)
    taf_meeting_on = f.date("Date of the Team Around the Family meeting", required=False)
    stepped_down_from = f.group(StepDownSchema, "Previous social work involvement", required=False,
                                hint="The team that stepped the family down to Early Help, if it did.")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors: dict[str, Any] = {}
        profile = COUNCILS.get(data.get("council") or "")
        referral: dt.date | None = data.get("referral_date")
        self._consent(data.get("consent") or {}, errors)
        self._children(data.get("children") or [], referral, errors)
        self._dangers(data.get("danger_statements") or [], errors)
        level = data.get("level_of_need")
        if profile and level is not None:
            chosen = profile.level(level)
            if chosen is None:
                errors["level_of_need"] = [f"{profile.name} has no level {level}. Choose one of its levels of need: "
                                           f"{profile.levels_text()}."]
            elif not chosen.meets_threshold:
                needed = ", ".join(str(n) for n, lv in profile.levels.items() if lv.meets_threshold)
                errors["level_of_need"] = [
                    f"Level {level} ({chosen.name}) is met by {chosen.pathway}, not children's social care. A MARF "
                    f"steps a case up, so check the threshold document (003, Step Up 2): in {profile.short_name} "
                    f"the threshold is level {needed}. If needs are below it, review the Early Help plan instead."
                ]
        phoned = (data.get("phone_referral") or {}).get("made_at")
        if phoned and referral and phoned.date() > referral:
            errors.setdefault("phone_referral", {})["made_at"] = [
                "The phone referral cannot be after the date of this referral, which follows it up in writing."]
        raised = data.get("worries_raised_on")
        if raised and referral and raised > referral:
            errors["worries_raised_on"] = ["The worries cannot have been raised after the date of this referral."]
        taf = data.get("taf_meeting_on")
        if raised and taf and taf < raised:
            errors["taf_meeting_on"] = [
                "The Team Around the Family meeting is called once worries are raised (4.3): it cannot be "
                "before the date the worries were raised."]
        stepped = (data.get("stepped_down_from") or {}).get("stepped_down_on")
        if stepped and referral and stepped > referral:
            errors.setdefault("stepped_down_from", {})["stepped_down_on"] = [
                "The step-down cannot be after the date of this referral."]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _consent(consent: Mapping[str, Any], errors: dict[str, Any]) -> None:
        found: dict[str, list[str]] = {}
        told, given = consent.get("family_told"), consent.get("consent_given")
        if (told is False or given is False) and not consent.get("why_not"):
            found["why_not"] = [
                "A referral without the family's consent must say why consent was not sought, or why the family "
                "was not told: for example, that telling them could put a child at risk of significant harm."]
        if told is False and given is True:
            found["consent_given"] = ["The family cannot have consented to a referral they were not told about. "
                                      "Check both answers."]
        if given is True and not consent.get("given_by"):
            found["given_by"] = ["Say who gave consent (name and relationship to the children)."]
        if found:
            errors["consent"] = found

    @staticmethod
    def _children(children: list[Mapping[str, Any]], referral: dt.date | None, errors: dict[str, Any]) -> None:
        for index, child in enumerate(children):
            born, due = child.get("date_of_birth"), child.get("expected_delivery_date")
            problem: tuple[str, str] | None = None
            if born is None and due is None:
                problem = ("date_of_birth", "Give the child's date of birth, or the expected date of delivery for an "
                                            "unborn child.")
            elif born is not None and due is not None:
                problem = ("expected_delivery_date", "Give a date of birth or an expected date of delivery, not both: "
                                                     "once a baby is born, give the date of birth only.")
            elif due is not None and referral is not None and due < referral:
                problem = ("expected_delivery_date", "The expected date of delivery is before the date of this "
                                                     "referral: if the baby has been born, give the date of birth.")
            if problem:
                errors.setdefault("children", {}).setdefault(index, {})[problem[0]] = [problem[1]]

    @staticmethod
    def _dangers(statements: list[Mapping[str, Any]], errors: dict[str, Any]) -> None:
        for index, statement in enumerate(statements):
            found: dict[str, list[str]] = {}
            behaviour = _statement_problem(
                statement.get("behaviour"), "behaviour that worries people",
                "for example: 'Jordan has pushed Chiamaka and shouted at her in front of Amara twice this month'")
            if behaviour:
                found["behaviour"] = [behaviour]
            impact = _statement_problem(
                statement.get("impact"), "impact on the child if nothing changes",
                "for example: 'Amara could be hurt, and is frightened to go to sleep'")
            if impact:
                found["impact"] = [impact]
            if found:
                errors.setdefault("danger_statements", {})[index] = found


# --------------------------------------------------------------------------------------------- context


def _level_text(profile: CouncilProfile, number: int) -> str:
    level = profile.levels[number]
    return (f"Level {number} ({level.name}): {level.meaning}\nReferral pathway: {level.pathway}. "
            f"Meets the threshold for a referral to children's social care in {profile.short_name}.")


def _routing(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, str]:
    """(the team this referral goes to, why), from the step-down date and the council's profile (002, 4.4)."""
    referral: dt.date = data["referral_date"]
    stepped = data.get("stepped_down_from")
    months = profile.step_back_months
    if stepped:
        since = _months_before(referral, months)
        when = uk_date(stepped["stepped_down_on"])
        if stepped["stepped_down_on"] >= since:
            return (stepped["team"],
                    f"The family stepped down from {stepped['team']} on {when}, within {months} months of this "
                    f"referral, so the case steps back up to the team that stepped it down{_cite(profile.step_back_source)}.")
        return (profile.front_door,
                f"The family stepped down from {stepped['team']} on {when}, more than {months} months before this "
                f"referral, so it goes to {profile.front_door}{_cite(profile.step_back_source)}.")
    return (profile.front_door,
            f"No step-down from social work is recorded, so the referral goes to {profile.front_door}.")


def _follow_up(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, str, bool]:
    """(the phone referral, when the written referral was due and whether this one is late, late?)."""
    phone = data.get("phone_referral")
    referral: dt.date = data["referral_date"]
    if not phone:
        return ("No phone referral: this written referral is the referral.",
                f"Not applicable: no phone referral to follow up. (In {profile.short_name} a written referral "
                f"follows a phone referral within {profile.follow_up.words}{_cite(profile.follow_up.source)}.)",
                False)
    made: dt.datetime = phone["made_at"]
    due = profile.follow_up.due(made)
    spoke = f" to {phone['spoke_to']}" if phone.get("spoke_to") else ""
    late = referral > due.date()
    verdict = (f"LATE: this referral is dated {uk_date(referral)}, after the deadline." if late
               else f"On time: this referral is dated {uk_date(referral)}.")
    return (f"Phone referral{spoke} at {_time_and_day(made)}.",
            f"By {_time_and_day(due)}: {profile.follow_up.words} after the phone referral in "
            f"{profile.short_name}{_cite(profile.follow_up.source)}. {verdict}",
            late)


def _taf(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, bool]:
    """Working days from the worries being raised to the Team Around the Family meeting, flagged when late (4.3)."""
    raised: dt.date = data["worries_raised_on"]
    taf: dt.date | None = data.get("taf_meeting_on")
    expected = profile.taf_working_days
    rule = f"expected within {expected} working days of the worries being raised{_cite(profile.taf_source)}"
    if taf is None:
        due = add_working_days(raised, expected)
        overdue = data["referral_date"] > due
        state = "OVERDUE: " if overdue else ""
        return (f"{state}No Team Around the Family meeting yet. It was due by {_day_and_date(due)}, {rule}.", overdue)
    days = working_days_between(raised, taf)
    late = days > expected
    flag = "LATE: " if late else ""
    return (f"{flag}The meeting on {_day_and_date(taf)} was {days} working day{'s' if days != 1 else ''} after "
            f"the worries were raised on {_day_and_date(raised)}, {rule}.", late)


def _child_row(child: Mapping[str, Any], index: int, count: int, on: dt.date, blank: str) -> dict[str, str]:
    born, due = child.get("date_of_birth"), child.get("expected_delivery_date")
    if born is not None:
        birth = f"Date of birth {uk_date(born)} (age {age_text(born, on)})"
    else:
        birth = f"Unborn: expected date of delivery {uk_date(due)}"
    language = answer(child.get("first_language"), blank)
    interpreter = yes_no(child.get("interpreter_needed"), blank)
    return {
        "heading": f"Child {index + 1} of {count}: {child['full_name']}",
        "birth": birth,
        "other_names": answer(child.get("other_names"), blank),
        "sex": SEX[child["sex"]] if child.get("sex") else blank,
        "ethnicity": answer(child.get("ethnicity"), blank),
        "religion": answer(child.get("religion"), blank),
        "language": f"{language}. Interpreter needed: {interpreter}",
        "disability": answer(child.get("disability"), blank),
        "nhs_number": answer(child.get("nhs_number"), blank),
        "school": answer(child.get("school"), blank),
        "gp": answer(child.get("gp"), blank),
        "case_id": answer(child.get("case_id"), blank),
    }


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    profile = COUNCILS[data["council"]]
    blank = blank_phrase(data.get("blank_answers"))
    referral: dt.date = data["referral_date"]
    referrer = data["referrer"]
    consent = data["consent"]
    children = data["children"]
    route_to, route_why = _routing(profile, data)
    phone_text, due_text, follow_up_late = _follow_up(profile, data)
    taf_text, taf_late = _taf(profile, data)
    stepped = data.get("stepped_down_from")
    agencies = [
        {"agency": a["agency"], "contact": answer(a.get("contact"), blank),
         "telephone": answer(a.get("telephone"), blank), "involvement": answer(a.get("involvement"), blank)}
        for a in data["agencies"]
    ] or [{"agency": blank, "contact": blank, "telephone": blank, "involvement": blank}]
    return {
        "council_name": profile.name,
        "case_system": profile.case_system,
        "case_id_name": profile.case_id_name,
        "referral_date": uk_date(referral),
        "route_to": route_to,
        "route_why": route_why,
        "referrer_name": referrer["name"],
        "referrer_role": f"{referrer['role']}, {referrer['agency']}",
        "referrer_contact": "\n".join([f"Tel {referrer['telephone']}", answer(referrer.get("email"), blank)]),
        "phone_referral": phone_text,
        "written_referral_due": due_text,
        "follow_up_late": follow_up_late,
        "children": [_child_row(c, i, len(children), referral, blank) for i, c in enumerate(children)],
        "address": address_text(data["address"]),
        "family_telephone": answer(data.get("family_telephone"), blank),
        "household": [
            {"full_name": m["full_name"], "relationship": m["relationship"],
             "date_of_birth": uk_date(m["date_of_birth"]) if m.get("date_of_birth") else blank,
             "parental_responsibility": yes_no(m.get("parental_responsibility"), blank)}
            for m in data["household"]
        ],
        "agencies": agencies,
        "family_told": yes_no(consent["family_told"], blank),
        "consent_given": yes_no(consent["consent_given"], blank),
        "consent_why_not": answer(consent.get("why_not"),
                                  "Not applicable: the family was told and consented." if consent["consent_given"]
                                  and consent["family_told"] else blank),
        "consent_given_by": answer(consent.get("given_by"),
                                   "Not applicable: no consent was given." if not consent["consent_given"] else blank),
        "consent_covers": answer(consent.get("covers"), blank),
        "parents_views": answer(consent.get("parents_views"), blank),
        "child_views": answer(consent.get("child_views"), blank),
        "level_of_need": _level_text(profile, data["level_of_need"]),
        "case_summary": data["case_summary"],
        "step_up_rationale": data["step_up_rationale"],
        "worried_about": data["worried_about"],
        "working_well": data["working_well"],
        "complicating_factors": answer(data.get("complicating_factors"), blank),
        "needs_to_happen": data["needs_to_happen"],
        "danger_statements": [
            {"number": f"Danger statement {i + 1}", "who": d["who_is_worried"], "behaviour": d["behaviour"],
             "impact": d["impact"], "safety_goal": d["safety_goal"]}
            for i, d in enumerate(data["danger_statements"])
        ],
        "early_help_plan": data["early_help_plan"],
        "worries_raised_on": uk_date(data["worries_raised_on"]),
        "taf_meeting_on": uk_date(data["taf_meeting_on"]) if data.get("taf_meeting_on") else blank,
        "taf_timescale": taf_text,
        "taf_late": taf_late,
        "previous_team": (f"{stepped['team']}" + (f" (social worker: {stepped['social_worker']})"
                                                   if stepped.get("social_worker") else "")) if stepped else blank,
        "stepped_down_on": uk_date(stepped["stepped_down_on"]) if stepped else blank,
    }


# ------------------------------------------------------------------------------------- sharing, example


def _council_for(case_ids: Mapping[str, str]) -> CouncilProfile | None:
    for profile in COUNCILS.values():
        if profile.case_system in case_ids:
            return profile
    return None


def shares(body: Mapping[str, Any]) -> SharedCase:
    profile = COUNCILS.get(body.get("council") or "")
    children = sorted(body.get("children") or [], key=lambda c: c.get("date_of_birth") is None)
    referrer = body.get("referrer") or {}
    return drop_empty({
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
             "gender": SEX.get(c.get("sex") or "") if c.get("sex") in ("female", "male") else None,
             "case_ids": {profile.case_system: c.get("case_id")} if profile and c.get("case_id") else {}}
            for c in children
        ],
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "lives_in_household": True}
            for m in body.get("household") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("family_telephone"),
        "worker": {"name": referrer.get("name"), "role": referrer.get("role"), "team": referrer.get("agency"),
                   "telephone": referrer.get("telephone"), "email": referrer.get("email")},
        "worried_about": body.get("worried_about"),
        "working_well": body.get("working_well"),
        "needs_to_happen": body.get("needs_to_happen"),
        "level_of_need": body.get("level_of_need"),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    """A MARF prefilled from another document: the family, the mapping, and who stepped the family down.

    The source's worker wrote that document: a social worker on a step-down document (the pro forma, the
    step-down plan) is the previous social work involvement; anyone else is taken as the referrer.
    """
    children = case.get("children") or []
    profile = None
    for child in children:
        profile = profile or _council_for(child.get("case_ids") or {})
    worker = case.get("worker") or {}
    is_social_worker = "social work" in (worker.get("role") or "").lower()
    return drop_empty({
        "council": profile.id if profile else None,
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
             "sex": (c.get("gender") or "").lower() if (c.get("gender") or "").lower() in SEX else None,
             "case_id": (c.get("case_ids") or {}).get(profile.case_system) if profile else None}
            for c in children
        ],
        "household": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth")}
            for m in case.get("family_members") or []
            if m.get("lives_in_household") is not False
        ],
        "address": case.get("address"),
        "family_telephone": case.get("telephone"),
        "referrer": None if is_social_worker else {
            "name": worker.get("name"), "role": worker.get("role"), "agency": worker.get("team"),
            "telephone": worker.get("telephone"), "email": worker.get("email")},
        "stepped_down_from": {"team": worker.get("team"), "social_worker": worker.get("name")}
        if is_social_worker else None,
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "needs_to_happen": case.get("needs_to_happen"),
        "level_of_need": case.get("level_of_need"),
    })


EXAMPLE: dict[str, Any] = {
    "council": "manchester",
    "referral_date": "2026-11-13",
    "blank_answers": "not-known",
    "referrer": {"name": "Rhiannon Pryce", "role": "Early Help Senior Practitioner",
                 "agency": "North Manchester Early Help Hub", "telephone": "0161 496 0571",
                 "email": "rhiannon.pryce@example.org"},
    "phone_referral": {"made_at": "2026-11-12T11:40", "spoke_to": "MASH duty social worker"},
    "children": [
        {"full_name": "Amara Okafor", "date_of_birth": "2019-03-21", "sex": "female",
         "ethnicity": "Black or Black British: African", "religion": "Christian", "first_language": "English",
         "interpreter_needed": False, "nhs_number": "999 000 1235", "school": "Birchfield Primary School (Year 3)",
         "gp": "Harpurhey Health Centre", "case_id": "MC0517734"},
        {"full_name": "Unborn baby of Chiamaka Okafor", "expected_delivery_date": "2027-02-03", "sex": "not-known",
         "gp": "Harpurhey Health Centre"},
    ],
    "address": {"line_1": "7 Larchwood Close", "town": "Manchester", "postcode": "M9 4XY"},
    "family_telephone": "0161 496 0923",
    "household": [
        {"full_name": "Chiamaka Okafor", "relationship": "Mother", "date_of_birth": "1996-07-02",
         "parental_responsibility": True},
        {"full_name": "Jordan Hale", "relationship": "Mother's partner; father of the unborn baby",
         "date_of_birth": "1993-12-11", "parental_responsibility": False},
        {"full_name": "Amara Okafor", "relationship": "Child", "date_of_birth": "2019-03-21"},
    ],
    "agencies": [
        {"agency": "Birchfield Primary School", "contact": "Designated Safeguarding Lead", "telephone": "0161 496 0144",
         "involvement": "Attendance and wellbeing support for Amara; part of the Early Help plan."},
        {"agency": "North Manchester Maternity Services", "contact": "Community midwife",
         "involvement": "Antenatal care; raised the police call-out at the 28-week appointment."},
        {"agency": "Greater Manchester Police", "contact": "Officer in the case",
         "involvement": "Attended the call-out on 7 November; no further action was taken."},
    ],
    "consent": {
        "family_told": True, "consent_given": True, "given_by": "Chiamaka Okafor (mother)",
        "covers": "Chiamaka, Amara and the unborn baby. Jordan was told of the referral but did not give consent.",
        "parents_views": "Chiamaka agrees that things have got worse at home and wants help to keep the children safe. "
                         "Jordan says the arguments are exaggerated.",
        "child_views": "Amara told her teacher she hides in her bedroom when there is shouting and wants it to stop.",
    },
    "level_of_need": 5,
    "case_summary": (
        "The family has had Early Help since September, after stepping down from the North Area Social Work Team. "
        "The plan focused on Amara's attendance, routines at home and antenatal care. Attendance improved to 94%. "
        "Since October there have been three incidents of shouting and pushing between Jordan and Chiamaka, one "
        "leading to a police call-out on 7 November, with Amara at home each time."
    ),
    "step_up_rationale": (
        "The worries have escalated despite the Early Help plan: the incidents are more frequent, Chiamaka is "
        "28 weeks pregnant, and Amara is frightened. The Team Around the Family meeting on 12 November agreed, "
        "with the Early Help Senior Social Worker, that the risk needs a social work assessment."
    ),
    "worried_about": (
        "- Three incidents since October of Jordan pushing and shouting at Chiamaka, with Amara at home.\n"
        "- Police were called on 7 November; Chiamaka had a bruise on her arm.\n"
        "- Chiamaka is 28 weeks pregnant."
    ),
    "working_well": (
        "- Chiamaka is honest with workers and has asked for help.\n"
        "- Amara's school attendance has improved to 94% and she trusts her teacher.\n"
        "- Maternal grandmother lives nearby and Amara can stay with her."
    ),
    "complicating_factors": (
        "Chiamaka has moved twice this year and has no family nearby apart from her mother. Jordan's work "
        "hours change weekly, so visits have been hard to arrange when he is at home."
    ),
    "needs_to_happen": (
        "- A social work assessment of the risk to Amara and the unborn baby.\n"
        "- A safety plan agreed with Chiamaka and the grandmother.\n"
        "- Support for Chiamaka from the domestic abuse service."
    ),
    "danger_statements": [
        {"who_is_worried": "The Early Help worker, the school and the midwife",
         "behaviour": "Jordan has pushed Chiamaka and shouted at her during arguments at home three times since "
                      "October, once bruising her arm, while Amara was in the house.",
         "impact": "If nothing changes, Amara could be hurt, will keep hiding in her bedroom frightened, and the "
                   "unborn baby could be injured if Chiamaka is pushed or hit.",
         "safety_goal": "Chiamaka, Jordan and the grandmother will show everyone that Amara and the baby live in a "
                        "home where adults sort out disagreements without shouting, pushing or hurting each other."},
    ],
    "early_help_plan": (
        "Early Help plan agreed on 22 September 2026: weekly visits from the Early Help practitioner; attendance "
        "support with the school; antenatal appointments kept with the midwife; a referral to the parenting course."
    ),
    "worries_raised_on": "2026-11-09",
    "taf_meeting_on": "2026-11-12",
    "stepped_down_from": {"team": "North Area Social Work Team", "social_worker": "Priya Natarajan",
                          "stepped_down_on": "2026-09-14"},
}

FORM = FormSpec(
    id=FORM_ID,
    title="Multi-Agency Referral Form (MARF)",
    authority=", ".join(c.name for c in COUNCILS.values()),
    description="Stepping a case up from Early Help to children's social care, with consent, danger statements "
                "and routing back to the team that stepped the family down.",
    source="001_758cea11271c27d3.txt, 003_d21c09425c3703d5.txt; 002_cb5f9c2c56a44ba2.txt 4.3, 4.4, Appendix 1",
    schema=MarfSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,
    filename=lambda data: f"marf-{data['council']}-{data['referral_date'].isoformat()}",
    shares=shares,
    takes=takes,
)
