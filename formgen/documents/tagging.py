"""Tagged PDF (PDF/UA-1, ISO 14289-1) written while the layout draws, in one pass.

The layout (formgen/documents/pdf_layout.py) reads the filled Word document in order and makes one
structure element for each heading, paragraph, table, row, cell and form field as it makes the
flowable that draws it, so the structure tree's order is the Word document's order whatever order
the page is painted in. When a flowable draws, its drawing is wrapped in a marked-content sequence
(`/P <</MCID n>> BDC ... EMC`) that the element owns; what is not content (page headers and footers,
table rules and shading, a header row repeated on a new page) is an `/Artifact`. When the canvas is
saved, `StructureTree.write` turns the elements into PDF objects with reportlab's own object classes:
the StructTreeRoot, its ParentTree (page -> elements by MCID, annotation -> its Form element) and
each page's /StructParents and /Tabs /S.

reportlab's low-level objects rather than a pikepdf pass afterwards: the layout already knows every
element as it draws it, and writing the tree in the same pass costs a few per cent where reopening and
rewriting the file with qpdf would cost a second parse and serialisation (docs/accessibility.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObject, PDFObjectReference, PDFPage, PDFString

# Set on a flowable once its drawing has been tagged: drawn again (a table's header row repeated on a
# new page), it is a pagination artifact, so a screen reader hears each header once, in Word order.
_DRAWN = "_formgen_tagged"
_PAGE_KEYS = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]


@dataclass(frozen=True)
class MarkedContent:
    page: int  # 1-based, as reportlab counts pages
    mcid: int


@dataclass(frozen=True)
class Annotation:
    page: int
    ref: Any  # the annotation's PDFObjectReference


@dataclass(eq=False, slots=True)
class Element:
    """One structure element: its type (P, H1, Table, TH...), its kids in reading order, its attributes."""

    type: str
    parent: Element | None = None
    kids: list[Element | MarkedContent | Annotation] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)  # the Table owner's, as PDF: {"Scope": "/Row"}
    alt: str | None = None
    lang: str | None = None
    actual_text: str | None = None  # the text in reading order, where the glyphs drawn are not (see printed_as_read)

    def add(self, type_: str, **kwargs: Any) -> Element:
        # Most elements come with nothing but their type: made positionally, in a third of the time that
        # keywords take (a 40-case agenda makes thousands).
        child = Element(type_, self, [], {}) if not kwargs else Element(type_, parent=self, **kwargs)
        self.kids.append(child)
        return child

    def walk(self) -> Iterator[Element]:
        """This element and every element under it, in reading order (iteratively: trees are deep and wide)."""
        pending = [self]
        while pending:
            element = pending.pop()
            yield element
            pending.extend(kid for kid in reversed(element.kids) if isinstance(kid, Element))

    def first_page(self) -> int | None:
        for kid in self.kids:
            page = kid.first_page() if isinstance(kid, Element) else kid.page
            if page is not None:
                return page
        return None


def page_ref(page: int) -> PDFObjectReference:
    """reportlab names page objects Page1, Page2... as it adds them (PDFDocument.thisPageName)."""
    return PDFObjectReference(f"Page{page}")


class StructureTree:
    """The elements of one document, and the marked content each owns, page by page."""

    def __init__(self, lang: str) -> None:
        self.lang = lang  # the document's language (BCP 47), for the catalog and its metadata
        self.root = Element("Document")
        self._by_mcid: dict[int, list[Element]] = defaultdict(list)
        self._annotations: list[Element] = []
        self.pages = 0  # set when the pages are written (_PageCanvas.save)

    # Drawing -------------------------------------------------------------------------------------

    def begin(self, canvas: Any, element: Element, flowable: Any) -> None:
        """Open the marked content of `element` for what `flowable` is about to draw."""
        if flowable.__dict__.get(_DRAWN):
            artifact(canvas, "Pagination")
            return
        flowable.__dict__[_DRAWN] = True
        page = canvas._pageNumber
        owners = self._by_mcid[page]
        mcid = len(owners)
        owners.append(element)
        element.kids.append(MarkedContent(page, mcid))
        canvas._code.append(f"/{element.type} <</MCID {mcid}>> BDC")

    @staticmethod
    def end(canvas: Any) -> None:
        canvas._code.append("EMC")

    def annotation(self, canvas: Any, element: Element, ref: Any, annotation: PDFDictionary) -> None:
        """Make an annotation (a form field's widget) a kid of `element`, reachable back through /StructParent."""
        annotation.dict["StructParent"] = self._annotation_key(len(self._annotations))
        self._annotations.append(element)
        element.kids.append(Annotation(canvas._pageNumber, ref))

    def _annotation_key(self, index: int) -> int:
        # ParentTree keys: 0..pages-1 for the pages, then one per annotation (fields are placed when
        # the pages are written, once their number is known).
        return self.pages + index

    def mark_page(self, page: PDFPage, number: int) -> None:
        """A page's key into the ParentTree, and its tab order: the structure's."""
        page.__NoDefault__ = _PAGE_KEYS  # type: ignore[misc]  # reportlab writes only the keys it lists
        page.StructParents = number - 1  # type: ignore[attr-defined]
        page.Tabs = PDFName("S")  # type: ignore[attr-defined]
        page.Trans = None  # reportlab writes an empty /Trans, which PDF/A validators cannot vouch for

    # Writing -------------------------------------------------------------------------------------

    def write(self, doc: Any) -> PDFObjectReference:
        """The StructTreeRoot and everything under it as PDF objects; its reference, for the catalog.

        Each element is written straight to its bytes (_Formatted): a 40-case agenda has thousands of
        elements, and reportlab's general dictionary formatting cost more than the rest of tagging.
        """
        elements = list(self.root.walk())
        objects = [_Formatted() for _ in elements]
        refs = {id(el): doc.Reference(obj) for el, obj in zip(elements, objects, strict=True)}
        root = _Formatted()
        root_ref = doc.Reference(root)
        tree = doc.Reference(_Formatted())
        numbers = doc.idToObjectNumberAndVersion

        def number(ref: Any) -> str:
            return f"{numbers[ref.name][0]} 0 R"

        nums = {id(el): number(ref) for el, ref in zip(elements, refs.values(), strict=True)}
        pages = {page: number(page_ref(page)) for page in range(1, self.pages + 1)}
        for el, obj in zip(elements, objects, strict=True):
            parent = nums[id(el.parent)] if el.parent is not None else number(root_ref)
            obj.content = self._element_bytes(el, parent, nums, pages, number, doc)
        entries = [f"{page - 1} [{' '.join(nums[id(el)] for el in self._by_mcid.get(page, []))}]"
                   for page in range(1, self.pages + 1)]
        entries += [f"{self._annotation_key(index)} {nums[id(el)]}" for index, el in enumerate(self._annotations)]
        doc.idToObject[tree.name].content = f"<< /Nums [{' '.join(entries)}] >>".encode("latin-1")
        root.content = (f"<< /Type /StructTreeRoot /K {nums[id(self.root)]} /ParentTree {number(tree)} "
                        f"/ParentTreeNextKey {self._annotation_key(len(self._annotations))} >>").encode("latin-1")
        return root_ref

    @staticmethod
    def _element_bytes(el: Element, parent: str, nums: dict[int, str], pages: dict[int, str], number: Any,
                       doc: Any) -> bytes:
        page = el.first_page()
        parts = [f"<< /Type /StructElem /S /{el.type} /P {parent}"]
        if page is not None:
            parts.append(f"/Pg {pages[page]}")
        kids: list[str] = []
        for kid in el.kids:
            if isinstance(kid, Element):
                kids.append(nums[id(kid)])
            elif isinstance(kid, MarkedContent):
                kids.append(str(kid.mcid) if kid.page == page else
                            f"<< /Type /MCR /Pg {pages[kid.page]} /MCID {kid.mcid} >>")
            else:
                kids.append(f"<< /Type /OBJR /Obj {number(kid.ref)} /Pg {pages[kid.page]} >>")
        if kids:
            parts.append(f"/K {kids[0]}" if len(kids) == 1 else f"/K [{' '.join(kids)}]")
        if el.attributes:
            parts.append("/A << /O /Table " + " ".join(f"/{k} {v}" for k, v in el.attributes.items()) + " >>")
        for key, text in (("Alt", el.alt), ("Lang", el.lang), ("ActualText", el.actual_text)):
            if text:
                parts.append(f"/{key} " + PDFString(text).format(doc).decode("latin-1"))
        parts.append(">>")
        return " ".join(parts).encode("latin-1")


class _Formatted(PDFObject):
    """A PDF object already written out: StructureTree.write fills in its bytes before the file is saved."""

    content = b""

    def format(self, document: Any) -> bytes:
        return self.content


def artifact(canvas: Any, kind: str, subtype: str | None = None) -> None:
    """Open an artifact (close it with StructureTree.end): what is drawn but is not content."""
    extra = f" /Subtype /{subtype}" if subtype else ""
    canvas._code.append(f"/Artifact <</Type /{kind}{extra}>> BDC")


class Tagged:
    """Mixin for a flowable: what it draws is marked content of its structure element (`_element`).

    Untagged (no structure tree on the canvas) it draws as before. Split across pages, each part
    keeps the element, so a paragraph broken over a page is one element with content on both.
    """

    _element: Element | None = None

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803 - reportlab's names
        tree: StructureTree | None = getattr(canvas, "structure", None)
        element = self._element
        if tree is None or element is None:
            super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
            return
        tree.begin(canvas, element, self)
        super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
        tree.end(canvas)

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803 - reportlab's names
        parts = super().split(availWidth, availHeight)  # type: ignore[misc]
        for part in parts:
            part._element = self._element
        return parts


class ArtifactRules:
    """Mixin for a reportlab Table: its shading and rules are artifacts (its cells tag themselves)."""

    def _drawBkgrnd(self) -> None:  # noqa: N802 - reportlab's name
        self._as_artifact(super()._drawBkgrnd)  # type: ignore[misc]

    def _drawLines(self) -> None:  # noqa: N802 - reportlab's name
        self._as_artifact(super()._drawLines)  # type: ignore[misc]

    def _as_artifact(self, draw: Any) -> None:
        canvas = self.canv  # type: ignore[attr-defined]
        if getattr(canvas, "structure", None) is None:
            draw()
            return
        artifact(canvas, "Layout")
        draw()
        StructureTree.end(canvas)


def printed_as_read(text: str, base_font: str) -> bool:
    """Whether the glyphs drawn for `text` read back as `text` itself: all of it in the body font.

    Otherwise (right-to-left text drawn reordered line by line, Arabic letters drawn as their joined
    forms, Indic scripts shaped, a skin-tone emoji drawn without its tone, a character no font has
    drawn as its name) the element carries the Word text as /ActualText, which a screen reader reads
    instead of the glyphs.
    """
    if text.isascii():  # the body font has every ASCII character (control characters become markup)
        return True
    from formgen.documents.scripts import segments  # here: scripts must load before reportlab's text object

    pieces = list(segments(text, base_font))
    return not pieces or (len(pieces) == 1 and pieces[0] == (base_font, text))
