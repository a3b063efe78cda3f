"""Every PDF is a tagged PDF (PDF/UA-1): checked by outloud and pdfua, and by walking its structure tree.

The documents: every registered form's example, a 40-case agenda, each document of a sibling split,
and the consent form with its fields filled. Each must pass both checkers with no error, read in its
structure tree's order exactly as the Word document reads, have nothing drawn outside the tree or an
artifact, TH cells with a scope, and a spoken name and a Form element for every field.
"""

from __future__ import annotations

import copy
import io
import sys
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from helpers import docx_text
from tagged_pdf import (
    _repeated_header_rows,
    checker_findings,
    header_row_texts,
    letters,
    marks,
    painting_text,
    poppler_struct_text,
    reading_text,
    structure,
)

from formgen.core.registry import all_forms
from formgen.documents.docx_fill import DocumentMeta
from formgen.documents.pdf_layout import layout_pdf
from formgen.engine import pipeline
from tools.docx_drafting import add_row, header_footer, new_document, table

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
from stages import AGENDA, AGENDA_CASES, grown_body

META = DocumentMeta(title="Tagging", subject="formgen: tagging", keywords="test")


@cache
def documents() -> dict[str, tuple[bytes, bytes | None]]:
    """name -> (PDF, the DOCX of the same body, when there is one to compare reading order with)."""
    found: dict[str, tuple[bytes, bytes | None]] = {}
    for form_id, spec in all_forms().items():
        body = copy.deepcopy(dict(spec.example))
        docx = pipeline.render(spec, body, "docx").content if "docx" in spec.formats else None
        found[f"{form_id} example"] = (pipeline.render(spec, body, "pdf").content, docx)
        if spec.split_by_child is not None:
            with zipfile.ZipFile(io.BytesIO(pipeline.render_split(spec, body, "pdf").content)) as archive:
                for name in archive.namelist():
                    found[f"{form_id} split {name}"] = (archive.read(name), None)
    agenda = all_forms().get(AGENDA)
    if agenda is not None:
        body = grown_body(agenda, AGENDA_CASES)
        found[f"{AGENDA} {AGENDA_CASES} cases"] = (pipeline.render(agenda, body, "pdf").content,
                                                   pipeline.render(agenda, body, "docx").content)
    return found


NAMES = list(documents())
WITH_DOCX = [name for name in NAMES if documents()[name][1] is not None]


def _pdf(name: str) -> bytes:
    return documents()[name][0]


def test_the_corpus_holds_what_the_issue_names() -> None:
    assert any("consent" in name for name in NAMES)  # the filled consent form (its example fills the fields)
    assert any(" split " in name for name in NAMES)
    assert f"{AGENDA} {AGENDA_CASES} cases" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_the_checkers_find_no_error(name: str) -> None:
    pdf, docx = documents()[name]
    # A child's document split from a sibling group has the header rows of its form's example.
    rows = header_row_texts(docx or documents()[f"{name.split(' ')[0]} example"][1])
    assert checker_findings(pdf, rows) == {"outloud": [], "pdfua": []}


def test_only_a_repeated_header_row_is_set_aside_from_the_checkers_findings() -> None:
    """The exception above is narrow: prose that is not a declared header row still fails."""
    class Finding:
        rule, evidence = "TAG-002", "What needs to happen - including by whom Outcome Achievable timescale"
    assert _repeated_header_rows(Finding(), {"What needs to happen - including by whom Outcome Achievable timescale"})
    assert not _repeated_header_rows(Finding(), {"Something else entirely"})
    Finding.evidence = "Step Down Clinic case discussion: outcome note · Page 1 of 1"
    assert not _repeated_header_rows(Finding(), {"What needs to happen - including by whom Outcome Achievable timescale"})


@pytest.mark.parametrize("name", WITH_DOCX)
def test_the_structure_reads_in_the_word_documents_order(name: str) -> None:
    pdf, docx = documents()[name]
    assert docx is not None
    assert letters(reading_text(pdf)) == letters(docx_text(docx))


