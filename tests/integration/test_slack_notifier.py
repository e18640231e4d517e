"""The workflow's Slack adapter over the fake Slack Web API: what it skips, what it raises."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.route import Channel
from greenlight.slack.notifier import SlackApprovalNotifier
from localdev import fake_slack, fixtures

if TYPE_CHECKING:
    from collections.abc import Iterator

TOKEN = "xoxb-notifier-test-not-real"  # a dummy for the fake Slack
AT = "2026-11-22T12:00:00+00:00"


@pytest.fixture(scope="module")
def slack_url() -> Iterator[str]:
    with fake_slack.running(TOKEN) as server:
        yield f"http://127.0.0.1:{server.server_port}/api/"


def record(message: SlackMessage) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="n" * 22,
        callback_id="cb-n",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "Order ord-n", "U0ALICE", amount=Amount(125_000, "EUR"), reference="ord-n"
        ),
        policy=ApproverPolicy(frozenset({"U0BOB"})),
        created_at=AT,
        expires_at=AT,
        ttl=1_800_000_000,
        slack=message,
    )


def test_a_deleted_message_is_skipped_not_retried_forever(
    slack_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SlackApprovalNotifier(WebClient(token=TOKEN, base_url=slack_url), "C0APPROVALS")
    gone = SlackMessage("C0APPROVALS", "1700000000.999999")

    with caplog.at_level(logging.WARNING):
        notifier.update_request(record(gone))  # chat.update: message_not_found
        notifier.reply(gone, "still waiting on you")  # chat.postMessage: thread_not_found

    assert "Slack redraw skipped: message_not_found" in caplog.text
    assert "Slack thread reply skipped: thread_not_found" in caplog.text


def test_errors_a_retry_may_fix_or_that_need_an_operator_still_raise(slack_url: str) -> None:
    channel = fixtures.CHANNEL_ID
    notifier = SlackApprovalNotifier(WebClient(token="xoxb-wrong", base_url=slack_url), channel)
    posted = SlackApprovalNotifier(WebClient(token=TOKEN, base_url=slack_url), channel)
    message = posted.post_request(record(SlackMessage("C0APPROVALS", "1.0")), Channel(channel))

    with pytest.raises(SlackApiError) as refused:
        notifier.update_request(record(message))
    assert refused.value.response["error"] == "invalid_auth"
