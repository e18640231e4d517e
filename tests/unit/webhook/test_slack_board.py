"""The message board is best effort: Slack unreachable never turns a counted click into an error."""

from __future__ import annotations

import logging
import socket
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from greenlight.webhook.slack_board import SlackMessageBoard
from tests.unit.webhook.test_approval_metrics import pending
from tests.unit.webhook.test_click_redraws_the_copy_seen import CHANNEL

if TYPE_CHECKING:
    import pytest


def unreachable_slack() -> WebClient:
    """A Web API client whose Slack refuses connections (a loopback port nothing listens on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return WebClient(
        token="xoxb-test-not-real", base_url=f"http://127.0.0.1:{port}/api/", timeout=1
    )


def test_a_redraw_slack_cannot_take_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    board = SlackMessageBoard(unreachable_slack())

    with caplog.at_level(logging.WARNING):
        board.redraw_copy(pending(quorum=1).with_message(CHANNEL), CHANNEL)

    assert "Slack refused the redraw" in caplog.text
    assert "xoxb-test-not-real" not in caplog.text


def test_an_answer_slack_cannot_take_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    board = SlackMessageBoard(unreachable_slack())

    with caplog.at_level(logging.WARNING):
        board.tell(CHANNEL.channel, "U0BOB", "Your approval is recorded (1 of 2).")

    assert "Slack refused the ephemeral answer" in caplog.text


def test_a_form_slack_cannot_open_is_reported_as_not_opened() -> None:
    board = SlackMessageBoard(unreachable_slack())

    assert board.ask_reason("trigger", pending(quorum=1)) is False
