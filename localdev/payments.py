"""A local payment provider on loopback: idempotency-keyed charges and refunds, a lookup by key,
declines and injected faults.

What it models, and from whose documentation:
- Idempotent requests (Stripe, https://docs.stripe.com/api/idempotent_requests and
  https://docs.stripe.com/idempotency): the first request with a key that begins executing
  saves its answer; a repeat with that key gets the saved answer and changes nothing. A request
  refused before it began executing (our 503s) saves nothing, so a retry runs anew.
- A request whose key is still being executed answers 409 `idempotency_key_in_use` (Worldline
  Direct, https://docs.direct.worldline-solutions.com/integration/api-developer-guide/
  idempotent-requests: "for requests in progress: 409 Conflict"; Stripe's error of that name).
- A timeout is an unknown outcome, settled by looking the transaction up with backoff, not by
  assuming it failed (Gr4vy, https://docs.gr4vy.com/guides/timeouts: poll `GET /transactions`
  filtered by your own identifier). Here: `GET /charges?idempotency_key=K` and
  `GET /refunds?idempotency_key=K` answer a Stripe-shaped list (`{"object": "list", "data": [...],
  "has_more": false}`), empty when nothing was done with that key, 409 while it is in progress.

Endpoints: `POST /charges` (card `tok_declined` answers 402), `POST /refunds {"charge_id"}`,
both with an `Idempotency-Key`; the two lookups above; `GET /_charges` lists charges, refunds,
keys in progress and attempts.
Faults: `POST /_faults` sets, per operation (`charges`, `refunds`, `lookups`), how the next calls
misbehave; top-level keys are the charges' (`{"fail_next": 4, "hang_next": 1,
"hang_seconds": 12}`), the others nest (`{"refunds": {"hang_next": 1, "hang_seconds": 12}}`):
- `fail_next: N`: the next N calls answer 503 before doing anything;
- `hang_next: N`: the next N calls do their work, then hold the answer `hang_seconds` (a caller
  that gives up, or dies, never learns what happened: the answer is lost);
- `settle_late_next: N` (charges, refunds): the next N calls hold the key in progress for
  `hang_seconds` and only then do their work (the provider settles after the caller gave up).
Every POST to `/_faults` replaces all faults; `{}` clears them.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from localdev.http import JsonHandler

DECLINED_CARDS = frozenset({"tok_declined", "tok_insufficient_funds"})
OPERATIONS = ("charges", "refunds", "lookups")
MAX_HANG_SECONDS = 120.0
_COUNTS = ("fail_next", "hang_next", "settle_late_next")


class FaultsError(ValueError):
    """A `/_faults` body that cannot be applied."""


@dataclass
class Faults:
    """How the next calls of one operation misbehave."""

    fail_next: int = 0
    hang_next: int = 0
    settle_late_next: int = 0
    hang_seconds: float = 0.0

    @classmethod
    def parse(cls, operation: str, body: Any) -> Faults:
        """Read one operation's faults, naming the first field that is wrong.

        Raises:
            FaultsError: not an object of small whole counts and 0-120 seconds.
        """
        if not isinstance(body, dict):
            raise FaultsError(f"{operation}: faults must be an object")
        unknown = set(body) - {*_COUNTS, "hang_seconds"}
        if unknown:
            raise FaultsError(f"{operation}: unknown fault {sorted(unknown)[0]!r}")
        if operation == "lookups" and body.get("settle_late_next"):
            raise FaultsError("lookups: settle_late_next applies to charges and refunds only")
        counts = {}
        for name in _COUNTS:
            value = body.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise FaultsError(f"{operation}.{name} must be a whole number from 0 to 100")
            counts[name] = value
        seconds = body.get("hang_seconds", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise FaultsError(f"{operation}.hang_seconds must be a number")
        if not 0 <= seconds <= MAX_HANG_SECONDS:
            raise FaultsError(f"{operation}.hang_seconds must be 0 to {MAX_HANG_SECONDS:.0f}")
        return cls(hang_seconds=float(seconds), **counts)

    def take(self, name: str) -> bool:
        """Use up one of the `name` faults, if any is left."""
        left: int = getattr(self, name)
        if left > 0:
            setattr(self, name, left - 1)
        return left > 0


def parse_faults(body: Any) -> dict[str, Faults]:
    """A `/_faults` body as faults per operation (top-level keys are the charges').

    Raises:
        FaultsError: the body is not as the module docstring describes.
    """
    if not isinstance(body, dict):
        raise FaultsError("faults must be a JSON object")
    nested = {op: body[op] for op in OPERATIONS if op in body and op != "charges"}
    charges = body.get("charges", {k: v for k, v in body.items() if k not in OPERATIONS})
    if "charges" in body and set(body) - set(OPERATIONS):
        raise FaultsError("give the charges' faults either at the top level or under 'charges'")
    return {
        op: Faults.parse(op, charges if op == "charges" else nested.get(op, {}))
        for op in OPERATIONS
    }


class Ledger:
    """Charges and refunds by idempotency key, keys in progress, and the faults to inject."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.in_progress: set[str] = set()
        self.attempts = 0
        self.faults = parse_faults({})
        self._ids = itertools.count(1)

    def set_faults(self, faults: dict[str, Faults]) -> None:
        """Replace every operation's faults."""
        with self.lock:
            self.faults = faults

    def charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Charge once per key (see the module docstring for faults)."""
        with self.lock:
            self.attempts += 1
        return self._keyed("charges", f"charge:{key}", lambda: self._charge(key, body))

    def refund(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Refund a charge in full, once per key."""
        return self._keyed("refunds", f"refund:{key}", lambda: self._refund(key, body))

    def lookup(self, kind: str, key: str) -> tuple[int, dict[str, Any]]:
        """What was done with `key`: a list of 0 or 1 objects, or 409 while in progress."""
        faults = self.faults["lookups"]
        with self.lock:
            if faults.take("fail_next"):
                return 503, {"error": "temporarily_unavailable"}
            hang, seconds = faults.take("hang_next"), faults.hang_seconds
            if f"{kind.rstrip('s')}:{key}" in self.in_progress:
                answer: tuple[int, dict[str, Any]] = (409, {"error": "idempotency_key_in_use"})
            else:
                found = (self.charges if kind == "charges" else self.refunds).get(key)
                data = [found] if found else []
                answer = (200, {"object": "list", "data": data, "has_more": False})
        if hang:
            time.sleep(seconds)
        return answer

    def _keyed(self, operation: str, marker: str, work: Any) -> tuple[int, dict[str, Any]]:
        faults = self.faults[operation]
        with self.lock:
            if faults.take("fail_next"):
                return 503, {"error": "temporarily_unavailable"}
            if marker in self.in_progress:
                return 409, {"error": "idempotency_key_in_use"}
            late, seconds = faults.take("settle_late_next"), faults.hang_seconds
            if late:
                self.in_progress.add(marker)
        if late:
            time.sleep(seconds)
        with self.lock:
            self.in_progress.discard(marker)
            status, answer = work()
            hang = status in (200, 201) and faults.take("hang_next")
        if hang:
            time.sleep(seconds)
        return status, answer

    def _charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
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

    def _refund(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if key in self.refunds:
            return 200, self.refunds[key]
        charge_id = body.get("charge_id")
        if not any(c["charge_id"] == charge_id for c in self.charges.values()):
            return 404, {"error": "no_such_charge"}
        refund = {"refund_id": f"re_local_{next(self._ids):06d}", "charge_id": charge_id}
        self.refunds[key] = refund
        return 201, refund


def make_handler(ledger: Ledger) -> type[BaseHTTPRequestHandler]:
    """The HTTP handler class bound to one ledger."""

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                self._send(200, {"ok": True})
            elif url.path == "/_charges":
                with ledger.lock:
                    self._send(
                        200,
                        {
                            "charges": ledger.charges,
                            "refunds": ledger.refunds,
                            "in_progress": sorted(ledger.in_progress),
                            "attempts": ledger.attempts,
                        },
                    )
            elif url.path in ("/charges", "/refunds"):
                keys = parse_qs(url.query).get("idempotency_key", [])
                if len(keys) != 1 or not keys[0]:
                    self._send(400, {"error": "idempotency_key_required"})
                else:
                    self._send(*ledger.lookup(url.path.lstrip("/"), keys[0]))
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
                try:
                    ledger.set_faults(parse_faults(body))
                except FaultsError as err:
                    self._send(400, {"error": "invalid_faults", "message": str(err)})
                    return
                self._send(200, body)
            elif self.path in ("/charges", "/refunds") and not key:
                self._send(400, {"error": "idempotency_key_required"})
            elif not isinstance(body, dict):
                self._send(400, {"error": "invalid_request"})
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
