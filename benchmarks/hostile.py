"""Hostile input and slow clients: what the worst request costs, and what slow clients cost everyone else.

- **The worst input per endpoint**: for `render` and `validate`, every costly body that fits the 1 MB
  request limit; for `extract` and `prefill`, every costly upload (bombs, pages of text, rows past a form's
  maximum). The bodies and uploads are the ones tests/test_hostile_input.py builds, so the benchmark
  measures what the test bounds (under 1 s of CPU and 50 MB). Each is posted to the app in this process:
  the CPU time of one call, then the peak memory tracemalloc sees in a second call (tracemalloc slows
  allocation, so CPU is measured without it). The worst is the costliest by CPU plus memory/50 MB.
- **Throughput under slow clients**: `formgen serve` (2 workers, its default threads) on loopback renders
  the pro forma's PDF for 2 clients at once, first alone, then while 3 slow clients (two sending a header
  line a second, one a body byte a second, as tests/formgen/service/test_server.py's SlowClients does)
  hold connections; each slow client reconnects as soon as the server cuts it, as an attacker would.

Run by `benchmarks/run.py` (`make bench`); `python benchmarks/hostile.py [--quick]` prints them alone.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(HERE), str(ROOT), str(ROOT / "tests")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import load  # noqa: E402 - after the path set-up above
from test_hostile_input import LIMIT, MANCHESTER, _cost, _upload, hostile_bodies, hostile_uploads  # noqa: E402

from api import create_app  # noqa: E402
from formgen.core.registry import get_form  # noqa: E402


def _tests_module(relative: str) -> Any:
    """A test module by its path (tests/formgen/... is not a package: `formgen` there would be the app's)."""
    path = ROOT / "tests" / relative
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and annotations look their module up by name
    spec.loader.exec_module(module)
    return module


_server_tests = _tests_module("formgen/service/test_server.py")
FORM: str = _server_tests.FORM
SlowClients = _server_tests.SlowClients  # the tests' own slow client

ENDPOINTS = ("render", "validate", "extract", "prefill")
QUICK_CASES = 2  # per endpoint in --quick: enough to check every figure is produced


def _cases(client: Any, endpoint: str, quick: bool) -> dict[str, Callable[[], Any]]:
    """Each costly request for `endpoint`, as a call posting it to the app."""
    cases: dict[str, Callable[[], Any]] = {}
    if endpoint in ("render", "validate"):
        path = f"/api/forms/{MANCHESTER}/{'render?format=pdf' if endpoint == 'render' else 'validate'}"
        for name, raw in hostile_bodies().items():
            assert len(raw.encode()) <= LIMIT, name
            cases[name] = (lambda raw=raw: client.post(path, data=raw, content_type="application/json"))
    else:
        for name, (content, filename) in hostile_uploads(client).items():
            assert len(content) <= LIMIT, name
            cases[name] = _upload(client, endpoint, content, filename)
    return dict(list(cases.items())[:QUICK_CASES]) if quick else cases


def worst_inputs(quick: bool = False) -> dict[str, Any]:
    """Per endpoint: every case's CPU seconds, peak MB and status, and the worst of them."""
    client = create_app({"TESTING": True}).test_client()
    logging.getLogger("formgen.access").setLevel(logging.WARNING)  # a line per request would bury the figures
    out: dict[str, Any] = {}
    for endpoint in ENDPOINTS:
        rows = []
        for name, call in _cases(client, endpoint, quick).items():
            status = call().status_code
            cpu, peak = _cost(call)
            rows.append({"input": name, "status": status, "cpu_s": round(cpu, 3), "peak_mb": round(peak, 1)})
        worst = max(rows, key=lambda row: row["cpu_s"] + row["peak_mb"] / 50)
        out[endpoint] = {"cases": rows, "worst": worst, "bound": {"cpu_s": 1.0, "peak_mb": 50},
                         "holds": worst["cpu_s"] < 1.0 and worst["peak_mb"] < 50}
    return out


class _Served:
    """What SlowClients needs of a server: its port."""

    def __init__(self, port: int) -> None:
        self.port = port


class _Reconnecting:
    """3 slow clients (2 slow heads, 1 slow body) that reconnect whenever the server cuts them."""

    def __init__(self, port: int) -> None:
        self.served, self.done = _Served(port), threading.Event()
        self.rounds = 0
        self.current: Any = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.done.is_set():
            self.current = SlowClients(self.served, heads=2, bodies=1, seconds=600, stop_on_exit=False)
            with self.current:  # starts them and waits until every one is cut (or stopped)
                pass
            self.rounds += 1

    def __enter__(self) -> _Reconnecting:
        self.thread.start()
        self.done.wait(2)  # the first three are open and dripping
        return self

    def __exit__(self, *_: object) -> None:
        self.done.set()
        if self.current is not None:
            self.current.stop.set()
        self.thread.join(timeout=30)


def slow_client_throughput(requests: int, clients: int = 2, workers: int = 2) -> dict[str, Any]:
    """PDF renders per second from `clients` at once, alone and beside 3 reconnecting slow clients."""
    body = copy.deepcopy(dict(get_form(FORM).example))
    each = max(1, -(-requests // clients))
    with load.serving(workers) as port:
        alone = load.load(port, FORM, body, clients, each)
        with _Reconnecting(port) as slow:
            beside = load.load(port, FORM, body, clients, each)
        cut = slow.rounds
    return {"workers": workers, "clients": clients, "alone": alone, "with_3_slow_clients": beside,
            "slow_client_rounds": cut,
            "ratio": round(beside["requests_per_second"] / alone["requests_per_second"], 3)
            if alone["requests_per_second"] else None}


def figures(quick: bool = False, requests: int | None = None) -> dict[str, Any]:
    return {"worst_inputs": worst_inputs(quick),
            "slow_clients": slow_client_throughput(requests or (4 if quick else 60))}


def print_report(results: dict[str, Any], out: Any = sys.stdout) -> None:
    out.write("\nThe worst input per endpoint, within the 1 MB request limit (CPU s, peak MB; bound 1 s, 50 MB)\n")
    for endpoint, row in results["worst_inputs"].items():
        worst = row["worst"]
        out.write(f"  {endpoint:<9} {worst['input']:<40} {worst['cpu_s']:>6.3f} s {worst['peak_mb']:>6.1f} MB "
                  f"(status {worst['status']}; {len(row['cases'])} inputs) {'holds' if row['holds'] else 'MISSED'}\n")
    slow = results["slow_clients"]
    alone, beside = slow["alone"], slow["with_3_slow_clients"]
    out.write(f"\n`formgen serve` beside 3 slow clients ({slow['workers']} workers, {slow['clients']} clients "
              "rendering PDFs)\n")
    for label, row in (("alone", alone), ("with 3 slow clients", beside)):
        out.write(f"  {label:<20} {row['requests_per_second']:>7.2f} PDF/s  p50 {row['p50_ms']:>7.1f} ms  "
                  f"p99 {row['p99_ms']:>7.1f} ms  failed {row['failures']}\n")
    out.write(f"  rounds of slow clients: {slow['slow_client_rounds']} (a round ends once the server has cut all "
              f"three; they reconnect at once); throughput with them over without: {slow['ratio']}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="two inputs per endpoint and 4 requests a row")
    parser.add_argument("--requests", type=int, help="timed renders per server row (default 60)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    results = figures(args.quick, args.requests)
    print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
