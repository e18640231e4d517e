"""Records calls to Lambda's durable callback API, on loopback, at its real paths.

Stands in for AWS's control plane where a test needs to count exactly which callbacks were
sent; end-to-end tests use the real durable runner (behind the local host) instead. A closed
callback is refused as Lambda refuses it: `CallbackTimeoutException`, with the status and body
botocore's Lambda model gives that error (`localdev.lambda_model.error`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from localdev.http import JsonHandler
from localdev.lambda_model import error

PREFIX = "/2025-12-01/durable-execution-callbacks/"


@dataclass
class CallbackLog:
    """What was sent, in order; ids in `closed` answer 404 like a timed-out callback.

    A callback closes once it is answered, as Lambda's does: a second send gets
    CallbackTimeoutException ("already been closed", botocore's Lambda model).
    """

    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    closed: set[str] = field(default_factory=set)  # answered CallbackTimeoutException
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self) -> list[tuple[str, str, Any]]:
        with self.lock:
            return list(self.calls)


def serve(log: CallbackLog) -> ThreadingHTTPServer:
    """Start the recorder on an ephemeral port in a daemon thread."""

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            raw = self.read_body()
            callback_id, _, kind = self.path.removeprefix(PREFIX).rpartition("/")
            callback_id = unquote(callback_id)
            body = json.loads(raw) if kind == "fail" else raw.decode()
            with log.lock:  # check and close as one: two racing sends cannot both be taken
                closed = callback_id in log.closed
                if not closed:
                    log.calls.append((kind, callback_id, body))
                    if kind in ("succeed", "fail"):
                        log.closed.add(callback_id)
            if closed:
                refused = error("CallbackTimeoutException", "the callback is closed")
                self.send_bytes(refused.status, "application/json", refused.body, refused.headers)
                return
            self.send_json(200, {})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
