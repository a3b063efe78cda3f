"""`formgen serve` under load on loopback: requests per second and p50/p99 latency.

The server is started as a subprocess (`formgen serve --workers N`) on a free port; bounded clients
(threads, one http.client connection per request as gunicorn's sync workers close each one) post the
pro forma's example for a PDF for a fixed number of requests each.

Beside the wall-clock figures, each row gives the CPU time the server's processes (master and workers)
spent per answered request, read from /proc before and after the timed requests. On a machine other
work shares, PDFs per second move with the load; the server's CPU time per PDF barely does, and
`1000 / cpu_ms_per_request` PDFs per second per core is what the server could do with the cores to itself.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from measure import percentile


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def formgen_command() -> list[str]:
    """The installed `formgen` script beside this Python, else `python -m formgen.cli.main`."""
    script = Path(sys.executable).with_name("formgen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "formgen.cli.main"]


def tree_cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds of `pid` and every process under it (Linux /proc), else None: the live ones'
    own, and those of the children they have reaped (a gunicorn worker replaced after max_requests)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name (field 2) may hold spaces: split after its closing parenthesis.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        children.setdefault(int(fields[1]), []).append(child)
        times[child] = sum(int(value) for value in fields[11:15]) / ticks
    if pid not in times:
        return None
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += times.get(current, 0.0)
        pending += children.get(current, [])
    return total


@contextmanager
def serving(workers: int, timeout: float = 60.0) -> Iterator[int]:
    """A `formgen serve --workers N` process on a free loopback port, stopped afterwards."""
    with serving_process(workers, timeout) as (port, _):
        yield port


@contextmanager
def serving_process(workers: int, timeout: float = 60.0, extra_env: dict[str, str] | None = None,
                    args: tuple[str, ...] = ()) -> Iterator[tuple[int, int]]:
    """`formgen serve --workers N [args]` on a free loopback port: (port, the server's pid), stopped afterwards."""
    port = free_port()
    # A throwaway audit database: benchmark renders are not a council's record.
    audit_dir = tempfile.mkdtemp(prefix="formgen-bench-audit-")
    # PYTHONPATH: the server runs the code beside these benchmarks, not whichever tree `formgen` was installed from.
    env = {**os.environ, "FORMGEN_AUDIT_DB": os.path.join(audit_dir, "audit.sqlite3"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                       os.environ.get("PYTHONPATH")])), **(extra_env or {})}
    process = subprocess.Popen([*formgen_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", str(workers), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"formgen serve exited with {process.returncode}")
            try:
                status, _ = request(port, "GET", "/api/forms")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("formgen serve did not answer in time")
            time.sleep(0.1)
        yield port, process.pid
    finally:
        # Stop the server we started (gunicorn's master stops its workers on SIGTERM).
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, form_id: str, body: dict[str, Any], clients: int, requests_each: int,
         server_pid: int | None = None) -> dict[str, Any]:
    """`clients` threads each posting `requests_each` PDF renders; throughput and latency (and, given the
    server's pid, its CPU time per answered request)."""
    payload = json.dumps(body).encode("utf-8")
    path = f"/api/forms/{form_id}/render?format=pdf"
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    # One warm request per client first, so each worker has rendered once before timing starts.
    for _ in range(clients):
        request(port, "POST", path, payload)
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        barrier.wait()
        for _ in range(requests_each):
            start = time.perf_counter()
            status, content = request(port, "POST", path, payload)
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if status == 200 and content.startswith(b"%PDF-"):
                    latencies.append(elapsed)
                else:
                    failures.append(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = tree_cpu_seconds(server_pid) if server_pid else None
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu_after = tree_cpu_seconds(server_pid) if server_pid else None
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None and latencies:
        cpu_ms = round((cpu_after - cpu_before) * 1000 / len(latencies), 1)
    return {
        "clients": clients,
        "requests": len(latencies),
        "failures": len(failures),
        "requests_per_second": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "server_cpu_ms_per_request": cpu_ms,
    }


def server_figures(form_id: str, body: dict[str, Any], workers: list[int], clients: list[int],
                   requests: int) -> dict[str, list[dict[str, Any]]]:
    """For each worker count, a row per client count; about `requests` timed requests a row."""
    out: dict[str, list[dict[str, Any]]] = {}
    for count in workers:
        with serving_process(count) as (port, pid):
            out[str(count)] = [load(port, form_id, body, n, max(1, -(-requests // n)), pid) for n in clients]
    return out
