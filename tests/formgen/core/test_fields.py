"""formgen/core/fields.py: the NHS number, and fields needed only in some cases."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from formgen.core import fields as f


class _Child(f.FormSchema):
    nhs_number = f.nhs_number()
    reason = f.required_when(f.line("Reason", required=False), "when there is no consent")


@pytest.mark.parametrize(("given", "kept"), [
    ("943 476 5919", "9434765919"),
    ("9434765919", "9434765919"),
    ("401 023 2137", "4010232137"),
    ("", ""),
    (None, None),
])
def test_a_valid_nhs_number_is_kept_as_ten_digits(given: Any, kept: Any) -> None:
    assert _Child().load({"nhs_number": given})["nhs_number"] == kept


@pytest.mark.parametrize(("given", "says"), [
    ("943 476 5918", "is not a valid NHS number"),  # last digit wrong
    ("943 476 591", "must be 10 digits"),
    ("94347659190", "must be 10 digits"),
    ("943-476-5919", "must be 10 digits"),
    ("NHS 9434765", "must be 10 digits"),
])
def test_an_nhs_number_that_fails_its_check_is_refused_by_name(given: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        _Child().load({"nhs_number": given})
    assert says in refused.value.messages["nhs_number"][0]
    assert refused.value.messages["nhs_number"][0].startswith("NHS number")


def test_a_check_digit_of_ten_is_never_valid() -> None:
    # 10 x 1 + 9 x 0 ... : 11 - (10 mod 11) = 1, so try every last digit of a prefix whose check is 10.
    prefix = next(p for p in (f"{n:09d}" for n in range(1000, 100000))
                  if 11 - sum(int(d) * w for d, w in zip(p, range(10, 1, -1), strict=True)) % 11 == 10)
    assert not any(f.nhs_number_is_valid(prefix + str(d)) for d in range(10))


def test_nhs_numbers_print_in_the_nhs_grouping() -> None:
    assert f.format_nhs_number("9434765919") == "943 476 5919"
    assert f.format_nhs_number(None) == ""


def test_a_field_needed_in_some_cases_says_when_on_the_web_page() -> None:
    from formgen.service.web.schema_form import describe

    described = {field.name: field for field in describe(_Child)}
    assert described["reason"].required_when == "when there is no consent"
    assert described["nhs_number"].required_when is None


class _Texts(f.FormSchema):
    required = f.text("Required text", max_length=12)
    optional = f.text("Optional text", required=False, max_length=12)
    line = f.line("A line", max_length=12)


def _as_text_was(field: f.Text, value: Any) -> Any:
    """Text._deserialize as it was before its shortcuts (String's own load of every value, every line end
    replaced): the reference the quicker one must equal."""
    from marshmallow import fields

    if field.max_length is not None and isinstance(value, str) and len(value) > field.max_length:
        trimmed = value.strip()
        if len(trimmed) - trimmed.count("\r\n") > field.max_length:
            raise ValidationError(field.too_long)
    text = fields.String._deserialize(field, value, None, None)
    f._reject_xml_illegal(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text and field.required:
        raise field.make_error("blank")
    return text


def _outcome(load: Any, value: Any) -> tuple[str, str]:
    try:
        return "loaded", repr(load(value))
    except ValidationError as refused:
        return "refused", repr(refused.messages)


@pytest.mark.parametrize("value", [
    "", " ", "\t\n ", "\u3000", "\u00a0x\u00a0", "a", " a ", "é", "x\u2028y", "a\x01b", "\x00", "\x7f", "\ud800",
    "\ufffe", "\x01\r\n", "a\r\nb", "a\rb", "a\nb", "\r\n", "\r", " \r\n a \r\n ", "\r\r\n", "x" * 12, "x" * 13,
    "x" * 11 + "\r\n", "\r\n" * 12, "x\r" * 7, " " * 15, b"bytes", b"\xff", 0, 1.5, True, [], {},
], ids=repr)
@pytest.mark.parametrize("name", ["required", "optional", "line"])
def test_text_loads_each_value_as_it_did_before_its_shortcuts(name: str, value: Any) -> None:
    """A str is taken as it is (String's load returns it unchanged) and line ends are replaced only where there
    is a carriage return: the same text, or the same message, for control characters, line ends, white space,
    limits and every other JSON type."""
    field = _Texts().fields[name]
    assert isinstance(field, f.Text)
    assert _outcome(lambda v: field._deserialize(v, name, {}), value) == _outcome(lambda v: _as_text_was(field, v), value)
