"""Draft of templates/manchester-allocations-pro-forma.docx (seed 002, Appendix 2)."""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Manchester Early Help Allocations Pro Forma")
    doc.add_paragraph("Early Help Allocations Pro Forma", style="Title")
    doc.add_paragraph(
        "Manchester City Council. Completed in place of section 5 of the Children & Family Referral "
        "(CAFR) and attached to the referral on Micare. Completed on {{ date_completed }}.",
        style="Small",
    )
    label_table(doc, [
        ("Subject child name & Micare ID", "{{ child_name }}, Micare ID {{ micare_id }}"),
        ("Date of birth and age", "{{ child_date_of_birth }} (age {{ child_age }})"),
    ])
    doc.add_paragraph("Family composition (dates of birth and ages)", style="Heading 2")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Age", "Notes (e.g. contact arrangements)"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.age }}", "{{ m.notes }}"],
        [4.2, 2.8, 2.8, 1.8, 5.8],
        "m in family_members",
    )
    doc.add_paragraph("Referral", style="Heading 2")
    label_table(doc, [
        ("Address / contact details", "{{ address }}"),
        ("Housing provider", "{{ housing_provider }}"),
        ("Family referred to Early Help (date of CAFR)", "{{ cafr_date }}"),
        ("Reason being referred to Allocations", "{{ reason_for_referral }}"),
        ("Referrer contact details", "{{ referrer }}"),
        ("Date CAFA completed and/or planning meeting", "{{ assessment_dates }}"),
        ("Level of need", "{{ level_of_need }}"),
        ("Is this step-down or to be joint worked?", "{{ request_type }}"),
        ("{%tr if joint_worked %}", ""),
        ("Timescales for the evidence-based intervention", "{{ intervention_timescales }}"),
        ("{%tr endif %}", ""),
    ])
    doc.add_paragraph("Signs of Safety mapping", style="Heading 2")
    label_table(doc, [
        ("What are we worried about?", "{{ worried_about }}"),
        ("What's working well / strengths?", "{{ working_well }}"),
        ("What needs to happen? (areas of identified need)", "{{ needs_to_happen }}"),
    ])
    doc.add_paragraph("Dates of forthcoming meetings / visits to family planned", style="Heading 2")
    grid_table(
        doc,
        ["Date", "Meeting or visit", "With whom"],
        ["{{ v.date }}", "{{ v.kind }}", "{{ v.with_whom }}"],
        [3.2, 6.0, 8.2],
        "v in forthcoming",
    )
    doc.add_paragraph("")
    label_table(doc, [("Status of intervention", "{{ status_of_intervention }}")])
    return doc
