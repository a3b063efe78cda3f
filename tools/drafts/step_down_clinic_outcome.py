"""Draft of templates/step-down-clinic-outcome.docx (seed 003, Step Down 2): the case note for EHM.

One table of labelled answers in the order a reader of the case note needs them: the children, who took
part, the outcome, its rationale, the assessment and the date given to complete it, then what follows.
"""

from docx.document import Document

from tools.docx_drafting import header_footer, label_table, new_document


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Step Down Clinic outcome note")
    doc.add_paragraph("Step Down Clinic case discussion: outcome note", style="Title")
    doc.add_paragraph("{{ intro }}", style="Small")
    label_table(doc, [
        ("Children", "{{ children }}"),
        ("Case discussion (Step Down 2)", "{{ present }}"),
        ("Outcome of the discussion", "{{ outcome }}"),
        ("Rationale for the decision", "{{ rationale }}"),
        ("Date given to complete assessment", "{{ assessment }}"),
        ("What happens next", "{{ next_steps }}"),
        ("Case note added to EHM by", "{{ recorded_by }}"),
    ])
    doc.add_paragraph("{{ team_manager_reading }} {{ outcome_choices }}", style="Small")
    return doc
