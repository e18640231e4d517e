"""The durable function's settings: every problem reported at once, values parsed."""

from __future__ import annotations

import pytest

from approvals.errors import ConfigError
from durable_fn import settings as s

VALID = {
    s.ENV_APPROVALS_TABLE: "approvals",
    s.ENV_RESERVATIONS_TABLE: "reservations",
    s.ENV_SLACK_CHANNEL: "C0APPROVALS",
    s.ENV_SLACK_SECRET_NAME: "greenlight/slack",
    s.ENV_PAYMENT_URL: "http://127.0.0.1:8090",
    s.ENV_APPROVERS: "U0BOB, U0CAROL",
    s.ENV_AUTO_APPROVE_BELOW: "10000",
    s.ENV_DUAL_APPROVAL_ABOVE: "1000000",
}


def test_valid_environment_is_parsed() -> None:
    parsed = s.Settings.from_env(VALID)

    assert parsed.tiers.approver_ids == frozenset({"U0BOB", "U0CAROL"})
    assert parsed.approval_timeout_seconds == s.DEFAULT_APPROVAL_TIMEOUT
    assert parsed.slack_api_url is None


def test_an_empty_environment_lists_every_missing_variable_in_one_error() -> None:
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env({})

    assert sorted(caught.value.problems) == sorted(
        f"{name} is required"
        for name in (
            s.ENV_APPROVALS_TABLE,
            s.ENV_RESERVATIONS_TABLE,
            s.ENV_SLACK_CHANNEL,
            s.ENV_SLACK_SECRET_NAME,
            s.ENV_PAYMENT_URL,
            s.ENV_APPROVERS,
            s.ENV_AUTO_APPROVE_BELOW,
            s.ENV_DUAL_APPROVAL_ABOVE,
        )
    )


def test_malformed_values_are_named() -> None:
    bad = VALID | {
        s.ENV_AUTO_APPROVE_BELOW: "ten",
        s.ENV_APPROVAL_TIMEOUT: "0",
        s.ENV_APPROVERS: "bob",
    }

    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(bad)

    assert caught.value.problems == (
        "AUTO_APPROVE_BELOW_CENTS must be a whole number, got 'ten'",
        "APPROVAL_TIMEOUT_SECONDS must be 1..31536000 seconds",
    )


def test_inconsistent_tiers_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not Slack user ids"):
        s.Settings.from_env(VALID | {s.ENV_APPROVERS: "bob"})
