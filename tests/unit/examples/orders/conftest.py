"""Runs the real workflow on the SDK's in-memory test runner, over in-memory ports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.settings import PollPlan, Settings
from examples.orders.workflow import make_handler
from greenlight.core import Channel, Ladder, Tier, Tiers
from greenlight.core.outcome import decision_payload
from greenlight.core.votes import Verdict, Vote, VoteEffect
from tests.fakes.workflow import FakeWorld

if TYPE_CHECKING:
    from collections.abc import Iterator

APPROVERS = frozenset({"U0BOB", "U0CAROL", "U0DAVE"})
SETTINGS = Settings(
    reservations_table="reservations",
    conditions_table="conditions",
    alert_topic_arn="arn:aws:sns:us-east-1:123456789012:greenlight-alerts",
    route=Channel("C0APPROVALS"),
    payment_url="http://127.0.0.1:9/",
    tiers=Tiers(
        auto_approve_below_cents=10_000,
        dual_approval_above_cents=1_000_000,
        currency="EUR",
        approvers=APPROVERS,
        ladders={Tier.SINGLE: Ladder(3600), Tier.DUAL: Ladder(3600)},
    ),
    review_wait=PollPlan(first_seconds=5, max_seconds=60, max_polls=5),
)


def order(**overrides: Any) -> str:
    """A valid order event as JSON, needing one human approver unless overridden."""
    event: dict[str, Any] = {
        "order_id": "ord-1001",
        "requester_id": "U0ALICE",
        "customer": "Acme GmbH",
        "amount_cents": 125_000,
        "currency": "EUR",
        "card": "tok_visa",
        "items": [{"sku": "SKU-CHAIR", "quantity": 4}],
    }
    return json.dumps(event | overrides)


class Harness:
    """Drives one execution the way Slack and the webhook would."""

    def __init__(self, runner: DurableFunctionTestRunner, world: FakeWorld) -> None:
        self.runner = runner
        self.world = world
        self.last_arn = ""

    def start(self, event: str) -> str:
        self.last_arn = str(self.runner.run_async(input=event, execution_timeout=60))
        return self.last_arn

    def wait_for_request(self, arn: str) -> None:
        self.runner.wait_for_callback(arn, timeout=30)

    def vote(self, user_id: str, verdict: Verdict, reason: str | None = None) -> None:
        """Record a vote as the webhook does and, if it decides, resume the workflow (every
        verdict as a success callback carrying it)."""
        store = self.world.approvals
        record = store.only()
        after, effect = store.record_vote(
            record.approval_id,
            Vote(user_id, verdict, record.created_at, reason),  # while it is open
        )
        if effect is not VoteEffect.DECIDED:
            return
        self.runner.send_callback_success(after.callback_id, decision_payload(after))

    def result(self, arn: str) -> Any:
        return self.runner.wait_for_result(arn, timeout=60)


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def harness(world: FakeWorld) -> Iterator[Harness]:
    handler = make_handler(world.dependencies(), SETTINGS)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        yield Harness(runner, world)
