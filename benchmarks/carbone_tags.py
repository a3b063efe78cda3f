"""A Carbone version of a formgen Word template: the same file with its docxtpl tags rewritten as Carbone's.

    python benchmarks/carbone_tags.py templates/manchester-allocations-pro-forma.docx /tmp/pro-forma-carbone.docx

Only word/document.xml changes, and only where a tag is; every style, table, width, header and footer is the
template's own, so Carbone and formgen lay out the same document (benchmarks/peers.py `carbone`). The tags
formgen's templates use, and what each becomes (Carbone 3's documented syntax):

    {{ name }}                                   {d.name:convCRLF}  (a line break in the text stays one)
    {%tr for m in items %} row, body rows,       the body rows with {d.items[i].field:convCRLF}, then a copy
      {%tr endfor %} row                           with [i+1], Carbone's mark of a repeated row
    {%p if name %} ... {%p endif %} paragraphs   {d.name:showBegin} ... {d.name:showEnd}, around the
    {%tr if name %} ... {%tr endif %} rows         paragraphs or rows between (the tag's own is dropped, as
                                                   docxtpl drops it)

Anything else (a filter, an expression, a nested loop) is refused with the tag named: the benchmark must
never compare formgen with a template that says less than formgen's.
"""

from __future__ import annotations

import copy
import io
import re
import sys
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_T, _P, _TR = f"{{{W}}}t", f"{{{W}}}p", f"{{{W}}}tr"
_VALUE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\}\}")
_BLOCK = re.compile(r"\{%(tr|p)\s+(.*?)\s*%\}")
_FOR = re.compile(r"for\s+([A-Za-z_]\w*)\s+in\s+([A-Za-z_]\w*)$")
_IF = re.compile(r"if\s+([A-Za-z_]\w*)$")


class UnsupportedTag(ValueError):
    """A docxtpl tag this rewrite does not translate (named in the message)."""


def _holder(t: etree._Element, kind: str) -> etree._Element:
    """The paragraph or table row a block tag sits in (docxtpl removes that whole element)."""
    wanted = _TR if kind == "tr" else _P
    for ancestor in t.iterancestors():
        if ancestor.tag == wanted:
            return ancestor
    raise UnsupportedTag(f"a {{%{kind} %}} tag outside a {'table row' if kind == 'tr' else 'paragraph'}")


def _replace_with_marker(element: etree._Element, marker: str) -> None:
    """Remove `element`, leaving Carbone's marker as text where it stood (Carbone removes the marker)."""
    parent = element.getparent()
    previous = element.getprevious()
    text = marker + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _values(element: etree._Element, loops: dict[str, str], index: str) -> None:
    """Every {{ name }} and {{ var.field }} in `element` as Carbone's markers (`index`: i or i+1)."""
    for t in element.iter(_T):
        def marker(match: re.Match[str]) -> str:
            name, field = match.groups()
            if field is None:
                if name in loops:
                    raise UnsupportedTag(f"{{{{ {name} }}}} prints a whole loop item")
                return f"{{d.{name}:convCRLF}}"
            if name not in loops:
                raise UnsupportedTag(f"{{{{ {name}.{field} }}}} outside a loop over {name}")
            return f"{{d.{loops[name]}[{index}].{field}:convCRLF}}"

        if t.text and "{{" in t.text:
            t.text = _VALUE.sub(marker, t.text)
            if "{{" in t.text:
                raise UnsupportedTag(f"an expression or filter in {t.text!r}")


def rewrite(document_xml: bytes) -> bytes:
    """word/document.xml with docxtpl's tags rewritten as Carbone's."""
    root = etree.fromstring(document_xml)
    blocks = [(t, match) for t in root.iter(_T) if t.text for match in [_BLOCK.search(t.text)] if match]
    loops: dict[str, str] = {}
    opened: list[tuple[str, str, etree._Element]] = []  # (kind, what, the row or paragraph holding the tag)
    for t, match in blocks:
        kind, statement = match.groups()
        holder = _holder(t, kind)
        if (found := _FOR.match(statement)) and kind == "tr":
            var, items = found.groups()
            loops[var] = items
            opened.append(("for", var, holder))
        elif found := _IF.match(statement):
            opened.append(("if", found.group(1), holder))
            _replace_with_marker(holder, f"{{d.{found.group(1)}:showBegin}}")
        elif statement in ("endfor", "endif") and opened and opened[-1][0] == statement[3:]:
            what, name, start = opened.pop()
            if what == "for":
                body = []
                row = start.getnext()
                while row is not None and row is not holder:
                    body.append(row)
                    row = row.getnext()
                for row in body:
                    _values(row, loops, "i")
                # Carbone repeats the rows between an [i] part and the same part with [i+1], which it removes.
                for row in body:
                    twin = copy.deepcopy(row)
                    for cell_text in twin.iter(_T):
                        if cell_text.text:
                            cell_text.text = cell_text.text.replace("[i].", "[i+1].")
                    holder.addprevious(twin)
                start.getparent().remove(start)
                holder.getparent().remove(holder)
                del loops[name]
            else:
                _replace_with_marker(holder, f"{{d.{name}:showEnd}}")
        else:
            raise UnsupportedTag(f"{{%{kind} {statement} %}}")
    if opened:
        raise UnsupportedTag(f"{{%{opened[-1][0]} {opened[-1][1]} %}} is never closed")
    _values(root, loops, "i")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def carbone_template(source: Path) -> bytes:
    """The Carbone version of the template at `source`, as DOCX bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "word/document.xml":
                data = rewrite(data)
            elif item.filename.startswith("word/") and item.filename.endswith(".xml") and b"{{" in data:
                raise UnsupportedTag(f"tags in {item.filename} (only the body is rewritten)")
            rewritten.writestr(item, data)
    return out.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write(__doc__ or "")
        return 2
    Path(argv[1]).write_bytes(carbone_template(Path(argv[0])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
