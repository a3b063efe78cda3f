"""CPU milliseconds of the whole paths issue 15 tracks, in one short run (the machine may be shared:
CPU time, not wall-clock, is the figure to compare).

    PYTHONPATH=. python benchmarks/paths.py [--runs 15]

The pro forma's example and the 40-case agenda, each as PDF and DOCX, and the validate endpoint's
check (pipeline.check) of both.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The code beside these benchmarks, not whichever tree `formgen` was installed from (a git worktree).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import interleaved
from stages import AGENDA, AGENDA_CASES, PRO_FORMA, grown_body

from formgen.core.registry import all_forms
from formgen.engine import pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    forms = all_forms()
    pro_forma, agenda = forms[PRO_FORMA], forms[AGENDA]
    forty = grown_body(agenda, AGENDA_CASES)
    cases = {
        "pro_forma_pdf": lambda: pipeline.render(pro_forma, pro_forma.example, "pdf"),
        "pro_forma_docx": lambda: pipeline.render(pro_forma, pro_forma.example, "docx"),
        "pro_forma_check": lambda: pipeline.check(pro_forma, pro_forma.example),
    }
    agenda_cases = {
        "agenda_pdf": lambda: pipeline.render(agenda, forty, "pdf"),
        "agenda_docx": lambda: pipeline.render(agenda, forty, "docx"),
        "agenda_check": lambda: pipeline.check(agenda, forty),
    }
    timed = interleaved(cases, args.runs) | interleaved(agenda_cases, max(3, args.runs // 3), warmup=1)
    json.dump({name: round(t.cpu_median, 1) for name, t in timed.items()}, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
