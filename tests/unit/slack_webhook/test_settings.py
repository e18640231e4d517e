"""The webhook's settings."""

from __future__ import annotations

import pytest

from approvals.errors import ConfigError
from slack_webhook import settings as s

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