@pytest.mark.parametrize("name", WITH_DOCX)
def test_poppler_reads_the_same_structure_text(name: str) -> None:
    pdf, docx = documents()[name]
    text = poppler_struct_text(pdf)
    if text is None:
        pytest.skip("pdfinfo (Debian's poppler-utils) is not installed: make test-tools")
    assert docx is not None
    assert letters(text) == letters(docx_text(docx))


@pytest.mark.parametrize("name", NAMES)
def test_nothing_drawn_is_outside_the_tree_or_an_artifact(name: str) -> None:
    pdf = _pdf(name)
    found = marks(pdf)
    assert found.untagged == []
    tree, opened = structure(pdf)
    with opened:
        owned = Counter(tree.marked())
    assert set(owned) == set(found.paint_order)  # every sequence drawn has its element, and no element points nowhere
    assert max(owned.values()) == 1  # and no sequence has two


def test_the_untagged_layout_would_fail_that_check() -> None:
    doc = new_document()
    doc.add_paragraph("Plain text")
    assert marks(layout_pdf(doc, META, tagged=False)).untagged


@pytest.mark.parametrize("name", NAMES)
def test_table_header_cells_are_th_with_a_scope(name: str) -> None:
    tree, opened = structure(_pdf(name))
    with opened:
        for table_el in (node for node in tree.walk() if node.type == "Table"):
            rows = [kid for kid in table_el.kids if getattr(kid, "type", None) == "TR"]
            cells = [cell for row in rows for cell in row.kids if getattr(cell, "type", None) in ("TH", "TD")]
            assert any(cell.type == "TH" for cell in cells), "a table with no header cell"
            for cell in cells:
                if cell.type == "TH":
                    assert str(cell.attributes.get("/Scope")) in ("/Column", "/Row")
            widths = {sum(int(c.attributes.get("/ColSpan", 1)) for c in row.kids) for row in rows}
            assert len(widths) == 1, "rows of different widths"


@pytest.mark.parametrize("name", NAMES)
def test_every_field_has_a_spoken_name_and_its_own_form_element(name: str) -> None:
    pdf = _pdf(name)
    tree, opened = structure(pdf)
    with opened:
        forms = {kid.objgen: node for node in tree.walk() if node.type == "Form"
                 for kid in node.kids if isinstance(kid, pikepdf.Object)}
        nums = list(opened.Root.StructTreeRoot.ParentTree.Nums)
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        widgets = [annot for page in opened.pages for annot in page.get("/Annots", []) if annot.Subtype == "/Widget"]
        for widget in widgets:
            assert str(widget.get("/TU", "")).strip(), f"field {widget.T} has no name a screen reader speaks"
            assert widget.objgen in forms, f"field {widget.T} is in no Form element"
            assert parents[int(widget.StructParent)].objgen == forms[widget.objgen].obj.objgen


def test_a_tick_box_is_named_by_the_statement_beside_it() -> None:
    from tools.docx_drafting import checkbox_field

    doc = new_document()
    t = table(doc, [1.0, 16.4])
    row = t.add_row()
    row.cells[0].paragraphs[0].text = ""
    checkbox_field(row.cells[0].paragraphs[0], "statements__agrees", "1", tooltip="Tick if you agree")
    row.cells[1].paragraphs[0].text = "I agree to share my information."
    with pikepdf.open(io.BytesIO(layout_pdf(doc, META))) as opened:
        (widget,) = opened.pages[0].Annots
        assert str(widget.TU) == "Tick if you agree: I agree to share my information."


def _split_row_document() -> tuple[bytes, str]:
    """A two-column table whose one row runs over a page: each cell is painted in two parts."""
    doc = new_document()
    widths = [8.7, 8.7]
    t = table(doc, widths)
    add_row(t, ["Before", "After"], widths, header=True)
    left = " ".join(f"Left {i} of the worries the family named." for i in range(160))
    right = " ".join(f"Right {i} of the strengths the family named." for i in range(160))
    add_row(t, [left, right], widths)
    return layout_pdf(doc, META), "Before After " + left + " " + right


