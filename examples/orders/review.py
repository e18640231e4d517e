"""The fraud review's wait: what one poll records, and when the polling stops.

Only two things end the wait: the review's own verdict, or its configured number of polls. A
poll whose read failed transiently (throttled, timed out, 5xx past botocore's own retries) is
no verdict and no poll: it is tried again inside the wait with the SDK's retry backoff, and
only a run of such failures longer than `retries.REVIEW_CHECK` allows stops the wait, as
`unavailable`, never as "not reviewed in time".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import StepError, WaitForConditionError
from aws_durable_execution_sdk_python.config import Duration, JitterStrategy
from aws_durable_execution_sdk_python.retries import create_retry_strategy
from aws_durable_execution_sdk_python.waits import (
    WaitForConditionConfig,
    WaitForConditionDecision,
    WaitStrategyConfig,
    create_wait_strategy,
)

from examples.orders import retries
from examples.orders.dynamo_conditions import CLEARED, EXPIRED, FAILED, PENDING
from examples.orders.ports import ConditionUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext

    from examples.orders.order import Order
    from examples.orders.ports import Conditions, Dependencies
    from examples.orders.settings import PollPlan

TIMED_OUT = "timed_out"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True, slots=True)
class PollState:
    """What the polls found so far: the status read last, how many polls read it, and how
    many reads in a row failed transiently (with the last failure's name)."""

    status: str = PENDING
    polls: int = 0
    failures: int = 0
    error: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PollState:
        """Read a checkpointed state (states written before `failures` existed lack it)."""
        return cls(
            str(data.get("status", PENDING)),
            int(data.get("polls", 0)),
            int(data.get("failures", 0)),
            data.get("error"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for the wait's checkpoints."""
        return {
            "status": self.status,
            "polls": self.polls,
            "failures": self.failures,
            "error": self.error,
        }

    def gave_up(self, plan: PollPlan) -> str | None:
        """Why the wait ended without a verdict (`timed_out`, `unavailable`), or None."""
        if self.status != PENDING:
            return None
        return UNAVAILABLE if self.failures else TIMED_OUT if self.polls >= plan.max_polls else None


def poll(conditions: Conditions, order_id: str, state: PollState) -> PollState:
    """Read the verdict once; a transient failure is recorded, not raised."""
    try:
        status = conditions.status(order_id)
    except ConditionUnavailableError as err:
        return PollState(state.status, state.polls, state.failures + 1, str(err) or "unavailable")
    return PollState(status, state.polls + 1)


def wait_strategy(plan: PollPlan) -> Callable[[dict[str, Any], int], WaitForConditionDecision]:
    """When to poll again: backoff between polls, and the SDK's retry backoff after failures."""
    polling = create_wait_strategy(
        WaitStrategyConfig[dict[str, Any]](
            should_continue_polling=lambda _: True,
            max_attempts=plan.max_polls + 1,  # the limit is ours to apply, below
            initial_delay=Duration.from_seconds(plan.first_seconds),
            max_delay=Duration.from_seconds(plan.max_seconds),
            backoff_rate=2.0,
            jitter_strategy=JitterStrategy.HALF,
        )
    )
    retrying = create_retry_strategy(retries.REVIEW_CHECK)

    def decide(data: dict[str, Any], _attempt: int) -> WaitForConditionDecision:
        state = PollState.from_dict(data)
        if state.status != PENDING:
            return WaitForConditionDecision.stop_polling()
        if state.failures:
            again = retrying(ConditionUnavailableError(state.error), state.failures)
            if again.should_retry:
                return WaitForConditionDecision.continue_waiting(again.delay)
            return WaitForConditionDecision.stop_polling()
        if state.polls >= plan.max_polls:
            return WaitForConditionDecision.stop_polling()
        return polling(data, max(state.polls, 1))

    return decide


STEP_OPEN_REVIEW = "open fraud review"
WAIT_REVIEW = "await fraud review"
STEP_CLOSE_REVIEW = "close fraud review"
REVIEW = "fraud_review"

REVIEW_ENDS: dict[str | None, tuple[str, str]] = {
    FAILED: ("review_failed", "failed its fraud review"),
    TIMED_OUT: ("review_timed_out", "was not reviewed in time"),
    None: ("review_unavailable", "could not have its fraud review read"),
}


def await_review(
    ctx: DurableContext, deps: Dependencies, order: Order, plan: PollPlan
) -> str | None:
    """Poll the review's verdict with backoff, retrying failed reads inside the wait.

    Returns the verdict (`cleared`, `failed`); `timed_out` when the polls ran out; None when
    the review could not be opened or read. A wait that ends without a verdict closes the
    review item (`expired`) so a verdict set afterwards is refused; a verdict that beat the
    close wins.
    """
    try:
        ctx.step(
            lambda _: deps.conditions.open(order.order_id, REVIEW),
            name=STEP_OPEN_REVIEW,
            config=retries.STORE,
        )
    except StepError as err:
        # The order is charged: a review that cannot be opened is one that cannot be read
        # (None), so the caller undoes the order and alerts, never failing with the money
        # taken. Closed like any review given up on: an open whose answer was lost may have
        # written the item, and a verdict set on it later must be refused.
        ctx.logger.error("fraud review not opened", extra={"error": err.error_type})
        return _give_up(ctx, deps, order, None)

    def check(state: dict[str, Any], _: Any) -> dict[str, Any]:
        return poll(deps.conditions, order.order_id, PollState.from_dict(state)).to_dict()

    config = WaitForConditionConfig[dict[str, Any]](
        wait_strategy=wait_strategy(plan), initial_state=PollState().to_dict()
    )
    try:
        ended = PollState.from_dict(ctx.wait_for_condition(check, config, name=WAIT_REVIEW))
    except WaitForConditionError as err:  # a read that failed for good: not a timeout
        ctx.logger.error("fraud review unreadable", extra={"error": err.error_type})
        gave_up: str | None = None
    else:
        if ended.status in (CLEARED, FAILED):
            return ended.status
        gave_up = ended.gave_up(plan)
    return _give_up(ctx, deps, order, gave_up)


def _give_up(
    ctx: DurableContext, deps: Dependencies, order: Order, gave_up: str | None
) -> str | None:
    """Close the review item (`expired`) and return why the wait ended (`timed_out`, None:
    unavailable), unless a verdict set meanwhile wins the close: then that verdict."""
    outcome = "review_timed_out" if gave_up == TIMED_OUT else "review_unavailable"
    try:
        closed = ctx.step(
            lambda _: deps.conditions.close(order.order_id, outcome),
            name=STEP_CLOSE_REVIEW,
            config=retries.STORE,
        )
    except StepError as err:
        ctx.logger.error("fraud review not closed", extra={"error": err.error_type})
        return gave_up
    return gave_up if closed == EXPIRED else str(closed)
