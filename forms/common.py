"""Schemas and printing helpers that several forms share (people, addresses, contacts)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from marshmallow import ValidationError, validates

from formgen import fields as f
from formgen.dates import age_text, uk_date

_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?\s?[0-9][A-Z]{2}$", re.IGNORECASE)

NOT_KNOWN = "Not known"


class AddressSchema(f.FormSchema):
    line_1 = f.line("Address line 1")
    line_2 = f.line("Address line 2", required=False)
    town = f.line("Town or city")
    postcode = f.line("Postcode", max_length=10)

    @validates("postcode")
    def _postcode(self, value: str, **_: Any) -> None:
        if not _POSTCODE.match(value):
            raise ValidationError("Postcode must be a UK postcode, like M13 9PL.")


class ContactSchema(f.FormSchema):
    """Who to contact: a professional (referrer) or a worker."""

    name = f.line("Name")
    role = f.line("Role", required=False)
    team = f.line("Team or agency", required=False)
    telephone = f.line("Telephone", required=False, max_length=40)
    email = f.line("Email", required=False, max_length=254)

    @validates("email")
    def _email(self, value: str | None, **_: Any) -> None:
        if value and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            raise ValidationError("Email must be an email address, like name@example.org.")


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
