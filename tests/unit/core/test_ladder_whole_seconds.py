"""A ladder's rungs are whole seconds, refused otherwise with the ladder's own error.

`Ladder` is annotated `int` and `Amount` already refuses a non-whole amount ("must be a whole
number"); a ladder built from a config value or a computation (`hours * 3600 / 2`, a string
from the environment, a `timedelta`) must say what is wrong in the same words as a ladder that
does not climb: `InvalidRequestError` on `ladder`, not a `TypeError` from a comparison, and not
a fractional rung accepted silently (a durable callback's timeout is whole seconds).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from greenlight.core.errors import InvalidRequestError
from greenlight.core.ladder import Ladder


@pytest.mark.parametrize(
    "fields",
    [
        {"expire_after": 1.5},
        {"expire_after": 3600, "remind_after": 900.5},
        {"expire_after": "3600"},
        {"expire_after": timedelta(hours=1)},
        {"expire_after": 3600, "escalate_after": "900"},
    ],
    ids=["float expiry", "float reminder", "str expiry", "timedelta expiry", "str escalation"],
)
def test_a_rung_that_is_not_whole_seconds_is_an_invalid_ladder(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Ladder(**fields)

    assert refused.value.field == "ladder"


@pytest.mark.parametrize(
    "fields",
    [{"expire_after": True}, {"expire_after": 3600, "remind_after": True}],
    ids=["bool expiry", "bool reminder"],
)
def test_a_boolean_is_not_seconds(fields: dict[str, Any]) -> None:
    # `True` is an int to Python, and would be a 1-second rung
    with pytest.raises(InvalidRequestError, match="whole seconds"):
        Ladder(**fields)
