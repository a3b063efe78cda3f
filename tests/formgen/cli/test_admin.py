"""`formgen councils`: each council's profile with its sources, and what a council still has to confirm."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from formgen.cli.main import main
from formgen.core.councils import all_councils


def test_councils_lists_every_value_with_its_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils"]) == 0
    out = capsys.readouterr().out
    for profile in all_councils().values():
        assert f"{profile.id}: {profile.name}, following guidance" in out
    assert ("  follow_up: When the written referral after a phone referral is due\n    value: 48 hours after a phone "
            "referral\n    source: guidance 002, Appendix 1, level 5: \"Referral to MASH ... you must follow up the "
            "referral in writing in 48 hours\"") in out
    assert ("    value: 2 working days after a phone referral\n    source: local setting set by formgen, for the council "
            "to confirm; NOT CONFIRMED by the council (printed as not yet confirmed until it is)") in out


def test_to_confirm_lists_the_councils_settings_wording_and_readings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils", "shropshire", "--to-confirm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Shropshire Council (shropshire) still has to confirm:")
    assert "edit councils/shropshire.toml: value, source, confirmed_by, confirmed_on" in out
    for key in ("front_door", "follow_up", "meeting_within", "step_back", "levels"):
        assert f"\n  {key}: " in out
    assert "  case_system: " not in out and "  meeting: " not in out  # from Shropshire's guidance
    assert "multi-agency-referral-form do-not-leave-blank: Please do not leave sections blank." in out
    assert "multi-agency-referral-form danger-statement-not-a-label:" in out
    assert "manchester-allocations-pro-forma" not in out  # not a Shropshire form


def test_councils_json_is_what_the_api_answers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils", "peterborough", "--json"]) == 0
    entry = json.loads(capsys.readouterr().out)
    assert entry["id"] == "peterborough" and entry["to_confirm"]["council"] == "peterborough"
    front_door = next(s for s in entry["settings"] if s["key"] == "front_door")
    assert front_door["source"]["status"] == "from-guidance" and front_door["source"]["section"] == "section 1"
    assert main(["councils", "peterborough", "--to-confirm", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == entry["to_confirm"]


def test_an_unknown_council_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils", "leeds"]) == 2
    assert "no council with id 'leeds'. Known councils: herefordshire, manchester" in capsys.readouterr().err


def test_a_broken_profile_is_reported_with_what_is_wrong(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import formgen.core.councils as councils

    def broken() -> None:
        raise councils.CouncilProfileError("shropshire.toml [follow_up]: a confirmed setting gives both 'confirmed_by' "
                                           "and 'confirmed_on'.")

    monkeypatch.setattr(councils, "all_councils", broken)
    assert main(["councils"]) == 2
    assert "shropshire.toml [follow_up]: a confirmed setting gives both" in capsys.readouterr().err


def test_to_confirm_needs_a_council(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["councils", "--to-confirm"]) == 64
    assert "--to-confirm needs a council" in capsys.readouterr().err


def test_the_command_is_registered_in_the_formgen_command() -> None:
    result = subprocess.run([sys.executable, "-m", "formgen.cli.main", "councils", "--help"], capture_output=True,
                            timeout=60, check=False)
    assert result.returncode == 0 and b"--to-confirm" in result.stdout


def test_draft_key_prints_a_key_the_drafts_store_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    from formgen.cli.main import main
    from formgen.store.drafts import parse_keys

    assert main(["draft-key"]) == 0
    printed = capsys.readouterr().out.strip()
    assert len(parse_keys(printed)) == 1
    assert main(["draft-key"]) == 0 and capsys.readouterr().out.strip() != printed
