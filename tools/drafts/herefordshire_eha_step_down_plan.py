"""Draft of templates/herefordshire-eha-step-down-plan.docx (seed 000: sections 1 to 4 of the plan)."""

from docx.document import Document

from tools.docx_drafting import add_row, grid_table, header_footer, label_table, new_document, table


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Herefordshire Early Help Assessment Step-Down Plan")
    doc.add_paragraph("Early Help Assessment Step-Down Plan", style="Title")
    doc.add_paragraph(
        "Herefordshire Council. Step-down from children's social care to Early Help, sent to the Early Help "
        "Co-ordinator team. Completed on {{ date_completed }}.",
        style="Small",
    )

    doc.add_paragraph("1. Family Details and Consent", style="Heading 1")
    label_table(doc, [
        ("Step-down for", "{{ scope }}"),
        ("{%tr if subject %}", ""),
        ("Subject child", "{{ subject }}"),
        ("Siblings in this step-down", "{{ siblings }}"),
        ("{%tr endif %}", ""),
    ])
    doc.add_paragraph("Children", style="Heading 2")
    grid_table(
        doc,
        ["Case ID", "Name", "Date of birth (age)", "Gender", "Start date", "In this plan"],
        ["{{ c.case_id }}", "{{ c.full_name }}", "{{ c.date_of_birth }}", "{{ c.gender }}", "{{ c.start_date }}",
         "{{ c.role }}"],
        [1.6, 4.8, 3.4, 1.7, 2.6, 3.3],  # the name cell holds the NHS number too
        "c in children",
    )
    doc.add_paragraph("Family members", style="Heading 2")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Age", "Notes"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.age }}", "{{ m.notes }}"],
        [3.8, 3.2, 2.8, 1.8, 5.8],
        "m in family_members",
    )
    doc.add_paragraph("Consent and decision", style="Heading 2")
    label_table(doc, [
        ("Address / contact details", "{{ address }}"),
        ("Social worker", "{{ social_worker }}"),
        ("Level of need", "{{ level_of_need }}"),
        ("Step-down follows", "{{ follows }}"),
        ("Decision to step down", "{{ decided_on }}"),
        ("Written consent", "{{ consent }}"),
        ("Early help co-ordinator consulted", "{{ coordinator }}"),
        ("Social care family support work", "{{ family_support_work }}"),
    ])
    doc.add_paragraph("Timescales", style="Heading 2")
    label_table(doc, [
        ("Plan sent to the Early Help Co-ordinator team", "{{ send_timescale }}"),
        ("Step-down completed and case closed to social care", "{{ closure_timescale }}"),
        ("Escalation if the plan is not received", "{{ escalation_timescale }}"),
        ("How formgen reads the timescales (not the council's rules)", "{{ timescale_readings }}"),
    ])

    doc.add_paragraph("2. Summary of Presenting Needs", style="Heading 1")
    box = table(doc, [17.4])
    add_row(box, ["{{ presenting_needs }}"], [17.4])

    doc.add_paragraph("3. Early Help Assessment - Part 2", style="Heading 1")
    doc.add_paragraph("Mapping", style="Heading 2")
    label_table(doc, [
        ("What are we worried about? - wellbeing concerns", "{{ worried_about }}"),
        ("What's working well? - existing strengths", "{{ working_well }}"),
        ("Complicating factors", "{{ complicating_factors }}"),
        ("Existing wellbeing", "{{ existing_wellbeing }}"),
        ("{%tr if mapping_source %}", ""),
        ("Taken from the latest assessment", "{{ mapping_source }}"),
        ("{%tr endif %}", ""),
    ])
    doc.add_paragraph("Wellbeing Plan (completed with the family)", style="Heading 2")
    grid_table(
        doc,
        ["What needs to happen - including by whom", "Outcome", "Achievable timescale"],
        ["{{ w.what }}", "{{ w.outcome }}", "{{ w.timescale }}"],
        [8.0, 5.4, 4.0],
        "w in wellbeing_plan",
    )
    doc.add_paragraph("Details of Key Person involved in Early Help Assessment", style="Heading 2")
    label_table(doc, [
        ("Key person", "{{ key_person }}"),
        ("Agreement", "{{ key_person_agreement }}"),
    ])

    doc.add_paragraph("4. Actions Taken", style="Heading 1")
    grid_table(
        doc,
        ["Date", "Action taken"],
        ["{{ a.date }}", "{{ a.action }}"],
        [3.4, 14.0],
        "a in actions_taken",
    )
    return doc
