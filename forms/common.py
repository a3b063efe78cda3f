"""Schemas and printing helpers that several forms share (people, addresses, contacts)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from marshmallow import missing
from marshmallow.fields import Field

from formgen.core import fields as f
from formgen.core.dates import age_text, uk_date

NOT_KNOWN = "Not known"


class AddressSchema(f.FormSchema):
    line_1 = f.line("Address line 1")
    line_2 = f.line("Address line 2", required=False)
    town = f.line("Town or city")
    postcode = f.postcode()


class ContactSchema(f.FormSchema):
    """Who to contact: a professional (referrer) or a worker."""

    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or agency", required=False)
    telephone = f.line("Telephone", required=False, max_length=40)
    email = f.email()


def address_text(address: Mapping[str, Any] | None) -> str:
    if not address:
        return NOT_KNOWN
    parts = [address.get("line_1"), address.get("line_2"), address.get("town"), (address.get("postcode") or "").upper()]
    return ", ".join(p for p in parts if p)


def contact_text(contact: Mapping[str, Any] | None) -> str:
    """Name, role and team on the first line; telephone and email on the second."""
    if not contact:
        return NOT_KNOWN
    first = ", ".join(p for p in (contact.get("name"), contact.get("role"), contact.get("team")) if p)
    second = " · ".join(
        p for p in (
            f"Tel {contact['telephone']}" if contact.get("telephone") else None,
            contact.get("email"),
        ) if p
    )
    return f"{first}\n{second}" if second else first


def or_not_known(value: Any, default: str = NOT_KNOWN) -> str:
    if value is None or value == "":
        return default
    return str(value)


def person_row(person: Mapping[str, Any], on: Any) -> dict[str, str]:
    """A family member as the family tables print them."""
    born = person.get("date_of_birth")
    return {
        "full_name": person["full_name"],
        "relationship": person["relationship"],
        "date_of_birth": uk_date(born) if born else NOT_KNOWN,
        "age": age_text(born, on) if born else NOT_KNOWN,
        "notes": person.get("notes") or "",
    }


def join_lines(lines: Iterable[str]) -> str:
    return "\n".join(line for line in lines if line)


_F = TypeVar("_F", bound=Field)


def with_messages(field: _F, **messages: str) -> _F:
    """The field with some of its error messages replaced, e.g. a `required` message that cites the guidance."""
    field.error_messages = {**field.error_messages, **messages}
    return field


# "Please do not leave sections blank": an empty optional answer prints one of these, chosen per body.
BLANK_ANSWERS = {"not-known": "Not known", "not-applicable": "Not applicable"}


def blank_phrase(choice: str | None) -> str:
    """The words an empty answer prints: the sender's choice, else "Not known"."""
    return BLANK_ANSWERS[choice or "not-known"]


def answer(value: Any, blank: str) -> str:
    """An answer as printed: the value, or `blank` when it is missing or empty (never an empty box)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return blank
    return str(value)


def yes_no(value: bool | None, blank: str) -> str:
    if value is None:
        return blank
    return "Yes" if value else "No"


class LocalDateTime(f.Text):
    """A UK local date and time, 'YYYY-MM-DDTHH:MM' (no seconds, no zone), loaded as a naive datetime."""

    _PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str) or not self._PATTERN.match(value):
            raise self.make_error("invalid")
        try:
            return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
        except ValueError:
            raise self.make_error("invalid") from None


def local_datetime(label: str, *, required: bool = True, hint: str | None = None) -> LocalDateTime:
    """A date and time of day in UK local time, e.g. 2026-11-12T11:40."""
    message = f"{label} must be a real date and time in the format YYYY-MM-DDTHH:MM, like 2026-11-12T11:40."
    return LocalDateTime(
        required=required,
        allow_none=not required,
        load_default=None if not required else missing,
        metadata={"label": label, "title": label, "multiline": False,
                  "description": hint or "Date and time, UK local time: YYYY-MM-DDTHH:MM.",
                  "pattern": LocalDateTime._PATTERN.pattern, "maxLength": 16},
        error_messages={
            "required": f"{label} is required.",
            "null": f"{label} is required." if required else f"{label} cannot be null.",
            "invalid": message,
            "blank": message,
        },
    )
