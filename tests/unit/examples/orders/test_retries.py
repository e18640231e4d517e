"""The order's retry strategies, as the SDK applies them: who is retried, how often, how long.

The SDK's `create_retry_strategy` (aws_durable_execution_sdk_python/retries.py) is called with the
error and the attempts made so far (1 after the first failure) and answers retry-or-not and the
delay; `JitterStrategy.HALF` puts each delay in [half, all] of `initial * rate ** (n - 1)`, capped.
"""

from __future__ import annotations

import pytest

from examples.orders import retries
from examples.orders.ports import (
    PaymentDeclinedError,
    PaymentRefusedError,
    PaymentUnavailableError,
)


@pytest.mark.parametrize(
    ("name", "attempts", "cap_seconds"), [("PAYMENT", 5, 60), ("REFUND", 20, 30 * 60)]
)
def test_an_unavailable_provider_is_retried_with_doubling_delays_up_to_the_attempts(
    name: str, attempts: int, cap_seconds: int
) -> None:
    retry = getattr(retries, name).retry_strategy
    unavailable = PaymentUnavailableError("payment provider answered 503")

    for made in range(1, attempts):
        decision = retry(unavailable, made)
        base = min(2 * 2 ** (made - 1), cap_seconds)
        assert decision.should_retry, (name, made)
        assert base / 2 <= decision.delay_seconds <= base, (name, made, decision.delay_seconds)
    assert not retry(unavailable, attempts).should_retry  # the last attempt is the last


@pytest.mark.parametrize("name", ["PAYMENT", "REFUND"])
@pytest.mark.parametrize(
    "error",
    [PaymentDeclinedError("card_declined"), PaymentRefusedError("payment provider refused: 400")],
)
def test_a_declined_card_or_a_refused_request_is_never_retried(name: str, error: Exception) -> None:
    assert not getattr(retries, name).retry_strategy(error, 1).should_retry
