"""The registry of forms: each module in the `forms` package declares one FormSpec as FORM.

Adding a form means adding a module there and a Word template in templates/; nothing here changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import Schema

from formgen.core.errors import UnknownForm
from formgen.core.paths import TEMPLATES_DIR
from formgen.core.rules import FIELD_CONSTRAINTS, Rule, Source, SourceKind, Wording, rule
from formgen.core.shared import SharedCase

Context = dict[str, Any]


@dataclass(frozen=True)
class FormSpec:
    """What the engine needs to know about one artefact."""

    id: str
    title: str
    authority: str
    schema: type[Schema]
    build_context: Callable[[Mapping[str, Any]], Context]
    example: Mapping[str, Any]
    source: str
    description: str = ""
    max_pages: int | None = None
    formats: tuple[str, ...] = ("docx", "pdf")
    # A short, non-identifying file name stem for a document (case ids, not names).
    filename: Callable[[Mapping[str, Any]], str] = field(default=lambda data: "document")
    # Forms about several children split a (valid) body into one body per child: (file stem, body).
    split_by_child: Callable[[Mapping[str, Any]], list[tuple[str, Mapping[str, Any]]]] | None = None
    # Prefill across forms (formgen/core/shared.py): body -> SharedCase, and SharedCase -> partial body.
    shares: Callable[[Mapping[str, Any]], SharedCase] | None = None
    takes: Callable[[SharedCase], dict[str, Any]] | None = None
    # A form that lists cases (an agenda): its list field, and one row of it from a SharedCase, so a chair's
    # uploads of the cases' own documents fill the rows (formgen/engine/prefill.py, rows_from_uploads).
    row_takes: tuple[str, Callable[[SharedCase], dict[str, Any]]] | None = None
    # The stricter rules a completed (signed, ticked) document must meet, checked when it is read back
    # by extract; None: the form's own schema.
    completed_schema: type[Schema] | None = None
    # Every rule the schema applies (formgen/core/rules.py), each with its source; the rulebook lists them.
    rules: tuple[Rule, ...] = ()
    # Where the page limit comes from; None: formgen's own layout limit for this document.
    page_limit_source: Source | None = None
    # Fixed words the document prints, each with its source (guidance, or a template default to confirm).
    wording: tuple[Wording, ...] = ()
    # The web pages' tasks, in order: (title, top-level field names). A list of people or cases is a task of
    # its own (an "add another" page). Every field is in one task; none declared: one task per field group.
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def rulebook(self) -> tuple[Rule, ...]:
        """The form's own rules, then the field constraints every form has, then its page limit."""
        found = [*self.rules, FIELD_CONSTRAINTS]
        if self.max_pages is not None:
            found.append(rule(
                "page-limit", f"The finished document is at most {self.max_pages} page{'s' if self.max_pages != 1 else ''}.",
                self.page_limit_source or Source(SourceKind.FORMGEN_READING, "formgen's layout limit for this document"),
                ("*",),
            ))
        return tuple(found)

    @property
    def template_path(self) -> Path:
        return TEMPLATES_DIR / f"{self.id}.docx"

    def rulebook_json(self) -> dict[str, Any]:
        """GET /api/forms/{id}/rules: every rule this form applies, with its sources and the fields it names."""
        return {"form": self.id, "title": self.title, "authority": self.authority,
                "rules": [found.to_json() for found in self.rulebook()],
                "wording": [words.to_json() for words in self.wording]}

    def summary(self) -> dict[str, Any]:
        """The public entry of GET /api/forms."""
        return {
            "id": self.id,
            "title": self.title,
            "authority": self.authority,
            "description": self.description,
            "formats": list(self.formats),
            "max_pages": self.max_pages,
            "source": self.source,
            "splits_by_child": self.split_by_child is not None,
        }


@cache
def all_forms() -> dict[str, FormSpec]:
    """Every form, imported once from the `forms` package, in id order."""
    import forms

    found: dict[str, FormSpec] = {}
    for module_info in pkgutil.iter_modules(forms.__path__):
        module = importlib.import_module(f"forms.{module_info.name}")
        spec = getattr(module, "FORM", None)
        if isinstance(spec, FormSpec):
            if spec.id in found:
                raise RuntimeError(f"Two form modules declare the id {spec.id!r}")
            found[spec.id] = spec
    return dict(sorted(found.items()))


_FORM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def get_form(form_id: str) -> FormSpec:
    """One form, importing only its own module when it follows the naming rule (faster cold starts)."""
    if _FORM_ID.match(form_id):
        module_name = f"forms.{form_id.replace('-', '_')}"
        if importlib.util.find_spec(module_name) is not None:
            spec = getattr(importlib.import_module(module_name), "FORM", None)
            if isinstance(spec, FormSpec) and spec.id == form_id:
                return spec
    forms = all_forms()
    try:
        return forms[form_id]
    except KeyError:
        raise UnknownForm(form_id, list(forms)) from None
