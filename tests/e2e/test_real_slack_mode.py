"""The stack for a real workspace (the ngrok path): no fake Slack, the .env's credentials."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import pytest

from localdev import stack
from localdev.config import DEFAULT_PORTS, StackConfig
from localdev.slack_requests import block_actions, send_signed
from tests.conftest import free_port

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e
DOTENV = {
    "SLACK_BOT_TOKEN": "xoxb-not-a-real-token",
    "SLACK_SIGNING_SECRET": "f" * 32,
    "SLACK_APP_ID": "A0REALAPP",
    "SLACK_TEAM_ID": "T0REALTEAM",
    "SLACK_CHANNEL": "C0REAL",
    "APPROVER_IDS": "U0REALBOB",
}


def test_real_slack_mode_runs_without_the_fake_and_verifies_with_the_env_secret(
    tmp_path: Path,
) -> None:
    config = StackConfig(tmp_path, {p: free_port() for p in DEFAULT_PORTS}, real_slack=DOTENV)
    try:
        stack.start(config, out=io.StringIO())

        assert stack.parts(config) == ("dynamodb", "payments", "runner", "host", "webhook")
        assert not stack.healthy(config, "slack")
        assert config.function_env()["SLACK_APP_ID"] == "A0REALAPP"
        assert "SLACK_API_URL" not in config.function_env()
        click = block_actions(
            action_id="approve",
            approval_id="A" * 22,
            user_id="U0REALBOB",
            channel_id="C0REAL",
            message_ts="1.1",
        )
        wrong, _ = send_signed(config.webhook_url, "0" * 32, click)
        other_app, _ = send_signed(config.webhook_url, DOTENV["SLACK_SIGNING_SECRET"], click)
        assert wrong == 401  # signed with another secret
        assert other_app == 403  # right secret, but the fixture's app id is not the .env's
    finally:
        stack.stop(config)
