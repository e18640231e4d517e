"""The order workflow on the SDK's test runner: each path from start to result."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.ports import Charge
from examples.orders.workflow import make_handler
from greenlight.core.audit import AuditKind
from greenlight.core.ladder import Ladder
from greenlight.core.policy import Tier
from greenlight.core.votes import Status, Verdict
from tests.fakes.workflow import RecordingReservations
from tests.unit.examples.orders.conftest import SETTINGS, Harness, order

if TYPE_CHECKING:
    from tests.fakes.workflow import FakeWorld


def payload(result: Any) -> dict[str, Any]:
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    data: dict[str, Any] = json.loads(result.result)
    return data


def test_order_completes_when_an_approver_approves(harness: Harness, world: FakeWorld) -> None:
    # Given an order above the auto-approve threshold, suspended on its approval
    arn = harness.start(order())
    harness.wait_for_request(arn)
    assert [r.request.reference for r in world.notifier.posts] == ["ord-1001"]
    assert world.payments.attempts == 0

    # When a listed approver approves
    harness.vote("U0BOB", Verdict.APPROVE)

    # Then the order is charged once and the requester is told who approved
    result = payload(harness.result(arn))
    assert result["status"] == "completed"
    assert [d["user_id"] for d in result["approval"]["deciders"]] == ["U0BOB"]
    assert result["charge"]["charge_id"] == "ch_1"
    assert list(world.payments.charges) == ["ord-1001"]
    assert world.notifier.notices == [
        ("U0ALICE", "order ord-1001 was approved by <@U0BOB> and charged (ch_1).")
    ]


def test_rejection_ends_the_order_with_who_and_why(harness: Harness, world: FakeWorld) -> None:
    arn = harness.start(order())
    harness.wait_for_request(arn)

    harness.vote("U0CAROL", Verdict.REJECT, "customer is over their credit limit")

    result = payload(harness.result(arn))
    assert result["status"] == "rejected"
    assert result["approval"]["reason"] == "customer is over their credit limit"
    assert [d["user_id"] for d in result["approval"]["deciders"]] == ["U0CAROL"]
    assert result["undone"] == ["release shipping", "release inventory"]
    assert sorted(world.reservations.log[:2]) == ["reserve inventory", "reserve shipping"]
    assert world.reservations.log[2:] == ["release shipping", "release inventory"]
    assert world.payments.attempts == 0


def test_small_order_is_approved_automatically_with_its_reason(
    harness: Harness, world: FakeWorld
) -> None:
    result = payload(harness.result(harness.start(order(amount_cents=5_000))))

    assert result["status"] == "completed"
    assert result["approval"]["automatic"] is True
    assert result["approval"]["reason"] == "50.00 EUR is below 100.00 EUR"
    assert world.notifier.posts == []
    assert world.approvals.records == {}


def test_a_sensitive_small_order_is_put_to_a_person_not_approved_automatically(
    harness: Harness, world: FakeWorld
) -> None:
    # Given a sensitive order below the auto-approval threshold (found by review-gate: it was
    # handed an AutoApprove the gate refuses, and the run failed with its holds kept)
    arn = harness.start(order(amount_cents=5_000, sensitive=True))
    harness.wait_for_request(arn)

    # Then it is posted for one approver to confirm, and the approver's verdict decides it
    record = world.approvals.only()
    assert (record.request.sensitive, record.policy.quorum) == (True, 1)
    assert len(world.notifier.posts) == 1
    harness.vote("U0BOB", Verdict.REJECT, "not this customer")
    result = payload(harness.result(arn))
    assert (result["status"], result["approval"]["automatic"]) == ("rejected", False)
    assert result["undone"] == ["release shipping", "release inventory"]


def test_a_request_the_gate_refuses_releases_the_holds_and_tells_operators(
    world: FakeWorld,
) -> None:
    # Given a gate that refuses the policy before any durable operation (`check_fits`: the
    # tier's ladder expires after 3600 s, the function's executions time out after 600 s)
    greenlight = dataclasses.replace(world.greenlight(), execution_timeout=600)
    deps = dataclasses.replace(world.dependencies(), approvals=greenlight)
    handler = make_handler(deps, SETTINGS)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        result = runner.run(input=order(), execution_timeout=30)

    # Then the run ends as any failure to ask does: holds released, operators alerted
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    ended = payload(result)
    assert ended["status"] == "approval_failed"
    assert ended["error"]["type"] == "InvalidRequestError"
    assert ended["undone"] == ["release shipping", "release inventory"]
    assert all(hold["status"] == "released" for hold in world.reservations.held.values())
    assert [subject for subject, _ in world.alerts.sent] == [
        "Greenlight: order ord-1001 approval_failed"
    ]
    assert world.notifier.posts == []
    assert world.payments.attempts == 0


@pytest.mark.parametrize(
    ("currency", "amount_cents", "shown"),
    [
        ("JPY", 5_000, "5,000 JPY"),  # below the auto-approve number (10,000): not approved
        ("KWD", 99_999, "99.999 KWD"),  # a three-decimal currency, between the numbers
        ("USD", 2_000_000, "20,000.00 USD"),  # above the dual number: not given two approvers
    ],
)
def test_an_order_in_another_currency_than_the_tiers_is_refused_as_invalid_before_any_hold(
    harness: Harness, world: FakeWorld, currency: str, amount_cents: int, shown: str
) -> None:
    # Given tiers stated in EUR (SETTINGS) and an order in another currency (found by review:
    # the EUR thresholds were compared with any currency's minor units, so 5,000 JPY was
    # approved automatically "below 10,000 JPY", a limit no one configured; later it was
    # refused only at the approval, after stock and shipping had been held)
    result = harness.result(harness.start(order(currency=currency, amount_cents=amount_cents)))

    # Then the order is refused where it is validated, as any invalid order is: the execution
    # fails naming the field and both currencies, and nothing is held, charged or asked
    assert result.status is InvocationStatus.FAILED
    assert result.error.type.endswith("StepError")
    assert result.error.message.startswith(f"invalid currency: {shown} is in {currency}")
    assert "stated in EUR" in result.error.message
    assert world.reservations.log == []
    assert world.reservations.held == {}
    assert world.payments.attempts == 0
    assert world.approvals.records == {}
    assert world.notifier.posts == []
    assert world.alerts.sent == []
    events = harness.runner.get_execution_history(harness.last_arn).events
    assert {e.name for e in events if e.event_type == "StepStarted"} == {"validate order"}


def test_an_order_in_the_tiers_currency_at_any_amount_still_passes_validation(
    harness: Harness, world: FakeWorld
) -> None:
    # The currency check refuses other currencies only: a EUR order below the auto-approve
    # number goes on to be reserved and approved automatically
    result = payload(harness.result(harness.start(order(amount_cents=5_000))))

    assert result["status"] == "completed"
    assert world.reservations.log[:2] in (
        ["reserve inventory", "reserve shipping"],
        ["reserve shipping", "reserve inventory"],
    )


def test_two_approvers_are_needed_above_the_dual_threshold(
    harness: Harness, world: FakeWorld
) -> None:
    arn = harness.start(order(amount_cents=2_000_000))
    harness.wait_for_request(arn)

    harness.vote("U0BOB", Verdict.APPROVE)
    assert world.approvals.only().status is Status.PENDING
    harness.vote("U0DAVE", Verdict.APPROVE)

    result = payload(harness.result(arn))
    assert sorted(d["user_id"] for d in result["approval"]["deciders"]) == ["U0BOB", "U0DAVE"]


def test_payment_is_retried_with_backoff_then_succeeds(harness: Harness, world: FakeWorld) -> None:
    world.payments.unavailable = 2
    arn = harness.start(order())
    harness.wait_for_request(arn)
    harness.vote("U0BOB", Verdict.APPROVE)

    result = payload(harness.result(arn))

    assert result["status"] == "completed"
    assert world.payments.attempts == 3
    assert len(world.payments.charges) == 1
    events = harness.runner.get_execution_history(arn).events
    charge_attempts = [
        e for e in events if e.name == "charge payment" and e.event_type == "StepStarted"
    ]
    assert len(charge_attempts) == 3


def test_declined_card_is_not_retried_and_inventory_is_released(
    harness: Harness, world: FakeWorld
) -> None:
    world.payments.decline = True
    arn = harness.start(order())
    harness.wait_for_request(arn)
    harness.vote("U0BOB", Verdict.APPROVE)

    result = payload(harness.result(arn))

    assert result["status"] == "payment_failed"
    assert result["error"]["type"] == "examples.orders.ports.PaymentDeclinedError"
    assert world.payments.attempts == 1
    assert result["done"] == ["reserve inventory", "reserve shipping"]
    assert result["undone"] == ["release shipping", "release inventory"]
    assert world.reservations.log[-2:] == ["release shipping", "release inventory"]
    assert [subject for subject, _ in world.alerts.sent] == [
        "Greenlight: order ord-1001 payment_failed"
    ]


def test_malformed_order_fails_fast_and_reserves_nothing(
    harness: Harness, world: FakeWorld
) -> None:
    result = harness.result(harness.start(order(amount_cents="lots")))

    assert result.status is InvocationStatus.FAILED
    assert result.error.type.endswith("StepError")
    assert result.error.message == "invalid amount_cents: is required and must be a whole number"
    assert world.reservations.log == []
    assert world.notifier.posts == []


def test_replays_and_a_failed_post_never_post_twice(harness: Harness, world: FakeWorld) -> None:
    # Given Slack fails the first post, so the post step is retried
    world.notifier.fail_posts = 1
    arn = harness.start(order())
    harness.wait_for_request(arn)

    # When the workflow is resumed (the whole handler replays from its checkpoints)
    harness.vote("U0BOB", Verdict.APPROVE)
    payload(harness.result(arn))

    # Then exactly one message and one record exist
    assert len(world.notifier.posts) == 1
    assert len(world.approvals.records) == 1


def test_unanswered_request_expires_and_releases_inventory(world: FakeWorld) -> None:
    # Callback timeouts are real time even with skip_time, so this one waits ~1 s.
    tiers = dataclasses.replace(SETTINGS.tiers, ladders={Tier.SINGLE: Ladder(1)})
    settings = dataclasses.replace(SETTINGS, tiers=tiers)
    handler = make_handler(world.dependencies(), settings)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        result = payload(runner.run(input=order(), execution_timeout=30))

    assert result["status"] == "expired"
    assert world.approvals.only().status is Status.EXPIRED
    assert [r.status for r in world.notifier.updates] == [Status.EXPIRED]
    assert world.reservations.log[-2:] == ["release shipping", "release inventory"]


def test_when_slack_never_takes_the_request_the_order_is_undone_and_operators_told(
    harness: Harness, world: FakeWorld
) -> None:
    # Given Slack refuses every post, past the post step's retries
    world.notifier.fail_posts = 100

    result = payload(harness.result(harness.start(order())))

    # Then nothing is charged, the holds are released, and operators hear of it
    assert result["status"] == "approval_failed"
    assert result["undone"] == ["release shipping", "release inventory"]
    assert world.payments.attempts == 0
    assert world.notifier.posts == []
    assert [subject for subject, _ in world.alerts.sent] == [
        "Greenlight: order ord-1001 approval_failed"
    ]
    # And the stored request is closed, not left pending without a message
    record = world.approvals.only()
    assert (record.status, record.reason, record.slack) == (
        Status.EXPIRED,
        "the request could not be posted",
        None,
    )
    assert [e.kind for e in world.approvals.audit] == [AuditKind.REQUESTED, AuditKind.EXPIRED]


def test_the_charge_is_the_orders_amount_in_its_currency_once(
    harness: Harness, world: FakeWorld
) -> None:
    # Given an order of 1,250.00 EUR, approved
    arn = harness.start(order(amount_cents=125_000, currency="EUR"))
    harness.wait_for_request(arn)
    harness.vote("U0BOB", Verdict.APPROVE)

    result = payload(harness.result(arn))

    # Then exactly that is charged, under the order's idempotency key, and reported
    assert world.payments.charges == {"ord-1001": Charge("ch_1", 125_000, "EUR")}
    assert result["charge"] == {"charge_id": "ch_1", "amount_cents": 125_000}


@dataclasses.dataclass
class StuckReleases(RecordingReservations):
    """Reservations whose inventory hold can no longer be released (its table is gone)."""

    def release(self, kind: str, order_id: str) -> bool:
        if kind == "inventory":
            raise RuntimeError("ResourceNotFoundException: reservations table not found")
        return super().release(kind, order_id)


def test_a_rejection_whose_release_fails_alerts_operators_with_what_is_still_held(
    world: FakeWorld,
) -> None:
    # Given an inventory hold that cannot be released (every retry fails)
    world.reservations = StuckReleases()
    handler = make_handler(world.dependencies(), SETTINGS)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        harness = Harness(runner, world)
        arn = harness.start(order())
        harness.wait_for_request(arn)

        # When an approver rejects (a rejection alone alerts no one)
        harness.vote("U0CAROL", Verdict.REJECT, "over the credit limit")
        result = payload(harness.result(arn))

    # Then the order ends rejected, says what is NOT undone, and operators are told
    assert result["status"] == "rejected"
    assert result["undone"] == ["release shipping"]
    assert result["undo_failed"] == ["release inventory"]
    ((subject, message),) = world.alerts.sent
    assert subject == "Greenlight: order ord-1001 rejected"
    assert "NOT undone: release inventory" in message
