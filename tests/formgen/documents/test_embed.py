"""The data a document carries is signed and bound to its pages, and every read of it is capped.

formgen/documents/embed.py, signing.py and reading.py, through the two readers of documents: extract
(a completed form comes back as a record) and prefill (a document starts another form).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import tracemalloc
import zipfile
import zlib
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, StreamObject
from reportlab.pdfgen.canvas import Canvas

from formgen.core.errors import BadDocument
from formgen.core.registry import get_form
from formgen.documents import attachments, embed, signing
from formgen.documents.extract import extract
from formgen.engine import pipeline
from formgen.engine.prefill import UNSIGNED, prefill_from_upload

CONSENT = get_form("shropshire-strengthening-families-consent")
MANCHESTER = get_form("manchester-allocations-pro-forma")
KEY_A = "a" * 40
KEY_B = "b" * 40


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(signing.ENV, KEY_A)


def _rendered(form: Any = CONSENT, body: Any = None, fmt: str = "pdf") -> bytes:
    return pipeline.render(form, copy.deepcopy(dict(body or form.example)), fmt).content


def _attached(pdf: bytes) -> bytes:
    return PdfReader(io.BytesIO(pdf)).attachments[embed.ATTACHMENT_NAME][0]


def _replace_attachment(pdf: bytes, data: bytes, *, compress: bool = False) -> bytes:
    """The same PDF (its pages untouched) carrying `data` instead, as someone editing the file would."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    stream = names[1].get_object()["/EF"]["/F"].get_object()
    assert isinstance(stream, StreamObject)
    stream._data = zlib.compress(data, 9) if compress else data
    if compress:
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _hand_made(data: bytes, text: str = "Consent form") -> bytes:
    """A blank PDF made with reportlab, carrying `data` exactly where formgen puts its own."""
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    canvas.drawString(72, 720, text)
    embed.attach_to_pdf_catalog(canvas._doc, data)
    canvas.save()
    return out.getvalue()


def _unsigned(form_id: str, body: Any) -> bytes:
    """What formgen carried before documents were signed."""
    return json.dumps({"form": form_id, "data": body}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def _other_child(body: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed["children"][0]["full_name"] = "Callum Hargreaves"
    return changed


# ---------------------------------------------------------------- signed, reproducibly


def test_the_data_is_signed_and_the_same_input_and_key_give_the_same_bytes() -> None:
    first, second = _rendered(), _rendered()
    assert first == second
    carried = json.loads(_attached(first))
    assert carried["signature"]["alg"] == "HMAC-SHA256"
    assert carried["signature"]["key"] == signing.Key(KEY_A.encode()).id
    assert KEY_A not in json.dumps(carried)


def test_a_hand_made_pdf_carrying_formgen_data_is_not_a_completed_form() -> None:
    forged = _hand_made(_unsigned(CONSENT.id, dict(CONSENT.example)))
    with pytest.raises(BadDocument, match="no signature from this service"):
        extract(CONSENT, forged)


def test_a_hand_made_pdf_carrying_data_copied_from_a_real_one_is_refused() -> None:
    # The signature holds (the data is genuine), but the pages do not show it.
    forged = _hand_made(_attached(_rendered()))
    with pytest.raises(BadDocument, match="pages do not show the data it carries"):
        extract(CONSENT, forged)
    with pytest.raises(BadDocument, match="pages do not show the data it carries"):
        prefill_from_upload(MANCHESTER, forged)


def test_a_real_pdf_whose_data_was_edited_to_another_child_is_refused() -> None:
    real = _rendered()
    carried = json.loads(_attached(real))
    carried["data"] = _other_child(carried["data"])
    edited = _replace_attachment(real, json.dumps(carried, sort_keys=True).encode())
    for read in (lambda: extract(CONSENT, edited), lambda: prefill_from_upload(MANCHESTER, edited)):
        with pytest.raises(BadDocument, match="changed after this service made it: the signature does not match"):
            read()


def test_edited_data_with_the_signature_taken_off_still_does_not_match_the_pages() -> None:
    real = _rendered()
    edited = _replace_attachment(real, _unsigned(CONSENT.id, _other_child(dict(CONSENT.example))))
    with pytest.raises(BadDocument, match="no signature from this service"):
        extract(CONSENT, edited)
    with pytest.raises(BadDocument, match="pages do not show the data it carries"):
        prefill_from_upload(MANCHESTER, edited)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_document_from_before_signatures_prefills_with_a_warning_but_never_extracts(fmt: str) -> None:
    body = dict(CONSENT.example)
    if fmt == "pdf":
        legacy = _replace_attachment(_rendered(), _unsigned(CONSENT.id, body))
        with pytest.raises(BadDocument, match="made by an earlier version"):
            extract(CONSENT, legacy)
    else:
        legacy = _docx_with_part(_rendered(fmt="docx"), _unsigned(CONSENT.id, body))
    result = prefill_from_upload(MANCHESTER, legacy)
    assert result.warnings[0] == UNSIGNED
    assert result.body["child"]["name"] == body["children"][0]["full_name"]
    signed = prefill_from_upload(MANCHESTER, _rendered(fmt=fmt))
    assert signed.warnings == () and signed.body == result.body


def test_keys_rotate_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    made_with_a = _rendered(MANCHESTER)
    monkeypatch.setenv(signing.ENV, f"{KEY_B},{KEY_A}")
    assert extract(MANCHESTER, made_with_a)  # the old key still verifies
    assert json.loads(_attached(_rendered()))["signature"]["key"] == signing.Key(KEY_B.encode()).id
    monkeypatch.setenv(signing.ENV, KEY_B)
    with pytest.raises(BadDocument, match="key this service does not hold"):
        extract(MANCHESTER, made_with_a)


def test_without_keys_a_process_signs_with_its_own_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(signing.ENV)
    assert not signing.configured()
    assert extract(MANCHESTER, _rendered(MANCHESTER)) == dict(MANCHESTER.example)
    monkeypatch.setenv(signing.ENV, "too-short")
    with pytest.raises(signing.DocumentKeysError, match="shorter than 32"):
        signing.keys()


def test_a_fillable_field_for_a_row_the_data_does_not_have_is_refused() -> None:
    real = _rendered()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real)))
    fields = writer.root_object["/AcroForm"]["/Fields"]
    first_row = next(f.get_object() for f in fields if str(f.get_object()["/T"]).startswith("household__0__"))
    extra = DictionaryObject(first_row.items())
    name = str(extra["/T"])
    extra[NameObject("/T")] = type(extra["/T"])(name.replace("household__0__", "household__7__"))
    fields.append(writer._add_object(extra))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(BadDocument, match="fillable fields do not match the data"):
        extract(CONSENT, out.getvalue())


