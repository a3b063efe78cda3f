"""Draft of templates/step-down-clinic-transfer.docx (seed 003, Step Down 3).

The children and family, the social worker and the case discussion, then the most recent assessment and its
file (name, type, size and SHA-256: the PDF carries the file itself), what the Early Help Family Worker needs
to know, and the allocation and joint visit that follow (Step Down 3 and 4).

The tables touch, with a shaded label across the page for each section, so they read (and are paged by Word,
LibreOffice and formgen alike) as one table; a heading between tables would add a table start each time.
"""

from docx.document import Document
from docx.table import Table

from tools.docx_drafting import add_row, grid_table, header_footer, label_table, new_document, table

WIDTHS = [5.2, 12.2]
FULL = [sum(WIDTHS)]


def _section(doc: Document, label: str) -> Table:
    """A shaded label across the page, for the rows under it."""
    t = table(doc, FULL)
    add_row(t, [label], FULL, label_first=True)
    return t


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Transfer to the Early Help Family Worker Team")
    doc.add_paragraph("Transfer to the Early Help Family Worker Team", style="Title")
    doc.add_paragraph("{{ intro }}", style="Small")
    label_table(doc, [("Children", "{{ children }}")])
    _section(doc, "Family")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Age", "Notes"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.age }}", "{{ m.notes }}"],
        [3.8, 2.8, 3.2, 1.8, 5.8],
        "m in family_members",
    )
    label_table(doc, [
        ("Address / contact details", "{{ address }}"),
        ("Allocated social worker", "{{ social_worker }}"),
        ("Team Manager from Social Work", "{{ team_manager }}"),
        ("Step Down Clinic", "{{ case_discussion }}"),
    ])
    _section(doc, "Most recent assessment (Step Down 3)")
    t = table(doc, WIDTHS)
    add_row(t, ["Assessment", "{{ assessment }}"], WIDTHS, label_first=True)
    add_row(t, ["{%tr for r in assessment_file %}", ""], WIDTHS)
    add_row(t, ["{{ r.label }}", "{{ r.value }}"], WIDTHS, label_first=True)
    add_row(t, ["{%tr endfor %}", ""], WIDTHS)
    add_row(t, ["The copy", "{{ assessment_attached }}"], WIDTHS, label_first=True)
    _section(doc, "For the Early Help Family Worker")
    label_table(doc, [
        ("What are we worried about?", "{{ worried_about }}"),
        ("What is working well?", "{{ working_well }}"),
        ("What needs to happen?", "{{ needs_to_happen }}"),
        ("Allocation and joint visit", "{{ early_help }}"),
    ])
    doc.add_paragraph("{{ layout }}", style="Small")
    return doc
