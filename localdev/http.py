"""What the local stack's small HTTP servers share: quiet logs, no Nagle delay, JSON replies."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler base that answers JSON quickly and logs nothing (no payloads, ever)."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # Without this every small response waits ~40 ms for the client's delayed ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # stdlib name
        """Quiet: request lines carry nothing useful, and bodies must never reach a log."""

    def read_body(self) -> bytes:
        """The request body (Content-Length bytes)."""
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """A JSON reply (`None` sends an empty body)."""
        data = b"" if body is None else json.dumps(body).encode()
        self.send_bytes(status, "application/json; charset=utf-8", data, headers)

    def send_bytes(
        self, status: int, content_type: str, data: bytes, headers: dict[str, str] | None = None
    ) -> None:
        """Any reply, uncached."""
        self.send_response(status)
        for key, value in (
            {"Content-Type": content_type, "Cache-Control": "no-store"} | (headers or {})
        ).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
