"""A local payment provider on loopback: idempotency-keyed charges, declines and injected faults.

`POST /charges` with an `Idempotency-Key` charges once per key (a repeat returns the first
charge); card `tok_declined` answers 402; `POST /refunds {"charge_id"}` refunds once per key.
Faults: `POST /_faults {"fail_next": N}` makes the next N charges answer 503;
`{"hang_next": N, "hang_seconds": S}` makes the next N charges record the charge, then hold the
answer for S seconds (a caller that gives up, or dies, never learns it was charged).
`GET /_charges` lists charges, refunds and attempts.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from localdev.http import JsonHandler

DECLINED_CARDS = frozenset({"tok_declined", "tok_insufficient_funds"})


class Ledger:
    """Charges by idempotency key, and how many upcoming charges should fail."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.attempts = 0
        self.fail_next = 0
        self.hang_next = 0
        self.hang_seconds = 0.0
        self._ids = itertools.count(1)

    def charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, answer = self._charge(key, body)
        with self.lock:
            hang = self.hang_next > 0 and status in (200, 201)
            if hang:
                self.hang_next -= 1
        if hang:
            time.sleep(self.hang_seconds)
        return status, answer

    def refund(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            if key in self.refunds:
                return 200, self.refunds[key]
            charge_id = body.get("charge_id")
            if not any(c["charge_id"] == charge_id for c in self.charges.values()):
                return 404, {"error": "no_such_charge"}
            refund = {"refund_id": f"re_local_{next(self._ids):06d}", "charge_id": charge_id}
            self.refunds[key] = refund
            return 201, refund

    def _charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
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

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path == "/health":
                self._send(200, {"ok": True})
            elif self.path == "/_charges":
                with ledger.lock:
                    self._send(
                        200,
                        {
                            "charges": ledger.charges,
                            "refunds": ledger.refunds,
                            "attempts": ledger.attempts,
                        },
                    )
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            raw = self.read_body()
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send(400, {"error": "invalid_json"})
                return
            key = self.headers.get("Idempotency-Key", "")
            if self.path == "/_faults":
                with ledger.lock:
                    ledger.fail_next = int(body.get("fail_next", 0))
                    ledger.hang_next = int(body.get("hang_next", 0))
                    ledger.hang_seconds = float(body.get("hang_seconds", 0))
                self._send(200, body)
            elif self.path in ("/charges", "/refunds") and not key:
                self._send(400, {"error": "idempotency_key_required"})
            elif self.path == "/charges":
                self._send(*ledger.charge(key, body))
            elif self.path == "/refunds":
                self._send(*ledger.refund(key, body))
            else:
                self._send(404, {"error": "not_found"})

        def _send(self, status: int, body: dict[str, Any]) -> None:
            self.send_json(status, body)

    return Handler


def serve(address: str, port: int) -> ThreadingHTTPServer:
    """Bind the provider (not yet serving)."""
    server = ThreadingHTTPServer((address, port), make_handler(Ledger()))
    server.daemon_threads = True
    return server
