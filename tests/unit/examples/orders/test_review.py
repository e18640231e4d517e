"""When the fraud review's wait polls again, as the SDK's wait-for-condition asks it.

`wait_strategy(plan)` is called with the checkpointed `PollState` and answers continue (with
the delay) or stop. Between polls the delays double from `first_seconds` up to `max_seconds`
(`JitterStrategy.HALF`: each in [half, all] of its base, rounded up, at least 1 s, as the SDK's
`create_wait_strategy` in aws_durable_execution_sdk_python/waits.py computes them); after failed
reads, `retries.REVIEW_CHECK`'s backoff applies, up to its 10 attempts.
"""

from __future__ import annotations

import math

from examples.orders.dynamo_conditions import CLEARED, PENDING
from examples.orders.review import PollState, wait_strategy
from examples.orders.settings import PollPlan

PLAN = PollPlan(first_seconds=5, max_seconds=60, max_polls=10)


def test_polls_back_off_doubling_up_to_the_longest_delay_then_stop() -> None:
    decide = wait_strategy(PLAN)

    for polls in range(1, PLAN.max_polls):
        decision = decide(PollState(PENDING, polls).to_dict(), polls)
        base = min(PLAN.first_seconds * 2 ** (polls - 1), PLAN.max_seconds)
        assert decision.should_continue, polls
        assert math.ceil(base / 2) <= decision.delay_seconds <= base, (polls, decision)

    # The last poll is the last: the wait ends (and is read as timed out)
    assert not decide(PollState(PENDING, PLAN.max_polls).to_dict(), PLAN.max_polls).should_continue
    assert PollState(PENDING, PLAN.max_polls).gave_up(PLAN) == "timed_out"
    assert PollState(PENDING, PLAN.max_polls - 1).gave_up(PLAN) is None


def test_a_verdict_stops_the_polling_at_once() -> None:
    assert not wait_strategy(PLAN)(PollState(CLEARED, 1).to_dict(), 1).should_continue


def test_failed_reads_are_retried_with_their_own_backoff_without_using_up_polls() -> None:
    decide = wait_strategy(PLAN)

    for failures in range(1, 10):
        state = PollState(PENDING, PLAN.max_polls - 1, failures, "ThrottlingException")
        decision = decide(state.to_dict(), failures)
        base = min(2 * 2 ** (failures - 1), 300)
        assert decision.should_continue, failures
        assert base / 2 <= decision.delay_seconds <= base, (failures, decision)

    ten = PollState(PENDING, 1, 10, "ThrottlingException")
    assert not decide(ten.to_dict(), 10).should_continue
    assert ten.gave_up(PLAN) == "unavailable"
