"""Draft of templates/manchester-allocations-pro-forma.docx (seed 002, Appendix 2).

Appendix 2's rows in its order and with its labels (it has no headings): a shaded label, then the answer.
The family and the forthcoming visits are grids under a shaded label row. The tables touch, so they read
as the appendix's one table. (No table inside a cell: docxtpl widens the outer table's grid to the inner
table's columns. No cell spanning columns: the PDF layout cannot split such a row across pages cleanly.)
"""

from docx.document import Document
from docx.table import Table, _Cell

from tools.docx_drafting import add_row, grid_table, header_footer, label_table, new_document, table

LABELS = (4.4, 13.0)
FULL = [sum(LABELS)]


def _section(doc: Document, label: str) -> Table:
    """A shaded label across the page, for the grid under it."""
    t = table(doc, FULL)
    add_row(t, [label], FULL, label_first=True)
    return t


def _conditional(doc: Document, cell: _Cell, condition: str, text: str, style: str = "Normal") -> None:
    """A paragraph that prints only when `condition` holds ({%p %} removes the tag paragraphs)."""
    cell.add_paragraph(f"{{%p if {condition} %}}")
    cell.add_paragraph(text, style=doc.styles[style])
    cell.add_paragraph("{%p endif %}")


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Manchester Early Help Allocations Pro Forma")
    doc.add_paragraph("Early Help Allocations Pro Forma", style="Title")
    doc.add_paragraph("Manchester City Council. {{ intro }} Completed on {{ date_completed }}.", style="Small")
    label_table(doc, [("Subject Child Name & Micare ID", "{{ child }}")], LABELS)
    _section(doc, "Family Composition (DOB and ages)")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Age", "Notes (e.g. contact arrangements)"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.age }}", "{{ m.notes }}"],
        [3.8, 2.8, 3.2, 1.8, 5.8],
        "m in family_members",
    )
    rows = label_table(doc, [
        ("Address / Contact Details", "{{ address }}"),
        ("Housing provider", "{{ housing_provider }}"),
        ("Family referred to Early Help (date of CAFR)", "{{ cafr_date }}"),
        ("Reason being referred to Allocations", "{{ reason_for_referral }}"),
        ("Referrer contact details", "{{ referrer }}"),
        ("What are we worried about?", "{{ worried_about }}"),
        ("Date CAFA Completed &/or Planning Meeting", "{{ assessment_dates }}"),
        ("Level of Need / Is this step-down or to be joint worked?", "{{ level_of_need }}"),
        ("{%tr if intervention_timescales %}", ""),
        ("Timescales for the evidence-based intervention (5.5)", "{{ intervention_timescales }}"),
        ("{%tr endif %}", ""),
        ("Family's agreement", "{{ family_agreement }}"),
        ("What's working well / strengths?", "{{ working_well }}"),
        ("What needs to happen? (Areas of identified need)", "{{ needs_to_happen }}"),
    ], LABELS)
    level = rows.rows[7].cells[1]
    _conditional(doc, level, "next_steps", "{{ next_steps }}")
    _conditional(doc, level, "meeting_reading", "{{ meeting_reading }}", style="Small")
    _section(doc, "Dates of forthcoming meetings / visits to family planned")
    grid_table(doc, ["Date", "Meeting or visit", "With whom"], ["{{ v.date }}", "{{ v.kind }}", "{{ v.with_whom }}"],
               [4.4, 5.4, 7.6], "v in forthcoming")
    label_table(doc, [("Status of Intervention", "{{ status_of_intervention }}")], LABELS)
    return doc
