"""Draft of templates/step-down-clinic-joint-visit.docx (seed 003, Step Down 4).

When and where, the family, the two workers, what the visit is for and, once held, what was agreed.
"""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Joint visit: Social Worker and Early Help Family Worker")
    doc.add_paragraph("Joint visit: Social Worker and Early Help Family Worker", style="Title")
    doc.add_paragraph("{{ intro }}", style="Small")
    label_table(doc, [
        ("The visit", "{{ status }}"),
        ("Where", "{{ where }}"),
        ("Family's address", "{{ address }}"),
        ("Children", "{{ children }}"),
    ])
    doc.add_paragraph("Family", style="Heading 2")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Age", "Notes"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.age }}", "{{ m.notes }}"],
        [3.8, 2.8, 3.2, 1.8, 5.8],
        "m in family_members",
    )
    label_table(doc, [
        ("Social worker", "{{ social_worker }}"),
        ("Early Help Family Worker", "{{ early_help_family_worker }}"),
        ("Purpose of the visit", "{{ purpose }}"),
        ("What was agreed with the family", "{{ agreed }}"),
    ])
    return doc
