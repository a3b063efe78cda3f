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


def _malloc_trim() -> Any:
    """glibc's malloc_trim, or None where there is none (macOS, musl)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def after_render() -> None:
    """Give the memory a render freed back to the system. A render's many small objects are freed but
    leave glibc's heap in pieces it keeps: without this a worker's memory climbs with the renders it has
    done (benchmarks/RESULTS.md, issue 15), with it the worker stays near its warm size."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


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
        self._rendering = 0  # requests in hand on this worker's threads
        self._rendering_lock = threading.Lock()

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
        with self._rendering_lock:
            self._rendering += 1
        try:
            return super().handle_request(req, conn)
        finally:
            with self._rendering_lock:
                self._rendering -= 1
                last = self._rendering == 0
            if last:
                # The last request in hand: give back what the renders freed, without holding up another
                # thread's render on the allocator's locks.
                after_render()

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
        return create_app()


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
        # A backstop to after_render: a worker is replaced (forked again from the master, in milliseconds)
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
