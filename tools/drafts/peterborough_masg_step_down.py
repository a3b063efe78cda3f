"""Draft of templates/peterborough-masg-step-down.docx (seed 004, section 2).

The guidance gives no form, so the layout follows section 2 in its order: the child and family, the MASG
and who presents, the Child and Family Assessment's outcome and narrative, consent, the needs to present,
then what happens next. A shaded label, then the answer; the children and family are grids.
"""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document

LABELS = (5.2, 12.2)


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Peterborough MASG step-down presentation")
    doc.add_paragraph("MASG step-down presentation", style="Title")
    doc.add_paragraph("Peterborough City Council, Children's Social Care. Completed on {{ date_completed }}.",
                      style="Small")
    doc.add_paragraph("{{ intro }}", style="Small")
    doc.add_paragraph("The child and family", style="Heading 1")
    grid_table(doc, ["Child (NHS number)", "LCS ID", "Date of birth", "Age"],
               ["{{ c.name }}", "{{ c.lcs_id }}", "{{ c.date_of_birth }}", "{{ c.age }}"],
               [7.8, 3.2, 3.8, 2.6], "c in children")
    grid_table(doc, ["Parents, carers and family", "Relationship", "Date of birth", "Notes"],
               ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.notes }}"],
               [4.2, 3.0, 3.4, 6.8], "m in family_members")
    label_table(doc, [("Address and contact", "{{ address }}")], LABELS)
    doc.add_paragraph("The MASG", style="Heading 1")
    label_table(doc, [
        ("MASG", "{{ masg }}"),
        ("Presenting the needs", "{{ presenting }}"),
        ("{%tr if referrer %}", ""),
        ("Referrer", "{{ referrer }}"),
        ("{%tr endif %}", ""),
        ("Social worker", "{{ social_worker }}"),
        ("{%tr if team_manager %}", ""),
        ("Team manager", "{{ team_manager }}"),
        ("{%tr endif %}", ""),
    ], LABELS)
    doc.add_paragraph("Child and Family Assessment", style="Heading 1")
    label_table(doc, [
        ("Completed", "{{ assessment_completed_on }}"),
        ("Outcome on Liquid Logic", "{{ assessment_outcome }}"),
        ("Narrative comments", "{{ outcome_narrative }}"),
        ("Discussed with the Early Help Service", "{{ early_help_discussion }}"),
    ], LABELS)
    doc.add_paragraph("Consent", style="Heading 1")
    label_table(doc, [
        ("Continuing support plan in Early Help", "{{ consent.support_plan }}"),
        ("Sharing the Child and Family Assessment with the MASG's agencies", "{{ consent.share }}"),
        ("Noted on Liquid Logic", "{{ consent.noted }}"),
    ], LABELS)
    doc.add_paragraph("The needs to present", style="Heading 1")
    label_table(doc, [
        ("What are we worried about?", "{{ worried_about }}"),
        ("{%tr if working_well %}", ""),
        ("What is working well?", "{{ working_well }}"),
        ("{%tr endif %}", ""),
        ("The needs of the child, young person and family", "{{ needs }}"),
        ("{%tr if suggestions %}", ""),
        ("Suggested lead professional and resources", "{{ suggestions }}"),
        ("{%tr endif %}", ""),
    ], LABELS)
    doc.add_paragraph("What happens next", style="Heading 1")
    label_table(doc, [("Closure to Children's Social Care", "{{ closure }}")], LABELS)
    return doc
