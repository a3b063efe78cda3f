"""Draft of templates/multi-agency-referral-form.docx (seeds 001, 002, 003: stepping up with a MARF)."""

from docx.document import Document

from tools.docx_drafting import grid_table, header_footer, label_table, new_document


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Multi-Agency Referral Form (MARF)")
    doc.add_paragraph("Multi-Agency Referral Form (MARF)", style="Title")
    doc.add_paragraph(
        "{{ council_name }}. Stepping a case up from Early Help to children's social care. Referral dated "
        "{{ referral_date }}. Please do not leave sections blank.",
        style="Small",
    )
    doc.add_paragraph("Routing and timescales", style="Heading 2")
    label_table(doc, [
        ("Child protection concern", "{{ child_protection }}"),
        ("This referral goes to", "{{ route_to }}"),
        ("Why", "{{ route_why }}"),
        ("Which team is likely to be allocated", "{{ allocation }}"),
        ("{%tr if completed_by %}", ""),
        ("Who completes this referral", "{{ completed_by }}"),
        ("{%tr endif %}", ""),
        ("Phone referral", "{{ phone_referral }}"),
        ("Written referral due", "{{ written_referral_due }}"),
        ("{{ meeting_name }}", "{{ meeting_timescale }}"),
    ])
    doc.add_paragraph("Referrer", style="Heading 2")
    label_table(doc, [
        ("Name", "{{ referrer_name }}"),
        ("Role and agency", "{{ referrer_role }}"),
        ("Contact", "{{ referrer_contact }}"),
    ])
    doc.add_paragraph("Children", style="Heading 2")
    label_table(doc, [
        ("{%tr for c in children %}", ""),
        ("Child", "{{ c.heading }}"),
        ("Date of birth or expected date of delivery", "{{ c.birth }}"),
        ("Other names", "{{ c.other_names }}"),
        ("Sex", "{{ c.sex }}"),
        ("Ethnicity", "{{ c.ethnicity }}"),
        ("Religion", "{{ c.religion }}"),
        ("First language", "{{ c.language }}"),
        ("Disability or special educational needs", "{{ c.disability }}"),
        ("School, nursery or childcare", "{{ c.school }}"),
        ("GP practice", "{{ c.gp }}"),
        ("{{ case_id_name }}", "{{ c.case_id }}"),
        ("{%tr endfor %}", ""),
    ])
    doc.add_paragraph("Family", style="Heading 2")
    label_table(doc, [
        ("Address", "{{ address }}"),
        ("Family telephone", "{{ family_telephone }}"),
    ])
    doc.add_paragraph("Household members", style="Heading 2")
    grid_table(
        doc,
        ["Full name", "Relationship", "Date of birth", "Parental responsibility"],
        ["{{ m.full_name }}", "{{ m.relationship }}", "{{ m.date_of_birth }}", "{{ m.parental_responsibility }}"],
        [5.0, 5.4, 3.5, 3.5],
        "m in household",
    )
    doc.add_paragraph("Other agencies involved", style="Heading 2")
    grid_table(
        doc,
        ["Agency", "Contact", "Telephone", "Involvement"],
        ["{{ a.agency }}", "{{ a.contact }}", "{{ a.telephone }}", "{{ a.involvement }}"],
        [4.4, 3.8, 3.0, 6.2],
        "a in agencies",
    )
    doc.add_paragraph("Consent", style="Heading 2")
    label_table(doc, [
        ("The family was told about this referral", "{{ family_told }}"),
        ("The family consented", "{{ consent_given }}"),
        ("If not, why not", "{{ consent_why_not }}"),
        ("Who gave consent", "{{ consent_given_by }}"),
        ("Whose information it covers", "{{ consent_covers }}"),
        ("The parents' or carers' views", "{{ parents_views }}"),
        ("The child's own views", "{{ child_views }}"),
    ])
    doc.add_paragraph("Level of need and reasons for stepping up", style="Heading 2")
    label_table(doc, [
        ("Level of need and threshold", "{{ level_of_need }}"),
        ("Latest case summary", "{{ case_summary }}"),
        ("Rationale for stepping up", "{{ step_up_rationale }}"),
    ])
    doc.add_paragraph("Signs of Safety mapping", style="Heading 2")
    label_table(doc, [
        ("What are we worried about?", "{{ worried_about }}"),
        ("What's working well?", "{{ working_well }}"),
        ("Complicating factors", "{{ complicating_factors }}"),
        ("What needs to happen?", "{{ needs_to_happen }}"),
    ])
    doc.add_paragraph("Danger statements and safety goals", style="Heading 2")
    label_table(doc, [
        ("{%tr for d in danger_statements %}", ""),
        ("{{ d.number }}: who is worried", "{{ d.who }}"),
        ("About what behaviour", "{{ d.behaviour }}"),
        ("Impact on the child if nothing changes", "{{ d.impact }}"),
        ("Safety goal", "{{ d.safety_goal }}"),
        ("{%tr endfor %}", ""),
    ])
    doc.add_paragraph("Early Help involvement", style="Heading 2")
    label_table(doc, [
        ("Current Early Help plan", "{{ early_help_plan }}"),
        ("Worries raised on", "{{ worries_raised_on }}"),
        ("{{ meeting_name }}", "{{ taf_meeting_on }}"),
        ("Previous social work team", "{{ previous_team }}"),
        ("Step-down date", "{{ stepped_down_on }}"),
    ])
    return doc
