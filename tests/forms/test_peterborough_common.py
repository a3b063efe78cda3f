"""What Peterborough's three step-down documents share: quotations from seed 004, the child's identifiers,
and prefill between them and the other councils' forms."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from helpers import docx_text, pdf_body_text, squash

from formgen.core.registry import FormSpec, all_forms, get_form
from formgen.core.rules import Source, SourceKind
from formgen.engine import pipeline
from formgen.engine.prefill import keep_known, prefill_body, prefill_from_upload

SEEDS = Path("/work/shared/seeds")
PETERBOROUGH = ["peterborough-masg-step-down", "peterborough-cin-step-down-record", "peterborough-lcs-ehm-transfer"]


def _sources(form: FormSpec) -> list[Source]:
    return [s for found in form.rules for s in found.sources] + [w.source for w in form.wording]


@pytest.mark.parametrize("form_id", PETERBOROUGH)
def test_every_rule_and_wording_cites_peterboroughs_guidance_or_says_it_is_formgens_reading(form_id: str) -> None:
    form = get_form(form_id)
    assert form.authority == "Peterborough City Council"
    for source in _sources(form):
        assert source.kind in (SourceKind.GUIDANCE, SourceKind.FORMGEN_READING), source
        if source.kind is SourceKind.GUIDANCE:
            assert source.citation.startswith("Peterborough City Council: Guidance for Stepping-down"), source
            assert "section " in source.citation and source.says, source


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the councils' guidance (seeds) is not on this machine")
@pytest.mark.parametrize("form_id", PETERBOROUGH)
def test_every_quotation_is_in_seed_004_word_for_word(form_id: str) -> None:
    seed = next(SEEDS.glob("004_*.txt")).read_text(encoding="utf-8")
    text = " ".join(seed.split()).lower()
    for source in _sources(get_form(form_id)):
        if source.kind is SourceKind.GUIDANCE:
            for piece in source.says.split(" ... "):
                assert " ".join(piece.split()).lower().rstrip(".:") in text, piece


# ---------------------------------------------------------------- prefill, typed once


@pytest.mark.parametrize("source_id", PETERBOROUGH)
@pytest.mark.parametrize("target_id", PETERBOROUGH)
def test_each_peterborough_document_prefills_the_others_with_the_children_family_and_needs(
        source_id: str, target_id: str) -> None:
    source, target = get_form(source_id), get_form(target_id)
    body, _ = prefill_body(target, source_id, copy.deepcopy(dict(source.example)))
    assert keep_known(target.schema, body) == (body, 0)
    assert body["children"] == source.example["children"]  # names, NHS numbers and LCS IDs
    assert [m["full_name"] for m in body["family_members"]] == [m["full_name"] for m in source.example["family_members"]]
    assert body["address"] == source.example["address"]


def test_the_needs_presented_at_the_masg_come_from_the_transfer() -> None:
    transfer = get_form("peterborough-lcs-ehm-transfer")
    body, _ = prefill_body(get_form("peterborough-masg-step-down"), transfer.id, copy.deepcopy(dict(transfer.example)))
    assert body["needs"] == transfer.example["needs"]
    assert body["social_worker"]["name"] == "Daniel Osei"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_manchester_document_fills_in_the_masg_presentation_but_no_lcs_id(fmt: str) -> None:
    manchester = get_form("manchester-allocations-pro-forma")
    content = pipeline.render(manchester, manchester.example, fmt).content
    body = prefill_from_upload(get_form("peterborough-masg-step-down"), content).body
    # Zofia, then Leo, her brother, from the pro forma's family composition: no LCS ID for either.
    assert body["children"] == [{"full_name": "Zofia Wójcik", "nhs_number": "9990000018", "date_of_birth": "2017-05-09"},
                                {"full_name": "Leo Wójcik", "date_of_birth": "2021-08-30"}]
    assert body["needs"] == manchester.example["needs_to_happen"]
    assert body["social_worker"]["name"] == "Priya Natarajan"


def test_the_marf_takes_a_peterborough_case_as_peterboroughs_with_the_lcs_ids() -> None:
    cin = get_form("peterborough-cin-step-down-record")
    body, _ = prefill_body(get_form("multi-agency-referral-form"), cin.id, copy.deepcopy(dict(cin.example)))
    assert body["council"] == "peterborough"
    assert body["children"][0]["case_id"] == "LCS3980412"
    assert body["children"][0]["nhs_number"] == "9994521209"
    # The social worker who stepped the family down, not the referrer of a step-up.
    assert body["stepped_down_from"] == {"team": "Children in Need Team 1", "social_worker": "Tom Ashworth"}


@pytest.mark.parametrize("form_id", PETERBOROUGH)
def test_every_other_form_takes_something_from_each_peterborough_document(form_id: str) -> None:
    source = get_form(form_id)
    for target in all_forms().values():
        if target.takes is None or target.id == form_id:
            continue
        body, _ = prefill_body(target, form_id, copy.deepcopy(dict(source.example)))
        assert body, f"{form_id} -> {target.id} filled in nothing"


def test_an_early_help_worker_is_not_taken_as_the_social_worker() -> None:
    form = get_form("peterborough-masg-step-down")
    assert form.takes is not None
    taken: dict[str, Any] = form.takes({"worker": {"name": "Rhiannon Pryce", "role": "Early Help Senior Practitioner"}})
    assert "social_worker" not in taken
    taken = form.takes({"worker": {"name": "Hannah Whitfield", "role": "Social Worker"}})
    assert taken["social_worker"]["name"] == "Hannah Whitfield"


@pytest.mark.parametrize("form_id", PETERBOROUGH)
def test_each_childs_nhs_number_prints_beside_their_name_in_both_formats(form_id: str) -> None:
    form = get_form(form_id)
    docx = squash(docx_text(pipeline.render(form, form.example, "docx").content))
    pdf = squash(pdf_body_text(pipeline.render(form, form.example, "pdf").content))
    for child in form.example["children"]:
        digits = child["nhs_number"]
        beside = f"{child['full_name']}, NHS number {digits[:3]} {digits[3:6]} {digits[6:]}"
        assert beside in docx and beside in pdf
