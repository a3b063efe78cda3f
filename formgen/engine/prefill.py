"""Prefill one form from a document or file made earlier (Manchester 1.4: a family's story is told once).

An upload is a formgen PDF (its attached data), a formgen DOCX (its custom XML part), or JSON: either a
formgen payload `{"form": id, "data": body}` or a plain body exported from a case system. The data is
mapped to the target form through the shared vocabulary (`FormSpec.shares` then `FormSpec.takes`), or
used as it is when it already belongs to the target form. Nothing is stored and nothing is logged.

`merge` puts a prefill into answers already given without overwriting any of them; `rows_from_uploads`
fills a list of cases (an agenda's) from each case's own document. Messages name the documents or "this
service", never the product: the person reading them is using their council's service.
"""

from __future__ import annotations

import copy
import json
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from xml.etree import ElementTree

from marshmallow import Schema, fields

from formgen.core.errors import BadDocument
from formgen.core.fields import Rows
from formgen.core.limits import OversizedNumber
from formgen.core.registry import FormSpec, all_forms
from formgen.core.shared import SharedCase, drop_empty
from formgen.documents import embed

# A formgen document of the longest form is well under this; anything larger is refused unread.
MAX_UPLOAD_BYTES = 1_000_000

ACCEPTED = "a PDF or Word (.docx) document made by this service, or a JSON file"


class UploadKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    JSON = "json"


@dataclass(frozen=True)
class Prefill:
    """A partial body for the target form and where it came from."""

    body: dict[str, Any]
    kind: UploadKind
    source_form: str | None   # the form the data was made for; None for a plain JSON body
    dropped: int              # answers in the source the target form has no place for
    # What the person must know before using the answers (an unsigned document, rows left out).
    warnings: tuple[str, ...] = ()

    def envelope(self) -> dict[str, Any]:
        """The API's `?envelope=1` answer: the body with what an integrator must show beside it."""
        return {"body": self.body, "warnings": list(self.warnings), "source_form": self.source_form,
                "kind": str(self.kind), "dropped": self.dropped}


UNSIGNED = ("This document carries no signature from this service: it was made by an earlier version, so this "
            "service cannot tell whether it was changed since. Check every answer against the case record before you "
            "use it.")


def sniff(content: bytes) -> UploadKind:
    """What the bytes are, by their first bytes, never by the file's name or declared type."""
    if content.startswith(b"%PDF-"):
        return UploadKind.PDF
    if content.startswith(b"PK\x03\x04"):
        return UploadKind.DOCX
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return UploadKind.JSON
    raise BadDocument(f"This service cannot read this file. Upload {ACCEPTED}.")


def _shares_of(forms: Mapping[str, FormSpec]) -> embed.SharesOf:
    def shares(form_id: str | None) -> Any:
        found = forms.get(form_id) if form_id is not None else None
        return found.shares if found is not None else None

    return shares


def _carried(kind: UploadKind, content: bytes, forms: Mapping[str, FormSpec]) -> embed.Carried:
    if kind is UploadKind.PDF:
        return embed.read_pdf_document(content, _shares_of(forms))[0]
    if kind is UploadKind.DOCX:
        return embed.read_docx_document(content, _shares_of(forms))
    return embed.read_json_data(content)


def read_upload(content: bytes, forms: Mapping[str, FormSpec] | None = None) -> tuple[UploadKind, str | None, dict[str, Any]]:
    """(kind, source form id or None, data) from an uploaded file, or BadDocument saying what to do."""
    kind, carried = read_carried(content, forms)
    return kind, carried.form, carried.data


