"""`formgen serve`: the Flask app under gunicorn, a production WSGI server, hardened for a council network.

- Threads (gunicorn's gthread worker, 32 per worker): a connection waiting on a slow client holds one
  thread, not a whole worker, and idle connections wait in a poller holding none. Threads are cheap while
  they wait; the CPU work of rendering is bounded separately (formgen.service.render_slots).
  docs/security.md has the measurement.
- Read deadlines: a request's line and headers must arrive within `head_seconds` of the first byte, and its
  body within `body_seconds` after that. A client slower than that gets a 408 problem and is cut off: one
  request fails, the server goes on. An address already holding a quarter of a worker's threads gets 2 s
  for each, so one slow host cannot hold every thread for long.
- Every answer gunicorn gives itself (414, 431, 400 for a broken request line, 500) is a problem+json
  document with the same security headers as the app's, and nothing gunicorn logs carries a query string.
- Start-up refuses, in one line, what would be unsafe: no API keys beyond loopback, web pages with nobody
  signed in beyond loopback, an unreadable keys file, an audit trail that cannot be written.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import ipaddress
import json
import logging
import math
import os
import queue
import re
import selectors
import socket
import sys
import threading
import time
import uuid
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import ThreadWorker

from formgen.service.identity import address_in, trusted_networks
from formgen.service.security_headers import HEADERS

HEAD_SECONDS = 10
# The deadline for each of head and body when the client's address already holds its share of threads.
OVER_SHARE_SECONDS = 2.0
LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 65536
BODY_SECONDS = 30
SEND_SECONDS = 30
THREADS = 32
MAX_REQUESTS = 5000  # requests a worker serves before it is replaced (see gunicorn_options)
# A worker's memory settings, chosen by measurement (benchmarks/RESULTS.md, issue 15; see tune_process and
# MemoryKeeper): glibc malloc arenas per process; how much a worker may grow past its last trim before it gives
# freed memory back, checked when no other request is in hand (trimming while others render gave back almost
# nothing); and no fixed mmap threshold (it gave nothing beside the trim).
ARENA_MAX = 2
TRIM_SLACK_MB = 8
TRIM_WHEN_IDLE = True
MMAP_THRESHOLD: int | None = None
log = logging.getLogger("formgen.http")


class HeadTooSlow(Exception):
    """The request line and headers did not arrive in time (answered 408 by the worker)."""


class BodyTooSlow(TimeoutError):
    """The body did not arrive in time (answered 408 by the app; gunicorn then closes the connection)."""


class DeadlineSocket:
    """A client socket whose reads share one deadline per request phase, and whose writes time out.

    A per-read timeout alone lets a client send a byte every few seconds for ever; a deadline does not."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = math.inf
        self.phase = "head"
        self.strict = False  # its address is over its share of threads: short deadlines

    def start(self, seconds: float, phase: str) -> None:
        self.deadline = time.monotonic() + seconds
        self.phase = phase

    def _late(self) -> Exception:
        return HeadTooSlow() if self.phase == "head" else BodyTooSlow()

    def recv(self, size: int, *flags: int) -> bytes:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise self._late()
        before = self._sock.gettimeout()
        self._sock.settimeout(remaining if before is None else min(before, remaining))
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                raise self._late() from None
            raise  # the caller's own, shorter timeout (gunicorn's drain of an unread body)
        finally:
            self._sock.settimeout(before)

    def _sending(self, method: Any, *args: Any) -> Any:
        before = self._sock.gettimeout()
        if before != 0.0:  # gunicorn's non-blocking writes stay non-blocking
            self._sock.settimeout(SEND_SECONDS)
        try:
            return method(*args)
        finally:
            self._sock.settimeout(before)

    def send(self, data: bytes, *flags: int) -> int:
        return int(self._sending(self._sock.send, data, *flags))

    def sendall(self, data: bytes, *flags: int) -> None:
        self._sending(self._sock.sendall, data, *flags)

    @property
    def raw(self) -> socket.socket:
        return self._sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class LingeringCloser:
    """Closes finished connections gracefully (RFC 9112, 9.6) on one thread of its own.

    gunicorn's gthread worker lingers on each closed connection for up to 2 s on its main loop, reading
    what the client still sends, so a client that never closes its side stalls every other connection
    of the worker. Here one thread lingers on all of them at once, with a selector."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[socket.socket, float]] = queue.SimpleQueue()
        self._started = False

    def close(self, sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
        except OSError:
            sock.close()
            return
        self._queue.put((sock, time.monotonic() + LINGER_SECONDS))
        if not self._started:
            self._started = True
            threading.Thread(target=self._run, name="formgen-closer", daemon=True).start()

    def _run(self) -> None:
        selector = selectors.DefaultSelector()
        lingering: dict[socket.socket, list[float]] = {}  # socket -> [deadline, bytes drained]
        while True:
            while not self._queue.empty():
                sock, deadline = self._queue.get_nowait()
                selector.register(sock, selectors.EVENT_READ)
                lingering[sock] = [deadline, 0]
            for key, _ in selector.select(timeout=0.1 if lingering else 1.0):
                sock = key.fileobj  # type: ignore[assignment]
                try:
                    data = sock.recv(65536)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                lingering[sock][1] += len(data)
                if not data or lingering[sock][1] > LINGER_MAX_BYTES:
                    lingering[sock][0] = 0
            now = time.monotonic()
            for sock in [s for s, (deadline, _) in lingering.items() if deadline <= now]:
                selector.unregister(sock)
                del lingering[sock]
                sock.close()


# What gunicorn answers itself, by the exception its parser raised: (status, title, detail).
_REFUSALS: tuple[tuple[type[BaseException], int, str, str], ...] = (
    (HeadTooSlow, 408, "Request Timeout", "The request's headers did not arrive in time. Send the request again."),
    (http_errors.LimitRequestLine, 414, "URI Too Long", "The address is too long."),
    (http_errors.LimitRequestHeaders, 431, "Request Header Fields Too Large",
     "The request has too many headers, or one that is too large."),
    (http_errors.UnsupportedTransferCoding, 501, "Not Implemented", "That transfer coding is not supported."),
    (http_errors.ExpectationFailed, 417, "Expectation Failed", "Only 'Expect: 100-continue' is understood."),
    (http_errors.ForbiddenProxyRequest, 403, "Forbidden", "That proxy is not allowed."),
    # Any other request gunicorn cannot parse (request line, method, version, header syntax, chunking).
    (http_errors.ParseException, 400, "Bad Request", "The request is not well-formed HTTP."),
)
_SERVER_ERROR = (500, "Internal Server Error",
                 "Something went wrong on our side. Nothing was rendered; try again or contact support with the request id.")


def refusal_for(error: BaseException) -> tuple[int, str, str]:
    """The status, title and detail for an error gunicorn answers itself (never quoting the request)."""
    if isinstance(error, http_errors.InvalidResponseHeader | http_errors.InvalidResponseHeaderName):
        return _SERVER_ERROR  # a header the app tried to send: the app's fault
    for kind, status, title, detail in _REFUSALS:
        if isinstance(error, kind):
            return status, title, detail
    return _SERVER_ERROR


def problem_bytes(status: int, title: str, detail: str, request_id: str) -> bytes:
    """A whole HTTP/1.1 answer: a problem+json body with the app's security headers, then close."""
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
    lines = [f"HTTP/1.1 {status} {title}", "Content-Type: application/problem+json",
             f"Content-Length: {len(body)}", "Connection: close", f"X-Request-Id: {request_id}",
             *(f"{name}: {value}" for name, value in HEADERS.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _libc_function(name: str) -> Any:
    """A glibc allocator function (malloc_trim, mallopt), or None where there is none (macOS, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return getattr(libc, name)
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _libc_function("malloc_trim")
_MALLOPT = _libc_function("mallopt")
_M_ARENA_MAX = -8  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def rss_bytes() -> int | None:
    """This process's resident memory, from /proc (Linux), else None."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def tune_process(arena_max: int | None = ARENA_MAX, mmap_threshold: int | None = MMAP_THRESHOLD) -> None:
    """Allocator and collector settings for a process that renders for a long time: the master, once the app is
    loaded and before the workers fork (they inherit them), or a benchmark standing in for a worker.

    - At most `arena_max` glibc arenas: glibc gives each thread that meets a locked arena one of its own (up to
      8 a core), and memory freed in one arena cannot serve another's renders.
    - Allocations of `mmap_threshold` bytes or more get pages of their own, given back when freed; glibc would
      otherwise raise its threshold as large blocks are freed, and put the next ones in the heap.
    - What start-up loaded (templates, fonts, modules) lives as long as the process: frozen (gc.freeze, as Python's
      documentation advises before a fork), the collector never walks it again, and a worker's collections do
      not write to, so copy, the pages it shares with the master. The collector's thresholds stay Python's:
      collecting less often let each render's cyclic garbage (a filled document's parts, holding their XML
      trees) pile up, to 1.6-1.8 times the memory (benchmarks/RESULTS.md)."""
    if arena_max and _MALLOPT is not None:
        _MALLOPT(_M_ARENA_MAX, arena_max)
    if mmap_threshold and _MALLOPT is not None:
        _MALLOPT(_M_MMAP_THRESHOLD, mmap_threshold)
    gc.collect()
    gc.freeze()


class MemoryKeeper:
    """Gives a worker's freed memory back to the system once the worker holds `slack_mb` more than just after
    it last did so (0: after every request), checked as each request ends.

    A render's objects are freed but leave glibc's heap in pieces it keeps, so a worker that never trims
    holds what its largest renders needed (benchmarks/RESULTS.md, issue 15). Trimming after every request
    costs that request ~1 ms of CPU and the next one the page faults of taking the memory back (~0.8 ms
    for the pro forma); with the slack, everyday renders reuse what they freed and only the memory a large
    render (a 40-case agenda) or a burst left behind is returned. With `when_idle`, only the last request
    in hand checks: a worker that is never idle then never trims."""

    def __init__(self, slack_mb: float = TRIM_SLACK_MB, trim: Any = _MALLOC_TRIM, rss: Any = rss_bytes,
                 when_idle: bool = TRIM_WHEN_IDLE) -> None:
        self.slack = int(slack_mb * 2**20)
        self._trim, self._rss = trim, rss
        self.when_idle = when_idle
        self._lock = threading.Lock()
        self._trimming = threading.Lock()
        self.in_hand = 0
        self.after_trim: int | None = None  # resident bytes just after the last trim (None: never trimmed)

    def begin(self) -> None:
        with self._lock:
            self.in_hand += 1

    def end(self) -> bool:
        """A request is done; trim if the worker has grown (and, when_idle, no other request is in hand). True if
        it trimmed."""
        with self._lock:
            self.in_hand -= 1
            if self.in_hand and self.when_idle:
                return False
        # Outside the lock: a request that starts now is not held up behind the trim.
        return self.trim_if_grown()

    def trim_if_grown(self) -> bool:
        if self._trim is None or not self._trimming.acquire(blocking=False):  # one trim at a time is enough
            return False
        try:
            now = self._rss()
            grown = self.after_trim is None or now is None or now - self.after_trim >= self.slack
            if self.slack > 0 and not grown:  # a slack of 0: trim every time
                return False
            self._trim(0)
            self.after_trim = self._rss()
            return True
        finally:
            self._trimming.release()


class FormgenWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker with read deadlines (strict ones for an address beyond its share of the
    threads), and problem+json for the errors it answers itself."""

    head_seconds: float = HEAD_SECONDS
    body_seconds: float = BODY_SECONDS
    # Addresses with no share: the council's proxy carries everyone's requests (FORMGEN_TRUSTED_PROXIES).
    trusted_proxies: tuple[Any, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._busy: dict[str, int] = {}
        self._busy_lock = threading.Lock()
        self._closer = LingeringCloser()
        self.memory = MemoryKeeper()  # counts the requests in hand on this worker's threads

    def finish_request(self, conn: Any, fs: Any) -> None:
        try:
            result = fs.result() if not fs.cancelled() else False
        except Exception:
            result = False
        if result is False or result is None:
            # Closing: linger on the closer's thread, not on this worker's main loop.
            self.nr_conns -= 1
            self._closer.close(conn.sock.raw if isinstance(conn.sock, DeadlineSocket) else conn.sock)
            return
        super().finish_request(conn, fs)

    @property
    def share(self) -> int:
        """Threads one address may hold on the usual deadlines: a quarter, so one slow host cannot take them all."""
        return max(1, self.cfg.threads // 4)

    def _admit(self, address: str) -> bool:
        """Count the address in, if it is within its share (False: it is over, and gets strict deadlines)."""
        with self._busy_lock:
            if self._busy.get(address, 0) >= self.share:
                return False
            self._busy[address] = self._busy.get(address, 0) + 1
            return True

    def _release(self, address: str) -> None:
        with self._busy_lock:
            left = self._busy.get(address, 1) - 1
            if left:
                self._busy[address] = left
            else:
                self._busy.pop(address, None)

    def handle(self, conn: Any) -> Any:
        if not isinstance(conn.sock, DeadlineSocket):
            conn.sock = DeadlineSocket(conn.sock)
        address = str(conn.client[0]) if isinstance(conn.client, tuple) and conn.client else ""
        trusted = address_in(address, self.trusted_proxies)
        admitted = not trusted and self._admit(address)
        # Beyond its share an address still gets a thread, but must send its request at once: a fast client
        # never notices, while a slow one holding many threads loses them in seconds.
        conn.sock.strict = not trusted and not admitted
        try:
            conn.sock.start(min(self.head_seconds, OVER_SHARE_SECONDS) if conn.sock.strict else self.head_seconds,
                            "head")
            return super().handle(conn)
        finally:
            if admitted:
                self._release(address)

    def handle_request(self, req: Any, conn: Any) -> Any:
        if isinstance(conn.sock, DeadlineSocket):
            conn.sock.start(min(self.body_seconds, OVER_SHARE_SECONDS) if conn.sock.strict else self.body_seconds,
                            "body")
        self.memory.begin()
        try:
            return super().handle_request(req, conn)
        finally:
            # The last request in hand gives back what the renders freed, if the worker has grown.
            self.memory.end()

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        self._answer(client, exc)

    def _answer(self, client: Any, exc: BaseException) -> None:
        status, title, detail = refusal_for(exc)
        request_id = uuid.uuid4().hex
        # One line: the status and the error's type. Never the request line, URL or headers.
        log.warning("answered by the server", extra={"status": status, "error_type": type(exc).__name__,
                                                      "request_id": request_id})
        with contextlib.suppress(Exception):  # a client that has gone has no one to tell
            client.sendall(problem_bytes(status, title, detail, request_id))


_QUERY = re.compile(r"\?[^\s'\"]+")


def scrub(text: str) -> str:
    """A log message with every query string cut out (a name in a query must not reach the log)."""
    return _QUERY.sub("?[query removed]", text)


class _NoQueries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = scrub(record.getMessage())
        if record.exc_info and record.exc_info[0] is not None:
            # A traceback can quote the request; the exception's type is enough to act on.
            message += f" ({record.exc_info[0].__name__})"
            record.exc_info, record.exc_text = None, None
        record.msg, record.args = message, ()
        return True


class QuietLogger(glogging.Logger):  # type: ignore[misc]
    """gunicorn's logger with no query string and no traceback in its error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            if not any(isinstance(f, _NoQueries) for f in logger.filters):
                logger.addFilter(_NoQueries())


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from api import create_app
        from formgen.engine.pipeline import warm_up

        warm_up()
        app = create_app()
        tune_process()  # in the master, after loading and before the fork: the workers inherit it
        return app


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def access_check(host: str) -> str | None:
    """Why the server must not start on `host`, in one line (None when it may); notices go to stderr."""
    from api import create_app
    from formgen.documents import signing
    from formgen.service.auth import KeyFileError, keyring
    from formgen.service.identity import SSO, WebConfigError
    from formgen.store.audit import AuditUnavailable

    try:
        app = create_app()
    except (KeyFileError, WebConfigError, AuditUnavailable, signing.DocumentKeysError) as error:
        return f"formgen: {error}"
    keys = keyring(app).enabled
    web = app.extensions["formgen_web_mode"]
    pages_off = str(app.config.get("WEB_PAGES") or "").lower() == "off"
    if not is_loopback(host):
        if not keys:
            return (f"formgen: refusing to serve on {host} without API keys. Set FORMGEN_API_KEYS_FILE "
                    "(lines 'name:hash' made by `formgen keys NAME`), or serve on 127.0.0.1.")
        if web != SSO and not pages_off:
            return (f"formgen: refusing to serve on {host}: the web pages would have no signed-in person. Set "
                    "FORMGEN_WEB_USER_HEADER and FORMGEN_TRUSTED_PROXIES (the council's sign-on proxy), "
                    "or FORMGEN_WEB_PAGES=off.")
        if not signing.configured():
            return (f"formgen: refusing to serve on {host} without document signing keys: documents would read "
                    f"back only until a restart and differ between hosts. Set {signing.ENV} (one or more secrets of "
                    f"at least {signing.MIN_KEY_CHARACTERS} characters, comma-separated, newest first).")
    if not keys:
        sys.stderr.write(f"formgen: no API keys are set, so /api is open to anyone on this machine ({host} only).\n")
    if web == SSO and not app.config.get("PERSON_ID_KEY"):
        sys.stderr.write("formgen: set FORMGEN_PERSON_ID_KEY (a random secret) so the audit trail's person ids "
                         "cannot be matched to names by hashing guesses.\n")
    return None


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": FormgenWorker,
        "threads": threads,
        # The master kills a worker whose main loop stalls this long (requests run in threads).
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 2,
        # Templates and fonts load once in the master, then are shared by the workers.
        "preload_app": True,
        # A backstop to MemoryKeeper: a worker is replaced (forked again from the master, in milliseconds)
        # after this many requests, the jitter keeping the workers from all restarting at once.
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS // 10,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "logger_class": QuietLogger,
        # No version banner in the Server header.
        "proc_name": "formgen",
        # Gunicorn's largest request line, so the app (not gunicorn) answers long addresses where it can.
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        # Forwarded headers are judged by the app (FORMGEN_TRUSTED_PROXIES), never by gunicorn on its own.
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
    }


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2, threads: int = THREADS,
          head_seconds: float = HEAD_SECONDS, body_seconds: float = BODY_SECONDS) -> int:
    refusal = access_check(host)
    if refusal:
        sys.stderr.write(refusal + "\n")
        return 2
    FormgenWorker.head_seconds, FormgenWorker.body_seconds = head_seconds, body_seconds
    FormgenWorker.trusted_proxies = trusted_networks(os.environ.get("FORMGEN_TRUSTED_PROXIES"))
    sys.stderr.write(f"formgen: serving on http://{host}:{port} with {workers} workers of {threads} threads\n")
    _Gunicorn(gunicorn_options(host, port, workers, threads)).run()
    return 0
