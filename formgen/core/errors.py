"""One exception family for the engine. The HTTP layer maps each to a problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Cut:
    """How much one answer must lose for the document to fit, measured with the layout (formgen.documents.pages)."""

    field: str
    characters: int  # the answer's length now
    cut_characters: int  # about how many characters to cut (rounded up)
    cut_lines: int  # about how many lines of the document that is


class PageLimitExceeded(FormgenError):
    """The filled document runs past the form's page limit."""

    status = 422
    title = "The document is longer than the form allows"
    problem_type = "/problems/page-limit-exceeded"

    def __init__(self, pages: int, max_pages: int, longest: Sequence[tuple[str, int]],
                 cuts: Sequence[Cut] = ()) -> None:
        self.pages = pages
        self.max_pages = max_pages
        self.longest = list(longest)
        self.cuts = {cut.field: cut for cut in cuts}
        if self.cuts:
            told = "; ".join(f"{cut.field} by about {cut.cut_characters:,} characters (about "
                             f"{_lines(cut.cut_lines)})" for cut in cuts)
            advice = f"Shorten {told}."
        else:
            names = ", ".join(f"{path} ({length} characters)" for path, length in longest)
            advice = f"Shorten the longest answers, or give fewer rows: {names}."
        super().__init__(f"The document would take {pages} pages; this form allows at most {max_pages}. {advice}")

    def advice(self, path: str) -> str:
        """What to do about one answer, in the words of a GOV.UK error message."""
        cut = self.cuts.get(path)
        if cut is None:
            return f"Shorten this answer: the document would take {self.pages} pages and the limit is {self.max_pages}."
        return (f"Shorten this answer by about {cut.cut_characters:,} characters (about {_lines(cut.cut_lines)}) "
                f"so the document fits in {self.max_pages} page{'s' if self.max_pages != 1 else ''}.")

    def extra(self) -> dict[str, object]:
        fields: list[dict[str, object]] = []
        for path, length in self.longest:
            cut = self.cuts.get(path)
            fields.append({"field": path, "characters": length,
                           "cut_characters": cut.cut_characters if cut else None,
                           "cut_lines": cut.cut_lines if cut else None})
        return {
            "pages": self.pages,
            "max_pages": self.max_pages,
            "longest_fields": fields,
            "rules": {path: ["page-limit"] for path, _ in self.longest},
            "errors": {path: [self.advice(path)] for path, _ in self.longest},
        }


def _lines(count: int) -> str:
    return f"{count} line{'s' if count != 1 else ''}"


class BadDocument(FormgenError):
    """An uploaded file is not a document formgen can read."""

    status = 422
    title = "The uploaded file cannot be read"
    problem_type = "/problems/bad-document"
