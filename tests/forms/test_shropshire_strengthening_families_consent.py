"""Shropshire's Strengthening Families consent form (seed 001): its rules, both sides, and its fields."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from bodies import Body, Change, changed, tomorrow
from bodies import many as _many
from bodies import set_path as _set
from helpers import docx_text, pdf_reader, pdf_text, squash
from marshmallow import Schema, ValidationError, validate

import forms.shropshire_strengthening_families_consent as consent
from formgen.core.errors import ValidationFailed
from formgen.core.registry import get_form
from formgen.core.rules import SourceKind, guidance
from formgen.documents.pdf_fields import field_path
from formgen.engine import pipeline
from formgen.service.openapi import form_json_schema
from forms.shropshire_strengthening_families_consent import CompletedConsentSchema

FORM = get_form("shropshire-strengthening-families-consent")
NOTE = "Wording drafted by formgen for Shropshire Council to confirm."


def body_with(change: Change) -> Body:
    return changed(FORM.example, change)


def signed(body: Body) -> None:
    body["household"][0].update(side_1_signature="Rhiannon Price", side_1_date="2026-11-20",
                                side_2_signature="Rhiannon Price", side_2_date="2026-11-20")
    body["statements"] = {"understands_purpose": True, "agrees_to_share": True, "agrees_to_ecins": True,
                          "understands_withdrawal": True}


def refused(body: Body) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.validate(FORM, body)
    return caught.value


@pytest.mark.parametrize(
    ("change", "field", "words", "rule_id"),
    [
        (_many(_set("household.0.lives_in_household", False), _set("household.1.lives_in_household", False)),
         "household", "lives in the household", "resident-parent-on-form"),
        (_set("household.0.side_1_date", "2026-11-20"), "household.0.side_1_signature", "no signature",
         "signature-dated"),
        (_many(signed, _set("household.1.side_2_signature", "Tomasz Nowak")), "household.1.side_2_date",
         "Date the signature on side 2", "signature-dated"),
        (_many(signed, _set("household.0.side_1_date", "2026-11-01")),
         "household.0.side_1_date", "before the date the form was prepared", "signed-after-prepared"),
        (_many(signed, _set("household.0.side_1_date", tomorrow())),
         "household.0.side_1_date", "today or in the past", "field-constraints"),
        (_many(_set("children.1.signature", "Noah Price"), _set("children.1.signature_date", "2026-11-20")),
         "children.1.signature", "Gillick competence", "child-signs-when-they-understand"),
        (_set("children.0.signature_date", "2026-11-20"), "children.0.signature", "no signature", "signature-dated"),
        (_set("household", []), "household", "between 1 and 4", "field-constraints"),
        (_set("agencies", []), "agencies", "between 1 and 6", "field-constraints"),
        (_set("statements", {"agrees_to_share": "yes"}), "statements.agrees_to_share", "true or false",
         "field-constraints"),
        (_set("children.0.date_of_birth", tomorrow()), "children.0.date_of_birth", "today or in the past",
         "field-constraints"),
        (_set("children.0.nhs_number", "999 000 1007"), "children.0.nhs_number", "not a valid NHS number",
         "field-constraints"),
        (_set("address.postcode", "NOT A CODE"), "address.postcode", "UK postcode", "field-constraints"),
        (_set("carefirst_number", " "), "carefirst_number", "must not be blank", "field-constraints"),
    ],
)
def test_rule_breaks_name_the_field_and_the_rule(change: Callable[[Body], None], field: str, words: str,
                                                 rule_id: str) -> None:
    caught = refused(body_with(change))
    assert field in caught.errors, caught.errors
    assert any(words in message for message in caught.errors[field]), caught.errors[field]
    assert rule_id in caught.rules[field]


# ---------------------------------------------------------------- who consents for a child: Gillick, no age


def test_a_child_of_any_age_signs_once_the_worker_records_they_understand() -> None:
    twelve = _many(_set("children.1.date_of_birth", "2014-09-02"), _set("children.1.can_sign", True),
                   _set("children.1.signature", "Noah Price"), _set("children.1.signature_date", "2026-11-20"))
    pipeline.validate(FORM, body_with(twelve))
    fields = pdf_reader(pipeline.render(FORM, body_with(twelve), "pdf").content).get_fields() or {}
    assert fields["children__1__signature"]["/V"] == "Noah Price"


def test_a_teenager_the_worker_has_not_judged_able_to_decide_does_not_sign_alone() -> None:
    # Amelia is 14: her age alone no longer lets her sign (the old rule read UK GDPR Article 8 as an age of consent).
    caught = refused(body_with(_many(_set("children.0.can_sign", None), _set("children.0.signature", "Amelia Price"),
                                     _set("children.0.signature_date", "2026-11-20"))))
    assert caught.rules["children.0.signature"] == ["child-signs-when-they-understand"]
    fields = pdf_reader(pipeline.render(FORM, body_with(_set("children.0.can_sign", False)), "pdf").content).get_fields()
    assert "children__0__signature" not in (fields or {})


def test_the_document_states_the_gillick_reading_and_no_age_of_consent() -> None:
    for fmt, read in (("docx", docx_text), ("pdf", pdf_text)):
        text = squash(read(pipeline.render(FORM, FORM.example, fmt).content))
        assert "formgen's reading" in text and "sets no age" in text, fmt
        assert "Gillick v West Norfolk and Wisbech AHA [1986] AC 112" in text, fmt
        assert "consents for a child who does not yet understand" in text
        assert "Every child's view is recorded" in text
        assert "A parent or carer consents for them." in text  # Noah, whom the worker has not judged able
        for claim in ("Article 8", "Recital 38", "Under 13", "GDPR"):
            assert claim not in text, (fmt, claim)


def test_no_hint_message_or_rule_claims_an_age_of_consent() -> None:
    published = json.dumps(form_json_schema(FORM.id))
    assert "Article 8" not in published and "13 or over" not in published
    caught = refused(body_with(_many(_set("children.1.signature", "Noah Price"),
                                     _set("children.1.signature_date", "2026-11-20"))))
    assert not any("Article 8" in m or "13" in m for m in caught.errors["children.1.signature"])
    rule = next(r for r in FORM.rulebook() if r.id == "child-signs-when-they-understand")
    assert "Gillick" in rule.sources[0].citation and "at any age" in rule.text


# ---------------------------------------------------------------- formgen's own wording, marked for the council


def test_every_tick_box_and_fixed_statement_is_declared_with_its_source() -> None:
    declared = {words.text: words.source for words in FORM.wording}
    for words in consent.STATEMENTS.values():
        assert declared[words.text].kind is SourceKind.TEMPLATE_DEFAULT
    assert declared[consent.HOW_TO_SIGN.text].kind is SourceKind.TEMPLATE_DEFAULT
    assert declared[consent.CHILDREN_CONSENT.text].kind is SourceKind.FORMGEN_READING
    assert declared[consent.RECORDS.text].kind is SourceKind.GUIDANCE
    text = squash(docx_text(pipeline.render(FORM, body_with(signed), "docx").content))
    for words in (*consent.STATEMENTS.values(), consent.WHO_SIGNS, consent.HOW_TO_SIGN, consent.RECORDS):
        assert squash(words.text) in text, words.id
    book = FORM.rulebook_json()["wording"]
    assert {entry["id"] for entry in book} >= {"statement-agrees-to-share", "statement-understands-withdrawal"}


def test_drafted_wording_is_marked_on_both_sides_as_for_the_council_to_confirm() -> None:
    side_1, side_2 = (squash(page.extract_text())
                      for page in pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).pages)
    for side in (side_1, side_2):
        assert f"† {NOTE}" in side
    assert "who it will be shared with.†" in side_1  # each drafted statement carries the mark itself
    assert "received.†" in side_2
    assert "(Gillick v West Norfolk and Wisbech AHA [1986] AC 112)" in side_2  # formgen's reading says so itself


def test_the_mark_follows_the_source_so_confirmed_wording_prints_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    confirmed = guidance("001", "4.a", says="confirmed by the council")
    for name in ("INSTRUCTIONS", "HOW_TO_SIGN", "DEFAULT_PURPOSE"):
        monkeypatch.setattr(consent, name, dataclasses.replace(getattr(consent, name), source=confirmed))
    monkeypatch.setattr(consent, "STATEMENTS", {key: dataclasses.replace(words, source=confirmed)
                                                for key, words in consent.STATEMENTS.items()})
    text = squash(docx_text(pipeline.render(FORM, body_with(_set("purpose", None)), "docx").content))
    assert NOTE not in text and "†" not in text
    assert squash(consent.DEFAULT_PURPOSE.text) in text


def test_the_default_purpose_is_marked_but_a_workers_own_purpose_is_not() -> None:
    default = squash(docx_text(pipeline.render(FORM, body_with(_set("purpose", None)), "docx").content))
    assert f"{squash(consent.DEFAULT_PURPOSE.text)}†" in default
    own = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    assert f"{squash(FORM.example['purpose'])}†" not in own and squash(FORM.example["purpose"]) in own


# ---------------------------------------------------------------- the signing rules, wherever a signature is given


def _signed_by_gareth(body: Body) -> None:
    body["household"][2].update(side_1_signature="Gareth Price", side_1_date="2026-11-20",
                                side_2_signature="Gareth Price", side_2_date="2026-11-20")
    body["statements"] = {key: True for key in consent.REQUIRED_STATEMENTS}


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_form_signed_only_by_the_father_living_elsewhere_is_refused_when_rendered(fmt: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        pipeline.render(FORM, body_with(_signed_by_gareth), fmt)
    assert "resident-parent-signs" in caught.value.rules["household"]
    assert any("lives elsewhere" in m for m in caught.value.errors["household"])


@pytest.mark.parametrize(
    ("change", "field", "rule_id"),
    [
        (_many(signed, _set("household.0.side_2_signature", None), _set("household.0.side_2_date", None)),
         "household", "signed-on-both-sides"),
        (_many(signed, _set("household.0.lives_in_household", False)), "household", "signed-on-both-sides"),
        (_many(signed, _set("statements", {})), "statements.agrees_to_share", "relevant-boxes-ticked"),
        (_many(signed, _set("statements.understands_withdrawal", False)), "statements.understands_withdrawal",
         "relevant-boxes-ticked"),
    ],
)
def test_once_signed_a_resident_signs_both_sides_with_the_relevant_boxes_ticked(
    change: Callable[[Body], None], field: str, rule_id: str
) -> None:
    assert rule_id in refused(body_with(change)).rules[field]


def test_an_undated_signature_is_named_beside_the_unsigned_side_not_a_crash() -> None:
    caught = refused(body_with(_many(signed, _set("household.0.side_1_date", None))))
    assert caught.rules["household.0.side_1_date"] == ["signature-dated"]
    assert caught.rules["household"] == ["signed-on-both-sides"]


def test_an_unticked_box_is_named_by_its_own_opening_words_in_a_short_message() -> None:
    """The tester's 45-word quotation of a whole statement: the message now names the box by its first words."""
    assert set(consent.BOX_OPENINGS) == set(consent.STATEMENTS)
    for key, opening in consent.BOX_OPENINGS.items():
        assert consent.STATEMENTS[key].text.startswith(opening), key
    told = []
    for change in (_set("statements.understands_withdrawal", False), _set("statements.agrees_to_programme_checks", 1)):
        with pytest.raises(ValidationError) as caught:
            CompletedConsentSchema().load(body_with(_many(signed, change)))
        told += [text for texts in caught.value.messages["statements"].values() for text in texts]
    assert told == [
        "Tick “I understand that I can withdraw my consent at any time…” on side 2: a signed form needs it (4.a, 4.b).",
        "“I agree that the Strengthening Families team may use this information…” must be true or false."]