def read_carried(content: bytes, forms: Mapping[str, FormSpec] | None = None) -> tuple[UploadKind, embed.Carried]:
    """(kind, the data it carries and whether it is signed) from an uploaded file, or BadDocument.

    A document's signature must hold and its pages must show its data (formgen/documents/embed.py).
    """
    if not content:
        raise BadDocument(f"The file is empty. Upload {ACCEPTED}.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise BadDocument(f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB. Upload {ACCEPTED}.")
    kind = sniff(content)
    try:
        carried = _carried(kind, content, all_forms() if forms is None else forms)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadDocument(f"The file's data is not valid JSON in UTF-8. Upload {ACCEPTED}.") from None
    except ValueError as exc:
        # embed's messages are about the file, never its contents ("The PDF is encrypted.").
        raise BadDocument(f"{exc} Upload {ACCEPTED}.") from None
    except (zipfile.BadZipFile, KeyError, RecursionError, ElementTree.ParseError):
        raise BadDocument(f"The file is damaged or not a Word document. Upload {ACCEPTED}.") from None
    except Exception:  # pypdf raises many types for a broken PDF; none of them quote the data
        raise BadDocument(f"The file is damaged and cannot be read. Upload {ACCEPTED}.") from None
    return kind, carried


def keep_known(schema: Schema | type[Schema], value: Any) -> tuple[Any, int]:
    """The parts of `value` the schema has fields for, and how many top-level answers were dropped (unknown
    fields, numbers too long to be answers), counting rows past a list's maximum too."""
    instance = schema() if isinstance(schema, type) else schema
    if not isinstance(value, Mapping):
        return {}, 0
    kept: dict[str, Any] = {}
    dropped = 0
    for key, item in value.items():
        field = instance.fields.get(key)
        if field is None or field.dump_only or isinstance(item, OversizedNumber):
            dropped += 1
            continue
        kept[key], lost = _keep_field(field, item)
        dropped += lost
    return kept, dropped


def _keep_field(field: fields.Field, value: Any) -> tuple[Any, int]:
    if isinstance(field, fields.Nested) and isinstance(value, Mapping):
        return keep_known(field.schema, value)[0], 0
    if isinstance(field, fields.List) and isinstance(value, list):
        # Never more rows than the form has room for: the rest are counted, never drawn.
        room = field.max_items if isinstance(field, Rows) else len(value)
        rows, lost = value[:room], max(0, len(value) - room)
        if isinstance(field.inner, fields.Nested):
            return [keep_known(field.inner.schema, item)[0] if isinstance(item, Mapping) else item for item in rows], lost
        return rows, lost
    if isinstance(value, (Mapping, list)):
        return None, 0  # a list or object where the form has a single answer: not one formgen can show
    return value, 0


def _rows_warning(target: FormSpec, raw: Any, body: Mapping[str, Any]) -> list[str]:
    """A warning for each list the target cut to its maximum."""
    said = []
    for key, field in target.schema().fields.items():
        if isinstance(field, Rows) and isinstance(raw, Mapping) and isinstance(raw.get(key), list) \
                and len(raw[key]) > field.max_items and key in body:
            label = field.metadata.get("label", key)
            said.append(f"{label}: the file has {len(raw[key])}; the form has room for {field.max_items}, so only "
                        f"the first {field.max_items} were filled in.")
    return said


def prefill_body(target: FormSpec, source_form: str | None, data: Mapping[str, Any],
                 forms: Mapping[str, FormSpec] | None = None) -> tuple[dict[str, Any], int]:
    """The target form's partial body from data made for `source_form` (None: a plain body for the target)."""
    body, dropped, _ = _prefill(target, source_form, data, forms)
    return body, dropped


def _prefill(target: FormSpec, source_form: str | None, data: Mapping[str, Any],
             forms: Mapping[str, FormSpec] | None = None) -> tuple[dict[str, Any], int, list[str]]:
    known = all_forms() if forms is None else forms
    if source_form is None or source_form == target.id:
        body, dropped = keep_known(target.schema, data)
        return drop_empty(body), dropped, _rows_warning(target, data, body)
    source = known.get(source_form)
    if source is None:
        raise BadDocument(
            f"The file was made for a form this service does not have ('{source_form}'). "
            f"Upload {ACCEPTED} for one of this service's forms."
        )
    if source.shares is None or target.takes is None:
        raise BadDocument(
            # "This", not "A": a title's article depends on how it is said ("an Early Help ...", "an MASG ...").
            f"This {source.title} cannot fill in the {target.title}: the two forms share no answers. "
            "Start the form empty instead."
        )
    try:
        taken = target.takes(source.shares(data))
    except Exception:  # data from a file: the forms' own code expects a valid body of the source form
        raise BadDocument(f"The file's data is not a valid {source.title}. Upload {ACCEPTED}.") from None
    body, dropped = keep_known(target.schema, taken)
    return drop_empty(body), dropped, _rows_warning(target, taken, body)


