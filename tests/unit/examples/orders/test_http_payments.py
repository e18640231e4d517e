"""How the payment gateway reads each provider answer, over real HTTP on 127.0.0.1.

The statuses are the provider's (modelled on Stripe's, https://docs.stripe.com/api/errors: 402
"the parameters were valid but the request failed" - a declined card; 409 "the request
conflicts with another request (perhaps due to using the same idempotent key)"; 429 "too many
requests hit the API too quickly. We recommend an exponential backoff of your requests"; 5xx
"something went wrong on Stripe's end"). What is read as unavailable is retried by
`retries.PAYMENT`/`REFUND`; a decline or a refused request never is.
"""

from __future__ import annotations

import json
import threading
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from examples.orders import retries
from examples.orders.http_payments import HttpPaymentGateway
from examples.orders.ports import (
    PaymentDeclinedError,
    PaymentRefusedError,
    PaymentUnavailableError,
)
from localdev.http import JsonHandler

if TYPE_CHECKING:
    from collections.abc import Iterator


class Provider:
    """What the canned provider answers next, and what it was sent."""

    def __init__(self) -> None:
        self.status = 200
        self.body: dict[str, Any] = {}
        self.seen: list[tuple[str, str | None, Any]] = []


@pytest.fixture
def provider() -> Iterator[tuple[str, Provider]]:
    state = Provider()

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.read_body())
            state.seen.append((self.path, self.headers.get("Idempotency-Key"), body))
            self.send_json(state.status, state.body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", state
    server.shutdown()


def test_a_charge_sends_the_amount_currency_and_card_under_the_idempotency_key(
    provider: tuple[str, Provider],
) -> None:
    url, state = provider
    state.status = 201
    state.body = {"charge_id": "ch_1", "amount_cents": 125_000, "currency": "EUR"}

    charge = HttpPaymentGateway(url).charge("ord-1001", 125_000, "EUR", "tok_visa")

    assert (charge.charge_id, charge.amount_cents, charge.currency) == ("ch_1", 125_000, "EUR")
    assert state.seen == [
        ("/charges", "ord-1001", {"amount_cents": 125_000, "currency": "EUR", "card": "tok_visa"})
    ]


@pytest.mark.parametrize("status", [409, 429, 500, 503])
def test_a_busy_or_failing_provider_is_unavailable_and_retried(
    provider: tuple[str, Provider], status: int
) -> None:
    url, state = provider
    state.status = status

    with pytest.raises(PaymentUnavailableError) as raised:
        HttpPaymentGateway(url).charge("ord-1001", 125_000, "EUR", "tok_visa")

    assert retries.PAYMENT.retry_strategy is not None
    assert retries.PAYMENT.retry_strategy(raised.value, 1).should_retry
    with pytest.raises(PaymentUnavailableError):
        HttpPaymentGateway(url).refund("refund-ord-1001", "ch_1")


@pytest.mark.parametrize("status", [400, 401, 404])
def test_a_refused_request_is_refused_and_not_retried(
    provider: tuple[str, Provider], status: int
) -> None:
    url, state = provider
    state.status = status

    with pytest.raises(PaymentRefusedError, match=str(status)) as raised:
        HttpPaymentGateway(url).refund("refund-ord-1001", "ch_1")

    assert retries.REFUND.retry_strategy is not None
    assert not retries.REFUND.retry_strategy(raised.value, 1).should_retry


def test_a_declined_card_names_the_providers_code(provider: tuple[str, Provider]) -> None:
    url, state = provider
    state.status = 402
    state.body = {"code": "insufficient_funds"}

    with pytest.raises(PaymentDeclinedError, match="insufficient_funds"):
        HttpPaymentGateway(url).charge("ord-1001", 125_000, "EUR", "tok_visa")
