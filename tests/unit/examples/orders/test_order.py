"""An order event is refused naming the event's own field, whatever layer checks it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from examples.orders.order import execution_name, parse_order
from greenlight.core import Amount, InvalidRequestError
from tests.unit.examples.orders.conftest import SETTINGS, order


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"currency": "euros"}, "invalid currency: must be a three-letter ISO code like EUR"),
        ({"amount_cents": -5}, "invalid amount_cents: must not be negative"),
        ({"requester_id": "alice"}, "invalid requester_id: must be a Slack user id like U0123ABCD"),
        ({"card": "4242424242424242"}, "invalid card: must be a payment token like tok_visa"),
        ({"sensitive": "yes"}, "invalid sensitive: must be true or false"),
    ],
)
def test_a_bad_order_is_refused_naming_the_event_field(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        parse_order(json.loads(order(**changes)))

    assert str(refused.value) == message


def test_the_approval_request_carries_the_amount_reference_and_context() -> None:
    request = parse_order(json.loads(order())).approval_request()

    assert (request.amount, request.reference) == (Amount(125_000, "EUR"), "ord-1001")
    assert request.context == {"order_id": "ord-1001"}


def test_a_sensitive_order_asks_for_a_sensitive_approval() -> None:
    assert parse_order(json.loads(order())).approval_request().sensitive is False
    marked = json.loads(order()) | {"sensitive": True}
    assert parse_order(marked).approval_request().sensitive is True


def test_every_order_id_it_accepts_names_an_execution_lambda_accepts() -> None:
    longest = parse_order(json.loads(order(order_id="o" * 58))).order_id

    assert execution_name(longest) == "order-" + "o" * 58
    assert len(execution_name(longest)) == 64  # Lambda's DurableExecutionName allows 64
    with pytest.raises(InvalidRequestError, match="order_id"):
        parse_order(json.loads(order(order_id="o" * 59)))


def test_the_readmes_sample_order_is_a_valid_order() -> None:
    sample = Path(__file__).resolve().parents[4] / "examples" / "orders" / "sample-order.json"

    parsed = parse_order(json.loads(sample.read_text()))

    assert (parsed.order_id, parsed.requester_id) == ("ord-1001", "U0ALICE")


def test_approvers_see_a_zero_decimal_order_at_the_amount_charged() -> None:
    # An order of 125,000 JPY: `amount_cents` is the currency's minor unit (Amount's docstring;
    # the provider charges it as such, as Stripe does), and JPY's minor unit is the yen
    # (ISO 4217 exponent 0). Found by review-gate: it was shown as 1,250.00 JPY.
    yen = parse_order(json.loads(order(currency="JPY", amount_cents=125_000)))
    assert yen.approval_request().amount_text == "125,000 JPY"


def test_with_tiers_an_order_in_another_currency_is_refused_naming_the_event_field() -> None:
    # The tiers (SETTINGS) are stated in EUR; a yen order cannot be priced against them
    event = json.loads(order(currency="JPY", amount_cents=5_000))
    assert parse_order(event).currency == "JPY"  # a valid order on its own

    with pytest.raises(InvalidRequestError) as refused:
        parse_order(event, SETTINGS.tiers)

    assert refused.value.field == "currency"
    assert str(refused.value).startswith(
        "invalid currency: 5,000 JPY is in JPY, but these tiers are stated in EUR"
    )
    assert parse_order(json.loads(order()), SETTINGS.tiers).currency == "EUR"
