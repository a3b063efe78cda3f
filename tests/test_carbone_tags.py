"""benchmarks/carbone_tags.py: the Carbone version of a formgen template says what formgen's says, tag for tag.

Carbone itself is not needed here (`make bench` runs it); only the rewritten template is read."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import carbone_tags  # noqa: E402 - benchmarks/ is not a package

from formgen.core.registry import get_form  # noqa: E402

PRO_FORMA = "manchester-allocations-pro-forma"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _part(docx: bytes | Path, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as archive:
        return archive.read(name)


def _text(xml: bytes) -> str:
    return re.sub(r"<[^>]+>", "", xml.decode())


def _xml(body: str) -> bytes:
    return f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def _row(*cells: str) -> str:
    return "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>" for cell in cells) + "</w:tr>"


def test_the_pro_forma_keeps_every_part_but_its_body_and_every_value_becomes_a_carbone_marker() -> None:
    source = get_form(PRO_FORMA).template_path
    rewritten = carbone_tags.carbone_template(source)
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(io.BytesIO(rewritten)) as carbone:
        assert original.namelist() == carbone.namelist()
        for name in original.namelist():
            if name != "word/document.xml":
                assert original.read(name) == carbone.read(name), name
    text = _text(_part(rewritten, "word/document.xml"))
    assert "{{" not in text and "{%" not in text
    names = set(re.findall(r"\{\{ ([a-z_]+) \}\}", _text(_part(source, "word/document.xml"))))
    assert names and {name for name in names if f"{{d.{name}:convCRLF}}" in text} == names
    for loop in ("family_members", "forthcoming"):
        assert f"{{d.{loop}[i]." in text and f"{{d.{loop}[i+1]." in text
    for condition in ("next_steps", "meeting_reading", "intervention_timescales"):
        assert text.index(f"{{d.{condition}:showBegin}}") < text.index(f"{{d.{condition}:showEnd}}")


def test_a_repeated_row_is_kept_once_with_its_twin_and_the_tag_rows_go() -> None:
    xml = _xml("<w:tbl>" + _row("{%tr for m in people %}", "") + _row("{{ m.name }}", "{{ m.age }}")
               + _row("{%tr endfor %}", "") + _row("{{ total }}", "") + "</w:tbl>")
    out = carbone_tags.rewrite(xml).decode()
    rows = re.findall(r"<w:tr>.*?</w:tr>", out)
    assert [_text(row.encode()) for row in rows] == [
        "{d.people[i].name:convCRLF}{d.people[i].age:convCRLF}",
        "{d.people[i+1].name:convCRLF}{d.people[i+1].age:convCRLF}",
        "{d.total:convCRLF}",
    ]


def test_a_conditional_paragraph_is_wrapped_and_its_tag_paragraphs_go() -> None:
    xml = _xml("<w:p><w:r><w:t>{%p if note %}</w:t></w:r></w:p><w:p><w:r><w:t>{{ note }}</w:t></w:r></w:p>"
               "<w:p><w:r><w:t>{%p endif %}</w:t></w:r></w:p>")
    out = carbone_tags.rewrite(xml).decode()
    assert out.count("<w:p>") == 1
    assert re.search(r"\{d\.note:showBegin\}<w:p>.*\{d\.note:convCRLF\}.*</w:p>\{d\.note:showEnd\}", out)


@pytest.mark.parametrize("tag", ["{{ name|upper }}", "{%p for x in xs %}", "{{ m.name }}", "{%p if a and b %}"])
def test_a_tag_it_cannot_say_in_carbone_is_refused_by_name(tag: str) -> None:
    with pytest.raises(carbone_tags.UnsupportedTag):
        carbone_tags.rewrite(_xml(f"<w:p><w:r><w:t>{tag}</w:t></w:r></w:p>"))
