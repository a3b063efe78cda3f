"""Draft of templates/peterborough-cin-step-down-record.docx (seed 004, section 3).

The guidance gives no form: the record follows section 3's list in its order (the agreement to step down to
TAF with the nominated Lead Professional, then the outcome on Liquid Logic), after the child, family and the
meeting, and ends with why no MASG is needed. The team around the child and the SMART plan are grids.
"""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document

LABELS = (5.2, 12.2)


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Peterborough Child in Need meeting step-down record")
    doc.add_paragraph("Child in Need meeting step-down record", style="Title")
    doc.add_paragraph("Peterborough City Council, Children's Social Care. Child in Need meeting on "
                      "{{ meeting_date }}.", style="Small")
    doc.add_paragraph("{{ intro }}", style="Small")
    doc.add_paragraph("The child and family", style="Heading 1")
    grid_table(doc, ["Child (NHS number)", "LCS ID", "Date of birth", "Age"],
               ["{{ c.name }}", "{{ c.lcs_id }}", "{{ c.date_of_birth }}", "{{ c.age }}"],
               [7.8, 3.2, 3.8, 2.6], "c in children")
    grid_table(doc, ["Parents, carers and family", "Relationship", "Date of birth", "Notes"],
               ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.notes }}"],
               [4.2, 3.0, 3.4, 6.8], "m in family_members")
    label_table(doc, [
        ("Address and contact", "{{ address }}"),
        ("Social worker", "{{ social_worker }}"),
        ("{%tr if chair %}", ""),
        ("Chair of the meeting", "{{ chair }}"),
        ("{%tr endif %}", ""),
    ], LABELS)
    doc.add_paragraph("The multi-disciplinary team around the child", style="Heading 1")
    grid_table(doc, ["Name", "Role", "Agency"], ["{{ t.name }}", "{{ t.role }}", "{{ t.agency }}"],
               [4.6, 5.0, 7.8], "t in team")
    doc.add_paragraph("Step-down to a Team around the Child", style="Heading 1")
    label_table(doc, [
        ("Agreement to step down to TAF", "{{ taf_agreed }}"),
        ("As recorded in the notes", "{{ agreement_notes }}"),
        ("Nominated Lead Professional", "{{ lead_professional }}"),
        ("Family's agreement", "{{ family_agrees }}"),
        ("{%tr if worried_about %}", ""),
        ("What are we still worried about?", "{{ worried_about }}"),
        ("{%tr endif %}", ""),
        ("{%tr if working_well %}", ""),
        ("What is working well?", "{{ working_well }}"),
        ("{%tr endif %}", ""),
    ], LABELS)
    doc.add_paragraph("The existing SMART action plan", style="Heading 1")
    grid_table(doc, ["What will happen", "Who", "By when", "How we will know"],
               ["{{ a.action }}", "{{ a.by_whom }}", "{{ a.by_when }}", "{{ a.measure }}"],
               [6.0, 3.2, 2.8, 5.4], "a in plan")
    doc.add_paragraph("Outcome", style="Heading 1")
    label_table(doc, [
        ("Outcome on Liquid Logic", "{{ outcome }}"),
        ("MASG", "{{ no_masg }}"),
        ("Closure to Children's Social Care", "{{ closure }}"),
    ], LABELS)
    return doc
