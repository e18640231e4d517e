"""The PaymentGateway port over a payment provider's HTTP API (idempotency-keyed charges)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from durable_fn.ports import Charge, PaymentDeclinedError, PaymentUnavailableError

TIMEOUT_SECONDS = 10
HTTP_PAYMENT_REQUIRED = 402


class HttpPaymentGateway:
    """POST {base}/charges with an `Idempotency-Key`: the provider charges a key once."""

    def __init__(self, base_url: str) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("payment URL must be http(s)")
        self._base = base_url.rstrip("/")

    def charge(self, idempotency_key: str, amount_cents: int, currency: str, card: str) -> Charge:
        """Charge once per key.

        Raises:
            PaymentDeclinedError: the provider refused the card (402).
            PaymentUnavailableError: timeouts, connection errors and 5xx.
        """
        body = {"amount_cents": amount_cents, "currency": currency, "card": card}
        data = self._post("/charges", idempotency_key, body)
        return Charge(str(data["charge_id"]), int(data["amount_cents"]), str(data["currency"]))

    def refund(self, idempotency_key: str, charge_id: str) -> str:
        """Refund a charge in full, once per key.

        Raises:
            PaymentUnavailableError: the provider could not be reached or failed.
        """
        data = self._post("/refunds", idempotency_key, {"charge_id": charge_id})
        return str(data["refund_id"])

    def _post(self, path: str, idempotency_key: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310  # scheme checked in __init__
            self._base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": idempotency_key},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                data: dict[str, Any] = json.loads(response.read())
                return data
        except urllib.error.HTTPError as err:
            if err.code == HTTP_PAYMENT_REQUIRED:
                raise PaymentDeclinedError(_decline_code(err)) from err
            raise PaymentUnavailableError(f"payment provider answered {err.code}") from err
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise PaymentUnavailableError("payment provider unreachable") from err


def _decline_code(err: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(err.read()).get("code", "card_declined"))
    except ValueError:
        return "card_declined"
