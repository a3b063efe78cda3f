"""Draft of templates/shropshire-strengthening-families-consent.docx (seed 001, 3.a, 3.b, 4.a, 4.b).

Two sides, each with its signature block. Fillable places are Word legacy form fields named by body
path (formgen/documents/pdf_fields.py), so the form is fillable in Word and in the PDF.
"""

from docx.document import Document
from docx.shared import Cm, Pt

from tools.docx_drafting import (
    add_row,
    cell_text,
    checkbox_field,
    header_footer,
    label_table,
    new_document,
    page_break_before,
    protect_for_forms,
    shade,
    table,
    text_field,
)

SIGN_NOTE = (
    "On a printed form, sign by hand in the signature box. On screen, typing your full name in the "
    "signature box counts as signing. At least one parent or carer who lives in the household must sign "
    "and date both sides before a request for Early Help can be accepted."
)


def _loop_row(t, text: str, cols: int) -> None:
    row = t.add_row()
    cell_text(row.cells[0], text)
    for cell in row.cells[1:cols]:
        cell_text(cell, "")


def _signature_block(doc: Document, side: int) -> None:
    widths = [4.6, 3.0, 6.2, 3.6]
    t = table(doc, widths)
    add_row(t, ["Parent or carer", "Relationship", "Signature", "Date (DD/MM/YYYY)"], widths, header=True)
    _loop_row(t, "{%tr for p in household %}", 4)
    row = t.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Cm(width)
    cell_text(row.cells[0], "{{ p.full_name }}")
    cell_text(row.cells[1], "{{ p.relationship }}")
    row.cells[2].paragraphs[0].text = ""
    row.cells[2].paragraphs[0].style = doc.styles["Signature"]
    row.cells[3].paragraphs[0].style = doc.styles["Signature"]
    text_field(row.cells[2].paragraphs[0], f"household__{{{{ loop.index0 }}}}__side_{side}_signature",
               f"{{{{ p.sig{side} }}}}", tooltip=f"Signature on side {side}")
    row.cells[3].paragraphs[0].text = ""
    text_field(row.cells[3].paragraphs[0], f"household__{{{{ loop.index0 }}}}__side_{side}_date",
               f"{{{{ p.date{side} }}}}", max_length=10, date=True, tooltip=f"Date signed on side {side}")
    _loop_row(t, "{%tr endfor %}", 4)
    doc.add_paragraph(SIGN_NOTE, style="Small")


def _statements(doc: Document, keys: list[str]) -> None:
    widths = [1.0, 16.4]
    t = table(doc, widths)
    for key in keys:
        row = t.add_row()
        row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
        row.cells[0].paragraphs[0].text = ""
        checkbox_field(row.cells[0].paragraphs[0], f"statements__{key}", f"{{{{ statements.{key}.checked }}}}",
                       tooltip="Tick if you agree")
        cell_text(row.cells[1], f"{{{{ statements.{key}.text }}}}")