def test_a_signed_form_validates_and_renders_and_a_second_resident_may_sign_side_2() -> None:
    pipeline.validate(FORM, body_with(signed))
    other = body_with(_many(signed, _set("household.0.side_2_signature", None), _set("household.0.side_2_date", None),
                            _set("household.1.side_2_signature", "Tomasz Nowak"),
                            _set("household.1.side_2_date", "2026-11-21")))
    assert pipeline.render(FORM, other, "pdf").pages == 2


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_many(_set("household.0.side_1_signature", None), _set("household.0.side_1_date", None)), "household", "side 1"),
        (_many(_set("household.0.side_2_signature", None), _set("household.0.side_2_date", None)), "household", "side 2"),
        (_set("household.0.lives_in_household", False), "household", "living in the household"),
        (_set("statements.agrees_to_share", False), "statements.agrees_to_share",
         "Tick “I agree that the agencies listed may share information…” on side 1: a signed form needs it"),
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


def test_a_completed_form_read_back_unsigned_is_refused_and_a_signed_one_passes() -> None:
    with pytest.raises(ValidationError):
        CompletedConsentSchema().load(FORM.example)
    CompletedConsentSchema().load(body_with(signed))


# ---------------------------------------------------------------- the largest body the schema allows fits both sides

_WORDS = ("Maria Llewellyn-Hargreaves attends the weekly family group with her grandmother and talks about "
          "school, football, friendships and the things that make home feel calm and safe for everyone. ")


