"""`formgen serve` under load on loopback: requests per second and p50/p99 latency.

The server is started as a subprocess (`formgen serve --workers N`) on a free port; bounded clients
(threads, one http.client connection per request as gunicorn's sync workers close each one) post the
pro forma's example for a PDF for a fixed number of requests each.
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


@contextmanager
def serving(workers: int, timeout: float = 60.0) -> Iterator[int]:
    """A `formgen serve --workers N` process on a free loopback port, stopped afterwards."""
    port = free_port()
    # A throwaway audit database: benchmark renders are not a council's record.
    audit_dir = tempfile.mkdtemp(prefix="formgen-bench-audit-")
    # PYTHONPATH: the server runs the code beside these benchmarks, not whichever tree `formgen` was installed from.
    env = {**os.environ, "FORMGEN_AUDIT_DB": os.path.join(audit_dir, "audit.sqlite3"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent.parent),
                                                       os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([*formgen_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
        yield port
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


def load(port: int, form_id: str, body: dict[str, Any], clients: int, requests_each: int) -> dict[str, Any]:
    """`clients` threads each posting `requests_each` PDF renders; throughput and latency."""
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
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(latencies),
        "failures": len(failures),
        "requests_per_second": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
    }


def server_figures(form_id: str, body: dict[str, Any], workers: list[int], clients: list[int],
                   requests: int) -> dict[str, list[dict[str, Any]]]:
    """For each worker count, a row per client count; about `requests` timed requests a row."""
    out: dict[str, list[dict[str, Any]]] = {}
    for count in workers:
        with serving(count) as port:
            out[str(count)] = [load(port, form_id, body, n, max(1, -(-requests // n))) for n in clients]
    return out
