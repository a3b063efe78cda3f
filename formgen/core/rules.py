"""Rules with their sources: what each form refuses, in plain English, and where that rule comes from.

A form module declares each of its rules once, as a `Rule` with an id, the rule in plain words, its
`Source` (a passage of a council's guidance, a council's local setting, the law, or formgen's own reading
where the guidance is silent), the fields it names, and a `breach`: a change to the form's example that
breaks it. The form's schema raises errors only through `RuleErrors`, so every refusal names the rule it
broke; the rulebook (`GET /api/forms/{id}/rules`, `formgen rules FORM_ID`) lists them all, and the tests
break each one.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from marshmallow import ValidationError

# The councils' published guidance that formgen's forms follow, by number: what each document is.
GUIDANCE: dict[str, str] = {
    "000": "Herefordshire: New Early Help Assessment Step-Down, updated guidance (March 2021)",
    "001": "Shropshire: Children's Social Work and Safeguarding Step Down to Targeted Early Help and Other "
           "Early Help Service Guidance",
    "002": "Manchester: Social Work and Early Help Working Together (step up, step down and joint work; "
           "July 2017, reviewed May 2018)",
    "003": "Step Down to Early Help / Step Up to Children's Services (the Early Help Step Down Clinic)",
    "004": "Peterborough City Council: Guidance for Stepping-down from Children's Social Care to Early Help "
           "(October 2020)",
}


class SourceKind(StrEnum):
    """Where a rule, deadline or fixed wording comes from."""

    GUIDANCE = "guidance"  # a passage of a council's own guidance
    LAW = "law"  # an Act, regulation or case law
    LOCAL_SETTING = "local-setting"  # a value the council sets in its profile (councils/*.toml)
    FORMGEN_READING = "formgen-reading"  # the guidance is silent or ambiguous: formgen's reading, safest for the child
    INPUT_LIMIT = "input-limit"  # formgen's own limits on what it accepts (lengths, formats, list sizes)
    TEMPLATE_DEFAULT = "template-default"  # wording formgen composed; the council should confirm or replace it


@dataclass(frozen=True)
class Source:
    """One citation: what kind of source, which document and passage, and (briefly) what it says."""

    kind: SourceKind
    citation: str
    says: str = ""

    def to_json(self) -> dict[str, str]:
        found = {"kind": str(self.kind), "citation": self.citation}
        if self.says:
            found["says"] = self.says
        return found

    def __str__(self) -> str:
        return self.citation


def guidance(seed: str, section: str, says: str = "") -> Source:
    """A passage of a council's guidance: `seed` is its number ("002"), `section` the passage ("3.8.1")."""
    if seed not in GUIDANCE:
        raise ValueError(f"No guidance numbered {seed!r}")
    return Source(SourceKind.GUIDANCE, f"{GUIDANCE[seed]}, {section}", says)


def law(citation: str, says: str = "") -> Source:
    return Source(SourceKind.LAW, citation, says)


def local_setting(setting: str, says: str = "") -> Source:
    """A council's own setting, by its key in the council profile (e.g. "referral.written_within_hours")."""
    return Source(SourceKind.LOCAL_SETTING, f"council profile: {setting}", says)


def template_default(what: str) -> Source:
    """Wording formgen composed for a document (tick boxes, rights text) that the council has to confirm."""
    return Source(SourceKind.TEMPLATE_DEFAULT, "formgen's template default, for the council to confirm", what)


def formgen_reading(why: str, passage: str = "") -> Source:
    """Where the guidance is silent or ambiguous, the reading formgen takes (the safest for the child)."""
    return Source(SourceKind.FORMGEN_READING, f"formgen's reading{f' of {passage}' if passage else ''}", why)


INPUT_LIMITS = Source(SourceKind.INPUT_LIMIT, "formgen's input limits, published in the form's JSON Schema",
                      "Every field's type, whether it is required, its length and format, and the size of each list.")

DELETE = object()  # in a breach: remove this key


