"""The wings' layering contract (pyproject.toml [tool.importlinter]) holds, and would catch a breach."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter is not installed")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")], cwd=tree,
                          capture_output=True, text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def copy_of_the_package(tmp_path: Path) -> Path:
    for name in ("formgen", "forms"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("fonts", "static", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_wings_import_downward_only(copy_of_the_package: Path) -> None:
    result = _lint(copy_of_the_package)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "upward_import"), [
    ("formgen/core/dates.py", "from formgen.documents import pages"),
    ("formgen/documents/pages.py", "from formgen.engine import pipeline"),
    ("formgen/engine/pipeline.py", "from formgen.service import openapi"),
    ("formgen/store/audit.py", "import flask"),
    ("forms/common.py", "from formgen.documents import embed"),
])
def test_an_upward_import_breaks_the_contract(copy_of_the_package: Path, module: str, upward_import: str) -> None:
    path = copy_of_the_package / module
    path.write_text(path.read_text() + f"\n{upward_import}  # noqa\n")
    result = _lint(copy_of_the_package)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
