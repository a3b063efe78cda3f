"""Draft of templates/step-down-clinic-agenda.docx (seed 003, Step Down 1 and 2).

The clinic's details and what happens at each case discussion, then each case booked, in slot order, under
its own heading: the children (NHS number and LCS ID beside each name), the allocated social worker, the
Team Manager from Social Work, and notes for the discussion. (Each case is a two-column table so the answers
have the page's width: a grid of narrow columns would break long words.)
"""

from docx.document import Document

from tools.docx_drafting import add_row, header_footer, label_table, new_document, table

WIDTHS = [5.2, 12.2]


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Early Help Step Down Clinic agenda")
    doc.add_paragraph("Early Help Step Down Clinic agenda", style="Title")
    doc.add_paragraph("{{ title_line }} {{ booking }}", style="Small")
    label_table(doc, [
        ("Date and time", "{{ when }}"),
        ("Place or link", "{{ where }}"),
        ("Early Help at the clinic", "{{ early_help }}"),
        ("Cases booked", "{{ case_count }}"),
        ("At each case discussion", "{{ discussion }}"),
        ("Before the clinic", "{{ bring }}"),
        ("Not booked here", "{{ not_mash }}"),
    ])
    doc.add_paragraph("{{ team_manager_reading }}", style="Small")
    doc.add_paragraph("Cases in slot order", style="Heading 1")
    doc.add_paragraph("{%p for c in cases %}")
    doc.add_paragraph("{{ c.heading }}", style="Heading 2")
    t = table(doc, WIDTHS)
    add_row(t, ["Children", "{{ c.children }}"], WIDTHS, label_first=True)
    add_row(t, ["Allocated social worker", "{{ c.social_worker }}"], WIDTHS, label_first=True)
    add_row(t, ["Team Manager from Social Work", "{{ c.team_manager }}"], WIDTHS, label_first=True)
    add_row(t, ["{%tr for d in c.details %}", ""], WIDTHS)
    add_row(t, ["{{ d.label }}", "{{ d.value }}"], WIDTHS, label_first=True)
    add_row(t, ["{%tr endfor %}", ""], WIDTHS)
    doc.add_paragraph("{%p endfor %}")
    return doc
