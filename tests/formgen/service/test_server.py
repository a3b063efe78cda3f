"""`formgen serve`: the real WSGI server on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from helpers import pdf_reader, pdf_text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    # The audit trail goes to a temporary database, never into the source tree.
    env = {**os.environ, "FORMGEN_AUDIT_DB": str(tmp_path_factory.mktemp("audit") / "audit.sqlite3")}
    process = subprocess.Popen(
        [sys.executable, "-m", "formgen.cli.main", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(process.pid, signal.SIGTERM)
        raise RuntimeError("formgen serve did not start")
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def test_served_render_returns_a_pdf_of_at_most_two_pages(server: str) -> None:
    form = "manchester-allocations-pro-forma"
    with urllib.request.urlopen(f"{server}/api/forms/{form}/example") as response:
        example = json.load(response)
    request = urllib.request.Request(
        f"{server}/api/forms/{form}/render?format=pdf", data=json.dumps(example).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        content = response.read()
        assert response.headers["Content-Type"] == "application/pdf"
        assert "gunicorn/" not in (response.headers.get("Server") or "")
    assert len(pdf_reader(content).pages) <= 2
    assert "Zofia Wójcik" in pdf_text(content)
