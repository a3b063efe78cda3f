"""Draft of templates/shropshire-strengthening-families-consent.docx (seed 001, 3.a, 3.b, 4.a, 4.b).

One sheet, two sides ("signed on both sides", 4.a), each with its signature block. Side 1: the purpose,
the agencies, the consent boxes, and the parents and carers (with whether they live in the household)
signing. Side 2: each child with their view and, where the worker records they can decide for themselves,
their own signature; the rights boxes; the side 2 signatures. Every fixed sentence comes from the form
module, with its source; a dagger marks the words formgen drafted for the council to confirm.

Fillable places are Word legacy form fields named by body path (formgen/documents/pdf_fields.py), so the
form is fillable in Word and in the PDF.
"""

from docx.document import Document
from docx.shared import Cm, Pt

from forms.shropshire_strengthening_families_consent import NAME, RELATIONSHIP, SIGNATURE, VIEW
from tools.docx_drafting import (
    add_row,
    cell_text,
    checkbox_field,
    header_footer,
    label_table,
    new_document,
    page_break_before,
    protect_for_forms,
    table,
    text_field,
)


def _loop_row(t, text: str, cols: int) -> None:
    row = t.add_row()
    cell_text(row.cells[0], text)
    for cell in row.cells[1:cols]:
        cell_text(cell, "")


def _sized_row(t, widths: list[float]):
    row = t.add_row()
    for cell, width in zip(row.cells, widths, strict=True):
        cell.width = Cm(width)
        cell.paragraphs[0].clear()
    return row


def _signature_cells(doc: Document, row, side: int, first: int) -> None:
    """The signature and date boxes of a household row, in its cells `first` and `first + 1`."""
    row.cells[first].paragraphs[0].style = doc.styles["Signature"]
    text_field(row.cells[first].paragraphs[0], f"household__{{{{ loop.index0 }}}}__side_{side}_signature",
               f"{{{{ p.sig{side} }}}}", max_length=SIGNATURE, tooltip=f"Signature on side {side}")
    text_field(row.cells[first + 1].paragraphs[0], f"household__{{{{ loop.index0 }}}}__side_{side}_date",
               f"{{{{ p.date{side} }}}}", max_length=10, date=True, tooltip=f"Date signed on side {side} (DD/MM/YYYY)")


def _household_signing_side_1(doc: Document) -> None:
    """Who the parents and carers are, whether each lives in the household, and their side 1 signatures."""
    widths = [4.4, 3.3, 2.3, 5.0, 2.4]
    t = table(doc, widths)
    add_row(t, ["Full name", "Relationship to the children", "Lives in household", "Signature",
                "Date"], widths, header=True)
    _loop_row(t, "{%tr for p in household %}", 5)
    row = _sized_row(t, widths)
    text_field(row.cells[0].paragraphs[0], "household__{{ loop.index0 }}__full_name", "{{ p.full_name }}",
               max_length=NAME, tooltip="Parent or carer's full name")
    text_field(row.cells[1].paragraphs[0], "household__{{ loop.index0 }}__relationship", "{{ p.relationship }}",
               max_length=RELATIONSHIP, tooltip="Relationship to the children")
    checkbox_field(row.cells[2].paragraphs[0], "household__{{ loop.index0 }}__lives_in_household", "{{ p.lives }}",
                   tooltip="Tick if this person lives in the household")
    _signature_cells(doc, row, 1, 3)
    _loop_row(t, "{%tr endfor %}", 5)


def _household_signing_side_2(doc: Document) -> None:
    widths = [6.6, 8.2, 2.6]
    t = table(doc, widths)
    add_row(t, ["Parent or carer", "Signature", "Date"], widths, header=True)
    _loop_row(t, "{%tr for p in household %}", 3)
    row = _sized_row(t, widths)
    cell_text(row.cells[0], "{{ p.full_name }} ({{ p.relationship }})")
    _signature_cells(doc, row, 2, 1)
    _loop_row(t, "{%tr endfor %}", 3)


def _statements(doc: Document, keys: list[str]) -> None:
    widths = [0.9, 16.5]
    t = table(doc, widths)
    for key in keys:
        row = _sized_row(t, widths)
        checkbox_field(row.cells[0].paragraphs[0], f"statements__{key}", f"{{{{ statements.{key}.checked }}}}",
                       tooltip="Tick if you agree")
        cell_text(row.cells[1], f"{{{{ statements.{key}.text }}}}{{{{ statements.{key}.mark }}}}")


def _agencies(doc: Document) -> None:
    widths = [6.2, 11.2]
    t = table(doc, widths)
    add_row(t, ["Agency", "What they do for the family"], widths, header=True)
    _loop_row(t, "{%tr for a in agencies %}", 2)
    add_row(t, ["{{ a.name }}", "{{ a.role }}"], widths)
    _loop_row(t, "{%tr endfor %}", 2)


