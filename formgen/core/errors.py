"""One exception family for the engine. The HTTP layer maps each to a problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from formgen.core.rules import rule_ids


class FormgenError(Exception):
    """Base class for every error the engine raises on purpose."""

    status = 500
    title = "Internal error"
    problem_type = "about:blank"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def extra(self) -> dict[str, object]:
        """Members added to the problem document beyond type/title/status/detail."""
        return {}


class UnknownForm(FormgenError):
    """No form is registered under the requested id."""

    status = 404
    title = "Unknown form"
    problem_type = "/problems/unknown-form"

    def __init__(self, form_id: str, known: Sequence[str]) -> None:
        super().__init__(f"There is no form with id '{form_id}'. Known forms: {', '.join(known)}.")
        self.form_id = form_id


class UnsupportedFormat(FormgenError):
    """The form cannot be produced in the requested format."""

    status = 406
    title = "Format not offered"
    problem_type = "/problems/unsupported-format"


class ValidationFailed(FormgenError):
    """The request body breaks the form's schema or rules."""

    status = 422
    title = "The form has errors"
    problem_type = "/problems/validation-error"

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        count = len(errors)
        super().__init__(
            f"{count} field{'s' if count != 1 else ''} need{'s' if count == 1 else ''} correcting: "
            + ", ".join(errors)
            + "."
        )
        self.errors = dict(errors)
        # Which rules of the form's rulebook each field broke (GET /api/forms/{id}/rules).
        self.rules = {path: rule_ids(messages) for path, messages in self.errors.items()}

    def extra(self) -> dict[str, object]:
        return {"errors": self.errors, "rules": self.rules}


class PageLimitExceeded(FormgenError):
    """The filled document runs past the form's page limit."""

    status = 422
    title = "The document is longer than the form allows"
    problem_type = "/problems/page-limit-exceeded"

    def __init__(self, pages: int, max_pages: int, longest: Sequence[tuple[str, int]]) -> None:
        names = ", ".join(f"{path} ({length} characters)" for path, length in longest)
        super().__init__(
            f"The document would take {pages} pages; this form allows at most {max_pages}. "
            f"Shorten the longest answers first: {names}."
        )
        self.pages = pages
        self.max_pages = max_pages
        self.longest = list(longest)

    def extra(self) -> dict[str, object]:
        return {
            "pages": self.pages,
            "max_pages": self.max_pages,
            "longest_fields": [{"field": p, "characters": n} for p, n in self.longest],
            "rules": {path: ["page-limit"] for path, _ in self.longest},
            "errors": {
                path: [f"Shorten this answer: the document would take {self.pages} pages "
                       f"and the limit is {self.max_pages}."]
                for path, _ in self.longest
            },
        }


class BadDocument(FormgenError):
    """An uploaded file is not a document formgen can read."""

    status = 422
    title = "The uploaded file cannot be read"
    problem_type = "/problems/bad-document"
