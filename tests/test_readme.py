"""The README's map ("How it works") names every module of the engine, so it matches the folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.relative_to(ROOT) for p in (ROOT / "formgen").rglob("*.py") if p.name != "__init__.py")


def _map() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("## How it works"):text.index("The layering is a contract")]


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_every_module_is_on_the_map(module: Path) -> None:
    assert re.search(rf"(?<![\w.]){re.escape(module.name)}\b", _map()), f"{module} is not in the README's map"


def test_every_wing_on_the_map_is_a_folder() -> None:
    wings = re.findall(r"^      (\w+)/ ", _map(), flags=re.M)
    assert wings and all((ROOT / "formgen" / wing).is_dir() for wing in wings)
