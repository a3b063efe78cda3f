"""`formgen routes`, `formgen pack` and `formgen status` (formgen/cli/routes.py)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from formgen.cli.main import EXIT_INVALID, main
from formgen.core.councils import COUNCILS_DIR

EXAMPLE = COUNCILS_DIR / "examples" / "manchester" / "step-down.json"


def test_pack_writes_the_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pack.zip"
    assert main(["pack", "manchester", "step-down", str(EXAMPLE), "-o", str(out)]) == 0
    assert zipfile.ZipFile(io.BytesIO(out.read_bytes())).namelist() == [
        "01-allocations-pro-forma-MC0481923.pdf", "deadlines.ics", "manifest.json"]
    assert "1 document, 2 PDF pages, deadlines.ics" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*partial"))


def test_pack_refuses_a_record_lacking_what_a_document_needs(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    body = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    del body["worker"]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    assert main(["pack", "manchester", "step-down", str(path), "-o", str(tmp_path / "pack.zip")]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "documents.manchester-allocations-pro-forma.referrer: Referrer is required." in err
    assert not (tmp_path / "pack.zip").exists()


def test_status_and_routes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "manchester", "step-down", str(EXAMPLE), "--as-of", "2026-11-18"]) == 0
    printed = capsys.readouterr().out
    assert "due          Screened by the Early Help Social Worker" in printed and "(due 2026-11-19)" in printed
    assert main(["routes", "peterborough"]) == 0
    assert "peterborough 2: 2. Stepping down after a Child and Family Assessment" in capsys.readouterr().out
    assert main(["routes", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 13
    assert main(["status", "manchester", "step-down", str(EXAMPLE), "--as-of", "soon"]) == EXIT_INVALID


def test_what_a_council_confirms_includes_its_routes_readings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils", "herefordshire", "--to-confirm"]) == 0
    printed = capsys.readouterr().out
    assert "route level-3-step-down, case-closed: Complete the step-down and close the case to social care" in printed
    assert main(["councils", "manchester", "--to-confirm"]) == 0
    assert "route step-down, presented-within-5-days" in capsys.readouterr().out
