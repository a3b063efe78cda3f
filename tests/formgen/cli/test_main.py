"""The `formgen` command, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import docx_text, pdf_reader, squash

from formgen.core.registry import get_form

MANCHESTER = "manchester-allocations-pro-forma"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "formgen.cli.main", *args], input=stdin, capture_output=True,
                          timeout=60, check=False)


def test_forms_lists_every_form() -> None:
    result = run("forms", "--json")
    assert result.returncode == 0
    assert MANCHESTER in {entry["id"] for entry in json.loads(result.stdout)}


def test_schema_and_example() -> None:
    schema = json.loads(run("schema", MANCHESTER).stdout)
    assert schema["title"] == "Early Help Allocations Pro Forma"
    assert json.loads(run("example", MANCHESTER).stdout) == get_form(MANCHESTER).example


def test_validate_a_file(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(get_form(MANCHESTER).example))
    result = run("validate", MANCHESTER, str(body))
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"valid": True, "pages": 2}


def test_validate_names_the_field_and_exits_2(tmp_path: Path) -> None:
    body = dict(get_form(MANCHESTER).example)
    body["level_of_need"] = 1
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    result = run("validate", MANCHESTER, str(path))
    assert result.returncode == 2
    assert b"level_of_need: Level 1 needs are met by universal services" in result.stderr


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_render_to_a_file(tmp_path: Path, suffix: str) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(get_form(MANCHESTER).example))
    out = tmp_path / f"out.{suffix}"
    result = run("render", MANCHESTER, str(body), "-o", str(out))
    assert result.returncode == 0, result.stderr
    content = out.read_bytes()
    if suffix == "pdf":
        assert len(pdf_reader(content).pages) == 2
    else:
        assert "Zofia Wójcik" in squash(docx_text(content))
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_render_stdin_to_stdout() -> None:
    body = json.dumps(get_form(MANCHESTER).example).encode()
    result = run("render", MANCHESTER, "-", "-o", "-", "-f", "docx", stdin=body)
    assert result.returncode == 0
    assert result.stdout.startswith(b"PK")


def test_a_failed_render_writes_no_file(tmp_path: Path) -> None:
    body = dict(get_form(MANCHESTER).example)
    body["worried_about"] = "\n".join(["A long line of worry that fills the width of the answer column."] * 60)
    path = tmp_path / "body.json"
    path.write_text(json.dumps(body))
    result = run("render", MANCHESTER, str(path), "-o", str(tmp_path / "out.pdf"))
    assert result.returncode == 2
    assert b"at most 2" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.json"]


def test_rendering_does_not_import_flask_or_the_server() -> None:
    code = (
        "import sys, json; from formgen.cli.main import main; from formgen.core.registry import get_form;"
        "import io, contextlib;"
        "sys.argv=['formgen'];"
        "main(['forms']);"
        "print('flask' in sys.modules, 'gunicorn' in sys.modules, 'api' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=True)
    assert result.stdout.strip().splitlines()[-1] == b"False False False"


def _serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("FORMGEN_")}
    return {**env, "FORMGEN_AUDIT_DB": str(tmp_path / "audit.sqlite3"), **extra}


@pytest.mark.parametrize(("setting", "says"), [
    ("audit-under-a-file", "formgen: the audit trail at {tmp}/instance/audit.sqlite3 cannot be opened: "),
    ("missing-keys-file", "formgen: cannot read the API keys file {tmp}/keys: No such file or directory."),
    ("bad-keys-line", "formgen: {tmp}/keys, entry 1: expected 'name:hash'"),
    ("header-without-proxies", "formgen: FORMGEN_WEB_USER_HEADER is set but FORMGEN_TRUSTED_PROXIES is not"),
])
def test_serve_refuses_a_start_up_problem_in_one_line(tmp_path: Path, setting: str, says: str) -> None:
    env = _serve_env(tmp_path)
    if setting == "audit-under-a-file":
        (tmp_path / "instance").write_text("a file where the audit folder should be")
        env["FORMGEN_AUDIT_DB"] = str(tmp_path / "instance" / "audit.sqlite3")
    elif setting == "missing-keys-file":
        env["FORMGEN_API_KEYS_FILE"] = str(tmp_path / "keys")
    elif setting == "bad-keys-line":
        (tmp_path / "keys").write_text("not a key line\n")
        env["FORMGEN_API_KEYS_FILE"] = str(tmp_path / "keys")
    else:
        env["FORMGEN_WEB_USER_HEADER"] = "X-Forwarded-User"
    result = subprocess.run([sys.executable, "-m", "formgen.cli.main", "serve", "--port", "1"], env=env,
                            capture_output=True, timeout=60, check=False)
    assert result.returncode == 2
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(says.format(tmp=tmp_path))


def test_audit_command_with_a_broken_configuration_says_why_in_one_line(tmp_path: Path) -> None:
    env = _serve_env(tmp_path, FORMGEN_API_KEYS_FILE=str(tmp_path / "keys"))
    result = subprocess.run([sys.executable, "-m", "formgen.cli.main", "audit"], env=env, capture_output=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"formgen: cannot read the API keys file {tmp_path}/keys: No such file or directory."]


def test_malformed_document_keys_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text(json.dumps(dict(get_form(MANCHESTER).example)))
    result = subprocess.run([sys.executable, "-m", "formgen.cli.main", "render", MANCHESTER, str(path), "-o",
                             str(tmp_path / "out.pdf")], capture_output=True, timeout=60, check=False,
                            env={**os.environ, "FORMGEN_DOCUMENT_KEYS": "too-short"})
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "formgen: FORMGEN_DOCUMENT_KEYS: key 1 is shorter than 32 characters."
    assert not (tmp_path / "out.pdf").exists()
