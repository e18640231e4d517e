"""A local payment provider on loopback: idempotency-keyed charges, declines and injected faults.

`POST /charges` with an `Idempotency-Key` charges once per key (a repeat returns the first
charge); card `tok_declined` answers 402; `POST /_faults {"fail_next": N}` makes the next N
charges answer 503. `GET /_charges` lists what was charged.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DECLINED_CARDS = frozenset({"tok_declined", "tok_insufficient_funds"})


class Ledger:
    """Charges by idempotency key, and how many upcoming charges should fail."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.charges: dict[str, dict[str, Any]] = {}
        self.attempts = 0
        self.fail_next = 0
        self._ids = itertools.count(1)

    def charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.attempts += 1
            if self.fail_next > 0:
                self.fail_next -= 1
                return 503, {"error": "temporarily_unavailable"}
            if key in self.charges:
                return 200, self.charges[key]
            if body.get("card") in DECLINED_CARDS:
                return 402, {"error": "card_declined", "code": "card_declined"}
            amount, currency = body.get("amount_cents"), body.get("currency")
            if not isinstance(amount, int) or amount <= 0 or not isinstance(currency, str):
                return 400, {"error": "invalid_request"}
            charge = {
                "charge_id": f"ch_local_{next(self._ids):06d}",
                "amount_cents": amount,
                "currency": currency,
                "status": "succeeded",
            }
            self.charges[key] = charge
            return 201, charge


def make_handler(ledger: Ledger) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one ledger."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"ok": True})
            elif self.path == "/_charges":
                with ledger.lock:
                    self._send(200, {"charges": ledger.charges, "attempts": ledger.attempts})
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send(400, {"error": "invalid_json"})
                return
            if self.path == "/_faults" and isinstance(body.get("fail_next"), int):
                with ledger.lock:
                    ledger.fail_next = body["fail_next"]
                self._send(200, {"fail_next": body["fail_next"]})
            elif self.path == "/charges":
                key = self.headers.get("Idempotency-Key", "")
                if not key:
                    self._send(400, {"error": "idempotency_key_required"})
                else:
                    self._send(*ledger.charge(key, body))
            else:
                self._send(404, {"error": "not_found"})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def serve(address: str, port: int) -> ThreadingHTTPServer:
    """Bind the provider (not yet serving)."""
    server = ThreadingHTTPServer((address, port), make_handler(Ledger()))
    server.daemon_threads = True
    return server
