"""The order workflow's retry strategies; the gate's own (store, Slack, none) are reused."""

from __future__ import annotations

from aws_durable_execution_sdk_python.config import (
    Duration,
    JitterStrategy,
    StepConfig,
)
from aws_durable_execution_sdk_python.retries import (
    RetryStrategyConfig,
    create_retry_strategy,
)

from examples.orders.ports import PaymentUnavailableError
from greenlight.gate.retries import NO_RETRY, SLACK_POST, STORE, exponential, transient_only


def _provider_retries(attempts: int, most: Duration) -> StepConfig:
    """Only an unavailable provider is retried, with delays doubling from 2 s up to `most`.

    "Equal" jitter: each delay lies in [half, all] of its exponential base, so the delays still
    grow while concurrent retries spread out.
    """
    return StepConfig(
        retry_strategy=create_retry_strategy(
            RetryStrategyConfig(
                max_attempts=attempts,
                initial_delay=Duration.from_seconds(2),
                max_delay=most,
                backoff_rate=2.0,
                jitter_strategy=JitterStrategy.HALF,
                retryable_error_types=[PaymentUnavailableError],
            )
        )
    )


COMPENSATION = transient_only(exponential(attempts=8, first=2, most=120))
"""Undoing: every undo is idempotent, so it may be tried hard before an operator is called."""

PAYMENT = _provider_retries(attempts=5, most=Duration.from_seconds(60))
"""Charging: only an unavailable provider is retried (idempotency key: the order id); a
declined card never is. At least once per retry is safe because the charge is idempotent."""

REFUND = _provider_retries(attempts=20, most=Duration.from_minutes(30))
"""Giving money back: settle the charge by its key, then refund it, idempotent by the order's
refund key. Only an unavailable provider (or a key still in progress) is retried: 20 attempts
over 2.5 to 5 hours (delays double from 2 s to 30 min, each between half and all of its base),
before the saga reports the refund as NOT undone and alerts operators."""

REVIEW_CHECK = RetryStrategyConfig(
    max_attempts=10,
    initial_delay=Duration.from_seconds(2),
    max_delay=Duration.from_minutes(5),
    backoff_rate=2.0,
    jitter_strategy=JitterStrategy.HALF,
)
"""A review poll whose read failed transiently (throttled, timed out, 5xx) is tried again
inside the wait, without using up a poll, up to 10 failures in a row (7 to 14 minutes)."""

__all__ = ["COMPENSATION", "NO_RETRY", "PAYMENT", "REFUND", "REVIEW_CHECK", "SLACK_POST", "STORE"]
