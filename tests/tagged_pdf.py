"""Read a tagged PDF the way a screen reader's software does: the structure tree, the marked content
each element owns, what is drawn outside both, and the checkers run over it (outloud, pdfua).

Two independent readers of the tree: pikepdf (the tree) with pypdf (each marked-content sequence's
text, through the fonts' ToUnicode), and poppler's `pdfinfo -struct-text` (Debian's poppler-utils).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pypdf import PdfReader

# Operators that put marks on the page: text, painted paths, images and forms.
_TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}
_PAINT_OPS = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"sh", b"Do", b"BI"}


@dataclass
class Marks:
    """What each page draws, sorted by whom it belongs to."""

    texts: dict[tuple[int, int], str] = field(default_factory=dict)  # (page index, MCID) -> its text
    paint_order: list[tuple[int, int]] = field(default_factory=list)  # MCIDs as the pages paint them
    untagged: list[str] = field(default_factory=list)  # operators outside any MCID or Artifact
    artifact_text: list[str] = field(default_factory=list)


def marks(pdf: bytes) -> Marks:
    """Every marked-content sequence's text, and anything drawn outside the tree or an Artifact."""
    found = Marks()
    for index, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        stack: list[tuple[str, int | None]] = []  # (tag, MCID) of the open sequences

        def before(op: bytes, args: Any, cm: Any, tm: Any, stack: list[tuple[str, int | None]] = stack,
                   index: int = index) -> None:
            if op in (b"BDC", b"BMC"):
                tag = str(args[0])
                mcid = args[1].get("/MCID") if op == b"BDC" and hasattr(args[1], "get") else None
                stack.append((tag, int(mcid) if mcid is not None else None))
                if mcid is not None:
                    found.paint_order.append((index, int(mcid)))
            elif op == b"EMC":
                stack.pop()
            elif (op in _TEXT_OPS or op in _PAINT_OPS) and _owner(stack) is None:
                found.untagged.append(f"page {index + 1}: {op.decode()}")

        def text(value: str, cm: Any, tm: Any, font: Any, size: Any, index: int = index,
                 stack: list[tuple[str, int | None]] = stack) -> None:
            who = _owner(stack)
            if who is None:
                if value.strip():
                    found.untagged.append(f"page {index + 1}: text {value!r}")
            elif who[0] == "/Artifact":
                found.artifact_text.append(value)
            else:
                key = (index, who[1])
                found.texts[key] = found.texts.get(key, "") + value  # type: ignore[index]

        page.extract_text(visitor_operand_before=before, visitor_text=text)
    return found


def _owner(stack: list[tuple[str, int | None]]) -> tuple[str, int | None] | None:
    """The innermost open sequence that owns what is drawn: an MCID's, or an Artifact."""
    for tag, mcid in reversed(stack):
        if tag == "/Artifact" or mcid is not None:
            return tag, mcid
    return None


@dataclass
class Node:
    type: str
    attributes: dict[str, Any]
    kids: list[Node | tuple[int, int] | pikepdf.Object]  # elements, (page, MCID), annotations (OBJR)
    obj: Any
    actual_text: str | None = None

    def walk(self) -> Iterator[Node]:
        yield self
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.walk()

    def read(self, texts: dict[tuple[int, int], str]) -> Iterator[str]:
        """What a screen reader reads for this element: its /ActualText, else its content in order."""
        if self.actual_text is not None:
            yield self.actual_text
            return
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.read(texts)
            elif isinstance(kid, tuple):
                yield texts.get(kid, "")

    def marked(self) -> Iterator[tuple[int, int]]:
        """This element's marked content, and its descendants', in the tree's order."""
        for kid in self.kids:
            if isinstance(kid, Node):
                yield from kid.marked()
            elif isinstance(kid, tuple):
                yield kid


