"""Direct-message copies over HTTP against the fake Slack: opened with `conversations.open`,
rate limits waited out (429 + Retry-After, bounded), and every copy redrawn on a decision.

The client is the production one (`build_web_client`), whose `RateLimitErrorRetryHandler`
(slack_sdk.http_retry.builtin_handlers) sleeps for Retry-After and sends again, at most twice.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from slack_sdk.errors import SlackApiError

from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import ApprovalRequest
from greenlight.core.route import Channel, RecipientUnreachableError
from greenlight.core.secret import Secret
from greenlight.core.votes import Verdict, Vote
from greenlight.slack.client import build_web_client
from greenlight.slack.notifier import UNREACHABLE, SlackApprovalNotifier
from greenlight.webhook.slack_board import SlackMessageBoard
from localdev import fake_slack, fixtures
from tests.contract.slack_api.reference import methods

if TYPE_CHECKING:
    from collections.abc import Iterator

    from slack_sdk import WebClient

TOKEN = "xoxb-dm-test-not-real"  # a dummy for the fake Slack
AT = "2026-11-30T12:00:00+00:00"


@pytest.fixture
def slack() -> Iterator[fake_slack.FakeSlackServer]:
    with fake_slack.running(TOKEN) as server:
        yield server


def web_client(slack: fake_slack.FakeSlackServer, *, wait: bool = True) -> WebClient:
    url = f"http://127.0.0.1:{slack.server_port}/api/"
    return build_web_client(Secret(TOKEN), url, wait_out_rate_limits=wait)


def pending() -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="d" * 22,
        callback_id="cb-d",
        execution_arn="arn:exec",
        request=ApprovalRequest("Rotate the signing key", "U0ALICE"),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"})),
        created_at=AT,
        expires_at=AT,
        ttl=1_800_000_000,
    )


def calls(slack: fake_slack.FakeSlackServer, method: str) -> list[str | None]:
    return [c["error"] for c in slack.state.snapshot()["calls"] if c["method"] == method]


def test_a_rate_limited_dm_is_waited_for_and_sent(slack: fake_slack.FakeSlackServer) -> None:
    # Given Slack answers 429 (Retry-After: 1) to the next two conversations.open calls
    slack.faults.add(fake_slack.Fault("conversations.open", "ratelimited", times=2, retry_after=1))
    notifier = SlackApprovalNotifier(web_client(slack))

    # When the gate sends Bob his copy
    started = time.monotonic()
    message = notifier.post_direct(pending(), "U0BOB")
    waited = time.monotonic() - started

    # Then it waited out both limits (a second each; refused calls are not in the fake's call
    # log, so the spent fault and the time tell) and the copy is in Bob's DM
    assert slack.faults.take("conversations.open") is None
    assert calls(slack, "conversations.open") == [None]
    assert waited >= 2
    assert (message.channel, message.recipient) == ("D0BOB", "U0BOB")
    (posted,) = slack.state.snapshot()["messages"]
    assert posted["channel"] == "D0BOB"
    assert slack.state.snapshot()["dms"] == {"D0BOB": "U0BOB"}


def test_the_waits_are_bounded_then_the_step_is_told(slack: fake_slack.FakeSlackServer) -> None:
    # Given Slack keeps answering 429 for longer than the client waits
    slack.faults.add(fake_slack.Fault("chat.postMessage", "ratelimited", times=3, retry_after=1))
    notifier = SlackApprovalNotifier(web_client(slack))

    # When a copy is sent, it fails after two retries: the durable step retries it later
    with pytest.raises(SlackApiError) as caught:
        notifier.post_direct(pending(), "U0CAROL")

    assert caught.value.response.status_code == 429
    assert slack.faults.take("chat.postMessage") is None  # all three 429s were met
    assert calls(slack, "chat.postMessage") == []


def test_a_decision_redraws_every_copy_even_when_one_is_gone(
    slack: fake_slack.FakeSlackServer,
) -> None:
    # Given the request in the channel and in Bob's and Carol's DMs
    notifier = SlackApprovalNotifier(web_client(slack), fixtures.CHANNEL_ID)
    record = pending()
    record = record.with_message(notifier.post_request(record, Channel(fixtures.CHANNEL_ID)))
    for user_id in ("U0BOB", "U0CAROL"):
        record = record.with_message(notifier.post_direct(record, user_id))
    decided = record.with_vote(Vote("U0CAROL", Verdict.APPROVE, AT))

    # When the board redraws every copy, as the relay does, and Slack refuses the first (deleted)
    slack.faults.add(fake_slack.Fault("chat.update", "message_not_found", times=1))
    board = SlackMessageBoard(web_client(slack, wait=False))
    for copy in decided.posted_as():
        board.redraw_copy(decided, copy)

    # Then the other copies show the decision, buttons gone
    by_channel = {m["channel"]: m for m in slack.state.snapshot()["messages"]}
    assert set(by_channel) == {fixtures.CHANNEL_ID, "D0BOB", "D0CAROL"}
    assert calls(slack, "chat.update") == [None, None]  # the refused one is not logged
    for channel in ("D0BOB", "D0CAROL"):
        assert "*Approved* by <@U0CAROL>" in str(by_channel[channel]["blocks"])
        assert "actions" not in [b["type"] for b in by_channel[channel]["blocks"]]
    assert "actions" in [b["type"] for b in by_channel[fixtures.CHANNEL_ID]["blocks"]]


def test_the_gates_redraw_updates_every_copy(slack: fake_slack.FakeSlackServer) -> None:
    notifier = SlackApprovalNotifier(web_client(slack))
    record = pending()
    for user_id in ("U0BOB", "U0CAROL"):
        record = record.with_message(notifier.post_direct(record, user_id))

    notifier.update_request(record.expired(AT))

    messages = slack.state.snapshot()["messages"]
    assert [m["channel"] for m in messages] == ["D0BOB", "D0CAROL"]
    assert all(m["edited"] and "actions" not in str(m["blocks"]) for m in messages)


def test_the_codes_read_as_one_persons_for_good_are_documented_by_slack() -> None:
    # conversations.open's documented errors (Slack's page and OpenAPI spec); not `is_bot`,
    # which is about the caller (a legacy bot), nor an undocumented code
    assert methods()["conversations.open"].errors >= UNREACHABLE
    assert "is_bot" not in UNREACHABLE


@pytest.mark.parametrize("user_id", sorted(fixtures.DEACTIVATED_IDS))
def test_a_deactivated_person_is_unreachable_without_a_retry(
    slack: fake_slack.FakeSlackServer, user_id: str
) -> None:
    notifier = SlackApprovalNotifier(web_client(slack))

    # When the gate sends a deactivated person a copy, or tells them something
    with pytest.raises(RecipientUnreachableError) as copy:
        notifier.post_direct(pending(), user_id)
    with pytest.raises(RecipientUnreachableError) as told:
        notifier.message_directly(user_id, "order ord-1 was approved.")

    # Then both say who and Slack's code; Slack was asked once each, and nothing was posted
    assert (copy.value.user_id, copy.value.code) == (user_id, "user_disabled")
    assert (told.value.user_id, told.value.code) == (user_id, "user_disabled")
    assert calls(slack, "conversations.open") == ["user_disabled", "user_disabled"]
    assert calls(slack, "chat.postMessage") == []


def test_slack_being_unavailable_is_not_read_as_one_person_unreachable(
    slack: fake_slack.FakeSlackServer,
) -> None:
    slack.faults.add(fake_slack.Fault("conversations.open", "service_unavailable"))
    notifier = SlackApprovalNotifier(web_client(slack))

    # The step's retry strategy retries a SlackApiError; a RecipientUnreachableError it never does
    with pytest.raises(SlackApiError) as caught:
        notifier.post_direct(pending(), "U0BOB")

    assert not isinstance(caught.value, RecipientUnreachableError)
    assert caught.value.response["error"] == "service_unavailable"