# ---------------------------------------------------------------- decompression is capped before it inflates


def _peak_mb(read: Any) -> float:
    tracemalloc.start()
    with contextlib.suppress(BadDocument):
        read()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def test_a_pdf_whose_data_inflates_to_74_mb_is_refused_unread() -> None:
    inflated = b'{"form":"manchester-allocations-pro-forma","data":{"worried_about":"' + b" " * 74_000_000 + b'"}}'
    bomb = _replace_attachment(_rendered(), inflated, compress=True)
    assert len(bomb) < 400_000  # a small upload (the tagged PDF itself is most of it)
    with pytest.raises(BadDocument, match="decompression bomb"):
        prefill_from_upload(MANCHESTER, bomb)
    assert _peak_mb(lambda: prefill_from_upload(MANCHESTER, bomb)) < 50


def _docx_with_part(docx: bytes, data: bytes, *, part: str = "customXml/formgen-data.xml") -> bytes:
    """The same DOCX with one part replaced (for the custom XML part, `data` is wrapped as formgen wraps it)."""
    if part.startswith("customXml/"):
        from xml.sax.saxutils import escape

        data = (f"<?xml version='1.0' encoding='utf-8'?>\n<formgen:data xmlns:formgen=\"{embed.NAMESPACE}\">"
                f"{escape(data.decode())}</formgen:data>").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == part else source.read(info.filename))
    return out.getvalue()


def test_a_docx_whose_text_inflates_to_300_mb_is_refused_unread() -> None:
    bomb = _docx_with_part(_rendered(fmt="docx"), b"<w:t>" + b"a" * 300_000_000, part="word/document.xml")
    assert len(bomb) < 1_000_000
    with pytest.raises(BadDocument, match="decompression bomb"):
        prefill_from_upload(MANCHESTER, bomb)
    assert _peak_mb(lambda: prefill_from_upload(MANCHESTER, bomb)) < 50


def test_data_in_a_filter_formgen_never_uses_is_refused() -> None:
    real = _rendered()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(real)))
    stream = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()["/EF"]["/F"].get_object()
    stream[NameObject("/Filter")] = NameObject("/LZWDecode")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(BadDocument, match="encoded in a way this service never uses"):
        prefill_from_upload(MANCHESTER, out.getvalue())


# ---------------------------------------------------------------- no genuine document is refused


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_forms_own_documents_read_back_signed(form: Any, example: dict[str, Any], fmt: str) -> None:
    content = pipeline.render(form, example, fmt).content
    shares_of = lambda found: form.shares  # noqa: E731 - the form the document was made for
    if fmt == "pdf":
        carried, _ = embed.read_pdf_document(content, shares_of)
    else:
        carried = embed.read_docx_document(content, shares_of)
    # A document carries its body, except that an uploaded file is named there, not held twice
    # (formgen/documents/attachments.py).
    expected = attachments.carried_body(example, pipeline.validate(form, example))
    assert carried.signed and carried.form == form.id and carried.data == expected


@pytest.mark.parametrize("name", ["Zofia Wójcik", "Zofia Wo\u0301jcik", "فاطمة الزهراء", "محمد علی خان", "प्रिया शर्मा",
                                  "ਹਰਪ੍ਰੀਤ ਕੌਰ", "Ngọc Ánh Nguyễn", "Дмитрий Иванов", "张伟", "Siobhán Ní Bhriain-O'Connor"])
@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_names_in_any_script_are_found_on_their_pages(name: str, fmt: str) -> None:
    body = copy.deepcopy(dict(MANCHESTER.example))
    body["child"]["name"] = name
    result = prefill_from_upload(CONSENT, _rendered(MANCHESTER, body, fmt))
    assert result.warnings == ()
    assert result.body["children"][0]["full_name"] == name