def structure(pdf: bytes) -> tuple[Node, pikepdf.Pdf]:
    """The structure tree, read with pikepdf (the PDF stays open for the caller: the second value)."""
    opened = pikepdf.open(io.BytesIO(pdf))
    pages = {page.objgen: index for index, page in enumerate(opened.pages)}

    def read(elem: Any, page: int | None) -> Node:
        if "/Pg" in elem:
            page = pages[elem.Pg.objgen]
        attributes: dict[str, Any] = {}
        owned = elem.get("/A")
        for attr in ([] if owned is None else owned if isinstance(owned, pikepdf.Array) else [owned]):
            attributes.update({str(k): v for k, v in attr.items() if k != "/O"})
        kids_obj = elem.get("/K")
        kids_list = [] if kids_obj is None else list(kids_obj) if isinstance(kids_obj, pikepdf.Array) else [kids_obj]
        kids: list[Any] = []
        for kid in kids_list:
            if isinstance(kid, int | pikepdf.Object) and not isinstance(kid, pikepdf.Dictionary):
                kids.append((page, int(kid)))
            elif kid.get("/Type") == "/MCR":
                kids.append((pages[kid.Pg.objgen] if "/Pg" in kid else page, int(kid.MCID)))
            elif kid.get("/Type") == "/OBJR":
                kids.append(kid.Obj)
            else:
                kids.append(read(kid, page))
        actual = elem.get("/ActualText")
        return Node(str(elem.S)[1:], attributes, kids, elem, str(actual) if actual is not None else None)

    root = opened.Root.StructTreeRoot
    top = root.K
    tops = list(top) if isinstance(top, pikepdf.Array) else [top]
    document = Node("(root)", {}, [read(kid, None) for kid in tops], root)
    return document, opened


def reading_text(pdf: bytes) -> str:
    """The document's text in the structure tree's order: what a screen reader reads."""
    tree, opened = structure(pdf)
    texts = marks(pdf).texts
    with opened:
        return "".join(tree.read(texts))


def painting_text(pdf: bytes) -> str:
    """The same marked content in the order the pages paint it: what tagging in drawing order would give."""
    found = marks(pdf)
    return "".join(found.texts.get(key, "") for key in found.paint_order)


def letters(text: str) -> str:
    """Text with all white space removed: readers differ on where a line break is a space."""
    return re.sub(r"\s+", "", text)


def poppler_struct_text(pdf: bytes) -> str | None:
    """The structure tree's text as poppler reads it (`pdfinfo -struct-text`), or None without poppler."""
    if shutil.which("pdfinfo") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, check=True, text=True).stdout
    return "".join(re.findall(r'^\s*"(.*)"$', out, flags=re.MULTILINE))


def _repeated_header_rows(finding: Any, header_rows: set[str]) -> bool:
    """outloud's TAG-002 (prose marked /Artifact) guesses prose from word counts. A table's header row drawn
    again on the next page is a pagination artifact by design (the Tagged PDF Best Practice Guide: its cells
    are TH where first drawn, so a screen reader hears them once); only such rows are set aside, each
    checked against the header rows the Word document declares (w:tblHeader)."""
    if finding.rule != "TAG-002":
        return False
    lines = [line.rstrip("…").strip() for line in finding.evidence.split("; ")]
    return bool(lines) and all(any(row.startswith(line) for row in header_rows) for line in lines)


def checker_findings(pdf: bytes, header_rows: set[str] | None = None) -> dict[str, list[str]]:
    """The errors outloud (Matterhorn Protocol, WCAG 2.2) and pdfua (PDF/UA-1's machine-checkable subset) report,
    less outloud's guess that a repeated table header row (one of `header_rows`) is prose."""
    import outloud
    import pdfua

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        result = outloud.check(str(path))
        report = pdfua.validate(str(path))
    assert result.error is None, result.error
    return {
        "outloud": [f"{f.rule}: {f.message}" for f in result.findings
                    if f.severity == "error" and not _repeated_header_rows(f, header_rows or set())],
        "pdfua": [f"{f.rule_id}: {f.message}" for f in report.findings if f.severity.name == "ERROR"],
    }


def header_row_texts(docx: bytes | None) -> set[str]:
    """The text of every table row the Word document marks to repeat on each page, as a line prints it."""
    if docx is None:
        return set()
    from docx import Document
    from docx.oxml.ns import qn

    rows = set()
    for tr in Document(io.BytesIO(docx)).element.body.iter(qn("w:tr")):
        if tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None:
            rows.add(" ".join(" ".join(t.text or "" for t in tr.iter(qn("w:t"))).split()))
    return rows
