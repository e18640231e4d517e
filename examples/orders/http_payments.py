"""The PaymentGateway port over a payment provider's HTTP API (idempotency-keyed charges).

The provider's contract (modelled by `localdev/payments.py`, after Stripe's idempotent requests):
a repeat with a key returns the first answer; a key still being executed answers 409; and
`GET /charges?idempotency_key=K` says what was done with a key, so an unknown outcome is
settled by asking, never guessed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from examples.orders.ports import (
    Charge,
    PaymentDeclinedError,
    PaymentRefusedError,
    PaymentUnavailableError,
)

TIMEOUT_SECONDS = 10
HTTP_PAYMENT_REQUIRED = 402
HTTP_CONFLICT = 409
HTTP_TOO_MANY_REQUESTS = 429
HTTP_CLIENT_ERRORS = range(400, 500)


class HttpPaymentGateway:
    """POST {base}/charges with an `Idempotency-Key`: the provider charges a key once."""

    def __init__(self, base_url: str, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("payment URL must be http(s)")
        self._base = base_url.rstrip("/")
        self._timeout = timeout_seconds

    def charge(self, idempotency_key: str, amount_cents: int, currency: str, card: str) -> Charge:
        """Charge once per key.

        Raises:
            PaymentDeclinedError: the provider refused the card (402).
            PaymentUnavailableError: timeouts, connection errors, 5xx, 429, and 409 (the key
                is still in progress: its outcome is not known yet).
            PaymentRefusedError: any other 4xx: the request itself was refused.
        """
        body = {"amount_cents": amount_cents, "currency": currency, "card": card}
        return _charge(self._send("/charges", idempotency_key, body))

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The charge that took money under this key, or None when the provider says none did.

        A charge recorded as `failed` (a decline) took nothing; one in any other state than
        `succeeded` (e.g. `pending`) is not settled yet.

        Raises:
            PaymentUnavailableError: the provider could not answer, or the key (or its charge)
                is still in progress: the outcome is not settled, so it must not be read as None.
        """
        query = urllib.parse.urlencode({"idempotency_key": idempotency_key})
        found = self._send(f"/charges?{query}", None, None)["data"]
        if not found or found[0].get("status", "succeeded") == "failed":
            return None
        if found[0].get("status", "succeeded") != "succeeded":
            raise PaymentUnavailableError("payment provider: charge not settled yet")
        return _charge(found[0])

    def refund(self, idempotency_key: str, charge_id: str) -> str:
        """Refund a charge in full, once per key.

        Raises:
            PaymentUnavailableError: the provider could not be reached or failed.
            PaymentRefusedError: it refused the refund itself (an unknown charge, say).
        """
        data = self._send("/refunds", idempotency_key, {"charge_id": charge_id})
        return str(data["refund_id"])

    def _send(
        self, path: str, idempotency_key: str | None, body: dict[str, Any] | None
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(  # noqa: S310  # scheme checked in __init__
            self._base + path,
            data=None if body is None else json.dumps(body).encode(),
            method="GET" if body is None else "POST",
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                data: dict[str, Any] = json.loads(response.read())
                return data
        except urllib.error.HTTPError as err:
            if err.code == HTTP_PAYMENT_REQUIRED:
                raise PaymentDeclinedError(_decline_code(err)) from err
            if err.code == HTTP_CONFLICT:
                raise PaymentUnavailableError(
                    "payment provider: request still in progress"
                ) from err
            if err.code in HTTP_CLIENT_ERRORS and err.code != HTTP_TOO_MANY_REQUESTS:
                # Hours of retries (the refund's budget) cannot change a refusal of the request
                raise PaymentRefusedError(f"payment provider refused: {err.code}") from err
            raise PaymentUnavailableError(f"payment provider answered {err.code}") from err
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise PaymentUnavailableError("payment provider unreachable") from err


def _charge(data: dict[str, Any]) -> Charge:
    return Charge(str(data["charge_id"]), int(data["amount_cents"]), str(data["currency"]))


def _decline_code(err: urllib.error.HTTPError) -> str:
    try:
        return str(json.loads(err.read()).get("code", "card_declined"))
    except ValueError:
        return "card_declined"
