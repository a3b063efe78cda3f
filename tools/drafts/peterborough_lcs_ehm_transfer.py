"""Draft of templates/peterborough-lcs-ehm-transfer.docx (seed 004, section 1).

The guidance gives no form. The Early Help Hub's review deadline comes first, where the hub sees it; then the
child and family, the referral and the decision with the needs identified for Early Help (what section 1 says
the Transfer details), the family's consent, and a part for the hub with room to write its decision.
"""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document

LABELS = (5.2, 12.2)


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Peterborough Transfer from LCS to EHM")
    doc.add_paragraph("Transfer from LCS to EHM", style="Title")
    doc.add_paragraph("Peterborough City Council, Children's Social Care: Assessment Team.", style="Small")
    doc.add_paragraph("{{ intro }}", style="Small")
    label_table(doc, [
        ("Sent to the Early Help Hub", "{{ sent_at }}"),
        ("Early Help Hub review due", "{{ review_due }}"),
    ], LABELS)
    doc.add_paragraph("{{ review_reading }}", style="Small")
    doc.add_paragraph("The child and family", style="Heading 1")
    grid_table(doc, ["Child (NHS number)", "LCS ID", "Date of birth", "Age"],
               ["{{ c.name }}", "{{ c.lcs_id }}", "{{ c.date_of_birth }}", "{{ c.age }}"],
               [7.8, 3.2, 3.8, 2.6], "c in children")
    grid_table(doc, ["Parents, carers and family", "Relationship", "Date of birth", "Notes"],
               ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.notes }}"],
               [4.2, 3.0, 3.4, 6.8], "m in family_members")
    label_table(doc, [("Address and contact", "{{ address }}")], LABELS)
    doc.add_paragraph("The referral and the decision", style="Heading 1")
    label_table(doc, [
        ("Date of the referral", "{{ referral_date }}"),
        ("Assessment Team worker", "{{ worker }}"),
        ("{%tr if team_manager %}", ""),
        ("Assessment Team Manager", "{{ team_manager }}"),
        ("{%tr endif %}", ""),
        ("Child and Family Assessment", "{{ assessment_decision }}"),
        ("Outcome on the Referral record", "{{ referral_outcome }}"),
        ("The decision", "{{ decision }}"),
        ("Needs identified for Early Help", "{{ needs }}"),
        ("{%tr if worried_about %}", ""),
        ("What are we worried about?", "{{ worried_about }}"),
        ("{%tr endif %}", ""),
        ("{%tr if working_well %}", ""),
        ("What is working well?", "{{ working_well }}"),
        ("{%tr endif %}", ""),
        ("{%tr if existing_early_help %}", ""),
        ("Early Help support already in place", "{{ existing_early_help }}"),
        ("{%tr endif %}", ""),
        ("The family's consent", "{{ consent }}"),
    ], LABELS)
    doc.add_paragraph("For the Early Help Hub", style="Heading 1")
    doc.add_paragraph("{{ hub_does }}", style="Small")
    label_table(doc, [
        ("Hub's decision", "{{ room_to_write }}"),
        ("Reviewed by, date and time", "{{ room_to_write }}"),
    ], LABELS)
    return doc
