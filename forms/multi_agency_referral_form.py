"""Multi-Agency Referral Form (MARF): stepping a case up from Early Help to children's social care.

Seeds: 003 (Step Up 1-3: the Early Help Family Worker raises their worries with their Senior Practitioner,
who completes the MARF with the latest case summary and the rationale for stepping up; the MASH Manager
decides), 001 ("Any safeguarding concerns must be reported ... and always followed up with a Multi-Agency
Referral Form"), and 002 (Manchester: 4.2.1 and 4.3, a child protection concern goes without delay to the
Contact Centre / MASH; 4.3, the Team around the Family meeting within 5 working days; 4.3.1, other
step-ups go direct to the area Social Work team; 4.4, which team is allocated a case stepped back up;
Appendix 1, the levels of need and the written follow-up within 48 hours of a referral to MASH).

What differs between councils comes from the council's profile (councils/*.toml, formgen/core/councils.py),
where every value says where it comes from. A value the council's guidance does not give, and the council
has not confirmed, is printed as a local practice setting not yet confirmed (or left out, as the profile
says), and no LATE or OVERDUE verdict is drawn from it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.councils import CouncilProfile, Setting, all_councils
from formgen.core.dates import add_working_days, age_text, uk_date, working_days_between
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, guidance, local_setting, rule, template_default
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from forms.common import BLANK_ANSWERS, AddressSchema, address_text, answer, blank_phrase, local_datetime, yes_no

FORM_ID = "multi-agency-referral-form"
COUNCILS = all_councils()

SEX = {"female": "Female", "male": "Male", "not-known": "Not known yet"}

# ----------------------------------------------------------------------------------------------- rules

LEVEL_IN_PROFILE = rule(
    "level-of-need-is-one-of-the-councils",
    "The level of need is one of the levels in the council's profile.",
    [guidance("002", "Appendix 1", says="Child and Whole Family Decision Framework Level of Need"),
     local_setting("levels", "each council's levels of need, from its guidance or a setting for it to confirm")],
    ("level_of_need", "council"),
    breach={"level_of_need": 6},
)
LEVEL_MEETS_THRESHOLD = rule(
    "level-meets-the-threshold",
    "A MARF steps a case up to children's social care, so its level of need is one the council's levels send to "
    "children's social care. Checked only where the levels come from the council's guidance or a local setting the "
    "council has confirmed: formgen draws no verdict from levels the council has not confirmed.",
    [guidance("002", "Appendix 1", says="levels 1 to 3: Early Help Hub; level 4: Early Help Hub (or MASH); level 5: MASH"),
     guidance("003", "Step Up 2", says="in consultation with the Thresholds Document, the Senior Practitioner will "
                                       "complete a MARF Form"),
     local_setting("levels", "a council's confirmed levels of need")],
    ("level_of_need",),
    breach={"level_of_need": 3},
)
SIGNIFICANT_HARM = rule(
    "significant-harm-is-a-child-protection-concern",
    "Where the council's levels give a level for a child at risk of, or suffering, significant harm (Manchester's "
    "level 5), a child protection concern is that level, and that level is a child protection concern.",
    guidance("002", "Appendix 1, level 5", says="Child or young person at risk of, or suffering significant harm ... "
                                                "Referral to MASH"),
    ("child_protection_concern", "level_of_need"),
    breach={"child_protection_concern": False},
)
COMPLETED_BY = rule(
    "completed-by-the-senior-practitioner",
    "Where the council's guidance says who completes the MARF, the referrer is that person: in the Early Help Step "
    "Down Clinic council, the Senior Practitioner, after the Early Help Family Worker has raised their worries with "
    "them, with the latest case summary and the rationale for the plan to step up.",
    guidance("003", "Step Up 1 and 2", says="Following discussion and in consultation with the Thresholds Document, "
                                            "the Senior Practitioner will complete a MARF Form"),
    ("referrer.role",),
    breach={"council": "step-down-clinic", "level_of_need": 4, "referrer.role": "Early Help Family Worker"},
)
_SILENT_ON_CONSENT = ("The councils' guidance does not say what a MARF records about consent; formgen asks it so the "
                      "receiving team knows whether the family knows, and how to approach them safely.")
CONSENT_WHY_NOT = rule(
    "consent-why-not",
    "A referral made without telling the family, or without their consent, says why.",
    formgen_reading(_SILENT_ON_CONSENT),
    ("consent.why_not",),
    breach={"consent.consent_given": False, "consent.given_by": DELETE},
)
CONSENT_TOLD = rule(
    "consent-needs-the-family-told",
    "The family cannot have consented to a referral they were not told about.",
    formgen_reading("Two answers that cannot both be true."),
    ("consent.consent_given",),
    breach={"consent.family_told": False},
)
CONSENT_GIVEN_BY = rule(
    "consent-says-who-gave-it",
    "Where the family consented, the form says who gave consent.",
    formgen_reading(_SILENT_ON_CONSENT),
    ("consent.given_by",),
    breach={"consent.given_by": DELETE},
)
CHILD_DATES = rule(
    "child-date-of-birth-or-due-date",
    "Each child has a date of birth or, if unborn, an expected date of delivery (not both), and an expected date of "
    "delivery is not before the date of the referral.",
    formgen_reading("An input check of formgen's own, so the receiving team knows each child's age or due date."),
    ("children.*.date_of_birth", "children.*.expected_delivery_date"),
    breach={"children.1.expected_delivery_date": DELETE},
)
DANGER_NOT_A_LABEL = rule(
    "danger-statement-not-a-label",
    "A danger statement's behaviour and impact describe what a person does and what it means for the child, not only "
    "a label such as 'neglect' or 'domestic abuse'.",
    formgen_reading("An input-quality check of formgen's own, after the Signs of Safety practice of danger "
                    "statements. None of the councils' guidance sets this check."),
    ("danger_statements.*.behaviour", "danger_statements.*.impact"),
    breach={"danger_statements.0.behaviour": "Domestic abuse"},
)
DATES_IN_ORDER = rule(
    "dates-in-order",
    "The phone referral, the worries being raised and the step-down come on or before the date of this referral, "
    "and the meeting about the worries on or after the day they were raised.",
    [formgen_reading("Dates that cannot all be true."),
     guidance("002", "4.3", says="When concerns are raised ... a Team around the Family (TAF) Meeting should be called")],
    ("phone_referral.made_at", "worries_raised_on", "taf_meeting_on", "stepped_down_from.stepped_down_on"),
    breach={"worries_raised_on": "2026-11-11"},
)
CASE_ID_FITS_THE_SYSTEM = rule(
    "case-id-fits-the-councils-case-system",
    "A child's case system id has the form of the council's case system: digits only (up to 12) on Mosaic; "
    "ASCII letters, digits and hyphens (up to 20) on Micare, carefirst and Liquid Logic (LCS). Nothing else, so "
    "an id can never break a file name or a header.",
    [local_setting("case_system", "the council's case system and the child's id on it"),
     guidance("000", "the Mosaic sibling table", says="ID 603918 ... 603917"),
     formgen_reading("The other councils' guidance names its case system's ids but shows none; formgen allows the "
                     "characters any of them could hold and no others.",
                     "001 3.a (carefirst numbers), 002 Appendix 2 (Micare number), 004 section 1 (LCS)")],
    ("children.*.case_id", "council"),
    breach={"children.0.case_id": "MC 0517734/1"},
)

# Fixed words the document prints, with where they come from.
WORDING = (
    Wording("marf-layout", "The MARF's sections and questions: routing and timescales, referrer, children, family, "
            "household, other agencies, consent, level of need with the case summary and the rationale for stepping "
            "up, Signs of Safety mapping, danger statements and safety goals, Early Help involvement.",
            template_default("formgen's layout of a Multi-Agency Referral Form: the councils' guidance names the form "
                             "(001; 003, Step Up 2) but gives no layout")),
    Wording("do-not-leave-blank", "Please do not leave sections blank.",
            template_default("the instruction at the top of the form; an empty answer prints 'Not known' or "
                             "'Not applicable', as the sender chooses")),
    Wording("child-protection-without-delay", "A child protection concern is referred without delay.",
            guidance("002", "4.2.1 and 4.3", says="If a child protection concern is raised Early Help workers should "
                                                  "refer without delay to the Contact Centre / MASH.")),
    Wording("without-delay-where-the-guidance-is-silent",
            "'Without delay' is formgen's reading: the council's guidance gives no timescale for a child protection "
            "referral, so formgen prints the safest.",
            formgen_reading("Where a council's guidance gives no timescale for a child protection referral, the "
                            "safest reading is Manchester's (002, 4.3): without delay.")),
    Wording("no-verdict-until-confirmed",
            "formgen gives no verdict on whether this referral is on time until the council confirms the deadline.",
            formgen_reading("A local setting the council has not confirmed is not its rule, so no LATE or OVERDUE "
                            "verdict is drawn from it.")),
    Wording("as-soon-as-possible", "formgen's reading: send the written referral as soon as possible.",
            formgen_reading("Where no deadline for the written referral is set, the safest reading.")),
)

# ---------------------------------------------------------------------------------------------- schema

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


def _is_label(text: str | None) -> bool:
    words = re.findall(r"[a-z][a-z'\-]*", (text or "").lower())
    return bool(words) and all(word in LABEL_WORDS for word in words)


class ReferrerSchema(f.FormSchema):
    name = f.line("Referrer's name")
    role = f.line("Referrer's role", hint="For example: Early Help Senior Practitioner.")
    agency = f.line("Referrer's agency or team")
    telephone = f.line("Referrer's telephone", max_length=40)
    email = f.email("Referrer's email")


class PhoneReferralSchema(f.FormSchema):
    made_at = local_datetime("Date and time of the phone referral", hint="UK local time, e.g. 2026-11-09T14:10.")
    spoke_to = f.line("Who took the phone referral", required=False, hint="For example: MASH duty social worker.")


class ChildSchema(f.FormSchema):
    full_name = f.line("Child's full name", hint="For an unborn child, for example: Unborn baby of Chiamaka Okafor.")
    nhs_number = f.nhs_number()
    date_of_birth = f.required_when(f.date("Date of birth", required=False, past=True), "unless the child is unborn")
    expected_delivery_date = f.required_when(f.date("Expected date of delivery", required=False),
                                             "for an unborn child")
    other_names = f.line("Other names (aliases, previous names)", required=False)
    sex = f.choice("Sex", SEX, required=False)
    ethnicity = f.line("Ethnicity", required=False, max_length=100)
    religion = f.line("Religion", required=False, max_length=100)
    first_language = f.line("First language", required=False, max_length=60)
    interpreter_needed = f.boolean("An interpreter is needed", required=False)
    disability = f.text("Disability or special educational needs", required=False, max_length=600)
    school = f.line("School, nursery or childcare", required=False)
    gp = f.line("GP practice", required=False)
    case_id = f.line("Case system id", required=False, max_length=20,
                     hint="The child's id in the council's case system (the council profile names it).")


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
    why_not = f.required_when(
        f.text("Why the family was not told or consent was not sought", required=False, max_length=1500,
               hint="For example: telling the family could put a child at risk of significant harm."),
        "when the family was not told, or did not consent")
    given_by = f.required_when(f.line("Who gave consent", required=False), "when the family consented")
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


class MarfSchema(f.FormSchema):
    council = f.choice("Council", {c.id: c.name for c in COUNCILS.values()},
                       hint="The council whose profile (where referrals go, deadlines, case system, levels of need) "
                            "applies.")
    referral_date = f.date("Date of this referral", past=True,
                           hint="Timescales on the form are counted to this date.")
    blank_answers = f.choice("Empty answers print as", BLANK_ANSWERS, required=False,
                             hint="'Please do not leave sections blank': every empty optional answer prints this.")
    child_protection_concern = f.boolean(
        "This is a child protection concern",
        hint="Yes where there is reasonable cause to suspect a child is suffering, or is likely to suffer, significant "
             "harm. A child protection concern is referred without delay to the council's front door.")
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
    case_summary = f.text("Latest case summary", max_length=5000)
    step_up_rationale = f.text("Rationale for stepping up", max_length=4000)
    worried_about = f.text("What are we worried about?", max_length=4000)
    working_well = f.text("What's working well?", max_length=4000)
    complicating_factors = f.text("Complicating factors", required=False, max_length=3000)
    needs_to_happen = f.text("What needs to happen?", max_length=4000)
    danger_statements = f.rows(DangerStatementSchema, "Danger statements", minimum=1, maximum=10)
    early_help_plan = f.text("Current Early Help plan", max_length=4000)
    worries_raised_on = f.date("Date the worries were raised", past=True)
    taf_meeting_on = f.date(
        "Date of the meeting or discussion about the worries", required=False,
        hint="The one the council's guidance calls when worries are raised (its profile names it: in Manchester the "
             "Team around the Family meeting). A date after the referral is a planned meeting.")
    stepped_down_from = f.group(StepDownSchema, "Previous social work involvement", required=False,
                                hint="The team that stepped the family down to Early Help, if it did.")

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        _check_consent(data.get("consent") or {}, errors)
        _check_children(data.get("children") or [], data.get("referral_date"), errors)
        _check_dangers(data.get("danger_statements") or [], errors)
        _check_dates(data, errors)
        profile = COUNCILS.get(data.get("council") or "")
        if profile:
            _check_level(profile, data, errors)
            _check_completed_by(profile, data, errors)
            _check_case_ids(profile, data.get("children") or [], errors)
        errors.raise_any()


def _check_consent(consent: Mapping[str, Any], errors: RuleErrors) -> None:
    told, given = consent.get("family_told"), consent.get("consent_given")
    if (told is False or given is False) and not consent.get("why_not"):
        errors.add(CONSENT_WHY_NOT, "consent.why_not",
                   "Say why the family was not told, or why consent was not sought: for example, that telling them "
                   "could put a child at risk.")
    if told is False and given is True:
        errors.add(CONSENT_TOLD, "consent.consent_given",
                   "The family cannot have consented to a referral they were not told about. Check both answers.")
    if given is True and not consent.get("given_by"):
        errors.add(CONSENT_GIVEN_BY, "consent.given_by",
                   "Say who gave consent (name and relationship to the children).")


def _check_children(children: list[Mapping[str, Any]], referral: dt.date | None, errors: RuleErrors) -> None:
    for index, child in enumerate(children):
        born, due = child.get("date_of_birth"), child.get("expected_delivery_date")
        if born is None and due is None:
            errors.add(CHILD_DATES, f"children.{index}.date_of_birth",
                       "Give the child's date of birth, or the expected date of delivery for an unborn child.")
        elif born is not None and due is not None:
            errors.add(CHILD_DATES, f"children.{index}.expected_delivery_date",
                       "Give a date of birth or an expected date of delivery, not both: once a baby is born, give the "
                       "date of birth only.")
        elif due is not None and referral is not None and due < referral:
            errors.add(CHILD_DATES, f"children.{index}.expected_delivery_date",
                       "The expected date of delivery is before the date of this referral: if the baby has been born, "
                       "give the date of birth.")


def _check_dangers(statements: list[Mapping[str, Any]], errors: RuleErrors) -> None:
    examples = {"behaviour": "for example: 'Jordan has pushed Chiamaka in front of Amara twice this month'",
                "impact": "for example: 'Amara could be hurt, and is frightened to go to sleep'"}
    for index, statement in enumerate(statements):
        for key, example in examples.items():
            text = statement.get(key)
            if _is_label(text):
                errors.add(DANGER_NOT_A_LABEL, f"danger_statements.{index}.{key}",
                           f"'{text}' is a label. Describe what happens in this family, {example}.")


def _check_dates(data: Mapping[str, Any], errors: RuleErrors) -> None:
    referral: dt.date | None = data.get("referral_date")
    phoned = (data.get("phone_referral") or {}).get("made_at")
    raised: dt.date | None = data.get("worries_raised_on")
    meeting: dt.date | None = data.get("taf_meeting_on")
    stepped = (data.get("stepped_down_from") or {}).get("stepped_down_on")
    if referral and phoned and phoned.date() > referral:
        errors.add(DATES_IN_ORDER, "phone_referral.made_at",
                   "The phone referral must be on or before the date of this referral, which follows it up in "
                   "writing.")
    if referral and raised and raised > referral:
        errors.add(DATES_IN_ORDER, "worries_raised_on", "The date the worries were raised must be on or before the "
                                                        "date of this referral.")
    if raised and meeting and meeting < raised:
        errors.add(DATES_IN_ORDER, "taf_meeting_on", "The meeting about the worries must be on or after the date they "
                                                     "were raised.")
    if referral and stepped and stepped > referral:
        errors.add(DATES_IN_ORDER, "stepped_down_from.stepped_down_on",
                   "The step-down date must be on or before the date of this referral.")


def _check_level(profile: CouncilProfile, data: Mapping[str, Any], errors: RuleErrors) -> None:
    number: int | None = data.get("level_of_need")
    levels = profile.levels
    if number is None or not levels.printed:
        return
    chosen = profile.level(number)
    if chosen is None:
        errors.add(LEVEL_IN_PROFILE, "level_of_need",
                   f"Choose one of {profile.name}'s levels{'' if levels.is_councils else ' (not yet confirmed by the council)'}: "
                   f"{profile.levels_text()}.")
        return
    if not levels.is_councils:
        return  # no verdict from levels the council has not confirmed
    if not chosen.meets_threshold:
        needed = " or ".join(str(n) for n, lv in levels.value.items() if lv.meets_threshold)
        errors.add(LEVEL_MEETS_THRESHOLD, "level_of_need",
                   f"Level {number} ({chosen.name}) goes to {chosen.pathway}, not children's social care: choose level "
                   f"{needed}, or review the Early Help plan instead.")
    harm = [n for n, lv in levels.value.items() if lv.child_protection]
    concern = data.get("child_protection_concern")
    if not harm or concern is None:
        return
    if chosen.child_protection and concern is False:
        errors.add(SIGNIFICANT_HARM, "child_protection_concern",
                   f"Level {number} in {profile.short_name} is significant harm, a child protection concern: answer "
                   "yes, or check the level.")
    elif concern and not chosen.child_protection:
        errors.add(SIGNIFICANT_HARM, "level_of_need",
                   f"A child protection concern is level {' or '.join(map(str, harm))} in {profile.short_name}: "
                   "choose that level, or check the answer about a child protection concern.")


def _check_completed_by(profile: CouncilProfile, data: Mapping[str, Any], errors: RuleErrors) -> None:
    who = profile.marf_completed_by
    role = (data.get("referrer") or {}).get("role")
    if who is None or not who.is_councils or role is None or who.value.lower() in role.lower():
        return
    errors.add(COMPLETED_BY, "referrer.role",
               f"Give the {who.value}'s name and role as the referrer: in {profile.short_name} the {who.value} "
               "completes the MARF.")


def _check_case_ids(profile: CouncilProfile, children: list[Mapping[str, Any]], errors: RuleErrors) -> None:
    system = profile.case_system.value
    known = f.CASE_ID_FORMATS.get(system.name.strip().lower())
    if known is None:  # a council on a system formgen has no format for: the field's own limits still apply
        return
    pattern = re.compile(known.pattern, re.IGNORECASE)
    for index, child in enumerate(children):
        value = child.get("case_id")
        # ASCII first: Unicode case folding maps a few letters (the Kelvin sign) onto ASCII ones.
        if value and not (value.isascii() and pattern.match(value)):
            errors.add(CASE_ID_FITS_THE_SYSTEM, f"children.{index}.case_id",
                       f"{profile.short_name} keeps children on {system.name}: the {system.id_name} must be "
                       f"{known.what}, like {known.example}.")


# --------------------------------------------------------------------------------------------- context


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


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _quoted(setting: Setting[Any]) -> str:
    says = setting.provenance.says
    return f": “{says}”" if says else ""


def _is_child_protection(profile: CouncilProfile, data: Mapping[str, Any]) -> bool:
    """A child protection concern, or a level that is one (Manchester's level 5): the front door, without delay."""
    level = profile.level(data["level_of_need"])
    return bool(data["child_protection_concern"]) or bool(level and level.child_protection)


def _marked(profile: CouncilProfile, setting: Setting[str]) -> str:
    """A value as a document names it: an unconfirmed local setting says so beside it."""
    if setting.is_councils:
        return setting.value
    return f"{setting.value} (a local practice setting, not yet confirmed by {profile.name})"


def _child_protection_route(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, str]:
    door, timing = profile.front_door, profile.child_protection
    level = profile.level(data["level_of_need"])
    reason = ("This is a child protection concern." if data["child_protection_concern"] or level is None
              else f"Level {level.number} is a child protection concern: {level.meaning} ({profile.cite(profile.levels)}).")
    if door.printed:
        to = f"{_first_up(_marked(profile, door))}, without delay"
        where = f"A child protection concern goes to {door.value} ({profile.cite(door)})."
    else:
        to = f"{profile.name}'s children's social care front door, without delay"
        where = f"{profile.name} has not confirmed where referrals go, so formgen names no team."
    if timing is not None and timing.printed:
        when = f"It is referred {timing.value} ({profile.cite(timing)})."
    else:
        when = (f"'Without delay' is formgen's reading: {profile.short_name}'s guidance gives no timescale for a "
                "child protection referral, so formgen prints the safest.")
    return to, f"{reason} {where} {when}"


def _routing(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, str]:
    """(where this referral goes, why). Never from 4.4, which says which team is allocated, not where a referral goes."""
    if _is_child_protection(profile, data):
        return _child_protection_route(profile, data)
    route, door = profile.step_up_route, profile.front_door
    if route is not None and route.printed:
        return (_first_up(_marked(profile, route)),
                f"Without a child protection concern, a step-up goes to {route.value} ({profile.cite(route)})"
                f"{_quoted(route)}.")
    if door.printed:
        return (_first_up(_marked(profile, door)),
                f"A referral to children's social care goes to {door.value} ({profile.cite(door)}).")
    return (f"{profile.name}'s children's social care front door",
            f"{profile.name} has not confirmed where referrals go, so formgen names no team.")


def _allocation(profile: CouncilProfile, data: Mapping[str, Any]) -> str:
    """Which team is likely to be allocated a case stepped back up (Manchester 4.4): a note, never the destination."""
    stepped, back = data.get("stepped_down_from"), profile.step_back
    if not stepped:
        return "No step-down from social work is recorded."
    team, when = stepped["team"], uk_date(stepped["stepped_down_on"])
    if back is None or not back.printed:
        return (f"The family stepped down from {team} on {when}. Which team is allocated a case stepped back up is "
                f"not set for {profile.name}: its guidance does not say, and the council has not confirmed a local "
                "setting.")
    months, cited = back.value, profile.cite(back)
    if stepped["stepped_down_on"] < _months_before(data["referral_date"], months):
        return (f"The family stepped down from {team} on {when}, more than {months} months before this referral. The "
                f"return to the team that stepped a family down applies within {months} months ({cited}); for an older "
                f"step-down, {profile.short_name}'s guidance does not say which team is allocated.")
    likely = "is likely to be" if back.is_councils else "may be"
    return (f"The family stepped down from {team} on {when}, within {months} months of this referral. A case stepped "
            f"back up within {months} months is allocated to the team that stepped it down ({cited}), so {team} "
            f"{likely} allocated. This says which team is allocated, not where the referral is sent.")


def _follow_up(profile: CouncilProfile, data: Mapping[str, Any]) -> tuple[str, str]:
    """(the phone referral, when the written referral is due): a verdict only from the council's own deadline."""
    setting, phone, referral = profile.follow_up, data.get("phone_referral"), data["referral_date"]
    words = setting.value.words
    if not phone:
        rule_text = (f" (In {profile.short_name} a written referral follows a phone referral within {words}: "
                     f"{profile.cite(setting)}.)" if setting.printed else "")
        return "No phone referral: this written referral is the referral.", \
            f"Not applicable: no phone referral to follow up.{rule_text}"
    made: dt.datetime = phone["made_at"]
    spoke = f" to {phone['spoke_to']}" if phone.get("spoke_to") else ""
    phoned = f"Phone referral{spoke} at {_time_and_day(made)}."
    if not setting.printed:
        note = f" ({setting.provenance.note})" if setting.provenance.note else ""
        return phoned, (f"No deadline is set: {profile.name} has not confirmed one{note}. formgen's reading: send the "
                        "written referral as soon as possible.")
    deadline = f"By {_time_and_day(setting.value.due(made))}: {words} after the phone referral ({profile.cite(setting)})."
    if not setting.is_councils:
        return phoned, (f"{deadline} formgen gives no verdict on whether this referral is on time until {profile.name} "
                        "confirms the deadline.")
    late = referral > setting.value.due(made).date()
    verdict = (f"LATE: this referral is dated {uk_date(referral)}, after the deadline." if late
               else f"On time: this referral is dated {uk_date(referral)}.")
    return phoned, f"{deadline} {verdict}"


def _meeting_name(profile: CouncilProfile) -> str:
    return profile.meeting.value if profile.meeting.printed else "multi-agency meeting about the worries"


def _meeting(profile: CouncilProfile, data: Mapping[str, Any]) -> str:
    """The meeting about the worries and its timescale: LATE or OVERDUE only against the council's own timescale."""
    name, within = _meeting_name(profile), profile.meeting_within
    raised: dt.date = data["worries_raised_on"]
    held: dt.date | None = data.get("taf_meeting_on")
    fact = ""
    if held is not None:
        days = working_days_between(raised, held)
        tense = "is planned for" if held > data["referral_date"] else "was held on"
        fact = (f"The {name} {tense} {_day_and_date(held)}, {_plural(days, 'working day')} after the worries were "
                f"raised on {_day_and_date(raised)}")
    if within is None or not within.printed:
        named = f" names the {name} ({profile.meeting.provenance.section})" if profile.meeting.provenance.seed else ""
        silent = (f"{profile.short_name}'s guidance{named} but sets no timescale for it, and the council has not "
                  "confirmed one.")
        return f"{fact}. {_first_up(silent)}" if fact else f"No {name} is recorded yet. {_first_up(silent)}"
    expected = f"expected within {_plural(within.value, 'working day')} of the worries being raised ({profile.cite(within)})"
    judged = within.is_councils
    if held is not None:
        late = judged and working_days_between(raised, held) > within.value
        text = f"{'LATE: ' if late else ''}{fact}, {expected}."
    else:
        due = add_working_days(raised, within.value)
        overdue = judged and data["referral_date"] > due
        text = f"{'OVERDUE: ' if overdue else ''}No {name} is recorded yet. It is due by {_day_and_date(due)}, {expected}."
    return text if judged else f"{text} formgen gives no LATE or OVERDUE verdict until {profile.name} confirms it."


def _level_text(profile: CouncilProfile, number: int) -> str:
    levels, level = profile.levels, profile.level(number)
    if not levels.printed or level is None:
        return (f"Level {number}. {profile.name} has not confirmed its levels of need in formgen: see its threshold "
                "document.")
    head = f"Level {number} ({level.name}): {level.meaning}\nReferral pathway: {level.pathway} ({profile.cite(levels)})."
    if levels.is_councils and level.child_protection:
        return f"{head} Meets the threshold for a referral to children's social care in {profile.short_name}."
    if levels.is_councils and level.meets_threshold:
        # Appendix 1 gives level 4 a shared pathway ("Early Help Hub (or MASH)"): formgen refuses no such
        # step-up (safest for the child), and claims no threshold the guidance does not state.
        return (f"{head} The guidance gives this level more than one pathway, so formgen does not say whether it meets "
                "the threshold for children's social care: the service receiving the referral decides.")
    if levels.is_councils:
        return f"{head} Below the threshold for children's social care in {profile.short_name}."
    return (f"{head} formgen does not judge whether this referral meets {profile.name}'s threshold until the council "
            "confirms its levels: check its threshold document.")


def _completed_by(profile: CouncilProfile) -> str:
    who = profile.marf_completed_by
    if who is None or not who.printed:
        return ""
    return f"The {who.value} ({profile.cite(who)}){_quoted(who)}."


def _child_row(child: Mapping[str, Any], index: int, count: int, on: dt.date, blank: str) -> dict[str, str]:
    born, due = child.get("date_of_birth"), child.get("expected_delivery_date")
    if born is not None:
        birth = f"Date of birth {uk_date(born)} (age {age_text(born, on)})"
    else:
        birth = f"Unborn: expected date of delivery {uk_date(due)}"
    language = answer(child.get("first_language"), blank)
    interpreter = yes_no(child.get("interpreter_needed"), blank)
    nhs = f.format_nhs_number(child.get("nhs_number")) or blank
    return {
        "heading": f"Child {index + 1} of {count}: {child['full_name']} (NHS number {nhs})",
        "birth": birth,
        "other_names": answer(child.get("other_names"), blank),
        "sex": SEX[child["sex"]] if child.get("sex") else blank,
        "ethnicity": answer(child.get("ethnicity"), blank),
        "religion": answer(child.get("religion"), blank),
        "language": f"{language}. Interpreter needed: {interpreter}",
        "disability": answer(child.get("disability"), blank),
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
    phone_text, due_text = _follow_up(profile, data)
    stepped = data.get("stepped_down_from")
    agencies = [
        {"agency": a["agency"], "contact": answer(a.get("contact"), blank),
         "telephone": answer(a.get("telephone"), blank), "involvement": answer(a.get("involvement"), blank)}
        for a in data["agencies"]
    ] or [{"agency": blank, "contact": blank, "telephone": blank, "involvement": blank}]
    return {
        "council_name": profile.name,
        "case_system": profile.case_system.value.name,
        "case_id_name": profile.case_system.value.id_name,
        "referral_date": uk_date(referral),
        "child_protection": "Yes" if _is_child_protection(profile, data) else "No",
        "route_to": route_to,
        "route_why": route_why,
        "allocation": _allocation(profile, data),
        "completed_by": _completed_by(profile),
        "referrer_name": referrer["name"],
        "referrer_role": f"{referrer['role']}, {referrer['agency']}",
        "referrer_contact": "\n".join([f"Tel {referrer['telephone']}", answer(referrer.get("email"), blank)]),
        "phone_referral": phone_text,
        "written_referral_due": due_text,
        "meeting_name": _first_up(_meeting_name(profile)),
        "meeting_timescale": _meeting(profile, data),
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
        "previous_team": (f"{stepped['team']}" + (f" (social worker: {stepped['social_worker']})"
                                                   if stepped.get("social_worker") else "")) if stepped else blank,
        "stepped_down_on": uk_date(stepped["stepped_down_on"]) if stepped else blank,
    }


# ------------------------------------------------------------------------------------- sharing, example


def _council_for(case_ids: Mapping[str, str]) -> CouncilProfile | None:
    for profile in COUNCILS.values():
        if profile.case_system.value.name in case_ids:
            return profile
    return None


def _nhs_digits(value: Any) -> str | None:
    return value.replace(" ", "") if isinstance(value, str) and value.strip() else None


def shares(body: Mapping[str, Any]) -> SharedCase:
    profile = COUNCILS.get(body.get("council") or "")
    system = profile.case_system.value.name if profile else None
    children = sorted(body.get("children") or [], key=lambda c: c.get("date_of_birth") is None)
    referrer = body.get("referrer") or {}
    return drop_empty({
        "as_of": iso(body.get("referral_date")),
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
             "nhs_number": _nhs_digits(c.get("nhs_number")),
             "gender": SEX.get(c.get("sex") or "") if c.get("sex") in ("female", "male") else None,
             "case_ids": {system: c.get("case_id")} if system and c.get("case_id") else {}}
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
    # A brother or sister listed among the family is one of the children; the household keeps everyone in it.
    children = with_children_of_family(case).get("children") or []
    profile = None
    for child in children:
        profile = profile or _council_for(child.get("case_ids") or {})
    system = profile.case_system.value.name if profile else None
    worker = case.get("worker") or {}
    is_social_worker = "social work" in (worker.get("role") or "").lower()
    return drop_empty({
        "council": profile.id if profile else None,
        "children": [
            {"full_name": c.get("full_name"), "date_of_birth": c.get("date_of_birth"),
             "nhs_number": c.get("nhs_number"),
             "sex": (c.get("gender") or "").lower() if (c.get("gender") or "").lower() in SEX else None,
             "case_id": (c.get("case_ids") or {}).get(system) if system else None}
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


# A level 5 child protection referral in Manchester, made as the guidance says: the worries raised on Monday
# 9 November were phoned through to MASH that afternoon (without delay: 4.2.1, 4.3), followed up in writing the
# next day (within 48 hours: Appendix 1), with the Team around the Family meeting called for Thursday 12
# November (within 5 working days: 4.3). The family stepped down from the North Area Social Work Team within
# the last 3 months, so that team is likely to be allocated (4.4).
EXAMPLE: dict[str, Any] = {
    "council": "manchester",
    "referral_date": "2026-11-10",
    "blank_answers": "not-known",
    "child_protection_concern": True,
    "referrer": {"name": "Rhiannon Pryce", "role": "Early Help Senior Practitioner",
                 "agency": "North Manchester Early Help Hub", "telephone": "0161 496 0571",
                 "email": "rhiannon.pryce@example.org"},
    "phone_referral": {"made_at": "2026-11-09T14:10", "spoke_to": "MASH duty social worker"},
    "children": [
        {"full_name": "Amara Okafor", "nhs_number": "999 000 1235", "date_of_birth": "2019-03-21", "sex": "female",
         "ethnicity": "Black or Black British: African", "religion": "Christian", "first_language": "English",
         "interpreter_needed": False, "school": "Birchfield Primary School (Year 3)",
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
         "involvement": "Antenatal care; raised the police call-out at the 28-week appointment on 9 November."},
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
        "leading to a police call-out on 7 November, with Amara at home each time. The midwife heard of the call-out "
        "at Chiamaka's 28-week appointment on 9 November and told the Early Help worker the same morning."
    ),
    "step_up_rationale": (
        "The worries have escalated despite the Early Help plan: the incidents are more frequent, Chiamaka is "
        "28 weeks pregnant, and Amara is frightened. On 9 November the Early Help Senior Social Worker agreed that "
        "this is a child protection concern, and it was phoned through to MASH that afternoon. A Team around the "
        "Family meeting is called for 12 November to plan Early Help's part alongside the social work response."
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

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the referral", ("council", "referral_date", "blank_answers", "child_protection_concern")),
    ("Referrer", ("referrer", "phone_referral")),
    ("Children", ("children",)),
    ("Address", ("address", "family_telephone")),
    ("Household members", ("household",)),
    ("Other agencies", ("agencies",)),
    ("Consent", ("consent",)),
    ("Level of need and summary", ("level_of_need", "case_summary", "step_up_rationale")),
    ("Worries and strengths", ("worried_about", "working_well", "complicating_factors", "needs_to_happen")),
    ("Danger statements", ("danger_statements",)),
    ("Early Help so far", ("early_help_plan", "worries_raised_on", "taf_meeting_on", "stepped_down_from")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Multi-Agency Referral Form (MARF)",
    authority=", ".join(c.name for c in COUNCILS.values()),
    # Kept short: the document's subject property (authority and description) holds at most 255 characters.
    description="Stepping a case up to children's social care: where it goes, and timescales with their sources.",
    source="001_758cea11271c27d3.txt, 003_d21c09425c3703d5.txt; 002_cb5f9c2c56a44ba2.txt 4.2.1, 4.3, 4.3.1, 4.4, "
           "Appendix 1; 000_d813ace460bad8eb.txt and 004_1eeb0ade2e7becbd.txt for those councils' profiles",
    schema=MarfSchema,
    build_context=build_context,
    example=EXAMPLE,
    max_pages=None,
    filename=lambda data: f"marf-{data['council']}-{data['referral_date'].isoformat()}",
    shares=shares,
    takes=takes,
    rules=(LEVEL_IN_PROFILE, LEVEL_MEETS_THRESHOLD, SIGNIFICANT_HARM, COMPLETED_BY, CONSENT_WHY_NOT, CONSENT_TOLD,
           CONSENT_GIVEN_BY, CHILD_DATES, DANGER_NOT_A_LABEL, DATES_IN_ORDER, CASE_ID_FITS_THE_SYSTEM),
    wording=WORDING,
)
