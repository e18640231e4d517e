"""Review (adversarial): a ladder that outlasts the execution timeout."""

from __future__ import annotations

import pytest

from iac.stack import OrdersConfig
from tests.unit.iac.test_stack import CONFIG


@pytest.mark.parametrize("expire", ["2592000", "3000000"])
def test_a_ladder_outlasting_the_execution_timeout_stops_the_synth(expire: str) -> None:
    # The gate refuses such a ladder on every request (`greenlight.gate.refusals.check_fits`:
    # expire >= GREENLIGHT_EXECUTION_TIMEOUT, which the grant sets to the 30-day timeout), so
    # `deploy.sh --ladder-dual 3600,14400,2592000` deploys cleanly and then fails every order of
    # that tier; `_check_ladders` only parses the ladder, though it knows the timeout here
    config = vars(CONFIG) | {"ladders": {"dual": f"3600,14400,{expire}"}}
    assert CONFIG.execution_timeout_days * 86400 <= int(expire)

    with pytest.raises(ValueError, match="execution"):
        OrdersConfig(**config)