def prefill_from_data(target: FormSpec, kind: UploadKind, source_form: str | None, data: Mapping[str, Any],
                      forms: Mapping[str, FormSpec] | None = None) -> Prefill:
    """Data already read (a case system's post) mapped to the target form, with its warnings."""
    body, dropped, warnings = _prefill(target, source_form, data, forms)
    return Prefill(body=body, kind=kind, source_form=source_form, dropped=dropped, warnings=tuple(warnings))


def prefill_from_upload(target: FormSpec, content: bytes, forms: Mapping[str, FormSpec] | None = None) -> Prefill:
    """Read an upload and map it to the target form."""
    kind, carried = read_carried(content, forms)
    body, dropped, warnings = _prefill(target, carried.form, carried.data, forms)
    if kind is not UploadKind.JSON and not carried.signed:
        warnings.insert(0, UNSIGNED)
    return Prefill(body=body, kind=kind, source_form=carried.form, dropped=dropped, warnings=tuple(warnings))


# Filling only blank answers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    """Answers already given, with the blanks an upload could fill filled in.

    `filled`: every answer the upload filled (dotted paths, list items by index), for the page to mark as
    "filled in from <document>" until checked; `kept`: the answers left as they were although the upload's
    value differed, so the person can compare them.
    """

    body: dict[str, Any]
    filled: tuple[str, ...]
    kept: tuple[str, ...]


def merge(existing: Mapping[str, Any], incoming: Mapping[str, Any]) -> Merged:
    """`existing` with each of its blank answers that `incoming` gives filled in; an answer already given is never
    overwritten. Lists of people (items with a `full_name` or `name`) merge by name: a person already listed keeps
    their answers and gains their blanks, and a new person fills a blank row or is added. Other lists merge item
    by item, by index."""
    filled: list[str] = []
    kept: list[str] = []
    body = _merged(existing, incoming, "", filled, kept)
    return Merged(dict(body) if isinstance(body, Mapping) else {}, tuple(filled), tuple(kept))


def _blank(value: Any) -> bool:
    return drop_empty(value) in (None, "", [], {})


def _at(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _leaves(value: Any, path: str) -> list[str]:
    """The paths of the answers a value holds (its non-blank leaves)."""
    if isinstance(value, Mapping):
        return [leaf for key, item in value.items() for leaf in _leaves(item, _at(path, key))]
    if isinstance(value, list):
        return [leaf for index, item in enumerate(value) for leaf in _leaves(item, _at(path, index))]
    return [] if _blank(value) else [path]


def _merged(old: Any, new: Any, path: str, filled: list[str], kept: list[str]) -> Any:
    if _blank(new):
        return copy.deepcopy(old)
    if _blank(old):
        filled.extend(_leaves(new, path))
        return copy.deepcopy(drop_empty(new))
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found = copy.deepcopy(dict(old))
        for key, item in new.items():
            found[key] = _merged(old.get(key), item, _at(path, key), filled, kept)
        return found
    if isinstance(old, list) and isinstance(new, list):
        if _people(old) and _people(new):
            return _merged_people(old, new, path, filled, kept)
        found_items = [_merged(old[i] if i < len(old) else None, item, _at(path, i), filled, kept)
                       for i, item in enumerate(new)]
        return found_items + copy.deepcopy(old[len(new):])
    if _same_answer(old, new):
        return copy.deepcopy(old)
    kept.append(path)
    return copy.deepcopy(old)


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return " ".join(text.split()).casefold()


def _same_answer(old: Any, new: Any) -> bool:
    """The same answer however it was typed or read: a date or its ISO text, 3 or "3", case and spacing aside
    (a page's answers are text; a document's are typed)."""
    return bool(old == new) or _answer_text(old) == _answer_text(new)


def _person_name(item: Any) -> str:
    name = item.get("full_name") or item.get("name") if isinstance(item, Mapping) else None
    return " ".join(str(name or "").split()).casefold()


def _people(items: list[Any]) -> bool:
    """A list of people: every item given is an object naming someone."""
    given = [item for item in items if not _blank(item)]
    return bool(given) and all(_person_name(item) for item in given)


def _merged_people(old: list[Any], new: list[Any], path: str, filled: list[str], kept: list[str]) -> list[Any]:
    found = copy.deepcopy(old)
    matched: set[int] = set()
    blank_rows = [index for index, item in enumerate(old) if _blank(item)]
    for person in new:
        if _blank(person):
            continue
        index = next((i for i, item in enumerate(found) if i not in matched and not _blank(item)
                      and _person_name(item) == _person_name(person)), None)
        if index is not None:
            # The name matched (case and spacing aside): it is how the person is known, not an answer that differs.
            same = {**person, **{key: found[index][key] for key in ("full_name", "name") if key in found[index]}}
            found[index] = _merged(found[index], same, _at(path, index), filled, kept)
        else:
            index = blank_rows.pop(0) if blank_rows else len(found)
            if index == len(found):
                found.append(None)
            found[index] = _merged(None, person, _at(path, index), filled, kept)
        matched.add(index)
    return found


# An agenda's cases from each case's own document -----------------------------------------------------


@dataclass(frozen=True)
class UploadOutcome:
    """What one uploaded file did: which case row it filled or added to (1-based), or why it was refused."""

    file: int                     # the file's place among the uploads, from 1
    source_form: str | None
    case: int | None              # None: refused
    filled: tuple[str, ...]       # the row's answers it filled (paths within the row)
    message: str                  # in plain words, for the chair

    @property
    def refused(self) -> bool:
        return self.case is None


@dataclass(frozen=True)
class RowsFromUploads:
    list_field: str               # the form's list of cases, for example "cases"
    rows: tuple[dict[str, Any], ...]
    outcomes: tuple[UploadOutcome, ...]

    def body(self) -> dict[str, Any]:
        """The partial body of the form holding these rows, to merge into what the chair has typed."""
        return {self.list_field: [copy.deepcopy(row) for row in self.rows]} if self.rows else {}


RowTakes = Callable[[SharedCase], dict[str, Any]]


def rows_from_uploads(spec: FormSpec, uploads: Sequence[bytes],
                      forms: Mapping[str, FormSpec] | None = None) -> RowsFromUploads:
    """The rows of a form that lists cases (its `row_takes`) from several files, one case each: each file's
    shared case becomes a row, or fills the blanks of the row of the same child. A file that cannot be read, or
    holds no one case, is refused, and its outcome says why; the others still fill their rows."""
    if spec.row_takes is None:
        raise BadDocument(f"The {spec.title} does not list cases, so files cannot fill its rows. Upload one "
                          "document to fill it in instead.")
    known = all_forms() if forms is None else forms
    rows = _Rows(spec)
    outcomes = [_one_upload(rows, spec, number, content, known) for number, content in enumerate(uploads, start=1)]
    return RowsFromUploads(spec.row_takes[0], tuple(rows.rows), tuple(outcomes))


class _Rows:
    """The rows made so far, each with the children it names, to recognise a second document of one case."""

    def __init__(self, spec: FormSpec) -> None:
        assert spec.row_takes is not None
        self.list_field, self.row_takes = spec.row_takes
        field = spec.schema().fields[self.list_field]
        self.room = field.max_items if isinstance(field, Rows) else None
        self.rows: list[dict[str, Any]] = []
        self.children: list[set[str]] = []

    def row(self, case: SharedCase, spec: FormSpec) -> dict[str, Any]:
        """The form's row for a shared case, kept to the answers the list's rows have."""
        kept, _ = keep_known(spec.schema, {self.list_field: [self.row_takes(case)]})
        rows = kept.get(self.list_field) or [{}]
        return dict(drop_empty(rows[0]) or {})

    def same_case(self, case: SharedCase) -> int | None:
        keys = _child_keys(case)
        return next((index for index, known in enumerate(self.children) if keys & known), None)


def _child_keys(case: SharedCase) -> set[str]:
    """What identifies each child a shared case names: NHS number, case ids, name with date of birth."""
    keys: set[str] = set()
    for child in case.get("children") or []:
        if child.get("nhs_number"):
            keys.add(f"nhs:{child['nhs_number']}")
        keys.update(f"{system}:{number}" for system, number in (child.get("case_ids") or {}).items() if number)
        if child.get("full_name") and child.get("date_of_birth"):
            keys.add(f"born:{_person_name(child)}:{child['date_of_birth']}")
    return keys


def _refused(number: int, source_form: str | None, why: str) -> UploadOutcome:
    return UploadOutcome(number, source_form, None, (), f"File {number}: not used. {why}")


def _one_upload(rows: _Rows, spec: FormSpec, number: int, content: bytes,
                forms: Mapping[str, FormSpec]) -> UploadOutcome:
    try:
        kind, carried = read_carried(content, forms)
    except BadDocument as exc:
        return _refused(number, None, exc.detail)
    found = _shared_case(spec, carried, forms)
    if isinstance(found, str):
        return _refused(number, carried.form, found)
    source, case = found
    try:
        row = rows.row(case, spec)
        _child_keys(case)
    except Exception:  # data from a file: the forms' own code expects a valid body of the source form
        return _refused(number, source.id, f"The file's data is not a valid {source.title}.")
    if not row:
        return _refused(number, source.id, f"This {source.title} holds nothing a case on the {spec.title} uses.")
    unsigned = f" {UNSIGNED}" if kind is not UploadKind.JSON and not carried.signed else ""
    return _placed(rows, number, source, case, row, unsigned)


def _shared_case(spec: FormSpec, carried: embed.Carried,
                 forms: Mapping[str, FormSpec]) -> tuple[FormSpec, SharedCase] | str:
    """The file's one case in the shared vocabulary, or why it has none."""
    source = forms.get(carried.form) if carried.form is not None else None
    if source is None:
        return ("The file names no form of this service, so it cannot tell whose case it is. Upload the case's "
                f"own document: {ACCEPTED} naming its form.")
    if source.row_takes is not None:
        listed = carried.data.get(source.row_takes[0])
        count = len(listed) if isinstance(listed, list) else 0
        if count != 1:
            return (f"This {source.title} lists {count} cases; each row here is one case. Upload each case's own "
                    "document instead.")
    if source.shares is None:
        return f"This {source.title} shares no answers with the {spec.title}."
    try:
        return source, source.shares(carried.data)
    except Exception:  # data from a file: the form's own code expects a valid body
        return f"The file's data is not a valid {source.title}."


