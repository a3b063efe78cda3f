"""Shropshire's Strengthening Families consent form (seed 001): its rules, both sides, and its fields."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import many as _many
from bodies import set_path as _set
from helpers import docx_text, pdf_reader, squash
from marshmallow import ValidationError

from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.documents.pdf_fields import field_path
from formgen.engine import pipeline
from forms.shropshire_strengthening_families_consent import CompletedConsentSchema

FORM = get_form("shropshire-strengthening-families-consent")


def body_with(change: Change) -> Body:
    return changed(FORM.example, change)


def signed(body: Body) -> None:
    body["household"][0].update(side_1_signature="Rhiannon Price", side_1_date="2026-11-20",
                                side_2_signature="Rhiannon Price", side_2_date="2026-11-20")
    body["statements"] = {"understands_purpose": True, "agrees_to_share": True, "agrees_to_ecins": True,
                          "understands_withdrawal": True}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_many(_set("household.0.lives_in_household", False), _set("household.1.lives_in_household", False)),
         "household", "must live in the household"),
        (_set("household.0.side_1_date", "2026-11-20"), "household.0.side_1_signature", "no signature"),
        (_set("household.1.side_2_signature", "Tomasz Nowak"), "household.1.side_2_date", "Date the signature on side 2"),
        (_many(_set("household.0.side_1_signature", "Rhiannon Price"), _set("household.0.side_1_date", "2026-11-01")),
         "household.0.side_1_date", "before the date the form was prepared"),
        (_many(_set("household.0.side_1_signature", "Rhiannon Price"), _set("household.0.side_1_date", tomorrow())),
         "household.0.side_1_date", "today or in the past"),
        (_many(_set("children.1.signature", "Noah Price"), _set("children.1.signature_date", "2026-11-20")),
         "children.1.signature", "Article 8"),
        (_set("children.0.signature_date", "2026-11-20"), "children.0.signature", "no signature"),
        (_set("household", []), "household", "between 1 and 4"),
        (_set("agencies", []), "agencies", "between 1 and 10"),
        (_set("statements", {"agrees_to_share": "yes"}), "statements.agrees_to_share", "true or false"),
        (_set("children.0.date_of_birth", tomorrow()), "children.0.date_of_birth", "today or in the past"),
        (_set("address.postcode", "NOT A CODE"), "address.postcode", "UK postcode"),
        (_set("carefirst_number", " "), "carefirst_number", "must not be blank"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Callable[[Body], None], field: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body_with(change))
    errors = caught.value.errors
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


def test_a_younger_child_judged_able_to_understand_may_sign() -> None:
    pipeline.validate(FORM, body_with(_many(_set("children.1.signature", "Noah Price"),
                                          _set("children.1.signature_date", "2026-11-20"),
                                          _set("children.1.can_sign", True))))


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_many(_set("household.0.side_1_signature", None), _set("household.0.side_1_date", None)), "household", "side 1"),
        (_many(_set("household.0.side_2_signature", None), _set("household.0.side_2_date", None)), "household", "side 2"),
        (_set("household.0.lives_in_household", False), "household", "living in the household"),
        (_set("statements.agrees_to_share", False), "statements.agrees_to_share", "relevant boxes ticked"),
        (_set("statements.understands_purpose", None), "statements.understands_purpose", "side 1"),
        (_set("statements.agrees_to_ecins", False), "statements.agrees_to_ecins", "ECINS"),
        (_set("statements.understands_withdrawal", False), "statements.understands_withdrawal", "withdraw"),
    ],
)
def test_a_completed_form_must_be_signed_on_both_sides_with_the_boxes_ticked(
    change: Callable[[Body], None], field: str, words: str
) -> None:
    body = body_with(_many(signed, change))
    with pytest.raises(ValidationError) as caught:
        CompletedConsentSchema().load(body)
    from formgen.core.problems import flatten_errors

    errors = flatten_errors(caught.value.messages)
    assert field in errors, errors
    assert any(words in m for m in errors[field]), errors[field]


def test_a_signed_form_passes_the_completed_rules() -> None:
    CompletedConsentSchema().load(body_with(signed))


def test_the_prefilled_form_is_two_sides_each_with_its_signature_block() -> None:
    reader = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content)
    assert len(reader.pages) == 2
    side_1, side_2 = (squash(page.extract_text()) for page in reader.pages)
    assert "Side 1: consent to share information" in side_1 and "Signatures: side 1" in side_1
    assert "Side 2: your child's view, your rights, and signatures" in side_2 and "Signatures: side 2" in side_2
    assert "typing your full name in the signature box counts as signing" in side_1
    names = [[str(a.get_object()["/T"]) for a in page.get("/Annots", [])] for page in reader.pages]
    assert {"household__0__side_1_signature", "household__0__side_1_date", "statements__agrees_to_share"} <= set(names[0])
    assert {"household__0__side_2_signature", "household__0__side_2_date", "children__0__view",
            "statements__understands_withdrawal"} <= set(names[1])


def test_prefilled_with_the_household_children_address_purpose_and_agencies() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    for words in ("CF2284619", "7 Severn View Close, Shrewsbury, SY3 9ZZ", "Rhiannon Price", "Stepfather",
                  "Amelia Price 21 March 2012 14 years", "Early Help Whole Family Action Plan",
                  "Meole Brace School: Amelia's school", "withdraw my consent at any time"):
        assert words in text, words
    fields = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).get_fields() or {}
    assert fields["household__1__relationship"]["/V"] == "Stepfather"
    assert fields["household__0__lives_in_household"]["/V"] == "/Yes"
    assert fields["household__2__lives_in_household"]["/V"] == "/Off"


def test_only_a_child_of_13_or_one_judged_able_gets_a_signature_box() -> None:
    fields = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).get_fields() or {}
    assert "children__0__signature" in fields  # Amelia, 14
    assert "children__1__signature" not in fields  # Noah, 7
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert "Under 13: a parent or carer consents for them (UK GDPR Article 8, Recital 38)" in text
    able = body_with(_set("children.1.can_sign", True))
    fields = pdf_reader(pipeline.render(FORM, able, "pdf").content).get_fields() or {}
    assert "children__1__signature" in fields


def test_every_field_name_is_a_path_of_the_body() -> None:
    fields = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).get_fields() or {}
    schema = FORM.schema()
    for name in fields:
        top, *rest = field_path(name).split(".")
        assert top in schema.fields, name
        if rest and rest[0].isdigit():
            assert rest[1] in schema.fields[top].inner.schema.fields, name  # type: ignore[attr-defined]


def test_the_word_document_is_fillable_in_word() -> None:
    content = pipeline.render(FORM, FORM.example, "docx").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
        settings = archive.read("word/settings.xml").decode("utf-8")
    assert document.count("FORMCHECKBOX") == 9  # three lives-in-household, six statements
    assert 'w:name w:val="household__2__side_2_date"' in document
    assert 'w:documentProtection w:edit="forms"' in settings


def test_a_signed_body_prints_its_signatures_in_both_formats() -> None:
    body = body_with(signed)
    assert "20/11/2026" in squash(docx_text(pipeline.render(FORM, body, "docx").content))
    fields = pdf_reader(pipeline.render(FORM, body, "pdf").content).get_fields() or {}
    assert fields["household__0__side_2_signature"]["/V"] == "Rhiannon Price"
    assert fields["statements__agrees_to_share"]["/V"] == "/Yes"


def test_what_it_shares_fills_a_new_consent_form_with_the_same_household() -> None:
    assert FORM.shares is not None and FORM.takes is not None
    again = FORM.takes(FORM.shares(FORM.example))
    for key in ("carefirst_number", "address", "household", "children", "worker"):
        expected = FORM.example[key]
        if key == "children":
            expected = [{"full_name": c["full_name"], "date_of_birth": c["date_of_birth"]} for c in expected]
        assert again[key] == expected, key


def test_it_takes_the_household_and_children_from_a_manchester_pro_forma() -> None:
    manchester = get_form("manchester-allocations-pro-forma")
    assert manchester.shares is not None and FORM.takes is not None
    taken = FORM.takes(manchester.shares(manchester.example))
    assert [m["full_name"] for m in taken["household"]] == ["Katarzyna Wójcik", "Daniel Ó Súilleabháin"]
    assert [c["full_name"] for c in taken["children"]] == ["Zofia Wójcik", "Leo Wójcik"]
    assert taken["address"]["postcode"] == "M13 0XY"
