"""Mixed concurrent renders against `formgen serve` on loopback: correctness under load.

Starts the production server (gunicorn, `formgen serve`) on a free loopback port with its own audit
database in a temporary folder, then sends --renders POSTs from --concurrency threads, cycling through
every form and both formats. Each body carries a unique reference in a free-text answer, and each
answer must hold its own reference and no other (no cross-talk). A fixed body is also rendered
--repeats times per format; every copy must have the same bytes. The workers' resident memory is
sampled as it goes, and the audit trail must end with exactly one row per render.

    .venv/bin/python benchmarks/soak.py                       # 400 renders, 50 at a time
    .venv/bin/python benchmarks/soak.py --renders 10000 --concurrency 100   # the long soak

Prints a JSON summary; exits 1 if any check fails. Fictional people only (each form's example).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = re.compile(r"LT[0-9a-f]{10}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
        return json.load(response)


@contextmanager
def serving(workers: int, audit_db: Path) -> Iterator[tuple[str, int]]:
    """`formgen serve` on a free loopback port: (base URL, master pid)."""
    port = free_port()
    env = {**os.environ, "FORMGEN_AUDIT_DB": str(audit_db)}
    env.pop("FORMGEN_API_KEYS", None)
    env.pop("FORMGEN_API_KEYS_FILE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "formgen.cli.main", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(base, "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("formgen serve did not start") from None
                time.sleep(0.2)
        yield base, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def worker_rss_mb(master: int) -> list[float]:
    """Resident memory of the master's child processes (the gunicorn workers), in MB."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(master):
            sizes.append(round(int(fields["VmRSS"].split()[0]) / 1024, 1))
    return sorted(sizes)


def free_text_path(schema: dict[str, Any], body: Any) -> tuple[Any, ...]:
    """The path of the example's longest-allowed free-text answer, to carry a reference."""
    best: tuple[int, tuple[Any, ...]] = (-1, ())

    def walk(node: dict[str, Any], value: Any, path: tuple[Any, ...]) -> None:
        nonlocal best
        while "$ref" in node or "anyOf" in node:
            node = (next(b for b in node["anyOf"] if b.get("type") != "null") if "anyOf" in node
                    else schema["$defs"][node["$ref"].rsplit("/", 1)[-1]])
        if isinstance(value, str) and "enum" not in node and "format" not in node:
            if node.get("maxLength", 0) > best[0]:
                best = (node["maxLength"], path)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(node["properties"][key], item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(node["items"], item, (*path, index))

    walk(schema, body, ())
    return best[1]


def with_reference(body: dict[str, Any], path: tuple[Any, ...], reference: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node: Any = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = f"{node[path[-1]]} Ref {reference}."
    return changed


def document_text(content: bytes, fmt: str) -> str:
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.read("word/document.xml").decode()
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


def post(base: str, form_id: str, fmt: str, body: dict[str, Any]) -> tuple[int, bytes, float]:
    request = urllib.request.Request(
        f"{base}/api/forms/{form_id}/render?format={fmt}", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def run(renders: int, concurrency: int, repeats: int, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        audit_db = Path(folder) / "audit.sqlite3"
        with serving(workers, audit_db) as (base, master):
            forms = [entry["id"] for entry in _get(base, "/api/forms")]
            examples = {form: _get(base, f"/api/forms/{form}/example") for form in forms}
            paths = {form: free_text_path(_get(base, f"/api/forms/{form}/schema"), examples[form]) for form in forms}
            jobs = []
            for number in range(renders):
                form, fmt = forms[number % len(forms)], ("pdf", "docx")[(number // len(forms)) % 2]
                reference = f"LT{uuid.uuid4().hex[:10]}"
                jobs.append((form, fmt, reference, with_reference(examples[form], paths[form], reference)))
            failures: list[str] = []
            latencies: list[float] = []
            rss: list[list[float]] = [worker_rss_mb(master)]
            lock = threading.Lock()
            done = [0]

            def one(job: tuple[str, str, str, dict[str, Any]]) -> None:
                form, fmt, reference, body = job
                status, content, seconds = post(base, form, fmt, body)
                problem = None
                if status != 200:
                    problem = f"{form} {fmt}: status {status}"
                else:
                    found = set(REFERENCE.findall(document_text(content, fmt)))
                    if reference not in found:
                        problem = f"{form} {fmt}: its own reference is missing"
                    elif found - {reference}:
                        problem = f"{form} {fmt}: holds another request's reference"
                with lock:
                    latencies.append(seconds)
                    done[0] += 1
                    if problem:
                        failures.append(problem)
                    if done[0] % max(1, renders // 20) == 0:
                        rss.append(worker_rss_mb(master))

            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                list(pool.map(one, jobs))
            elapsed = time.perf_counter() - started

            # Identical inputs, identical bytes: each form's example, several times, in each format.
            digests: dict[str, set[str]] = {}
            same_jobs = [(form, fmt) for form in forms for fmt in ("pdf", "docx") for _ in range(repeats)]
            with ThreadPoolExecutor(max_workers=min(concurrency, len(same_jobs))) as pool:
                for (form, fmt), (status, content, _) in zip(
                    same_jobs, pool.map(lambda job: post(base, job[0], job[1], examples[job[0]]), same_jobs), strict=True
                ):
                    digests.setdefault(f"{form} {fmt}", set()).add(hashlib.sha256(content).hexdigest() if status == 200
                                                                   else f"status {status}")
            rss.append(worker_rss_mb(master))
        connection = sqlite3.connect(audit_db)
        audit_rows = connection.execute("SELECT count(*) FROM renders").fetchone()[0]
        audit_rendered = connection.execute("SELECT count(*) FROM renders WHERE outcome = 'sent'").fetchone()[0]
        connection.close()
    not_reproducible = sorted(key for key, found in digests.items() if len(found) != 1)
    expected_rows = renders + len(same_jobs)
    return {
        "renders": renders,
        "concurrency": concurrency,
        "workers": workers,
        "forms": forms,
        "succeeded": renders - len(failures),
        "failures": failures[:20],
        "failure_count": len(failures),
        "seconds": round(elapsed, 1),
        "renders_per_second": round(renders / elapsed, 1),
        "latency_ms": {"p50": round(percentile(latencies, 0.5) * 1000), "p95": round(percentile(latencies, 0.95) * 1000),
                       "max": round(max(latencies, default=0) * 1000)},
        "reproducible": not not_reproducible,
        "not_reproducible": not_reproducible,
        "worker_rss_mb": {"start": rss[0], "peak": max((max(s) for s in rss if s), default=0), "end": rss[-1],
                          "samples": [max(s) if s else 0 for s in rss]},
        "audit_rows": audit_rows,
        "audit_rows_expected": expected_rows,
        "audit_rendered": audit_rendered,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--renders", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3, help="copies of each example per format, to compare bytes")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    summary = run(args.renders, args.concurrency, args.repeats, args.workers)
    sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    ok = not summary["failure_count"] and summary["reproducible"] and summary["audit_rows"] == summary["audit_rows_expected"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
