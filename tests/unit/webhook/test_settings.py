"""The webhook's settings."""

from __future__ import annotations

import pytest

from greenlight.core.errors import ConfigError
from greenlight.webhook import settings as s

VALID = {
    s.ENV_APPROVALS_TABLE: "approvals",
    s.ENV_AUDIT_TABLE: "audit",
    s.ENV_SLACK_SECRET_NAME: "greenlight/slack",
    s.ENV_SLACK_APP_ID: "A0GREENLT",
    s.ENV_SLACK_TEAM_ID: "T0GREENLT",
}


def test_valid_environment_is_parsed_and_base_path_normalised() -> None:
    parsed = s.Settings.from_env(VALID | {s.ENV_BASE_PATH: "/prod/"})

    assert (parsed.slack_app_id, parsed.base_path) == ("A0GREENLT", "/prod")


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env({s.ENV_SLACK_APP_ID: "greenlight"})

    assert caught.value.problems == (
        "APPROVALS_TABLE is required",
        "AUDIT_TABLE is required",
        "SLACK_SECRET_NAME is required",
        "SLACK_APP_ID must look like A0123ABCD, got 'greenlight'",
        "SLACK_TEAM_ID is required",
    )


def test_an_org_id_given_as_the_team_is_refused_with_where_it_belongs() -> None:
    # An E… id can never match a request's workspace: every click would be refused
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(VALID | {s.ENV_SLACK_TEAM_ID: "E0GRIDORG"})

    (problem,) = caught.value.problems
    assert problem.startswith("SLACK_TEAM_ID must look like T0123ABCD")
    assert "SLACK_ENTERPRISE_ID" in problem


def test_an_enterprise_id_is_optional_and_checked() -> None:
    assert s.Settings.from_env(VALID).slack_enterprise_id is None
    grid = s.Settings.from_env(VALID | {s.ENV_SLACK_ENTERPRISE_ID: "E0GRIDORG"})
    assert grid.slack_enterprise_id == "E0GRIDORG"
    with pytest.raises(ConfigError) as caught:
        s.Settings.from_env(VALID | {s.ENV_SLACK_ENTERPRISE_ID: "T0GREENLT"})
    assert caught.value.problems == (
        "SLACK_ENTERPRISE_ID must look like E0123ABCD, got 'T0GREENLT'",
    )


def test_the_signing_secrets_name_is_read_when_set_and_left_out_for_the_relay() -> None:
    # The construct names it on the webhook only: the relay's settings come without it
    webhook = s.Settings.from_env(VALID | {s.ENV_SLACK_SIGNING_SECRET_NAME: "greenlight/slack-x"})
    relay = s.Settings.from_env(VALID)

    assert s.signing_secret_name(webhook) == "greenlight/slack-x"
    assert relay.slack_signing_secret_name is None


def test_a_webhook_without_a_signing_secrets_name_is_refused_with_what_to_set() -> None:
    with pytest.raises(ConfigError) as caught:
        s.signing_secret_name(s.Settings.from_env(VALID))

    (problem,) = caught.value.problems
    assert problem.startswith("SLACK_SIGNING_SECRET_NAME is required")
