"""`formgen serve`: the Flask app under gunicorn, a production WSGI server."""

from __future__ import annotations

import ipaddress
import sys
from typing import Any

from gunicorn.app.base import BaseApplication


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
    """Why the server must not start on `host` (None when it may), and a notice when it runs open."""
    from api import create_app
    from formgen.service.auth import KeyFileError, keyring

    try:
        keys = keyring(create_app()).enabled
    except (KeyFileError, OSError) as error:
        return f"formgen: cannot read the API keys: {error}"
    if keys:
        return None
    if not is_loopback(host):
        return (f"formgen: refusing to serve on {host} without API keys. Set FORMGEN_API_KEYS_FILE "
                "(lines 'name:hash' made by `formgen keys NAME`), or serve on 127.0.0.1.")
    sys.stderr.write(f"formgen: no API keys are set, so /api is open to anyone on this machine ({host} only).\n")
    return None


def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 2) -> int:
    refusal = access_check(host)
    if refusal:
        sys.stderr.write(refusal + "\n")
        return 2
    sys.stderr.write(f"formgen: serving on http://{host}:{port} with {workers} workers\n")
    _Gunicorn({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": 60,
        "graceful_timeout": 10,
        # Templates and fonts load once in the master, then are shared by the workers.
        "preload_app": True,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # No version banner in the Server header.
        "proc_name": "formgen",
        "limit_request_line": 4094,
    }).run()
    return 0
