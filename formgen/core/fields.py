"""Field constructors shared by every form schema.

Each field carries a human label (and optional hint) in its metadata: the same words serve the
error messages, the JSON Schema, the OpenAPI document and the web pages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from formgen.core.limits import OversizedNumber
from formgen.core.rules import Source

# Characters XML 1.0 cannot hold; one in a DOCX makes Word refuse the file.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# The same rules, published in the JSON Schema: no character XML cannot hold, and (when required)
# at least one character that is not white space.
_PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]*$"
_PRINTABLE_NOT_BLANK = (r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]*"
                        r"[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]"
                        r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]*$")

# Word's own "empty" result of a text form field (five en spaces): what a blank fillable box holds.
EMPTY_RESULT = "\u2002" * 5
SHORT_TEXT = 200
LONG_TEXT = 6000
MAX_ROWS = 40


def _reject_xml_illegal(value: str) -> None:
    match = _XML_ILLEGAL.search(value)
    if match:
        raise ValidationError(
            f"Contains a control character (U+{ord(match.group()):04X}) that a document "
            "cannot hold. Remove it and try again."
        )


class Text(fields.String):
    """A string that is trimmed, must not be blank when required, and can be printed.

    `max_length` (with `too_long`, its message) is checked before any other work on the text.
    """

    def __init__(self, *args: Any, max_length: int | None = None, too_long: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.too_long = too_long

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        # Trimming and Windows line ends (below) may bring a text within its limit: only what is still
        # too long after both is refused here, before the character checks.
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            trimmed = value.strip()
            if len(trimmed) - trimmed.count("\r\n") > self.max_length:
                raise ValidationError(self.too_long)
        # A str is what String._deserialize would return as it is; anything else (bytes, a number) is its to judge.
        text = value if type(value) is str else super()._deserialize(value, attr, data, **kwargs)
        _reject_xml_illegal(text)
        # Windows line ends become plain newlines so both formats break lines alike.
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        if not text and self.required:
            raise self.make_error("blank")
        return text


class StrictBoolean(fields.Boolean):
    """JSON true or false only. (1 == True in Python, so truthy={True} alone would let 1 through.)"""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class StrictDate(fields.Date):
    """An ISO date (YYYY-MM-DD) only: no datetimes, no other formats."""

    _ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if not isinstance(value, str) or not self._ISO.match(value):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _meta(label: str, hint: str | None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"label": label, "title": label}
    if hint:
        meta["hint"] = hint
        meta["description"] = hint
    if extra:
        meta.update(extra)
    return meta


def text(
    label: str,
    *,
    required: bool = True,
    max_length: int = LONG_TEXT,
    hint: str | None = None,
    multiline: bool = True,
    called: str | None = None,
) -> Text:
    """Free text. Multi-line answers print with their line breaks.

    `called`: what error messages name the answer by when its label is a long question ("Your answer to
    question 1"), so a message stays short."""
    name = called or label
    too_long = f"{name} must be {max_length} characters or fewer."
    return Text(
        max_length=max_length,
        too_long=too_long,
        required=required,
        load_default=None if not required else fields.missing_,
        validate=validate.Length(max=max_length, error=too_long),
        metadata=_meta(label, hint, {"multiline": multiline,
                                     "pattern": _PRINTABLE_NOT_BLANK if required else _PRINTABLE}),
        error_messages={
            "required": f"{name} is required.",
            "blank": f"{name} must not be blank.",
            "null": f"{name} is required." if required else f"{name} cannot be null.",
            "invalid": f"{name} must be text.",
        },
        allow_none=not required,
    )


def line(label: str, *, required: bool = True, max_length: int = SHORT_TEXT, hint: str | None = None) -> Text:
    """A single line of text (a name, an id, a phone number)."""
    return text(label, required=required, max_length=max_length, hint=hint, multiline=False)


def _matching(label: str, pattern: str, example: str, what: str) -> validate.Validator:
    compiled = re.compile(pattern, re.IGNORECASE)

    def check(value: str | None) -> None:
        if value and not compiled.match(value):
            raise ValidationError(f"{label} must be {what}, like {example}.")

    return check  # type: ignore[return-value]


def formatted(label: str, *, pattern: str, example: str, what: str, required: bool = True, max_length: int = SHORT_TEXT,
              hint: str | None = None) -> Text:
    """A line that must match `pattern` (case-insensitive): "Postcode must be a UK postcode, like M13 9PL."."""
    field = line(label, required=required, max_length=max_length, hint=hint)
    field.validators = [*field.validators, _matching(label, pattern, example, what)]
    field.metadata = {**field.metadata, "format_pattern": pattern}
    return field


UK_POSTCODE = r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$"
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
TIME_24H = r"^([01]\d|2[0-3]):[0-5]\d$"


def postcode(label: str = "Postcode", *, required: bool = True) -> Text:
    return formatted(label, pattern=UK_POSTCODE, example="M13 9PL", what="a UK postcode", required=required, max_length=10)


def email(label: str = "Email", *, required: bool = False, hint: str | None = None) -> Text:
    return formatted(label, pattern=EMAIL, example="name@example.org", what="an email address", required=required,
                     max_length=254, hint=hint)


def time_of_day(label: str, *, required: bool = True, hint: str = "24-hour clock, for example 14:30.") -> Text:
    return formatted(label, pattern=TIME_24H, example="09:30 or 14:00", what="a time on the 24-hour clock",
                     required=required, max_length=5, hint=hint)


@dataclass(frozen=True)
class CaseIdFormat:
    pattern: str
    example: str
    what: str


# A case system's record id, per system as the council profiles (councils/*.toml) name them. The seeds show
# ids, never their rules, so each pattern is formgen's reading: the shape the seed's examples have where it
# shows any, else ASCII letters, digits and hyphens. Either way an id is safe in a file name, a header and a
# search box (no spaces, quotes, slashes or letters outside ASCII), and nothing a real id could hold is
# refused for being too particular.
_ID_PATTERN, _ID_WHAT = r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$", "letters, digits and hyphens (up to 20)"
CASE_ID_FORMATS: dict[str, CaseIdFormat] = {
    # 000 (Herefordshire), the Mosaic sibling table: "ID 603918", "603917" -- digits only.
    "mosaic": CaseIdFormat(r"^[0-9]{1,12}$", "603918", "digits only (up to 12)"),
    # 002 (Manchester) appendix 2: "Subject Child Name & Micare ID ... Micare number"; no example is shown.
    "micare": CaseIdFormat(_ID_PATTERN, "MC0481923", _ID_WHAT),
    # 001 (Shropshire) 3.a: "the carefirst numbers of all cases stepping down"; no example is shown.
    "carefirst": CaseIdFormat(_ID_PATTERN, "CF2284619", _ID_WHAT),
    # 004 (Peterborough) 1-2: social care on Liquid Logic (LCS), Early Help on EHM; no example of either.
    "liquid logic (lcs)": CaseIdFormat(_ID_PATTERN, "1234567", _ID_WHAT),
    "lcs": CaseIdFormat(_ID_PATTERN, "1234567", _ID_WHAT),
    "ehm": CaseIdFormat(_ID_PATTERN, "7654321", _ID_WHAT),
    # 001 (Shropshire) 3.a: Early Help plans are kept on ECINS; no example is shown.
    "ecins": CaseIdFormat(_ID_PATTERN, "4410287", _ID_WHAT),
}


def _ascii_only(label: str) -> validate.Validator:
    # The pattern is matched case-insensitively, and Unicode folds a few letters (the Kelvin sign, a long s)
    # onto ASCII ones; an id must be ASCII itself.
    def check(value: str | None) -> None:
        if value and not value.isascii():
            raise ValidationError(f"{label} must use only the letters A to Z, digits and hyphens.")

    return check  # type: ignore[return-value]


def case_id(label: str, system: str, *, required: bool = True, hint: str | None = None) -> Text:
    """A child's or case's id on a case system: `system` as a council profile names it (Mosaic, Micare,
    carefirst, ECINS, Liquid Logic (LCS), EHM).

    Mosaic: digits only, 1-12 (the seed's Mosaic ids are 603918 and 603917). Micare, carefirst, ECINS, LCS, EHM:
    1-20 ASCII letters, digits and hyphens, starting with a letter or digit (the seeds name these ids but
    show none). Nothing else: no spaces, quotes, slashes or non-ASCII letters, so an id can name a file."""
    known = CASE_ID_FORMATS.get(system.strip().lower())
    if known is None:
        raise KeyError(f"No case id format for the case system '{system}'; add it to CASE_ID_FORMATS.")
    field = formatted(label, pattern=known.pattern, example=known.example, what=known.what, required=required,
                      max_length=20, hint=hint or f"The {system} id, for example {known.example}.")
    field.validators = [*field.validators, _ascii_only(label)]
    field.metadata = {**field.metadata, "case_system": system, "autocomplete": "off"}
    return field


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's Modulus 11 check: weights 10..2 on the first nine digits; 11 - (sum mod 11) is the
    tenth digit (11 reads as 0; 10 means the number is not valid)."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = 11 - sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


class NHSNumber(Text):
    """An NHS number: 10 digits (spaces allowed, as printed on NHS letters: 943 476 5919), checked with
    Modulus 11 and kept as the 10 digits. The consistent child identifier (Children Act 2004, s.16LC)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        digits = text.replace(" ", "")
        if not text:
            return text
        if not digits.isdigit() or len(digits) != 10:
            raise self.make_error("format")
        if not nhs_number_is_valid(digits):
            raise self.make_error("check_digit")
        return digits


def nhs_number(label: str = "NHS number", *, hint: str | None = None) -> NHSNumber:
    """An optional NHS number, the consistent identifier for a child's records (Children Act 2004, s.16LC)."""
    return NHSNumber(
        max_length=12,
        too_long=f"{label} must be 10 digits.",
        required=False,
        allow_none=True,
        load_default=None,
        metadata=_meta(label, hint or "10 digits, for example 943 476 5919. Leave blank if not known.",
                       {"pattern": r"^(?:[0-9] ?){10}$|^$", "autocomplete": "off", "max_length": 12}),
        validate=validate.Length(max=12, error=f"{label} must be 10 digits."),
        error_messages={
            "null": f"{label} cannot be null.",
            "invalid": f"{label} must be text.",
            "format": f"{label} must be 10 digits, like 943 476 5919.",
            "check_digit": f"{label} is not a valid NHS number: its last digit does not match (Modulus 11 check). "
                           "Check it against the child's NHS records.",
        },
    )


def format_nhs_number(digits: str | None) -> str:
    """943 476 5919: the NHS's own 3-3-4 grouping, as printed beside the child's name."""
    if not digits:
        return ""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


def required_when(field: fields.Field, condition: str) -> fields.Field:
    """Mark an optional field as needed in some cases (`condition`, in words: "when the route is 3.b").

    The web pages then say when it is needed instead of "(optional)"; the rule that enforces it is the form's.
    """
    field.metadata = {**field.metadata, "required_when": condition}
    return field


def not_in_future(label: str) -> validate.Validator:
    def check(value: dt.date) -> None:
        if value > dt.date.today():
            raise ValidationError(f"{label} must be today or in the past.")

    return check  # type: ignore[return-value]


def date(label: str, *, required: bool = True, past: bool = False, hint: str | None = None) -> StrictDate:
    """An ISO 8601 date. past=True: it cannot be later than today."""
    return StrictDate(
        required=required,
        allow_none=not required,
        load_default=None if not required else fields.missing_,
        validate=[not_in_future(label)] if past else [],
        metadata=_meta(label, hint or "For example, 2026-03-27 (YYYY-MM-DD).", {"past": past}),
        error_messages={
            "required": f"{label} is required.",
            "null": f"{label} is required." if required else f"{label} cannot be null.",
            "invalid": f"{label} must be a real date in the format YYYY-MM-DD.",
        },
    )


def choice(
    label: str, options: Mapping[str, str], *, required: bool = True, hint: str | None = None
) -> Text:
    """One of a fixed set of values; options maps each value to the words printed for it."""
    values = list(options)
    return Text(
        required=required,
        allow_none=not required,
        load_default=None if not required else fields.missing_,
        validate=validate.OneOf(values, error=f"{label} must be one of: {', '.join(values)}."),
        metadata=_meta(label, hint, {"options": dict(options)}),
        error_messages={
            "required": f"{label} is required.",
            "null": f"{label} is required." if required else f"{label} cannot be null.",
            "blank": f"{label} is required.",
            "invalid": f"{label} must be one of: {', '.join(values)}.",
        },
    )


class BoundedInteger(fields.Integer):
    """A JSON whole number; one too long to be any answer (formgen.core.limits.OversizedNumber) is out of
    range, said in the range's own words, and never converted."""

    def __init__(self, *args: Any, out_of_range: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.out_of_range = out_of_range

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, OversizedNumber):
            raise ValidationError(self.out_of_range)
        return super()._deserialize(value, attr, data, **kwargs)


def level_words(words: Mapping[int, str], minimum: int, maximum: int) -> dict[str, str]:
    """Each value from `minimum` to `maximum` as a reader sees it: "3 - Intensive" where the guidance names the
    level, the number alone where it does not (nothing is invented)."""
    return {str(n): f"{n} - {words[n]}" if n in words else str(n) for n in range(minimum, maximum + 1)}


def integer(
    label: str, *, minimum: int, maximum: int, required: bool = True, hint: str | None = None,
    words: Mapping[int, str] | None = None, words_source: Source | None = None,
) -> fields.Integer:
    """A whole number sent as a JSON number (a string such as "3" is refused).

    `words`: what the guidance calls some of the values (a level of need's name), with `words_source`, the
    passage that names them; the web pages' radios and check-answers show them beside the number."""
    extra: dict[str, Any] = {}
    if words:
        if words_source is None:
            raise ValueError(f"{label}: words for its values need the passage that names them (words_source)")
        extra = {"options": level_words(words, minimum, maximum), "options_source": words_source.to_json()}
    return BoundedInteger(
        out_of_range=f"{label} must be a whole number from {minimum} to {maximum}.",
        strict=True,
        required=required,
        allow_none=not required,
        validate=validate.Range(
            min=minimum, max=maximum, error=f"{label} must be a whole number from {{min}} to {{max}}."
        ),
        metadata=_meta(label, hint, extra),
        error_messages={
            "required": f"{label} is required.",
            "null": f"{label} is required.",
            "invalid": f"{label} must be a whole number (a JSON number, not text).",
        },
    )


def boolean(label: str, *, required: bool = True, hint: str | None = None, called: str | None = None) -> fields.Boolean:
    """JSON true or false only: "yes", 1 and "true" are refused so nothing is guessed. `called`: the name error
    messages use when the label is a long statement to tick (see `text`)."""
    name = called or label
    return StrictBoolean(
        required=required,
        allow_none=not required,
        load_default=None if not required else fields.missing_,
        truthy={True},
        falsy={False},
        metadata=_meta(label, hint),
        error_messages={
            "required": f"{name} is required.",
            "null": f"{name} is required.",
            "invalid": f"{name} must be true or false.",
        },
    )


class Rows(fields.List):
    """A list whose length is checked before any of its items is: 10,000 rows cost one error, not 10,000."""

    def __init__(self, *args: Any, max_items: int, too_many: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_items = max_items
        self.too_many = too_many

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(self.too_many)
        return super()._deserialize(value, attr, data, **kwargs)


def rows(
    schema: type[Schema],
    label: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_ROWS,
    hint: str | None = None,
) -> fields.List:
    """A repeating group (family members, meetings, children)."""
    if minimum:
        length_error = f"{label}: give between {minimum} and {maximum}."
    else:
        length_error = f"{label}: give at most {maximum}."
    return Rows(
        fields.Nested(schema),
        max_items=maximum,
        too_many=length_error,
        required=minimum > 0,
        load_default=list if minimum == 0 else fields.missing_,
        validate=validate.Length(min=minimum, max=maximum, error=length_error),
        metadata=_meta(label, hint),
        error_messages={
            "required": f"{label}: at least {minimum} required.",
            "null": f"{label} must be a list.",
            "invalid": f"{label} must be a list.",
        },
    )


def group(schema: type[Schema], label: str, *, required: bool = True, hint: str | None = None) -> fields.Nested:
    """A nested object such as an address or a referrer."""
    return fields.Nested(
        schema,
        required=required,
        allow_none=not required,
        load_default=None if not required else fields.missing_,
        metadata=_meta(label, hint),
        error_messages={
            "required": f"{label} is required.",
            "null": f"{label} is required.",
            "type": f"{label} must be an object.",
        },
    )


UNKNOWN = "Unknown field: this form has no field of that name."
# An object naming more unknown fields than this is refused on sight, naming the first of them: marshmallow
# would otherwise make an error for each of 80,000 before the answer could be cut short.
MAX_UNKNOWN_FIELDS = 20


class FormSchema(Schema):
    """Base for every form's schema: unknown fields are refused by name."""

    @pre_load
    def _few_unknown_fields(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Mapping) or len(data) <= len(self.fields) + MAX_UNKNOWN_FIELDS:
            return data
        unknown = [key for key in data if key not in self.fields]
        if len(unknown) <= MAX_UNKNOWN_FIELDS:
            return data
        named: dict[str, Any] = {str(key)[:100]: [UNKNOWN] for key in unknown[:MAX_UNKNOWN_FIELDS]}
        named["_schema"] = [f"{len(unknown) - MAX_UNKNOWN_FIELDS:,} more unknown fields are not listed: this form has "
                            f"{len(self.fields)} fields here and the object has {len(data):,}."]
        raise ValidationError(named)

    error_messages = {  # noqa: RUF012 - marshmallow reads these from the class
        "unknown": UNKNOWN,
        # Met only by nested objects and list items (the engine checks the body itself first).
        "type": "Must be a JSON object ({...}), not a list, text or a number.",
    }
