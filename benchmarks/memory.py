"""Resident memory of one process after N renders: run as a child by benchmarks/run.py.

    python benchmarks/memory.py 1000 10000

Renders each registered form's example in turn, PDF and DOCX alternately, and prints one JSON
object: the resident set size (VmRSS, MB) after start-up, after warming up, and at each count.
"""

from __future__ import annotations

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


def main(argv: list[str]) -> int:
    counts = sorted(int(arg) for arg in argv)
    from formgen.core.registry import all_forms
    from formgen.engine import pipeline

    started = rss_mb()
    pipeline.warm_up()
    jobs: list[tuple[Any, dict[str, Any], str]] = []
    skipped: list[str] = []
    for spec in all_forms().values():
        for fmt in spec.formats:
            body = copy.deepcopy(dict(spec.example))
            try:
                pipeline.render(spec, body, fmt)
            except Exception:  # a form being written now: leave it out, say so
                skipped.append(f"{spec.id} ({fmt})")
                continue
            jobs.append((spec, body, fmt))
    gc.collect()
    result: dict[str, Any] = {"rss_mb_started": round(started, 1), "rss_mb_warm": round(rss_mb(), 1), "after": {},
                              "documents": [f"{spec.id} ({fmt})" for spec, _, fmt in jobs], "skipped": skipped}
    clock = time.perf_counter()
    done = 0
    for count in counts:
        while done < count:
            spec, body, fmt = jobs[done % len(jobs)]
            pipeline.render(spec, body, fmt)
            done += 1
        gc.collect()
        result["after"][str(count)] = round(rss_mb(), 1)
    result["seconds"] = round(time.perf_counter() - clock, 1)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
