"""Timing helpers for the benchmarks: medians and p95s over interleaved runs."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Timing:
    """Milliseconds over `runs` runs: wall-clock median and p95, and the median of this process's CPU time.

    The CPU time barely moves when other processes share the machine, so it shows what a change to
    the code did even when the wall-clock figures are noisy.
    """

    median: float
    p95: float
    runs: int
    cpu_median: float = float("nan")

    def as_dict(self) -> dict[str, float | int]:
        return {"median_ms": round(self.median, 3), "p95_ms": round(self.p95, 3),
                "cpu_median_ms": round(self.cpu_median, 3), "runs": self.runs}


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (fraction in 0..1) of `values`."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def timing(samples: list[float], cpu_samples: list[float] | None = None) -> Timing:
    cpu = statistics.median(cpu_samples) if cpu_samples else float("nan")
    return Timing(median=statistics.median(samples), p95=percentile(samples, 0.95), runs=len(samples), cpu_median=cpu)


def interleaved(cases: Mapping[str, Callable[[], Any]], runs: int, warmup: int = 2) -> dict[str, Timing]:
    """Time every case `runs` times, one of each in turn, so noise falls on all of them alike.

    Garbage is collected before each call, so one case does not pay for another's litter; the
    collector stays on during a call, as in service.
    """
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            cpu[name].append((time.process_time() - start_cpu) * 1000)
            samples[name].append((time.perf_counter() - start) * 1000)
    return {name: timing(values, cpu[name]) for name, values in samples.items()}


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("inf")
