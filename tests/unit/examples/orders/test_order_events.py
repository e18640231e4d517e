"""Order events to executions: the name comes from the order id; anything else is refused."""

from __future__ import annotations

from typing import Any

import pytest

from examples.orders.order_events import to_start
from greenlight.core.errors import InvalidRequestError

ORDER = {
    "order_id": "ord-77",
    "requester_id": "U0ALICE",
    "customer": "Acme",
    "amount_cents": 125_000,
    "currency": "EUR",
    "card": "tok_visa",
    "items": [{"sku": "SKU-1", "quantity": 1}],
}


def event(**overrides: Any) -> dict[str, Any]:
    return {
        "source": "greenlight.orders",
        "detail-type": "OrderCreated",
        "detail": ORDER,
    } | overrides


def test_an_order_event_names_its_execution_after_the_order() -> None:
    request = to_start(event(), "greenlight.orders", "OrderCreated")

    assert request.execution_name == "order-ord-77"
    assert request.order["amount_cents"] == 125_000
    assert (
        to_start(event(), "greenlight.orders", "OrderCreated") == request
    )  # redelivery: same name


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (event(source="someone.else"), "source"),
        (event(**{"detail-type": "OrderShipped"}), "detail-type"),
        (event(detail="not an object"), "order"),
        (event(detail=ORDER | {"amount_cents": "12"}), "amount_cents"),
        ([1, 2], "event"),
    ],
)
def test_other_events_and_bad_orders_are_refused(bad: Any, field: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        to_start(bad, "greenlight.orders", "OrderCreated")

    assert caught.value.field == field
