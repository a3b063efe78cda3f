"""Draft of templates/shropshire-step-down-agenda.docx (seed 001, 3.a-4.b and Appendix A).

A front page listing the cases in order, then each case on a new page with its details and Appendix A
(its title, lead-in and eleven questions, word for word from the context), with room to write.
"""

from docx.document import Document

from tools.docx_drafting import add_row, grid_table, header_footer, label_table, new_document, page_break_before, table


def draft() -> Document:
    doc = new_document()
    header_footer(doc, "OFFICIAL-SENSITIVE", "Shropshire step-down meeting agenda")
    doc.add_paragraph("Step-down meeting agenda", style="Title")
    doc.add_paragraph("Shropshire Council, Children's Social Work and Early Help. {{ title_line }}.", style="Small")
    doc.add_paragraph("{{ guidance_says }}", style="Small")
    label_table(doc, [
        ("Meeting", "{{ meeting }}"),
        ("Date and time", "{{ when }}"),
        ("Place or link", "{{ where }}"),
        ("Chair", "{{ chair }}"),
        ("Attendees", "{{ attendees }}"),
        ("Cases", "{{ case_count }}"),
    ])
    doc.add_paragraph("Cases in order", style="Heading 1")
    grid_table(
        doc,
        ["No.", "carefirst", "Children", "Team stepping down", "Route", "Proposed service"],
        ["{{ c.number }}", "{{ c.carefirst_number }}", "{{ c.children }}", "{{ c.team }}", "{{ c.route }}",
         "{{ c.service }}"],
        [1.0, 2.4, 4.4, 3.6, 1.4, 4.6],
        "c in cases",
    )
    doc.add_paragraph("{%p for c in cases %}")
    heading = doc.add_paragraph("{{ c.heading }}", style="Heading 1")
    page_break_before(heading)
    widths = [5.2, 12.2]
    t = table(doc, widths)
    add_row(t, ["{%tr for d in c.details %}", ""], widths)
    add_row(t, ["{{ d.label }}", "{{ d.value }}"], widths, label_first=True)
    add_row(t, ["{%tr endfor %}", ""], widths)
    doc.add_paragraph("{{ appendix_a_heading }}", style="Heading 2")
    doc.add_paragraph("{{ appendix_a_lead_in }}")
    widths = [0.8, 9.0, 7.6]
    t = table(doc, widths)
    add_row(t, ["", "Question", "Answer or notes"], widths, header=True)
    add_row(t, ["{%tr for q in c.questions %}", "", ""], widths)
    add_row(t, ["{{ q.number }}", "{{ q.question }}", "{{ q.answer }}"], widths)
    add_row(t, ["{%tr endfor %}", "", ""], widths)
    doc.add_paragraph("{%p endfor %}")
    return doc
