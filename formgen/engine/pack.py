"""A route's pack: every document of the route from one case record, and the route's calendar.

`build_pack` answers with a ZIP holding
- each document in the formats asked for (`pdf`, `docx` or both), each valid and complete on its own, as
  `render` makes it (its data embedded, its page limit checked); a per-child document once per child;
- or, `merged=True`, one PDF of all the documents (pypdf) with a bookmark per document and, under it,
  one per child, pointing at that child's copy or at the first page that names them;
- `deadlines.ics`: the route's deadlines and meetings (iCalendar, the `icalendar` package), each event's
  DESCRIPTION citing its source; and `manifest.json`: what the pack holds.
Nothing is stored. docs/routes.md describes the pack.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from pypdf import PdfReader, PdfWriter

from formgen.core.case import day_of, moment
from formgen.core.councils import CouncilProfile, Provenance
from formgen.core.dates import long_date
from formgen.core.errors import PageLimitExceeded, UnsupportedFormat
from formgen.core.routes import Route
from formgen.core.rules import GUIDANCE
from formgen.documents.docx_fill import FIXED_TIME
from formgen.engine import pipeline
from formgen.engine.routes import CaseRecordIncomplete, Forms, Prepared, TaskState, by_document, find, prepare, states

LONDON = ZoneInfo("Europe/London")
FORMATS = {"pdf": ("pdf",), "docx": ("docx",), "both": ("pdf", "docx")}
CALENDAR = "deadlines.ics"
MANIFEST = "manifest.json"
_ZIP_TIME = FIXED_TIME.timetuple()[:6]


@dataclass(frozen=True)
class Made:
    """One rendered file of a document: its name in the pack, bytes, pages, and the child it is for."""

    prepared: Prepared
    name: str
    content: bytes
    fmt: str
    pages: int | None
    child: str | None  # a per-child copy: that child's name


@dataclass(frozen=True)
class Pack:
    content: bytes
    filename: str
    pages: int
    documents: int


def _formats(asked: str, prepared: list[Prepared]) -> tuple[str, ...]:
    if asked not in FORMATS:
        raise UnsupportedFormat(f"'{asked}' is not a pack format. Ask for one of: {', '.join(FORMATS)}.")
    formats = FORMATS[asked]
    for item in prepared:
        offered = [fmt for fmt in formats if fmt not in item.form.formats]
        if offered:
            raise UnsupportedFormat(f"The form '{item.form.id}' is offered as {', '.join(item.form.formats)} only.")
    return formats


def _copies(item: Prepared) -> list[tuple[str | None, dict[str, Any]]]:
    """(child's name, body) for each copy: one per child for a per-child document, else one."""
    if not item.document.per_child or item.form.split_by_child is None:
        return [(None, item.body)]
    children = {str(c.get("case_id")): c.get("full_name") for c in item.body.get("children") or []}
    return [(children.get(str(body.get("subject_child"))), dict(body)) for _, body in item.form.split_by_child(item.body)]


def safe_name(name: str) -> str:
    """A file name inside the ZIP: case ids are user text, so nothing but letters, digits, '.', '-' and '_'
    (no directories, no '..'), whatever a case system sends."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in name.rsplit(".", 1)[0])
    suffix = name.rsplit(".", 1)[1] if "." in name else ""
    return f"{cleaned.strip('-') or 'document'}{'.' + suffix if suffix.isalnum() else ''}"


def render_all(prepared: list[Prepared], formats: tuple[str, ...]) -> list[Made]:
    """Every copy of every document in every format; page limits broken anywhere come back as one 422."""
    made: list[Made] = []
    errors: dict[str, list[str]] = {}
    for number, item in enumerate(prepared, start=1):
        for child, body in _copies(item):
            for fmt in formats:
                try:
                    document = pipeline.render(item.form, body, fmt)
                except PageLimitExceeded as too_long:
                    for path, _ in too_long.longest:
                        errors.setdefault(f"documents.{item.form.id}.{path}", []).append(
                            f"Shorten this answer: the document would take {too_long.pages} pages and the limit is "
                            f"{too_long.max_pages}.")
                    break
                made.append(Made(item, f"{number:02d}-{safe_name(document.filename)}", document.content, fmt,
                                 document.pages, child))
    if errors:
        raise CaseRecordIncomplete(errors, by_document(errors))
    return made


# ------------------------------------------------------------------------------------------ merged PDF


def _child_names(item: Prepared) -> list[str]:
    found = [c.get("full_name") for c in item.body.get("children") or [] if isinstance(c, Mapping)]
    if not found:  # an agenda holds its children in its one case
        for case in item.body.get("cases") or []:
            found += [c.get("full_name") for c in case.get("children") or []]
    return [name for name in found if isinstance(name, str) and name]


def _first_page_naming(reader: PdfReader, name: str) -> int:
    for index, page in enumerate(reader.pages):
        if name in " ".join((page.extract_text() or "").split()):
            return index
    return 0


def merged_pdf(made: list[Made], title: str) -> tuple[bytes, int]:
    """One PDF of all the documents: a bookmark per document, and under it one per child."""
    writer = PdfWriter()
    writer.add_metadata({"/Title": title, "/Producer": "formgen"})
    current: Prepared | None = None
    parent: Any = None
    for item in (m for m in made if m.fmt == "pdf"):
        reader = PdfReader(io.BytesIO(item.content))
        start = len(writer.pages)
        writer.append(reader, import_outline=False)
        if item.prepared is not current:
            current = item.prepared
            parent = writer.add_outline_item(title=item.prepared.form.title, page_number=start)
            if item.child is None:
                for name in _child_names(item.prepared):
                    writer.add_outline_item(title=name, page_number=start + _first_page_naming(reader, name),
                                            parent=parent)
        if item.child is not None:
            writer.add_outline_item(title=item.child, page_number=start, parent=parent)
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


# --------------------------------------------------------------------------------------------- calendar


def _case_reference(record: Mapping[str, Any]) -> str:
    """The case by its ids, never by name: calendars are shared and synchronised more widely than files."""
    for child in record.get("children") or []:
        for system, case_id in (child.get("case_ids") or {}).items():
            return f"{system} {case_id}"
    return "the case"


def _uid(profile: CouncilProfile, route: Route, record: Mapping[str, Any], what: str) -> str:
    key = f"{profile.id}/{route.id}/{_case_reference(record)}/{what}"
    return f"{hashlib.sha256(key.encode()).hexdigest()[:24]}@formgen"


def cited(profile: CouncilProfile, p: Provenance) -> str:
    """"Source: <the guidance's title>, <section>: “<what it says>”", or the local setting's standing."""
    where = f"{GUIDANCE[p.seed]}, {p.section}" if p.seed else profile.cite_source(p)
    says = p.says.strip()
    quoted = f": \u201c{says}\u201d" if says else ""
    return f"Source: {where}{quoted}{'' if says.endswith(('.', '?')) else '.'}"


def _description(profile: CouncilProfile, state: TaskState) -> str:
    task = state.task
    lines = [f"Who: {task.who}.", cited(profile, task.provenance)]
    setting = task.setting(profile)
    if setting is not None:
        lines.append(f"The timescale: {setting.words} ({profile.cite(setting)}).")
        if not state.councils_date:
            lines.append("formgen draws no verdict from a local practice setting the council has not confirmed.")
    if task.reading and not (state.meeting is not None and task.meeting):
        lines.append(task.reading)
    return "\n".join(lines)


def _event(profile: CouncilProfile, route: Route, record: Mapping[str, Any], state: TaskState) -> icalendar.Event:
    assert state.due is not None
    event = icalendar.Event()
    reference = _case_reference(record)
    if state.task.meeting:
        held = state.meeting or {}
        summary = f"{route.meetings[state.task.meeting].name} ({reference})"
        if held.get("place"):
            event.add("location", held["place"])
    else:
        summary = f"Due: {state.task.name} ({reference})"
    event.add("summary", summary)
    event.add("uid", _uid(profile, route, record, state.task.id))
    event.add("dtstamp", FIXED_TIME)
    if isinstance(state.due, dt.datetime):
        event.add("dtstart", state.due.replace(tzinfo=LONDON))
    else:
        event.add("dtstart", state.due)
        event.add("dtend", state.due + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    event.add("description", _description(profile, state))
    event.add("categories", [profile.short_name, route.id])
    return event


def _meeting_event(profile: CouncilProfile, route: Route, record: Mapping[str, Any],
                   held: Mapping[str, Any], index: int) -> icalendar.Event | None:
    """A meeting the record gives that no step of the route is about: still on the calendar, with its source."""
    kind = route.meetings.get(held.get("kind") or "")
    at = moment(held)
    if kind is None or at is None:
        return None
    event = icalendar.Event()
    event.add("summary", f"{kind.name} ({_case_reference(record)})")
    event.add("uid", _uid(profile, route, record, f"meeting-{index}"))
    event.add("dtstamp", FIXED_TIME)
    if isinstance(at, dt.datetime):
        event.add("dtstart", at.replace(tzinfo=LONDON))
    else:
        event.add("dtstart", at)
        event.add("dtend", at + dt.timedelta(days=1))
    if held.get("place"):
        event.add("location", held["place"])
    event.add("description", cited(profile, kind.provenance))
    return event


def calendar(profile: CouncilProfile, route: Route, record: Mapping[str, Any]) -> bytes:
    """The route's deadlines and meetings for this record: every one with a date, each citing its source."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//formgen//route calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{profile.short_name}: {route.name} ({_case_reference(record)})")
    covered: set[str] = set()
    for state in states(profile, route, record):
        if state.applies and state.shown and state.due is not None:
            cal.add_component(_event(profile, route, record, state))
            if state.task.meeting:
                covered.add(state.task.meeting)
    for index, held in enumerate(record.get("meetings") or []):
        if held.get("kind") not in covered:
            found = _meeting_event(profile, route, record, held, index)
            if found is not None:
                cal.add_component(found)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


# ------------------------------------------------------------------------------------------------ pack


def _manifest(profile: CouncilProfile, route: Route, record: Mapping[str, Any], made: list[Made],
              merged_name: str | None) -> dict[str, Any]:
    dated = [s for s in states(profile, route, record) if s.applies and s.shown and s.due is not None]
    return {
        "council": profile.id, "route": route.id, "name": route.name,
        "documents": [
            {"form": item.prepared.form.id, "title": item.prepared.form.title, "who": item.prepared.document.who,
             "file": None if merged_name else item.name, "format": item.fmt, "pages": item.pages}
            for item in made
        ],
        "merged": merged_name,
        "calendar": CALENDAR,
        "dates": [{"id": s.task.id, "name": s.task.name, "date": long_date(day_of(s.due)) if s.due else None,
                   "source": profile.cite_source(s.task.provenance)} for s in dated],
    }


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def _stem(profile: CouncilProfile, route: Route, record: Mapping[str, Any]) -> str:
    reference = _case_reference(record).split(" ")[-1] if record.get("children") else "case"
    return safe_name(f"pack-{profile.id}-{route.id.replace('.', '')}-{reference}.zip").removesuffix(".zip")


def build_pack(council_id: str, route_id: str, body: Any, fmt: str = "pdf", merged: bool = False,
               forms: Forms | None = None) -> Pack:
    """The route's documents from one case record, and its calendar, as one ZIP (see the module's doc)."""
    profile, route = find(council_id, route_id)
    prepared = prepare(council_id, route_id, body, forms)
    formats = ("pdf",) if merged else _formats(fmt, prepared)
    if merged:
        _formats("pdf", prepared)
    record: Mapping[str, Any] = body
    made = render_all(prepared, formats)
    stem = _stem(profile, route, record)
    files: list[tuple[str, bytes]]
    if merged:
        content, pages = merged_pdf(made, f"{profile.short_name}: {route.name}")
        files = [(f"{stem}.pdf", content)]
        merged_name: str | None = f"{stem}.pdf"
    else:
        files = [(item.name, item.content) for item in made]
        pages = sum(item.pages or 0 for item in made if item.fmt == "pdf")
        merged_name = None
    files.append((CALENDAR, calendar(profile, route, record)))
    manifest = _manifest(profile, route, record, made, merged_name)
    files.append((MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False).encode()))
    return Pack(content=_zip(files), filename=f"{stem}.zip", pages=pages, documents=len(prepared))

