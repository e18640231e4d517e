"""Records calls to Lambda's durable callback API, on loopback, at its real paths.

Stands in for AWS's control plane where a test needs to count exactly which callbacks were
sent; end-to-end tests use the real durable runner instead.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

PREFIX = "/2025-12-01/durable-execution-callbacks/"


@dataclass
class CallbackLog:
    """What was sent, in order; ids in `closed` answer 404 like a timed-out callback."""

    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    closed: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sent(self) -> list[tuple[str, str, Any]]:
        with self.lock:
            return list(self.calls)


def serve(log: CallbackLog) -> ThreadingHTTPServer:
    """Start the recorder on an ephemeral port in a daemon thread."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            callback_id, _, kind = self.path.removeprefix(PREFIX).rpartition("/")
            callback_id = unquote(callback_id)
            status = 404 if callback_id in log.closed else 200
            if status == 200:
                body = json.loads(raw) if kind == "fail" else raw.decode()
                with log.lock:
                    log.calls.append((kind, callback_id, body))
            data = b"{}" if status == 200 else b'{"Message":"callback not found"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
