"""Adversarial review of the order saga (review-gate): each test shows a defect and FAILS on main.

Real SDK local runner over the repo's in-memory ports, as `test_workflow.py` does.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.order import parse_order
from examples.orders.workflow import make_handler
from tests.fakes.workflow import ScriptedConditions
from tests.unit.examples.orders.conftest import SETTINGS, order

if TYPE_CHECKING:
    from tests.fakes.workflow import FakeWorld


def test_review_approvers_see_a_zero_decimal_order_at_the_amount_charged() -> None:
    # An order of 125,000 JPY: `amount_cents` is the currency's minor unit (Amount's docstring;
    # the provider charges it as such, as Stripe does), and JPY's minor unit is the yen
    # (ISO 4217 exponent 0). `format_amount` always divides by 100, so approvers are shown a
    # hundredth of what the card is charged, and the tier's limit is worded the same way.
    yen = parse_order(json.loads(order(currency="JPY", amount_cents=125_000)))
    assert yen.approval_request().amount_text == "125,000 JPY"


class ConditionsTableDown(ScriptedConditions):
    """The conditions table cannot be written (throttled past botocore's retries, or a
    misconfigured table): every `open` fails."""

    def open(self, order_id: str, kind: str) -> None:
        raise OSError("dynamodb unreachable")


def test_review_a_review_that_cannot_be_opened_refunds_the_charge(world: FakeWorld) -> None:
    # Given an order that needs a fraud review (small: approved automatically), charged, and
    # the review's item cannot be written: `await_review`'s first step ("open fraud review",
    # retries.STORE: 4 attempts) fails for good, and its StepError is caught neither there nor
    # in process_order
    world.conditions = ConditionsTableDown()
    handler = make_handler(world.dependencies(), SETTINGS)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        result = runner.run(input=order(amount_cents=500, review=True), execution_timeout=30)

    # Then the saga should undo what it did (refund, releases) and tell the operators; on main
    # the execution fails with the card charged, the holds kept and nobody told
    assert len(world.payments.charges) == 1, "the order was charged before the review"
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    assert json.loads(result.result)["undone"] == [
        "refund payment",
        "release shipping",
        "release inventory",
    ]
