"""Explicit retry strategies for the gate's steps (the SDK default of six attempts is never used).

Public: a workflow may reuse them for its own steps of the same kind.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

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

from greenlight.core.errors import ApprovalError

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python.serdes import SerDes


def _never(_error: Exception, _attempts: int) -> RetryDecision:
    return RetryDecision.no_retry()


def transient_only(config: RetryStrategyConfig) -> StepConfig:
    """Back off on infrastructure errors; Greenlight's own domain errors are permanent."""
    backoff = create_retry_strategy(config)

    def strategy(error: Exception, attempts_made: int) -> RetryDecision:
        if isinstance(error, ApprovalError):
            return RetryDecision.no_retry()
        return backoff(error, attempts_made)

    return StepConfig(retry_strategy=strategy)


def with_serdes(config: StepConfig, serdes: SerDes[Any]) -> StepConfig:
    """`config` writing its checkpoint with `serdes` (typed, instead of the SDK's default);
    its retries and semantics are kept, and `config` itself is left as it was."""
    return replace(config, serdes=serdes)


def exponential(attempts: int, first: int, most: int) -> RetryStrategyConfig:
    """`attempts` in all, delays doubling from `first` to `most` seconds, full jitter."""
    return RetryStrategyConfig(
        max_attempts=attempts,
        initial_delay=Duration.from_seconds(first),
        max_delay=Duration.from_seconds(most),
        backoff_rate=2.0,
        jitter_strategy=JitterStrategy.FULL,
    )


NO_RETRY = StepConfig(retry_strategy=_never)
"""Pure, deterministic steps: a second attempt would fail the same way."""

STORE = transient_only(exponential(attempts=4, first=1, most=10))
"""DynamoDB writes: conditional, so a retry never doubles anything."""

SLACK_POST = StepConfig(
    retry_strategy=transient_only(exponential(attempts=4, first=2, most=30)).retry_strategy,
    step_semantics=StepSemantics.AT_MOST_ONCE_PER_RETRY,
)
"""Posting to Slack: an interrupted attempt is not blindly re-run; the retry looks first."""
