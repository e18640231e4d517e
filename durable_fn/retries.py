"""Explicit retry strategies for every step (the SDK default of six attempts is never used)."""

from __future__ import annotations

from aws_durable_execution_sdk_python.config import (
    Duration,
    JitterStrategy,
    StepConfig,
    StepSemantics,
)
from aws_durable_execution_sdk_python.retries import (
    RetryDecision,
    RetryStrategyConfig,
    create_retry_strategy,
)

from approvals.errors import ApprovalError
from durable_fn.ports import PaymentUnavailableError


def _never(_error: Exception, _attempts: int) -> RetryDecision:
    return RetryDecision.no_retry()


def _transient_only(config: RetryStrategyConfig) -> StepConfig:
    """Back off on infrastructure errors; our own domain errors are permanent."""
    backoff = create_retry_strategy(config)

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        if isinstance(error, ApprovalError):
            return RetryDecision.no_retry()
        return backoff(error, attempts_made)

    return StepConfig(retry_strategy=strategy)


def _backoff(attempts: int, first: int, most: int) -> RetryStrategyConfig:
    return RetryStrategyConfig(
        max_attempts=attempts,
        initial_delay=Duration.from_seconds(first),
        max_delay=Duration.from_seconds(most),
        backoff_rate=2.0,
        jitter_strategy=JitterStrategy.FULL,
    )


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


NO_RETRY = StepConfig(retry_strategy=_never)
"""Pure, deterministic steps: a second attempt would fail the same way."""

STORE = _transient_only(_backoff(attempts=4, first=1, most=10))
"""DynamoDB writes: conditional, so a retry never doubles anything."""

SLACK_POST = StepConfig(
    retry_strategy=_transient_only(_backoff(attempts=4, first=2, most=30)).retry_strategy,
    step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
)
"""Posting to Slack: an interrupted attempt is not blindly re-run; the retry looks first."""

COMPENSATION = _transient_only(_backoff(attempts=8, first=2, most=120))
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
