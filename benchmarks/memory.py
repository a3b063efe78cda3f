"""Resident memory of one process after N renders: run as a child by benchmarks/run.py.

    python benchmarks/memory.py 1000 10000 [--mixed] [--trim]

Renders each registered form's example in turn, PDF and DOCX alternately, and prints one JSON
object: the resident set size (VmRSS, MB) after start-up, after warming up, and at each count.
--mixed adds each form's example grown to 12 records and the 40-case agenda (the large renders that
fragment the heap); --trim returns freed memory after each render as `formgen serve` does
(formgen.service.server.after_render).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any


def rss_mb() -> float:
    """This process's resident set size in MB, from /proc (Linux), else the peak from resource."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bodies(spec: Any, mixed: bool) -> list[dict[str, Any]]:
    bodies = [copy.deepcopy(dict(spec.example))]
    if mixed:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from stages import AGENDA, AGENDA_CASES, grown_body

        for count in (12, AGENDA_CASES) if spec.id == AGENDA else (12,):
            with contextlib.suppress(LookupError):
                bodies.append(grown_body(spec, count))
    return bodies


def main(argv: list[str]) -> int:
    counts = sorted(int(arg) for arg in argv if not arg.startswith("--"))
    mixed, trim = "--mixed" in argv, "--trim" in argv
    from formgen.core.registry import all_forms
    from formgen.engine import pipeline

    after_render: Any = None
    if trim:
        from formgen.service.server import after_render

    started = rss_mb()
    pipeline.warm_up()
    jobs: list[tuple[Any, dict[str, Any], str]] = []
    skipped: list[str] = []
    for spec in all_forms().values():
        for body in _bodies(spec, mixed):
            for fmt in spec.formats:
                try:
                    pipeline.render(spec, body, fmt)
                except Exception:  # a form being written now, or a grown body over a limit: leave it out
                    skipped.append(f"{spec.id} ({fmt})")
                    continue
                jobs.append((spec, body, fmt))
    gc.collect()
    if trim:
        after_render()
    result: dict[str, Any] = {"mixed": mixed, "trim": trim, "rss_mb_started": round(started, 1),
                              "rss_mb_warm": round(rss_mb(), 1), "after": {},
                              "documents": [f"{spec.id} ({fmt})" for spec, _, fmt in jobs], "skipped": skipped}
    clock = time.perf_counter()
    done = 0
    for count in counts:
        while done < count:
            spec, body, fmt = jobs[done % len(jobs)]
            pipeline.render(spec, body, fmt)
            if trim:
                after_render()
            done += 1
        gc.collect()
        result["after"][str(count)] = round(rss_mb(), 1)
    result["seconds"] = round(time.perf_counter() - clock, 1)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