def draft() -> Document:
    doc = new_document()
    # Signature boxes: a taller line, with room to sign by hand.
    signature = doc.styles.add_style("Signature", 1)
    signature.base_style = doc.styles["Normal"]
    signature.font.size = Pt(16)
    header_footer(doc, "OFFICIAL-SENSITIVE", "Shropshire Strengthening Families consent form")
    doc.add_paragraph("Strengthening Families consent form", style="Title")
    doc.add_paragraph(
        "Shropshire Council, Early Help. Prepared on {{ prepared_on }} for carefirst number {{ carefirst_number }}. "
        "Please read both sides, tick the boxes you agree with, and sign and date each side.",
        style="Small",
    )
    doc.add_paragraph("Side 1: consent to share information", style="Heading 1")
    label_table(doc, [
        ("carefirst number", "{{ carefirst_number }}"),
        ("Address", "{{ address }}"),
    ])
    doc.add_paragraph("Parents and carers", style="Heading 2")
    widths = [7.2, 6.2, 4.0]
    t = table(doc, widths)
    add_row(t, ["Full name", "Relationship to the children", "Lives in the household"], widths, header=True)
    _loop_row(t, "{%tr for p in household %}", 3)
    row = t.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].text = ""
    text_field(row.cells[0].paragraphs[0], "household__{{ loop.index0 }}__full_name", "{{ p.full_name }}",
               tooltip="Parent or carer's full name")
    text_field(row.cells[1].paragraphs[0], "household__{{ loop.index0 }}__relationship", "{{ p.relationship }}",
               max_length=60, tooltip="Relationship to the children")
    checkbox_field(row.cells[2].paragraphs[0], "household__{{ loop.index0 }}__lives_in_household", "{{ p.lives }}",
                   tooltip="Tick if this person lives in the household")
    _loop_row(t, "{%tr endfor %}", 3)

    doc.add_paragraph("Children and young people", style="Heading 2")
    widths = [9.4, 5.0, 3.0]
    t = table(doc, widths)
    add_row(t, ["Full name", "Date of birth", "Age"], widths, header=True)
    _loop_row(t, "{%tr for c in children %}", 3)
    add_row(t, ["{{ c.full_name }}", "{{ c.date_of_birth }}", "{{ c.age }}"], widths)
    _loop_row(t, "{%tr endfor %}", 3)

    doc.add_paragraph("Why we are asking", style="Heading 2")
    label_table(doc, [
        ("Purpose", "{{ purpose }}"),
        ("Agencies involved in the Early Help Whole Family Action Plan", "{{ agencies }}"),
    ])
    doc.add_paragraph("Please tick each box you agree with", style="Heading 2")
    _statements(doc, ["understands_purpose", "agrees_to_share", "agrees_to_ecins"])
    doc.add_paragraph("Signatures: side 1", style="Heading 2")
    _signature_block(doc, 1)

    side_2 = doc.add_paragraph("Side 2: your child's view, your rights, and signatures", style="Heading 1")
    page_break_before(side_2)
    doc.add_paragraph("The child's or young person's view", style="Heading 2")
    widths = [5.2, 12.2]
    t = table(doc, widths)
    _loop_row(t, "{%tr for c in children %}", 2)
    row = t.add_row()
    row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
    cell_text(row.cells[0], "{{ c.full_name }} ({{ c.age }}): their view", bold=True)
    shade(row.cells[0])
    row.cells[1].paragraphs[0].text = ""
    text_field(row.cells[1].paragraphs[0], "children__{{ loop.index0 }}__view", "{{ c.view }}", max_length=600,
               tooltip="The child's or young person's view")
    _loop_row(t, "{%tr if c.signs %}", 2)
    for label, field, value, date in (
        ("Their signature", "signature", "{{ c.signature }}", False),
        ("Date (DD/MM/YYYY)", "signature_date", "{{ c.signature_date }}", True),
    ):
        row = t.add_row()
        row.cells[0].width, row.cells[1].width = Cm(widths[0]), Cm(widths[1])
        cell_text(row.cells[0], label, bold=True)
        shade(row.cells[0])
        row.cells[1].paragraphs[0].text = ""
        row.cells[1].paragraphs[0].style = doc.styles["Signature"]
        text_field(row.cells[1].paragraphs[0], f"children__{{{{ loop.index0 }}}}__{field}", value,
                   max_length=10 if date else 100, date=date, tooltip=f"{label} of the child or young person")
    _loop_row(t, "{%tr else %}", 2)
    add_row(t, ["Consent", "{{ c.who_consents }}"], widths, label_first=True)
    _loop_row(t, "{%tr endif %}", 2)
    _loop_row(t, "{%tr endfor %}", 2)

    doc.add_paragraph("Your rights: please tick each box you agree with", style="Heading 2")
    _statements(doc, ["understands_withdrawal", "agrees_to_programme_checks", "happy_to_give_feedback"])
    doc.add_paragraph("Signatures: side 2", style="Heading 2")
    _signature_block(doc, 2)
    doc.add_paragraph("Worker obtaining consent", style="Heading 2")
    label_table(doc, [("Worker", "{{ worker }}")])
    doc.add_paragraph(
        "The social worker scans the signed form onto carefirst (carestore). If a Targeted Early Help service "
        "has no access to carefirst, the Early Help Manager forwards the signed form to them securely (3.a, 4.a). "
        "Information is kept and shared under the UK GDPR and the Data Protection Act 2018.",
        style="Small",
    )
    protect_for_forms(doc)
    return doc

