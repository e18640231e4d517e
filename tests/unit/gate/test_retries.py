"""The steps' configurations: one helper gives a step's retries a typed checkpoint."""

from __future__ import annotations

from greenlight.gate import retries, rungs
from greenlight.gate.checkpoints import MAYBE_DECISION, MINTED, POSTED


def test_with_serdes_keeps_the_retries_and_semantics_and_only_adds_the_checkpoint() -> None:
    config = retries.with_serdes(retries.SLACK_POST, POSTED)

    assert config.serdes is POSTED
    assert config.retry_strategy is retries.SLACK_POST.retry_strategy
    assert config.step_semantics is retries.SLACK_POST.step_semantics
    assert retries.SLACK_POST.serdes is None  # the shared strategy is left as it was


def test_a_pure_step_with_a_checkpoint_still_never_retries() -> None:
    config = retries.with_serdes(retries.NO_RETRY, MINTED)

    assert (config.serdes, config.retry_strategy) == (MINTED, retries.NO_RETRY.retry_strategy)


def test_a_step_that_may_end_the_approval_checkpoints_a_decision_or_none() -> None:
    config = rungs.maybe_deciding(retries.STORE)

    assert config.serdes is MAYBE_DECISION
    assert config.retry_strategy is retries.STORE.retry_strategy
