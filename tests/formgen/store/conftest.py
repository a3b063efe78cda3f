"""A real PostgreSQL for the store's tests (test_audit_pg.py, test_drafts_pg.py, test_drafts.py's PG cases).

The server is Debian's `postgresql` (`make test-tools` installs it): initdb into a temporary folder, then
pg_ctl listening on a unix socket only (no TCP port), started once per session. Without the binaries the
tests that ask for it skip, except under CI, where that is a failure.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package makes the `postgres` user for them.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A throwaway PostgreSQL server; its URL (a unix socket in a temporary folder)."""
    binaries = _binaries()
    if binaries is None:
        reason = "PostgreSQL server binaries not found under /usr/lib/postgresql (make test-tools installs them)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="formgen-pg-"))
    data, socket = folder / "data", folder / "socket"
    socket.mkdir()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in (folder, socket):
            os.chown(path, user.pw_uid, user.pw_gid)
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(_as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "formgen", "--auth=trust",
                                    "--no-sync", "-E", "UTF8"]), **run)  # type: ignore[call-overload]
    options = f"-c listen_addresses='' -c unix_socket_directories={socket} -c fsync=off -c max_connections=40"
    subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                    str(folder / "log"), "-w", "-t", "60", "start"]), **run)  # type: ignore[call-overload]
    try:
        yield f"postgresql://formgen@/postgres?host={socket}"
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def url(server: str) -> Iterator[str]:
    """A fresh database on the server for each test."""
    import psycopg

    name = f"store_{os.urandom(4).hex()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    yield server.replace("/postgres?", f"/{name}?")