class RuleMessage(str):
    """An error message that knows which rule it comes from (marshmallow keeps message objects as given)."""

    rule_id: str

    def __new__(cls, text: str, rule_id: str) -> RuleMessage:
        made = super().__new__(cls, text)
        made.rule_id = rule_id
        return made


@dataclass(frozen=True)
class Rule:
    """One rule a form applies."""

    id: str  # unique within the form, kebab-case, stable: clients and auditors refer to it
    text: str  # the rule in plain English, as a practitioner would read it
    sources: tuple[Source, ...]
    fields: tuple[str, ...]  # the field paths it names (`cases.*.route` for every item of a list)
    breach: Mapping[str, Any] = field(default_factory=dict)  # dotted path -> value (or DELETE) on the example
    # What the person filling in the form is told, when `text` is too long for an error message: short, and
    # saying what to do (GOV.UK style). `text` keeps the whole rule for the rulebook.
    error: str = ""

    def message(self, text: str | None = None) -> RuleMessage:
        return RuleMessage(text or self.error or self.text, self.id)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.text, "fields": list(self.fields),
                "sources": [source.to_json() for source in self.sources]}


def rule(rule_id: str, text: str, source: Source | Sequence[Source], fields: Sequence[str],
         breach: Mapping[str, Any] | None = None, *, error: str = "") -> Rule:
    """`error`: the short message a person is shown when `text` is too long to be one (see Rule.error)."""
    sources = (source,) if isinstance(source, Source) else tuple(source)
    return Rule(rule_id, text, sources, tuple(fields), dict(breach or {}), error)


@dataclass(frozen=True)
class Wording:
    """Fixed words a document prints (a statement to tick, a rights notice), with where they come from."""

    id: str
    text: str
    source: Source

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "source": self.source.to_json()}


# The field-level constraints every form has; errors without a rule of their own carry this id.
FIELD_CONSTRAINTS = rule(
    "field-constraints",
    "Each answer has the type, length and format its field allows; required answers are given; lists hold "
    "no more items than the form allows; unknown fields are refused.",
    INPUT_LIMITS, ("*",), {"__unknown_field__": "x"},
)


class RuleErrors:
    """Collects rule errors by field path, then raises them as one marshmallow ValidationError."""

    def __init__(self) -> None:
        self.messages: dict[str, Any] = {}

    def add(self, broken: Rule, path: str, text: str | None = None) -> None:
        """File `broken`'s message (or a more specific `text`) under the dotted field `path`."""
        node = self.messages
        *parents, last = path.split(".")
        for part in parents:
            key: Any = int(part) if part.isdigit() else part
            if isinstance(node.get(key), list):
                # The field already holds its own messages: marshmallow's shape for both is {"_schema": [...], 0: ...}.
                node[key] = {"_schema": node[key]}
            node = node.setdefault(key, {})
        key = int(last) if last.isdigit() else last
        if isinstance(node.get(key), dict):
            node[key].setdefault("_schema", []).append(broken.message(text))
        else:
            node.setdefault(key, []).append(broken.message(text))

    def __bool__(self) -> bool:
        return bool(self.messages)

    def raise_any(self) -> None:
        if self.messages:
            raise ValidationError(self.messages)


def rule_ids(messages: Sequence[str]) -> list[str]:
    """The ids of the rules behind a field's messages; field constraints where a message has none."""
    found: list[str] = []
    for text in messages:
        rule_id = getattr(text, "rule_id", FIELD_CONSTRAINTS.id)
        if rule_id not in found:
            found.append(rule_id)
    return found


def apply_breach(example: Mapping[str, Any], breach: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of `example` with each dotted path set (or removed, for DELETE)."""
    body: Any = copy.deepcopy(dict(example))
    for path, value in breach.items():
        node = body
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            index = int(last)
            if value is DELETE:
                del node[index]
            elif index == len(node):
                node.append(copy.deepcopy(value))
            else:
                node[index] = copy.deepcopy(value)
        elif value is DELETE:
            node.pop(last, None)
        else:
            node[last] = copy.deepcopy(value)
    return body
