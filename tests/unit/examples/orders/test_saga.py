"""The order saga: compensation in reverse, idempotent undos, and the fraud-review wait."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.workflow import make_handler
from greenlight.core.votes import Verdict
from tests.fakes.workflow import ScriptedConditions
from tests.unit.examples.orders.conftest import SETTINGS, Harness, order

if TYPE_CHECKING:
    from tests.fakes.workflow import FakeWorld

FULL_UNDO = ["refund payment", "release shipping", "release inventory"]


def harness_arn(harness: Harness) -> str:
    """The ARN of the execution `approved` ran last."""
    return harness.last_arn


def approved(harness: Harness, event: str) -> dict[str, Any]:
    arn = harness.start(event)
    harness.wait_for_request(arn)
    harness.vote("U0BOB", Verdict.APPROVE)
    result = harness.result(arn)
    data: dict[str, Any] = json.loads(result.result)
    return data


def test_a_review_that_clears_after_a_few_polls_lets_the_order_complete(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.after_polls = 3

    result = approved(harness, order(review=True))

    assert result["status"] == "completed"
    assert world.conditions.opened == ["ord-1001"]
    assert world.conditions.polls == 4
    assert world.payments.refunds == {}


def test_a_review_that_never_settles_gives_up_and_undoes_everything(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.verdict = None  # stays pending

    result = approved(harness, order(review=True))

    assert result["status"] == "review_timed_out"
    assert world.conditions.polls == 5  # the configured limit
    assert world.conditions.closed == {"ord-1001": "review_timed_out"}
    assert result["done"] == ["reserve inventory", "reserve shipping", "charge payment"]
    assert result["undone"] == FULL_UNDO
    assert world.payments.refunds == {"refund-ord-1001": "re_ch_1"}
    assert world.reservations.log[-2:] == ["release shipping", "release inventory"]
    ((subject, message),) = world.alerts.sent
    assert subject == "Greenlight: order ord-1001 review_timed_out"
    assert "undone: refund payment, release shipping, release inventory" in message


def test_a_failed_review_undoes_everything(harness: Harness, world: FakeWorld) -> None:
    world.conditions.verdict = "failed"

    result = approved(harness, order(review=True))

    assert (result["status"], result["undone"]) == ("review_failed", FULL_UNDO)


def test_a_crash_inside_a_compensation_is_retried_and_releases_once(
    harness: Harness, world: FakeWorld
) -> None:
    # Given the inventory release crashes right after its write, once
    crashed: list[str] = []
    release = world.reservations.release

    def crash_after_release(kind: str, order_id: str) -> bool:
        released = release(kind, order_id)
        if kind == "inventory" and not crashed:
            crashed.append(kind)
            raise ConnectionError("connection reset after the write")
        return released

    world.reservations.release = crash_after_release  # type: ignore[method-assign]  # inject a crash

    # When the approval is rejected and the saga compensates
    arn = harness.start(order())
    harness.wait_for_request(arn)
    harness.vote("U0CAROL", Verdict.REJECT, "no")
    result = json.loads(harness.result(arn).result)

    # Then the retried undo completes and nothing was released twice
    assert crashed == ["inventory"]
    assert result["undone"] == ["release shipping", "release inventory"]
    assert world.reservations.log.count("release inventory") == 1
    assert world.reservations.held[("inventory", "ord-1001")]["status"] == "released"


def test_replayed_reservations_never_reserve_twice(harness: Harness, world: FakeWorld) -> None:
    approved(harness, order())

    assert sorted(world.reservations.log) == ["reserve inventory", "reserve shipping"]


def test_reservations_run_as_parallel_branches(harness: Harness, world: FakeWorld) -> None:
    arn = harness.start(order(amount_cents=500))  # auto-approved: straight through
    harness.result(arn)

    events = harness.runner.get_execution_history(arn).events
    (parallel,) = [e for e in events if e.event_type == "ContextStarted" and e.name == "reserve"]
    branches = {e.parent_id for e in events if e.name in ("reserve inventory", "reserve shipping")}
    assert len(branches) == 2  # each reservation in its own branch context
    assert parallel.operation_id not in branches  # the branches sit under the parallel op
    assert sorted(world.reservations.log) == ["reserve inventory", "reserve shipping"]


def test_when_one_reservation_fails_the_other_is_released(
    harness: Harness, world: FakeWorld
) -> None:
    world.reservations.unavailable = "shipping"

    result = json.loads(harness.result(harness.start(order())).result)

    assert result["status"] == "reservation_failed"
    assert result["done"] == ["reserve inventory"]
    assert result["undone"] == ["release inventory"]
    assert world.reservations.held[("inventory", "ord-1001")]["status"] == "released"
    assert world.notifier.posts == []  # nobody is asked to approve what cannot be reserved
    assert world.payments.attempts == 0


# --- an outcome that can be unknown is settled, never guessed ---------------------------------


def test_a_lost_answer_on_the_last_charge_attempt_is_looked_up_and_refunded(
    harness: Harness, world: FakeWorld
) -> None:
    # Given four 503s, then a charge that goes through but whose answer is lost (the issue's
    # reproduction: the fifth and last attempt times out)
    world.payments.unavailable = 4
    world.payments.answers_lost = 1

    # When the order is approved
    result = approved(harness, order())

    # Then the charge step failed, the provider was asked, and the charge was refunded
    assert result["status"] == "payment_failed"
    assert world.payments.attempts == 5
    assert world.payments.lookups == 1
    assert world.payments.refunds == {"refund-ord-1001": "re_ch_1"}
    assert result["done"] == ["reserve inventory", "reserve shipping"]
    assert result["undone"] == FULL_UNDO
    ((_, text),) = world.notifier.notices
    assert "undone: refund payment, release shipping, release inventory" in text
    ((subject, _),) = world.alerts.sent
    assert subject == "Greenlight: order ord-1001 payment_failed"


def test_a_declined_card_is_settled_as_nothing_to_refund(
    harness: Harness, world: FakeWorld
) -> None:
    world.payments.decline = True

    result = approved(harness, order())

    assert result["status"] == "payment_failed"
    assert world.payments.lookups == 1  # asked, not assumed
    assert world.payments.refunds == {}
    assert result["undone"] == ["release shipping", "release inventory"]
    assert result["nothing_to_undo"] == ["refund payment"]


def test_a_charge_still_settling_is_waited_for_not_read_as_not_charged(
    harness: Harness, world: FakeWorld
) -> None:
    # Given the last attempt's answer is lost and the provider says "in progress" three times
    world.payments.unavailable = 4
    world.payments.answers_lost = 1
    world.payments.unsettled_lookups = 3

    result = approved(harness, order())

    # Then the lookup was retried until the provider settled it, and the charge refunded
    assert world.payments.lookups == 4
    assert world.payments.refunds == {"refund-ord-1001": "re_ch_1"}
    assert result["undone"] == FULL_UNDO
    lookups = [
        e
        for e in harness.runner.get_execution_history(harness_arn(harness)).events
        if e.name == "refund payment" and e.event_type == "StepStarted"
    ]
    assert len(lookups) == 4  # each settle attempt is a retry of the one undo step


def test_a_crash_between_the_charge_and_recording_it_still_refunds(
    harness: Harness, world: FakeWorld
) -> None:
    # Given the step dies right after the provider charged, before its result is recorded
    world.payments.crash_after_charge = True

    result = approved(harness, order())

    # Then the refund guarded before the charge finds the charge and returns the money
    assert result["status"] == "payment_failed"
    assert result["error"]["type"] == "RuntimeError"
    assert list(world.payments.charges) == ["ord-1001"]
    assert world.payments.refunds == {"refund-ord-1001": "re_ch_1"}
    assert result["undone"] == FULL_UNDO


def test_a_refund_that_fails_for_a_while_is_retried_and_refunds_once(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.verdict = "failed"
    world.payments.refunds_unavailable = 3

    result = approved(harness, order(review=True))

    assert result["status"] == "review_failed"
    assert world.payments.refund_attempts == 4
    assert world.payments.refunds == {"refund-ord-1001": "re_ch_1"}
    assert result["undone"] == FULL_UNDO


def test_a_refund_that_never_succeeds_is_reported_and_alerted(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.verdict = "failed"
    world.payments.refunds_unavailable = 1_000

    result = approved(harness, order(review=True))

    assert world.payments.refund_attempts == 20  # retries.REFUND's budget
    assert result["undo_failed"] == ["refund payment"]
    assert result["undone"] == ["release shipping", "release inventory"]
    ((subject, message),) = world.alerts.sent
    assert subject == "Greenlight: order ord-1001 review_failed"
    assert "NOT undone: refund payment" in message


def test_a_reservation_whose_answer_was_lost_is_released(
    harness: Harness, world: FakeWorld
) -> None:
    # Given the shipping hold lands but its answer never arrives (every attempt)
    world.reservations.answer_lost = "shipping"

    result = json.loads(harness.result(harness.start(order())).result)

    # Then the order fails, and the hold the failed branch left behind is released too
    assert result["status"] == "reservation_failed"
    assert result["done"] == ["reserve inventory"]
    assert result["undone"] == ["release shipping", "release inventory"]
    assert world.reservations.held[("shipping", "ord-1001")]["status"] == "released"


# --- the fraud review: only its verdict or its limit ends the wait ----------------------------


def test_one_throttled_poll_does_not_end_a_review_that_clears(
    harness: Harness, world: FakeWorld
) -> None:
    # Given the review clears on the fourth poll, and the second read is throttled
    world.conditions.after_polls = 3
    world.conditions.throttled_reads = frozenset({2})

    result = approved(harness, order(review=True))

    # Then the failed read was tried again inside the wait, and the order completes
    assert result["status"] == "completed"
    assert (world.conditions.reads, world.conditions.polls) == (5, 4)
    assert world.payments.refunds == {}
    assert world.alerts.sent == []


def test_throttled_reads_do_not_use_up_the_polls(harness: Harness, world: FakeWorld) -> None:
    world.conditions.verdict = None
    world.conditions.throttled_reads = frozenset({1, 3, 4, 7})

    result = approved(harness, order(review=True))

    assert result["status"] == "review_timed_out"
    assert world.conditions.polls == 5  # the configured limit, counted in real reads
    assert world.conditions.reads == 9


def test_a_review_that_cannot_be_read_is_not_reported_as_timed_out(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.throttled_reads = frozenset(range(1, 1_000))

    result = approved(harness, order(review=True))

    assert result["status"] == "review_unavailable"
    assert world.conditions.reads == 10  # retries.REVIEW_CHECK's budget of failures in a row
    assert world.conditions.closed == {"ord-1001": "review_unavailable"}
    assert result["undone"] == FULL_UNDO


def test_a_permanent_read_error_is_not_reported_as_timed_out(
    harness: Harness, world: FakeWorld
) -> None:
    world.conditions.broken = PermissionError("AccessDeniedException")

    result = approved(harness, order(review=True))

    assert result["status"] == "review_unavailable"
    assert world.conditions.reads == 1
    assert world.conditions.closed == {"ord-1001": "review_unavailable"}
    assert result["undone"] == FULL_UNDO


def test_a_verdict_set_just_before_the_close_wins(harness: Harness, world: FakeWorld) -> None:
    # Given no verdict during the polls, but the reviewer clears it as the wait gives up
    world.conditions.verdict = None
    world.conditions.verdict_at_close = "cleared"

    result = approved(harness, order(review=True))

    # Then the close is refused by the verdict, and the cleared order completes
    assert result["status"] == "completed"
    assert world.conditions.closed == {}
    assert world.payments.refunds == {}


class ConditionsTableDown(ScriptedConditions):
    """The conditions table cannot be written (throttled past botocore's retries, or a
    misconfigured table): every `open` fails."""

    def open(self, order_id: str, kind: str) -> None:
        raise OSError("dynamodb unreachable")


def test_a_review_that_cannot_be_opened_refunds_releases_and_alerts(world: FakeWorld) -> None:
    # Given an order that needs a fraud review (small: approved automatically), charged, and
    # the review's item cannot be written past the open step's retries (found by review-gate:
    # the StepError escaped, and the execution failed with the card charged, holds kept)
    world.conditions = ConditionsTableDown()
    handler = make_handler(world.dependencies(), SETTINGS)
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        result = runner.run(input=order(amount_cents=500, review=True), execution_timeout=30)

    # Then it ends as a review that cannot be read: everything undone, operators told, and the
    # review closed (an open whose answer was lost may have written it) without a poll
    assert len(world.payments.charges) == 1, "the order was charged before the review"
    assert result.status is InvocationStatus.SUCCEEDED, result.error
    ended = json.loads(result.result)
    assert ended["status"] == "review_unavailable"
    assert ended["undone"] == FULL_UNDO
    assert [subject for subject, _ in world.alerts.sent] == [
        "Greenlight: order ord-1001 review_unavailable"
    ]
    assert world.conditions.reads == 0
    assert world.conditions.closed == {"ord-1001": "review_unavailable"}
