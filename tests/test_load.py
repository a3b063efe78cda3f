"""A small run of benchmarks/soak.py: concurrent mixed renders under `formgen serve` on loopback.

Every render succeeds, each document holds its own request's reference and no other, identical
inputs give identical bytes, and the audit trail has exactly one row per render (two workers
writing at once). No timing is asserted; the long run's figures are in docs/security.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "soak.py"


@pytest.mark.slow
def test_concurrent_mixed_renders_all_succeed_without_cross_talk() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--renders", "40", "--concurrency", "20", "--repeats", "2"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    summary = json.loads(done.stdout)
    assert summary["failures"] == []
    assert summary["succeeded"] == 40
    assert summary["reproducible"], summary["not_reproducible"]
    assert summary["audit_rows"] == summary["audit_rows_expected"] == summary["audit_rendered"]
    assert done.returncode == 0
