"""Flat workers: freed memory goes back to the system after renders, and workers are replaced in time."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from gunicorn.workers.gthread import ThreadWorker

from formgen.service import server


def _worker() -> Any:
    worker = server.FormgenWorker.__new__(server.FormgenWorker)
    worker._rendering = 0
    worker._rendering_lock = threading.Lock()
    return worker


class _Conn:
    sock = object()


def test_the_last_request_in_hand_gives_freed_memory_back(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(server, "_MALLOC_TRIM", trims.append)
    worker = _worker()

    def render(self: Any, req: Any, conn: Any) -> str:
        # A request arriving while this one renders: only the last to finish trims.
        assert not trims
        return "answered"

    monkeypatch.setattr(ThreadWorker, "handle_request", render)
    assert worker.handle_request(object(), _Conn()) == "answered"
    assert trims == [0] and worker._rendering == 0


def test_no_trim_while_another_thread_renders(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(server, "_MALLOC_TRIM", trims.append)
    monkeypatch.setattr(ThreadWorker, "handle_request", lambda self, req, conn: None)
    worker = _worker()
    worker._rendering = 1  # another thread's request in hand
    worker.handle_request(object(), _Conn())
    assert trims == [] and worker._rendering == 1


def test_workers_are_replaced_after_a_jittered_number_of_requests() -> None:
    options = server.gunicorn_options("127.0.0.1", 8000, 2, 32)
    assert options["max_requests"] == server.MAX_REQUESTS > 0
    assert 0 < options["max_requests_jitter"] < options["max_requests"]


def test_malloc_trim_is_found_on_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim is glibc's")
    assert server._MALLOC_TRIM is not None
