"""The order saga: compensation in reverse, idempotent undos, and the fraud-review wait."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from approvals.votes import Verdict
from tests.unit.durable_fn.conftest import Harness, order

if TYPE_CHECKING:
    from tests.fakes.workflow import FakeWorld

FULL_UNDO = ["refund payment", "release shipping", "release inventory"]


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
