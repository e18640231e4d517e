"""The order workflow's settings: every problem reported at once, values parsed.

The gate's own variables (GREENLIGHT_*) are `Greenlight.from_env()`'s: tests/unit/gate.
"""

from __future__ import annotations

import pytest

from examples.orders import settings as s
from greenlight.core import Channel, ConfigError, Ladder, Tier

VALID = {
    s.ENV_RESERVATIONS_TABLE: "reservations",
    s.ENV_CONDITIONS_TABLE: "conditions",
    s.ENV_ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:123456789012:greenlight-alerts",
    s.ENV_SLACK_CHANNEL: "C0APPROVALS",
    s.ENV_PAYMENT_URL: "http://127.0.0.1:8090",
    s.ENV_APPROVERS: "U0BOB, U0CAROL",
    s.ENV_AUTO_APPROVE_BELOW: "10000",
    s.ENV_DUAL_APPROVAL_ABOVE: "1000000",
    s.ENV_TIERS_CURRENCY: "EUR",
}


def test_valid_environment_is_parsed() -> None:
    parsed = s.Settings.from_env(VALID)

    assert parsed.tiers.approvers == frozenset({"U0BOB", "U0CAROL"})
    assert parsed.tiers.currency == "EUR"
    assert parsed.tiers.ladders[Tier.SINGLE] == Ladder(expire_after=s.DEFAULT_APPROVAL_TIMEOUT)
    assert parsed.route == Channel("C0APPROVALS")


def test_an_empty_environment_lists_every_missing_variable_in_one_error() -> None:
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env({})

    assert sorted(caught.value.problems) == sorted(
        f"{name} is required"
        for name in (
            s.ENV_RESERVATIONS_TABLE,
            s.ENV_CONDITIONS_TABLE,
            s.ENV_ALERT_TOPIC_ARN,
            s.ENV_SLACK_CHANNEL,
            s.ENV_PAYMENT_URL,
            s.ENV_APPROVERS,
            s.ENV_AUTO_APPROVE_BELOW,
            s.ENV_DUAL_APPROVAL_ABOVE,
            s.ENV_TIERS_CURRENCY,
        )
    )


def test_malformed_values_are_named() -> None:
    bad = VALID | {s.ENV_AUTO_APPROVE_BELOW: "ten", s.ENV_LADDER[Tier.DUAL]: "60,30,600"}

    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(bad)

    assert caught.value.problems == (
        "AUTO_APPROVE_BELOW_CENTS must be a whole number, got 'ten'",
        "LADDER_DUAL: the ladder must go remind < escalate < expire",
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "€"])
def test_a_tiers_currency_that_is_not_an_iso_code_is_named(currency: str) -> None:
    # The thresholds mean nothing without it: orders in any other currency are refused
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(VALID | {s.ENV_TIERS_CURRENCY: currency})

    assert caught.value.problems == (
        f"TIERS_CURRENCY must look like an ISO 4217 code such as EUR, got {currency!r}",
    )


def test_a_ladder_whose_rungs_share_a_second_is_refused_at_cold_start() -> None:
    # 600,600: the escalation round would wait 0 s, which the SDK reads as "no timeout"
    bad = VALID | {s.ENV_LADDER[Tier.SINGLE]: "600,600,3600", s.ENV_ESCALATION_APPROVERS: "U0F"}

    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(bad)

    assert caught.value.problems == (
        "LADDER_SINGLE: the ladder must go remind < escalate < expire",
    )


def test_a_ladder_that_escalates_needs_escalation_approvers() -> None:
    with pytest.raises(ConfigError, match="ESCALATION_APPROVER_IDS is required"):
        s.Settings.from_env(VALID | {s.ENV_LADDER[Tier.SINGLE]: "60,120,600"})


def test_ladders_and_escalation_are_read_per_tier() -> None:
    parsed = s.Settings.from_env(
        VALID
        | {
            s.ENV_LADDER[Tier.SINGLE]: "60,-,600",
            s.ENV_LADDER[Tier.DUAL]: "60,120,600",
            s.ENV_ESCALATION_APPROVERS: "S0DIRECTORS",
            s.ENV_ESCALATION_CHANNEL: "C0ESCALATE",
        }
    )

    assert parsed.tiers.ladders[Tier.SINGLE] == Ladder(600, remind_after=60)
    assert parsed.tiers.ladders[Tier.DUAL] == Ladder(600, remind_after=60, escalate_after=120)
    assert parsed.route == Channel("C0APPROVALS", escalation_channel="C0ESCALATE")


def test_a_malformed_channel_is_named() -> None:
    with pytest.raises(ConfigError, match="'general' is not a Slack channel id"):
        s.Settings.from_env(VALID | {s.ENV_SLACK_CHANNEL: "general"})


def test_inconsistent_tiers_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not Slack user or usergroup ids"):
        s.Settings.from_env(VALID | {s.ENV_APPROVERS: "bob"})


def test_review_polling_is_read_and_checked() -> None:
    assert s.Settings.from_env(VALID | {s.ENV_REVIEW_WAIT: "2,30,10"}).review_wait == s.PollPlan(
        2, 30, 10
    )
    with pytest.raises(ConfigError, match="first <= max"):
        s.Settings.from_env(VALID | {s.ENV_REVIEW_WAIT: "60,30,10"})
