"""Resident memory of one process after N renders, standing in for a `formgen serve` worker: run as a child by
benchmarks/run.py.

    python benchmarks/memory.py 1000 10000 [--mixed] [--threads N] [--server | --trim WHEN --arena-max N --gc N]

Renders each registered form's example in turn, PDF and DOCX alternately, and prints one JSON object: the
resident set size (VmRSS, MB) after start-up, after warming up, at each count (once the renders before it
are done) and while rendering (sampled every 0.25 s: median and highest), with the CPU time and the
minor page faults per render (faults are the cost of taking memory back from the system after a trim;
they do not move with the machine's load). --mixed adds each form's example grown to 12 records and the
40-case agenda (the large renders that fragment the heap).

--threads N renders from N threads at once, as a worker's render slots do (formgen.service.render_slots).
--server applies what `formgen serve` sets (formgen.service.server: tune_process in the master before the
fork, a MemoryKeeper around each request). To compare the alternatives one by one instead:
  --trim never | each | keeper | keeper-busy
                                 never; malloc_trim(0) whenever no render is in hand; or the server's
                                 MemoryKeeper, checking only when no other render is in hand, or after each
  --arena-max N                  at most N glibc malloc arenas (mallopt M_ARENA_MAX; 0: glibc's default)
  --gc N                         the collector's youngest-generation threshold (Python's is 700)
  --freeze                       freeze what start-up made (gc.freeze), as the server does
  --slack MB                     the keeper's slack (default the server's TRIM_SLACK_MB)
  --mmap-threshold BYTES         allocations this large or larger get pages of their own, given back when freed
                                 (mallopt M_MMAP_THRESHOLD, which also stops glibc raising it as it goes)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import json
import resource
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The code beside these benchmarks, not whichever tree `formgen` was installed from.
for entry in (str(HERE), str(HERE.parent)):
    if entry not in sys.path:
        sys.path.insert(0, entry)


def rss_mb() -> float:
    """This process's resident set size in MB, from /proc (Linux), else the peak from resource."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bodies(spec: Any, mixed: bool) -> list[dict[str, Any]]:
    bodies = [copy.deepcopy(dict(spec.example))]
    if mixed:
        from stages import AGENDA, AGENDA_CASES, grown_body

        for count in (12, AGENDA_CASES) if spec.id == AGENDA else (12,):
            with contextlib.suppress(LookupError):
                bodies.append(grown_body(spec, count))
    return bodies


def _options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("counts", nargs="+", type=int, help="renders after which to read the memory")
    parser.add_argument("--mixed", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--server", action="store_true", help="what formgen serve sets")
    parser.add_argument("--trim", nargs="?", const="keeper", default="never", choices=["never", "each", "keeper", "keeper-busy"])
    parser.add_argument("--arena-max", type=int, default=0)
    parser.add_argument("--gc", type=int, default=0)
    parser.add_argument("--mmap-threshold", type=int, default=0)
    parser.add_argument("--slack", type=float, help="the keeper's slack, MB (default the server's)")
    parser.add_argument("--freeze", action="store_true", help="freeze what start-up made, as the server does")
    options = parser.parse_args(argv)
    if options.server:
        from formgen.service import server

        options.trim, options.arena_max, options.slack = "keeper", server.ARENA_MAX or 0, server.TRIM_SLACK_MB
        options.mmap_threshold, options.freeze = server.MMAP_THRESHOLD or 0, True
    return options


class _Trimmer:
    """When to give memory back: never, whenever no render is in hand, or as the server's MemoryKeeper decides."""

    def __init__(self, when: str, slack: float | None) -> None:
        from formgen.service import server

        slack = server.TRIM_SLACK_MB if slack is None else slack
        self.keeper = server.MemoryKeeper(slack_mb=0 if when == "each" else slack,
                                          when_idle=server.TRIM_WHEN_IDLE if when == "keeper" else when == "each")
        self.when = when
        self.trims = 0

    def begin(self) -> None:
        if self.when != "never":
            self.keeper.begin()

    def end(self) -> None:
        if self.when != "never" and self.keeper.end():
            self.trims += 1


def main(argv: list[str]) -> int:
    options = _options(argv)
    counts = sorted(options.counts)
    from formgen.core.registry import all_forms
    from formgen.engine import pipeline

    started = rss_mb()
    pipeline.warm_up()
    jobs: list[tuple[Any, dict[str, Any], str]] = []
    skipped: list[str] = []
    for spec in all_forms().values():
        for body in _bodies(spec, options.mixed):
            for fmt in spec.formats:
                try:
                    pipeline.render(spec, body, fmt)
                except Exception:  # a form being written now, or a grown body over a limit: leave it out
                    skipped.append(f"{spec.id} ({fmt})")
                    continue
                jobs.append((spec, body, fmt))
    if options.arena_max or options.mmap_threshold or options.freeze:
        from formgen.service.server import tune_process

        tune_process(options.arena_max or None, options.mmap_threshold or None)
    if options.gc:
        gc.set_threshold(options.gc, 10, 10)
    trimmer = _Trimmer(options.trim, options.slack)
    gc.collect()
    trimmer.begin()
    trimmer.end()
    result: dict[str, Any] = {
        "mixed": options.mixed, "threads": options.threads, "server": options.server, "trim": options.trim,
        "arena_max": options.arena_max, "gc_threshold": gc.get_threshold()[0], "frozen": gc.get_freeze_count(),
        "mmap_threshold": options.mmap_threshold or None, "slack_mb": trimmer.keeper.slack / 2**20,
        "rss_mb_started": round(started, 1), "rss_mb_warm": round(rss_mb(), 1), "after": {},
        "documents": [f"{spec.id} ({fmt})" for spec, _, fmt in jobs], "skipped": skipped}
    lock = threading.Lock()
    done = [0]

    def work(until: int) -> None:
        while True:
            with lock:
                if done[0] >= until:
                    return
                spec, body, fmt = jobs[done[0] % len(jobs)]
                done[0] += 1
            trimmer.begin()
            try:
                pipeline.render(spec, body, fmt)
            finally:
                trimmer.end()

    samples: list[float] = []
    sampling = threading.Event()

    def sample() -> None:
        # While the renders run: a worker under steady load never has the idle moment the figures after each
        # count are read at.
        while not sampling.wait(0.25):
            samples.append(rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    clock, cpu = time.perf_counter(), time.process_time()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for count in counts:
        threads = [threading.Thread(target=work, args=(count,)) for _ in range(options.threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        gc.collect()
        result["after"][str(count)] = round(rss_mb(), 1)
    sampling.set()
    sampler.join()
    renders = max(counts)
    ordered = sorted(samples) or [rss_mb()]
    result["rss_mb_while_rendering"] = {"median": round(ordered[len(ordered) // 2], 1), "max": round(ordered[-1], 1)}
    result["seconds"] = round(time.perf_counter() - clock, 1)
    result["cpu_ms_per_render"] = round((time.process_time() - cpu) * 1000 / renders, 2)
    result["minor_faults_per_render"] = round((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / renders)
    result["trims"] = trimmer.trims
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
