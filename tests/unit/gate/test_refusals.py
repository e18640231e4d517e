"""The gate's refusal of a ladder the execution would not live to climb, at its boundary."""

from __future__ import annotations

import pytest

from greenlight.core import Ladder, Policy
from greenlight.core.errors import InvalidRequestError
from greenlight.gate.refusals import check_fits


def test_a_ladder_that_expires_when_the_execution_times_out_is_refused() -> None:
    # The expire step runs after the last round's callback times out: an execution ending at
    # that same second never runs it, and the request would stay pending with live buttons
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=600))

    with pytest.raises(InvalidRequestError) as refused:
        check_fits(policy, execution_timeout=600)

    assert refused.value.field == "policy.ladder"
    check_fits(policy, execution_timeout=601)  # the boundary: the ladder alone is compared