def _limit(schema: type[Schema], name: str) -> int:
    """The most a field takes: a text's maximum length, or a list's maximum count."""
    field = schema._declared_fields[name]  # type: ignore[attr-defined]
    found = [v.max for v in field.validators if isinstance(v, validate.Length) and v.max is not None]
    assert found, name
    return found[0]


def _text(schema: type[Schema], name: str, start: int = 0) -> str:
    """Ordinary words, as many characters as the field allows (starting at a different word each row)."""
    size = _limit(schema, name)
    text = ((_WORDS[start:] + _WORDS) * (size // len(_WORDS) + 2))[:size]
    return text[:-1] + "x" if text.endswith(" ") else text


def _largest() -> Body:
    s = consent
    signature = {"side_1_date": "2026-11-20", "side_2_date": "2026-11-20",
                 "side_1_signature": _text(s.HouseholdMemberSchema, "side_1_signature"),
                 "side_2_signature": _text(s.HouseholdMemberSchema, "side_2_signature")}
    nhs = ["9990001006", "9990001014", "9990001022", "9990001030", "9990001049", "9990001057"]
    return {
        "carefirst_number": "CF" + "4" * (_limit(s.ConsentSchema, "carefirst_number") - 2),
        "prepared_on": "2026-11-16",
        "address": {"line_1": _text(s.ConsentAddressSchema, "line_1"), "line_2": _text(s.ConsentAddressSchema, "line_2", 6),
                    "town": _text(s.ConsentAddressSchema, "town", 9), "postcode": "SY3 9ZZ"},
        "household": [{"full_name": _text(s.HouseholdMemberSchema, "full_name", i),
                       "relationship": _text(s.HouseholdMemberSchema, "relationship", i),
                       "lives_in_household": True, **signature}
                      for i in range(_limit(s.ConsentSchema, "household"))],
        "children": [{"full_name": _text(s.ChildSchema, "full_name", i), "date_of_birth": "2012-03-21",
                      "nhs_number": nhs[i], "view": _text(s.ChildSchema, "view", i), "can_sign": True,
                      "signature": _text(s.ChildSchema, "signature", i), "signature_date": "2026-11-20"}
                     for i in range(_limit(s.ConsentSchema, "children"))],
        "purpose": _text(s.ConsentSchema, "purpose"),
        "agencies": [{"name": _text(s.AgencySchema, "name", i), "role": _text(s.AgencySchema, "role", i)}
                     for i in range(_limit(s.ConsentSchema, "agencies"))],
        "statements": {key: True for key in consent.STATEMENTS},
        "worker": {"name": _text(s.WorkerSchema, "name"), "role": _text(s.WorkerSchema, "role", 3),
                   "team": _text(s.WorkerSchema, "team", 7), "telephone": "0" * _limit(s.WorkerSchema, "telephone"),
                   "email": ("o" * 80 + "@example.org")[-_limit(s.WorkerSchema, "email"):]},
    }


def test_the_largest_body_the_schema_allows_fits_the_two_sides() -> None:
    body = _largest()
    assert (len(body["household"]), len(body["children"]), len(body["agencies"])) == (4, 4, 6)
    document = pipeline.render(FORM, body, "pdf")
    assert document.pages == 2
    side_1, side_2 = (squash(page.extract_text()) for page in pdf_reader(document.content).pages)
    assert "Parents and carers: signatures for side 1" in side_1 and NOTE in side_1
    assert "Parents and carers: signatures for side 2" in side_2 and squash(consent.RECORDS.text) in side_2
    assert pipeline.render(FORM, body, "docx").pages == 2


def test_three_carers_four_children_and_six_agencies_fit() -> None:
    def grow(body: Body) -> None:
        body["household"].append({"full_name": "Margaret Price", "relationship": "Grandmother",
                                  "lives_in_household": True})
        body["children"] += [{"full_name": "Isla Price", "date_of_birth": "2016-01-05", "view": "I like my school."},
                             {"full_name": "Ffion Price", "date_of_birth": "2021-06-10"}]
        body["agencies"] += [{"name": "CAMHS", "role": "Amelia's emotional wellbeing"},
                             {"name": "Shropshire Towns and Rural Housing", "role": "Tenancy support"}]
    assert pipeline.render(FORM, body_with(grow), "pdf").pages == 2


def test_a_fifth_child_is_refused_by_the_published_limit_not_the_page_count() -> None:
    caught = refused(body_with(lambda b: b["children"].extend([b["children"][1]] * 3)))
    assert caught.rules["children"] == ["field-constraints"]
    assert form_json_schema(FORM.id)["properties"]["children"]["maxItems"] == 4


# ---------------------------------------------------------------- the two sides, prefilled


def test_the_prefilled_form_is_two_sides_each_with_its_signature_block() -> None:
    reader = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content)
    assert len(reader.pages) == 2
    side_1, side_2 = (squash(page.extract_text()) for page in reader.pages)
    assert "Side 1: consent to share information" in side_1 and "signatures for side 1" in side_1
    assert "Side 2: your children, your rights, and signatures" in side_2 and "signatures for side 2" in side_2
    assert "typing your full name in the signature box counts as signing" in side_1
    names = [[str(a.get_object()["/T"]) for a in page.get("/Annots", [])] for page in reader.pages]
    assert {"household__0__side_1_signature", "household__0__side_1_date", "statements__agrees_to_share",
            "household__0__full_name", "household__0__lives_in_household"} <= set(names[0])
    assert {"household__0__side_2_signature", "household__0__side_2_date", "children__0__view",
            "children__0__signature", "statements__understands_withdrawal"} <= set(names[1])


def test_prefilled_with_the_household_children_address_purpose_and_agencies() -> None:
    text = squash(docx_text(pipeline.render(FORM, FORM.example, "docx").content))
    for words in ("CF2284619", "7 Severn View Close, Shrewsbury, SY3 9ZZ", "Rhiannon Price", "Stepfather",
                  "Amelia Price Born 21 March 2012 (14 years) NHS no. 999 000 1006",
                  "Early Help Whole Family Action Plan", "Meole Brace School Amelia's school",
                  "withdraw my consent at any time", "Tomasz Nowak (Stepfather)"):
        assert words in text, words
    fields = pdf_reader(pipeline.render(FORM, FORM.example, "pdf").content).get_fields() or {}
    assert fields["household__1__relationship"]["/V"] == "Stepfather"
    assert fields["household__0__lives_in_household"]["/V"] == "/Yes"
    assert fields["household__2__lives_in_household"]["/V"] == "/Off"


def test_the_nhs_number_prints_beside_the_childs_name_and_is_shared() -> None:
    assert "Noah Price Born 2 September 2019 (7 years) NHS no. 999 000 1014" in squash(
        pdf_text(pipeline.render(FORM, FORM.example, "pdf").content))
    without = squash(docx_text(pipeline.render(FORM, body_with(_set("children.1.nhs_number", None)), "docx").content))
    assert "(7 years) NHS no." not in without
    assert FORM.shares is not None and FORM.takes is not None
    shared = FORM.shares(FORM.example)
    assert [c.get("nhs_number") for c in shared["children"]] == ["9990001006", "9990001014"]
    assert [c.get("nhs_number") for c in FORM.takes(shared)["children"]] == ["9990001006", "9990001014"]


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
        expected: Any = FORM.example[key]
        if key == "children":  # the worker's judgement of each child's understanding is not carried over
            expected = [{k: c[k] for k in ("full_name", "date_of_birth", "nhs_number")} for c in expected]
        assert again[key] == expected, key


def test_it_takes_the_household_and_children_from_a_manchester_pro_forma() -> None:
    manchester = get_form("manchester-allocations-pro-forma")
    assert manchester.shares is not None and FORM.takes is not None
    taken = FORM.takes(manchester.shares(manchester.example))
    assert [m["full_name"] for m in taken["household"]] == ["Katarzyna Wójcik", "Daniel Ó Súilleabháin"]
    assert [c["full_name"] for c in taken["children"]] == ["Zofia Wójcik", "Leo Wójcik"]
    assert taken["address"]["postcode"] == "M13 0XY"
