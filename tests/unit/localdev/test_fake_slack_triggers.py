"""The fake Slack lets a trigger id expire after 3 seconds, as Slack does.

Slack's `trigger_id` opens a modal only within 3 seconds of the click ("the trigger_id is
expired" is views.open's `expired_trigger_id`: tests/contract/slack_api/slack_api_ref/
views.open.json, from slack-ruby/slack-api-ref; docs.slack.dev/interactivity/
handling-user-interaction: a trigger "expires in three seconds"). The fake answers
`exchanged_trigger_id` (tests/unit/localdev/test_fake_slack.py) and `expired_trigger_id` for a
trigger minted over 3 s before, so a local test or demo sees a Reject / Approve-with-comment
form that opens too late (the webhook reads the record, and maybe the delegations, before
`views.open`: greenlight.webhook.comments.act_on_click). The trigger here is minted the way the
fake's own page mints them (`localdev.slack_requests.new_trigger_id`), ten seconds ago.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from slack_sdk.errors import SlackApiError

from greenlight.core.blocks import reject_modal
from localdev import slack_requests
from tests.contract.slack_api.reference import methods
from tests.unit.localdev.test_fake_slack import base_url, client, server

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["base_url", "server"]  # the fake Slack's fixtures, shared


def test_a_trigger_older_than_three_seconds_opens_no_view(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a click's trigger id, minted ten seconds ago
    now: Callable[[], float] = time.time
    monkeypatch.setattr(time, "time", lambda: now() - 10)  # the clock new_trigger_id reads
    trigger = slack_requests.new_trigger_id()
    monkeypatch.undo()

    # When the app opens the reject form with it
    with pytest.raises(SlackApiError) as refused:
        client(base_url).views_open(trigger_id=trigger, view=reject_modal("A" * 22, "Order"))

    # Then Slack refuses it as expired, an error views.open documents
    assert refused.value.response["error"] == "expired_trigger_id"
    assert "expired_trigger_id" in methods()["views.open"].errors


def minted_ago(seconds: float, monkeypatch: pytest.MonkeyPatch) -> str:
    now: Callable[[], float] = time.time
    monkeypatch.setattr(time, "time", lambda: now() - seconds)
    trigger = slack_requests.new_trigger_id()
    monkeypatch.undo()
    return trigger


def test_a_trigger_within_its_three_seconds_opens_its_view(
    base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a click's trigger id, minted two seconds ago
    trigger = minted_ago(2, monkeypatch)

    # When the app opens the reject form with it, the form opens
    opened = client(base_url).views_open(trigger_id=trigger, view=reject_modal("A" * 22, "Order"))
    assert opened["ok"] is True


def test_a_trigger_not_in_slacks_shape_is_invalid(base_url: str) -> None:
    # A trigger id is "132456.7890123.abcdef" (views.open's `invalid_trigger_id`)
    with pytest.raises(SlackApiError) as refused:
        client(base_url).views_open(trigger_id="not-a-trigger", view=reject_modal("A" * 22, "O"))

    assert refused.value.response["error"] == "invalid_trigger_id"
    assert "invalid_trigger_id" in methods()["views.open"].errors
