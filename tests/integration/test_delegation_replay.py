"""A delegation command resent within Slack's five minutes cannot undo a later one (found by
review-sec). Slack's five minutes bound a replay, they do not stop one
(docs.slack.dev/authentication/verifying-requests-from-slack): within them the very request
Slack signed is accepted again. A vote is idempotent (one per person); a delegation is not, so
each person's entry keeps when Slack sent the command that last changed it, and an older one
changes nothing. Requests signed as Slack signs them, over uvicorn, moto and the fake Slack.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from localdev.slack_requests import post, signed_headers, slash_command
from tests.integration.conftest import SIGNING_SECRET
from tests.integration.test_delegation import UNTIL, delegations, people

if TYPE_CHECKING:
    from tests.integration.conftest import Stack


def sent(stack: Stack, user: str, text: str, at: int) -> tuple[str, dict[str, str]]:
    """`/approvals <text>` as `user`, signed as Slack sent it at `at`; the body and headers."""
    body = slash_command("/approvals", user, text)
    headers = signed_headers(SIGNING_SECRET, body, at)
    status, answer = post(stack.webhook_url, body, headers)
    assert status == 200, answer
    return body, headers


def decides_for(stack: Stack, user: str) -> list[str]:
    return delegations(stack).get(user).delegators_at(datetime.now(UTC).isoformat())


def test_a_replayed_delegate_command_does_not_undo_a_later_undelegate(stack: Stack) -> None:
    bob, carol = people(2)
    now = int(time.time())
    # Given bob delegated to carol, then (a minute later) undelegated
    body, headers = sent(stack, bob, f"delegate <@{carol}|carol> until {UNTIL}", now - 60)
    assert decides_for(stack, carol) == [bob]
    sent(stack, bob, "undelegate", now - 1)
    assert decides_for(stack, carol) == []

    # When the first request (same body, same signature) is sent again, inside Slack's window
    status, answer = post(stack.webhook_url, body, headers)

    # Then it is refused and bob's undelegate stands
    assert status == 200
    assert "a later command changed your delegation already" in json.loads(answer)["text"]
    assert decides_for(stack, carol) == []


def test_a_replayed_undelegate_does_not_end_a_later_delegation(stack: Stack) -> None:
    bob, carol, dave = people(3)
    now = int(time.time())
    # Given bob delegated to carol, undelegated, then delegated to dave
    sent(stack, bob, f"delegate <@{carol}|carol> until {UNTIL}", now - 90)
    undo, undo_headers = sent(stack, bob, "undelegate", now - 60)
    sent(stack, bob, f"delegate <@{dave}|dave> until {UNTIL}", now - 30)

    # When the undelegate is sent again
    status, _ = post(stack.webhook_url, undo, undo_headers)

    # Then dave still decides for bob
    assert status == 200
    assert decides_for(stack, dave) == [bob]
