"""A fault one test arms and does not use up never reaches the next test."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING

from tests.e2e.conftest import clear_faults
from tests.e2e.test_slack_calls import inject

if TYPE_CHECKING:
    from localdev.config import StackConfig


def post_message(config: StackConfig) -> dict[str, object]:
    """One `chat.postMessage` to the fake Slack, as the app would send it."""
    request = urllib.request.Request(
        config.url("slack") + "/api/chat.postMessage",
        data=json.dumps({"channel": "C0APPROVALS", "text": "fault probe"}).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {config.credentials()['bot_token']}",
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # loopback
        answer: dict[str, object] = json.loads(response.read())
        return answer


def test_clearing_disarms_a_fault_left_armed(local_stack: StackConfig) -> None:
    # Given a refusal armed three times and used once
    inject(local_stack, {"method": "chat.postMessage", "error": "channel_not_found", "times": 3})
    assert post_message(local_stack)["ok"] is False

    # When the faults are cleared, as after every test on the stack
    clear_faults(local_stack)

    # Then the next call is answered as usual
    assert post_message(local_stack)["ok"] is True