def _names(row: Mapping[str, Any]) -> str:
    names = [str(c["full_name"]) for c in row.get("children") or [] if isinstance(c, Mapping) and c.get("full_name")]
    return f" ({', '.join(names)})" if names else ""


def _answers(count: int) -> str:
    return f"{count} answer{'s' if count != 1 else ''}"


def _placed(rows: _Rows, number: int, source: FormSpec, case: SharedCase, row: dict[str, Any],
            unsigned: str) -> UploadOutcome:
    """The row added, or merged into the row of the same child."""
    same = rows.same_case(case)
    if same is not None:
        merged = merge(rows.rows[same], row)
        rows.rows[same] = merged.body
        rows.children[same] |= _child_keys(case)
        differ = (f" {_answers(len(merged.kept))} in it differ from case {same + 1}'s and were left as they were: "
                  f"{', '.join(merged.kept)}." if merged.kept else "")
        return UploadOutcome(number, source.id, same + 1, merged.filled,
                             f"File {number}: this {source.title} is about the same child as case {same + 1}"
                             f"{_names(rows.rows[same])}; it filled in {_answers(len(merged.filled))} more."
                             f"{differ}{unsigned}")
    if rows.room is not None and len(rows.rows) >= rows.room:
        return _refused(number, source.id, f"The {rows.list_field} list has room for {rows.room}, and all are used.")
    rows.rows.append(row)
    rows.children.append(_child_keys(case))
    filled = tuple(_leaves(row, ""))
    return UploadOutcome(number, source.id, len(rows.rows), filled,
                         f"File {number}: this {source.title} filled in case {len(rows.rows)}{_names(row)}: "
                         f"{_answers(len(filled))}.{unsigned}")