def test_a_row_split_over_pages_reads_cell_by_cell_not_in_painting_order() -> None:
    """Tagged in drawing order (page by page: left part, right part, left rest, right rest), the reading
    order test above would fail; the tree's row order reads each cell whole, as Word does."""
    pdf, word_order = _split_row_document()
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert len(opened.pages) > 1
    assert letters(reading_text(pdf)) == letters(word_order)
    assert letters(painting_text(pdf)) != letters(word_order)


def test_a_header_row_repeated_on_a_new_page_is_read_once() -> None:
    doc = new_document()
    widths = [4.0, 13.4]
    t = table(doc, widths)
    add_row(t, ["Heading one", "Heading two"], widths, header=True)
    for index in range(90):
        add_row(t, [f"Row {index}", f"Line of row {index}"], widths)
    pdf = layout_pdf(doc, META)
    assert reading_text(pdf).count("Heading one") == 1
    assert [text.strip() for text in marks(pdf).artifact_text].count("Heading one") >= 1  # drawn again, as an artifact


@pytest.mark.parametrize("text", [
    "مريم الحسيني",  # Arabic: joined letter forms, drawn right to left
    "Mum said: وہ اسکول جاتی ہے 3 دن a week",  # Urdu inside English
    "রহিম উদ্দিন",  # Bengali: shaped
    "😀 👍🏽 ❤",  # an emoji drawn without its skin tone
])
def test_text_drawn_otherwise_than_it_reads_is_read_in_word_order(text: str) -> None:
    doc = new_document()
    doc.add_paragraph("Before")
    doc.add_paragraph(text)
    pdf = layout_pdf(doc, META)
    assert reading_text(pdf) == "Before\n" + text
    assert checker_findings(pdf) == {"outloud": [], "pdfua": []}


def test_headers_and_footers_are_artifacts() -> None:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "A footer")
    doc.add_paragraph("Body text")
    pdf = layout_pdf(doc, META)
    assert letters(reading_text(pdf)) == "Bodytext"
    assert {"OFFICIAL-SENSITIVE", "A footer · Page 1 of 1"} <= {text.strip() for text in marks(pdf).artifact_text}


def test_headings_follow_the_word_heading_styles_without_skipping_a_level() -> None:
    doc = new_document()
    doc.add_paragraph("Form title", style="Title")
    doc.add_paragraph("A section", style="Heading 2")  # no Heading 1 above it: an H2, not an H3
    doc.add_paragraph("Text")
    doc.add_paragraph("Next part", style="Heading 1")
    tree, opened = structure(layout_pdf(doc, META))
    with opened:
        assert [node.type for node in tree.walk()][1:] == ["Document", "H1", "H2", "P", "H1"]


def test_the_catalog_and_pages_say_the_document_is_tagged() -> None:
    doc = new_document()
    doc.add_paragraph("Text")
    with pikepdf.open(io.BytesIO(layout_pdf(doc, META))) as opened:
        root: Any = opened.Root
        assert bool(root.MarkInfo.Marked) is True
        assert str(root.Lang) == "en-GB"
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(opened.docinfo.Title) == "Tagging"
        for index, page in enumerate(opened.pages):
            assert page.Tabs == "/S"
            assert int(page.StructParents) == index


def test_untagged_when_asked_and_the_same_pages() -> None:
    doc = new_document()
    for index in range(80):
        doc.add_paragraph(f"Paragraph {index} of a long letter to the family.")
    tagged, untagged = layout_pdf(doc, META), layout_pdf(doc, META, tagged=False)
    with pikepdf.open(io.BytesIO(untagged)) as plain, pikepdf.open(io.BytesIO(tagged)) as marked:
        assert "/StructTreeRoot" not in plain.Root
        assert len(plain.pages) == len(marked.pages)


@pytest.mark.parametrize("name", NAMES[:1])
def test_same_input_same_tagged_bytes(name: str) -> None:
    form_id = name.split(" ")[0]
    spec = all_forms()[form_id]
    assert pipeline.render(spec, spec.example, "pdf").content == _pdf(name)