def _children(doc: Document) -> None:
    """One row a child: who they are, their view, and their own signature or who consents for them."""
    widths = [4.6, 7.8, 5.0]
    t = table(doc, widths)
    add_row(t, ["Child or young person", "Their view, in their own words where possible",
                "Their signature, then the date"], widths, header=True)
    _loop_row(t, "{%tr for c in children %}", 3)
    row = _sized_row(t, widths)
    who = row.cells[0]
    cell_text(who, "{{ c.full_name }}", bold=True)
    who.add_paragraph("Born {{ c.date_of_birth }} ({{ c.age }})")
    who.add_paragraph("{%p if c.nhs_number %}")
    who.add_paragraph("NHS no. {{ c.nhs_number }}")
    who.add_paragraph("{%p endif %}")
    text_field(row.cells[1].paragraphs[0], "children__{{ loop.index0 }}__view", "{{ c.view }}", max_length=VIEW,
               tooltip="The child's or young person's view")
    sign = row.cells[2]
    cell_text(sign, "{%p if c.signs %}")
    box = sign.add_paragraph(style=doc.styles["Signature"])
    text_field(box, "children__{{ loop.index0 }}__signature", "{{ c.signature }}", max_length=SIGNATURE,
               tooltip="Signature of the child or young person")
    date = sign.add_paragraph()
    text_field(date, "children__{{ loop.index0 }}__signature_date", "{{ c.signature_date }}", max_length=10,
               date=True, tooltip="Date the child or young person signed (DD/MM/YYYY)")
    sign.add_paragraph("{%p else %}")
    sign.add_paragraph("{{ parent_consents }}")
    sign.add_paragraph("{%p endif %}")
    _loop_row(t, "{%tr endfor %}", 3)


def _template_note(doc: Document, note: str) -> None:
    """The key to the daggers: printed when the side carries wording the council has not confirmed."""
    doc.add_paragraph(f"{{%p if {note} %}}")
    doc.add_paragraph(f"{{{{ template_mark }}}} {{{{ {note} }}}}", style="Small")
    doc.add_paragraph("{%p endif %}")


def _side_1(doc: Document) -> None:
    doc.add_paragraph("Strengthening Families consent form", style="Title")
    doc.add_paragraph(
        "Shropshire Council, Early Help. Prepared on {{ prepared_on }} for carefirst number {{ carefirst_number }}. "
        "{{ instructions }}{{ instructions_mark }}",
        style="Small",
    )
    doc.add_paragraph("Side 1: consent to share information", style="Heading 1")
    label_table(doc, [("carefirst number", "{{ carefirst_number }}"), ("Address", "{{ address }}"),
                      ("Why we are asking", "{{ purpose }}{{ purpose_mark }}")], (3.6, 13.8))
    _agencies(doc)
    doc.add_paragraph("Please tick each box you agree with", style="Heading 2")
    _statements(doc, ["understands_purpose", "agrees_to_share", "agrees_to_ecins"])
    doc.add_paragraph("Parents and carers: signatures for side 1", style="Heading 2")
    _household_signing_side_1(doc)
    doc.add_paragraph("{{ who_signs }}{{ who_signs_mark }} {{ how_to_sign }}{{ how_to_sign_mark }}", style="Small")
    _template_note(doc, "side_1_note")


def _side_2(doc: Document) -> None:
    side_2 = doc.add_paragraph("Side 2: your children, your rights, and signatures", style="Heading 1")
    page_break_before(side_2)
    doc.add_paragraph("{{ children_consent }}", style="Small")
    _children(doc)
    doc.add_paragraph("Your rights: please tick each box you agree with", style="Heading 2")
    _statements(doc, ["understands_withdrawal", "agrees_to_programme_checks", "happy_to_give_feedback"])
    doc.add_paragraph("Parents and carers: signatures for side 2", style="Heading 2")
    _household_signing_side_2(doc)
    doc.add_paragraph("", style="Small")  # a gap: the worker is not one of the signatories
    widths = [3.6, 13.8]
    t = table(doc, widths)
    add_row(t, ["Worker obtaining consent", "{{ worker }}"], widths, label_first=True)
    doc.add_paragraph("{{ records }}", style="Small")
    _template_note(doc, "side_2_note")


def draft() -> Document:
    doc = new_document()
    # Signature boxes: a taller line, with room to sign by hand.
    signature = doc.styles.add_style("Signature", 1)
    signature.base_style = doc.styles["Normal"]
    signature.font.size = Pt(12)
    signature.paragraph_format.space_after = Pt(0)
    header_footer(doc, "OFFICIAL-SENSITIVE", "Shropshire Strengthening Families consent form")
    _side_1(doc)
    _side_2(doc)
    protect_for_forms(doc)
    return doc

