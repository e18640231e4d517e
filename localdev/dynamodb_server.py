"""moto in server mode, with each request applied atomically, as DynamoDB applies them.

moto's own server runs requests on parallel threads, and its conditional writes and
transactions check then write without a lock: two racing writers can both pass a condition
that DynamoDB would let only one pass. Our race tests need the real guarantee, so this server
applies one request at a time (connections are still served concurrently).
`python -m localdev.dynamodb_server --host 127.0.0.1 --port 5055`.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from werkzeug.serving import BaseWSGIServer


class QuietHandler(MotoRequestHandler):
    """moto's request handler without a log line per request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Quiet: one line per DynamoDB call would drown the stack's logs."""


class AtomicApp:
    """A WSGI app that runs one request at a time, fully, before the next."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


class DynamoDBServer:
    """moto's backends behind `AtomicApp`, on a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = AtomicApp(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """`http://host:port` of the running server."""
        host, port = self._server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else host
        return f"http://{name}:{port}"

    def start(self) -> DynamoDBServer:
        """Serve in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.shutdown()
        self._thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until SIGTERM."""
    parser = argparse.ArgumentParser(description="moto, one request at a time")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    server = DynamoDBServer(args.host, args.port).start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
