"""Flat workers: freed memory goes back to the system once a worker has grown, the allocator and collector are
set up for long-running renders before the workers fork, and workers are replaced in time."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from gunicorn.workers.gthread import ThreadWorker

from formgen.service import server

MB = 2**20


class _Memory:
    """A worker's resident memory as the keeper reads it, moved by hand; trims drop it to `floor`."""

    def __init__(self, now: int, floor: int) -> None:
        self.now, self.floor = now, floor
        self.trims: list[int] = []

    def rss(self) -> int:
        return self.now

    def trim(self, pad: int) -> None:
        self.trims.append(pad)
        self.now = self.floor


def _keeper(memory: _Memory, slack_mb: float = 16) -> server.MemoryKeeper:
    return server.MemoryKeeper(slack_mb=slack_mb, trim=memory.trim, rss=memory.rss)


def test_the_first_idle_moment_trims_then_only_growth_past_the_slack_does() -> None:
    memory = _Memory(now=150 * MB, floor=110 * MB)
    keeper = _keeper(memory)
    keeper.begin()
    assert keeper.end() and memory.trims == [0] and keeper.after_trim == 110 * MB
    # An everyday render takes back some of what the trim gave (page faults), within the slack: no trim.
    memory.now = 120 * MB
    keeper.begin()
    assert not keeper.end() and memory.trims == [0]
    # A 40-case agenda leaves the heap 30 MB larger: the next idle moment gives it back.
    memory.now = 140 * MB
    keeper.begin()
    assert keeper.end() and memory.trims == [0, 0] and keeper.after_trim == 110 * MB


def test_no_trim_while_another_request_is_in_hand() -> None:
    memory = _Memory(now=300 * MB, floor=110 * MB)
    keeper = _keeper(memory)
    keeper.begin()
    keeper.begin()  # a second request arrives while the first renders
    assert not keeper.end() and memory.trims == []
    assert keeper.end() and memory.trims == [0] and keeper.in_hand == 0


def test_a_slack_of_nothing_trims_at_every_idle_moment() -> None:
    memory = _Memory(now=110 * MB, floor=110 * MB)
    keeper = _keeper(memory, slack_mb=0)
    for _ in range(3):
        keeper.begin()
        keeper.end()
    assert memory.trims == [0, 0, 0]


def test_without_malloc_trim_the_keeper_only_counts() -> None:
    keeper = server.MemoryKeeper(trim=None, rss=lambda: 500 * MB)
    keeper.begin()
    assert not keeper.end() and keeper.in_hand == 0


class _Conn:
    sock = object()


def test_each_request_the_worker_handles_passes_through_its_keeper(monkeypatch: pytest.MonkeyPatch) -> None:
    memory = _Memory(now=150 * MB, floor=110 * MB)
    worker = server.FormgenWorker.__new__(server.FormgenWorker)
    worker.memory = _keeper(memory)

    def render(self: Any, req: Any, conn: Any) -> str:
        assert worker.memory.in_hand == 1 and not memory.trims  # trimmed only once the answer is done
        return "answered"

    monkeypatch.setattr(ThreadWorker, "handle_request", render)
    assert worker.handle_request(object(), _Conn()) == "answered"
    assert memory.trims == [0] and worker.memory.in_hand == 0


@pytest.fixture
def collector_restored() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_tune_process_sets_the_allocator_and_freezes_what_start_up_made(monkeypatch: pytest.MonkeyPatch,
                                                                collector_restored: None) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(server, "_MALLOPT", lambda option, value: calls.append((option, value)))
    server.tune_process(arena_max=2, mmap_threshold=131072)
    assert calls == [(server._M_ARENA_MAX, 2), (server._M_MMAP_THRESHOLD, 131072)]
    assert gc.get_freeze_count() > 0  # what start-up loaded is never walked again
    # Collecting less often let each render's cyclic garbage pile up (benchmarks/RESULTS.md): Python's thresholds.
    assert gc.get_threshold()[0] == 700


def test_the_master_tunes_the_process_after_loading_the_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    tuned: list[bool] = []
    monkeypatch.setattr(server, "tune_process", lambda: tuned.append(True))
    app = server._Gunicorn(server.gunicorn_options("127.0.0.1", 8000, 2, 32)).load()
    assert tuned == [True] and app.name == "api"
    assert server.gunicorn_options("127.0.0.1", 8000, 2, 32)["preload_app"]  # so the workers inherit it


def test_workers_are_replaced_after_a_jittered_number_of_requests() -> None:
    options = server.gunicorn_options("127.0.0.1", 8000, 2, 32)
    assert options["max_requests"] == server.MAX_REQUESTS > 0
    assert 0 < options["max_requests_jitter"] < options["max_requests"]


def test_malloc_trim_and_mallopt_are_found_on_glibc() -> None:
    import platform

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("malloc_trim and mallopt are glibc's")
    assert server._MALLOC_TRIM is not None and server._MALLOPT is not None
    assert server.rss_bytes() is not None and server.rss_bytes() > 10 * MB  # type: ignore[operator]


def test_a_keeper_told_to_check_while_busy_trims_with_others_in_hand() -> None:
    """What benchmarks/memory.py --trim keeper-busy measures (and the server does not choose)."""
    memory = _Memory(now=150 * MB, floor=140 * MB)
    keeper = server.MemoryKeeper(slack_mb=8, trim=memory.trim, rss=memory.rss, when_idle=False)
    keeper.begin()
    keeper.begin()
    assert keeper.end() and memory.trims == [0] and keeper.in_hand == 1
