"""The timeout ladder refuses rungs that do not strictly climb, in code and in config text.

Two rungs at the same second would make a round that waits 0 seconds, and a callback timeout of
0 is the SDK's "no timeout" (`CallbackConfig.timeout`: "The default, a zero Duration, means no
timeout"): the approval would then never escalate nor expire.
"""

from __future__ import annotations

import itertools

import pytest

from greenlight.core.errors import ConfigError, InvalidRequestError
from greenlight.core.ladder import MAX_SECONDS, Ladder, Stage
from greenlight.core.policy import DEFAULT_LADDER

CLIMB = "the ladder must go remind < escalate < expire"


@pytest.mark.parametrize(
    ("remind", "escalate", "expire"),
    [
        (600, 600, 3600),  # remind == escalate: the escalation round would wait 0 s
        (None, 3600, 3600),  # escalate == expire
        (3600, None, 3600),  # remind == expire
        (600, 600, 600),
    ],
)
def test_rungs_at_the_same_second_are_refused_as_an_invalid_request(
    remind: int | None, escalate: int | None, expire: int
) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Ladder(expire_after=expire, remind_after=remind, escalate_after=escalate)

    assert refused.value.field == "ladder"
    assert CLIMB in refused.value.problem


def test_rungs_out_of_order_are_refused_as_an_invalid_request() -> None:
    with pytest.raises(InvalidRequestError, match="remind < escalate < expire"):
        Ladder(expire_after=3600, remind_after=900, escalate_after=600)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        Ladder(expire_after=0, remind_after=0, escalate_after=0)

    assert refused.value.problem.split("; ") == [
        f"expire_after must be 1..{365 * 24 * 3600} seconds",
        "remind_after and escalate_after must be at least 1 second",
        CLIMB,
    ]


@pytest.mark.parametrize("text", ["600,600,3600", "-,3600,3600", "3600,-,3600"])
def test_config_text_with_rungs_at_the_same_second_is_a_config_error(text: str) -> None:
    # A ladder read from the environment is configuration: settings collect its problems with
    # every other one and report them at cold start
    with pytest.raises(ConfigError) as refused:
        Ladder.parse(text)

    assert refused.value.problems == (CLIMB,)


def test_every_ladder_that_is_accepted_waits_at_least_a_second_each_round() -> None:
    # Every combination of small rungs (and skipped ones), the defaults among the accepted
    rungs = (None, 0, 1, 2, 3)
    accepted = [DEFAULT_LADDER, Ladder.parse("3600,14400,86400")]
    for remind, escalate, expire in itertools.product(rungs, rungs, rungs[1:]):
        try:
            accepted.append(Ladder(expire, remind_after=remind, escalate_after=escalate))
        except InvalidRequestError:
            continue

    # expire alone, or with remind and/or escalate strictly below: 1 + 3 + 6 for x = 1, 2, 3
    assert len(accepted) == 2 + 10
    assert all(seconds >= 1 for ladder in accepted for seconds, _ in ladder.waits())


def test_each_round_waits_from_the_rung_before() -> None:
    ladder = Ladder(expire_after=86400, remind_after=3600, escalate_after=14400)

    assert ladder.rungs() == [(3600, Stage.REMIND), (14400, Stage.ESCALATE), (86400, Stage.EXPIRE)]
    assert ladder.waits() == [(3600, Stage.REMIND), (10800, Stage.ESCALATE), (72000, Stage.EXPIRE)]
    assert sum(seconds for seconds, _ in ladder.waits()) == ladder.expire_after


def test_an_expiry_may_be_a_year_and_not_a_second_more() -> None:
    assert Ladder(expire_after=MAX_SECONDS).expire_after == MAX_SECONDS
    with pytest.raises(InvalidRequestError, match="expire_after must be"):
        Ladder(expire_after=MAX_SECONDS + 1)


@pytest.mark.parametrize("text", ["600,-,-", "-,-,", "600,3600"])
def test_config_text_without_an_expiry_is_a_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        Ladder.parse(text)
