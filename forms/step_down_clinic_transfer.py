"""The Early Help Step Down Clinic: the transfer form to the Early Help Family Worker Team (seed 003, Step Down 3).

"If the case is allocated to Early Help Family Worker Team, a transfer form should be completed to include a
copy of the most recent assessment. The Early Help Senior Practitioner will allocate to the identified Early
Help Family Worker" (Step Down 3). The social worker uploads the most recent assessment (a PDF or Word
document): the PDF of this form carries it as an embedded file, and both formats list it by name, size and
SHA-256, so the copy that arrives can be checked against the one sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import validates_schema

from formgen.core import fields as f
from formgen.core.dates import uk_date
from formgen.core.registry import FormSpec
from formgen.core.rules import DELETE, RuleErrors, Wording, formgen_reading, rule, template_default
from formgen.core.shared import SharedCase, drop_empty, iso, with_children_of_family
from formgen.core.uploads import UploadedFile, encode, size_words, upload_schema
from forms.common import AddressSchema, address_text, join_lines, person_row
from forms.step_down_clinic_common import (
    AUTHORITY,
    SEED_FILE,
    STEP_2_DATE,
    STEP_3_ALLOCATE,
    STEP_3_TRANSFER,
    STEP_4,
    ChildSchema,
    FamilyMemberSchema,
    PersonSchema,
    case_origin_field,
    children_text,
    cite,
    not_a_step_down,
    person_text,
    shared_assessment,
    shared_children,
    shared_origin,
    shared_worker,
    social_worker_of,
    taken_children,
    taken_origin,
    taken_person,
)

FORM_ID = "step-down-clinic-transfer"

# The assessment rides in the JSON body as base64 (a third larger than the file). The service refuses bodies
# over 1,000,000 bytes (api.py MAX_CONTENT_LENGTH) and prefill reads documents up to 1 MB
# (formgen/engine/prefill.py), so 700 kB is the largest file whose body and PDF pass both.
MAX_ASSESSMENT_BYTES = 700_000

AssessmentFileSchema = upload_schema("AssessmentFileSchema", __name__, "The most recent assessment",
                                     max_bytes=MAX_ASSESSMENT_BYTES)

# ---------------------------------------------------------------- rules

NOT_A_STEP_DOWN = not_a_step_down("case_origin", "case_origin")
AFTER_THE_CASE_DISCUSSION = rule(
    "transfer-after-the-case-discussion",
    "The transfer form follows the case discussion that allocated the case to the Early Help Family Worker Team: "
    "it is not dated before that discussion.",
    [cite("Step Down 2", "The Case Discussion will involve the allocated Social Worker ..."),
     cite("Step Down 3", STEP_3_TRANSFER)],
    ("case_discussion_date",), {"case_discussion_date": "2026-11-27"},
)
ASSESSMENT_BEFORE_TRANSFER = rule(
    "assessment-not-after-the-transfer",
    "The most recent assessment, a copy of which the transfer form includes, was completed on or before the date "
    "of the transfer form.",
    cite("Step Down 3", STEP_3_TRANSFER),
    ("most_recent_assessment.completed_on",), {"date_completed": "2026-11-10", "case_discussion_date": "2026-11-10"},
)
ASSESSMENT_DATE_AFTER_DISCUSSION = rule(
    "assessment-date-not-before-the-discussion",
    "The date given at the case discussion to complete assessment is not before the discussion.",
    cite("Step Down 2", STEP_2_DATE),
    ("assessment_due",), {"assessment_due": "2026-11-20"},
)
SOCIAL_WORKER_CONTACT = rule(
    "social-worker-contact-details",
    "Give the allocated social worker's telephone number or email address (or both): the Early Help Family Worker "
    "arranges the joint visit with them (Step Down 4).",
    [cite("Step Down 4", STEP_4),
     formgen_reading("The guidance does not list what the transfer form holds; the Early Help Family Worker cannot "
                     "arrange the joint visit without a way to reach the social worker.", "Step Down 3 and 4")],
    ("social_worker.telephone", "social_worker.email"),
    {"social_worker.telephone": DELETE, "social_worker.email": DELETE},
    error="Give the social worker's telephone number or email address, so the Early Help Family Worker can arrange "
          "the joint visit (Step Down 4).",
)

RULES = (NOT_A_STEP_DOWN, AFTER_THE_CASE_DISCUSSION, ASSESSMENT_BEFORE_TRANSFER, ASSESSMENT_DATE_AFTER_DISCUSSION,
         SOCIAL_WORKER_CONTACT)

# ---------------------------------------------------------------- fixed words the document prints

INTRO = Wording(
    "transfer-form",
    "Transfer form for a case allocated to the Early Help Family Worker Team, with a copy of the most recent "
    "assessment (Step Down 3).",
    cite("Step Down 3", STEP_3_TRANSFER),
)
ATTACHED = Wording(
    "assessment-attached",
    "A copy of this file is embedded in the PDF of this transfer form (open the PDF reader's attachments). The "
    "Word version lists the file but does not hold it: send the file with it. The SHA-256 tells whether a copy is "
    "the same file, byte for byte.",
    template_default("How formgen carries the copy of the most recent assessment that Step Down 3 asks for."),
)
ALLOCATION = Wording(
    "allocation",
    "The Early Help Senior Practitioner will allocate to the identified Early Help Family Worker (Step Down 3). "
    "A joint visit should be arranged between the Social Worker and the Early Help Family Worker (Step Down 4).",
    cite("Step Down 3 and 4", f"{STEP_3_ALLOCATE} ... {STEP_4}"),
)
LAYOUT = Wording(
    "transfer-form-layout",
    "The guidance names the transfer form but not what it holds beyond a copy of the most recent assessment: this "
    "layout is formgen's, for the council to confirm or replace.",
    template_default("The transfer form's contents other than the most recent assessment (Step Down 3)."),
)
WORDING = (INTRO, ATTACHED, ALLOCATION, LAYOUT)

# ---------------------------------------------------------------- schema


class AssessmentSchema(f.FormSchema):
    title = f.line("Assessment", hint="For example: Child and Family Assessment.")
    completed_on = f.date("Date the assessment was completed", past=True)
    completed_by = f.line("Completed by", required=False)
    document = f.group(AssessmentFileSchema, "Copy of the most recent assessment",
                       hint=f"A PDF or Word document (.docx) of at most {size_words(MAX_ASSESSMENT_BYTES)} "
                            "(Step Down 3).")


class TransferSchema(f.FormSchema):
    date_completed = f.date("Date completed", past=True)
    case_origin = case_origin_field()
    children = f.rows(ChildSchema, "Children", minimum=1, maximum=8)
    family_members = f.rows(FamilyMemberSchema, "Family members", minimum=1, maximum=15,
                            hint="Parents, carers and others in the family, with full names.")
    address = f.group(AddressSchema, "Family's address")
    telephone = f.line("Family telephone", required=False, max_length=40)
    social_worker = f.group(PersonSchema, "Allocated social worker")
    team_manager = f.group(PersonSchema, "Team Manager from Social Work", required=False)
    case_discussion_date = f.date("Date of the Step Down Clinic case discussion", past=True)
    assessment_due = f.date("Date given at the case discussion to complete assessment", required=False)
    most_recent_assessment = f.group(AssessmentSchema, "Most recent assessment")
    worried_about = f.text("What are we worried about?", max_length=4000)
    working_well = f.text("What is working well?", required=False, max_length=4000)
    needs_to_happen = f.text("What needs to happen? (what Early Help is asked to work on)", max_length=4000)
    senior_practitioner = f.group(PersonSchema, "Early Help Senior Practitioner", required=False,
                                  hint="Who allocates the case to the identified Early Help Family Worker (Step Down 3).")
    early_help_family_worker = f.group(PersonSchema, "Identified Early Help Family Worker", required=False)

    @validates_schema
    def _rules(self, data: Mapping[str, Any], **_: Any) -> None:
        errors = RuleErrors()
        if data.get("case_origin") == "mash-referral":
            errors.add(NOT_A_STEP_DOWN, "case_origin")
        completed, discussed = data.get("date_completed"), data.get("case_discussion_date")
        if completed and discussed and discussed > completed:
            errors.add(AFTER_THE_CASE_DISCUSSION, "case_discussion_date",
                       f"The case discussion must be on or before the date of this transfer form, "
                       f"{uk_date(completed)} (Step Down 2 and 3).")
        due = data.get("assessment_due")
        if due and discussed and due < discussed:
            errors.add(ASSESSMENT_DATE_AFTER_DISCUSSION, "assessment_due")
        assessed = (data.get("most_recent_assessment") or {}).get("completed_on")
        if assessed and completed and assessed > completed:
            errors.add(ASSESSMENT_BEFORE_TRANSFER, "most_recent_assessment.completed_on",
                       f"The assessment must be dated on or before this transfer form, {uk_date(completed)} "
                       "(Step Down 3).")
        worker = data.get("social_worker") or {}
        if "social_worker" in data and not worker.get("telephone") and not worker.get("email"):
            errors.add(SOCIAL_WORKER_CONTACT, "social_worker.telephone")
            errors.add(SOCIAL_WORKER_CONTACT, "social_worker.email")
        errors.raise_any()


# ---------------------------------------------------------------- the document


def _sha256_text(digest: str) -> str:
    """The 64 hex digits in groups of eight, four to a line: it fits the column and can be read and compared."""
    groups = [digest[i:i + 8] for i in range(0, len(digest), 8)]
    return "\n".join(" ".join(groups[i:i + 4]) for i in range(0, len(groups), 4))


def _file_rows(upload: UploadedFile) -> list[dict[str, str]]:
    return [
        {"label": "File", "value": upload.name},
        {"label": "Type", "value": upload.kind.words},
        {"label": "Size", "value": size_words(upload.size)},
        {"label": "SHA-256", "value": _sha256_text(upload.sha256)},
    ]


def build_context(data: Mapping[str, Any]) -> dict[str, Any]:
    completed = data["date_completed"]
    assessment = data["most_recent_assessment"]
    discussion = f"Case discussion on {uk_date(data['case_discussion_date'])}: allocated to the Early Help Family " \
                 "Worker Team."
    if data.get("assessment_due"):
        discussion += f" Date given to complete assessment: {uk_date(data['assessment_due'])}."
    early_help = [person_text(data["senior_practitioner"], "Early Help Senior Practitioner")
                  if data.get("senior_practitioner") else "",
                  person_text(data["early_help_family_worker"], "Identified Early Help Family Worker")
                  if data.get("early_help_family_worker") else "",
                  ALLOCATION.text]
    return {
        "intro": f"{AUTHORITY}. {INTRO.text} Completed on {uk_date(completed)}.",
        "children": children_text(data["children"]),
        "family_members": [person_row(m, completed) for m in data["family_members"]],
        "address": join_lines([address_text(data["address"]),
                               f"Tel {data['telephone']}" if data.get("telephone") else ""]),
        "social_worker": person_text(data["social_worker"]),
        "team_manager": person_text(data.get("team_manager")) if data.get("team_manager") else "Not given",
        "case_discussion": discussion,
        "assessment": join_lines([assessment["title"], f"Completed on {uk_date(assessment['completed_on'])}"
                                  + (f" by {assessment['completed_by']}" if assessment.get("completed_by") else "")]),
        "assessment_file": _file_rows(assessment["document"]),
        "assessment_attached": ATTACHED.text,
        "worried_about": data["worried_about"],
        "working_well": data.get("working_well") or "Not given",
        "needs_to_happen": data["needs_to_happen"],
        "early_help": join_lines(early_help),
        "layout": LAYOUT.text,
    }


# ---------------------------------------------------------------- prefill


def shares(body: Mapping[str, Any]) -> SharedCase:
    return drop_empty({
        "as_of": iso(body.get("date_completed")),
        "open_to_social_work": shared_origin(body.get("case_origin")),
        "children": shared_children(body.get("children") or []),
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": iso(m.get("date_of_birth")), "notes": m.get("notes")}
            for m in body.get("family_members") or []
        ],
        "address": body.get("address"),
        "telephone": body.get("telephone"),
        "worker": shared_worker(body.get("social_worker"), "Social Worker"),
        "team_manager": shared_worker(body.get("team_manager"), "Team Manager, Social Work"),
        "early_help_worker": shared_worker(body.get("early_help_family_worker"), "Early Help Family Worker"),
        "worried_about": body.get("worried_about"),
        "working_well": body.get("working_well"),
        "needs_to_happen": body.get("needs_to_happen"),
        "assessment": shared_assessment(body.get("most_recent_assessment")),
    })


def takes(case: SharedCase) -> dict[str, Any]:
    case = with_children_of_family(case)  # a brother or sister listed among the family is one of the children
    assessment = case.get("assessment") or {}
    return drop_empty({
        "case_origin": taken_origin(case),
        "children": taken_children(case.get("children") or []),
        "family_members": [
            {"full_name": m.get("full_name"), "relationship": m.get("relationship"),
             "date_of_birth": m.get("date_of_birth"), "notes": m.get("notes")}
            for m in case.get("family_members") or []
        ],
        "address": case.get("address"),
        "telephone": case.get("telephone"),
        "social_worker": taken_person(social_worker_of(case.get("worker"))),
        "team_manager": taken_person(case.get("team_manager")),
        "early_help_family_worker": taken_person(case.get("early_help_worker")),
        "worried_about": case.get("worried_about"),
        "working_well": case.get("working_well"),
        "needs_to_happen": case.get("needs_to_happen"),
        # Which assessment and when; its copy is a file the social worker attaches (Step Down 3).
        "most_recent_assessment": {"title": assessment.get("kind"), "completed_on": assessment.get("completed_on")},
    })


# ---------------------------------------------------------------- example (fictional people only)


def example_assessment_pdf() -> bytes:
    """A one-page PDF standing in for the most recent assessment: fictional, and says so."""
    lines = ["Child and Family Assessment (fictional example)", "Aisha and Kwame Mensah, completed 13 November 2026",
             "Made for formgen's example transfer form: no real family."]
    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("ascii")


EXAMPLE: dict[str, Any] = {
    "date_completed": "2026-11-26",
    "case_origin": "open-to-social-work",
    "children": [
        {"full_name": "Aisha Mensah", "nhs_number": "9993010006", "date_of_birth": "2016-03-03", "lcs_id": "4471203"},
        {"full_name": "Kwame Mensah", "nhs_number": "9993020001", "date_of_birth": "2020-07-19", "lcs_id": "4471204"},
    ],
    "family_members": [
        {"full_name": "Grace Mensah", "relationship": "Mother", "date_of_birth": "1990-05-27",
         "notes": "Main carer. Moved to the area in 2025; works evenings at a care home."},
        {"full_name": "Kofi Mensah", "relationship": "Father", "date_of_birth": "1987-01-14",
         "notes": "Lives in Leeds. Sees the children every other weekend, arranged by the parents."},
    ],
    "address": {"line_1": "27 Larch Avenue", "town": "Northfield", "postcode": "NF4 2QT"},
    "telephone": "07700 900 317",
    "social_worker": {"name": "Rebecca Thornton", "team": "Children in Need Team 2", "telephone": "01632 960 418",
                      "email": "rebecca.thornton@example.org"},
    "team_manager": {"name": "Gareth Pryce", "team": "Children in Need Team 2"},
    "case_discussion_date": "2026-11-24",
    "assessment_due": "2026-12-22",
    "most_recent_assessment": {
        "title": "Child and Family Assessment", "completed_on": "2026-11-13", "completed_by": "Rebecca Thornton",
        "document": {"name": "CAFA Mensah 2026-11-13.pdf", "media_type": "application/pdf",
                     "content_base64": encode(example_assessment_pdf())},
    },
    "worried_about": (
        "- Kwame (6) has delayed speech and is waiting for a speech and language therapy assessment.\n"
        "- Mum has rent arrears and a catalogue debt, and worries about the winter bills.\n"
        "- Mum has few people to call on since moving; she felt low in the autumn."
    ),
    "working_well": (
        "- Aisha's attendance is 96% this term and she enjoys her after-school football club.\n"
        "- Mum kept to the child in need plan and the children's routines are settled.\n"
        "- Dad keeps to the contact arrangements and pays towards school uniform."
    ),
    "needs_to_happen": (
        "- An Early Help Assessment with the family, by 22 December 2026.\n"
        "- Support to follow up Kwame's speech and language referral with the school nursing team.\n"
        "- Debt and benefits advice, and help applying for the household support fund.\n"
        "- Link Mum with the family hub's parents' group."
    ),
    "senior_practitioner": {"name": "Tomasz Wiśniewski", "team": "Early Help Family Worker Team North"},
    "early_help_family_worker": {"name": "Laila Rahman", "team": "Early Help Family Worker Team North",
                                 "telephone": "01632 960 552", "email": "laila.rahman@example.org"},
}

# The web pages' tasks, one page each (a list of people or cases is a task of its own).
SECTIONS = (
    ("About the transfer", ("date_completed", "case_origin", "case_discussion_date", "assessment_due")),
    ("Children", ("children",)),
    ("Family members", ("family_members",)),
    ("Address", ("address", "telephone")),
    ("Social work", ("social_worker", "team_manager")),
    ("Most recent assessment", ("most_recent_assessment",)),
    ("Worries and strengths", ("worried_about", "working_well", "needs_to_happen")),
    ("Early Help", ("senior_practitioner", "early_help_family_worker")),
)

FORM = FormSpec(
    sections=SECTIONS,
    id=FORM_ID,
    title="Transfer to the Early Help Family Worker Team",
    authority=AUTHORITY,
    description="The transfer form for a case allocated to the Early Help Family Worker Team, carrying a copy of the "
                "most recent assessment (Step Down 3).",
    source=f"{SEED_FILE}, Step Down Process 3",
    schema=TransferSchema,
    build_context=build_context,
    example=EXAMPLE,
    filename=lambda data: f"step-down-transfer-{data['children'][0]['lcs_id']}",
    shares=shares,
    takes=takes,
    rules=RULES,
    wording=WORDING,
)
