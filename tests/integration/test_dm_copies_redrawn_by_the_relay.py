"""A click on one DM copy is answered after redrawing that copy only; the relay redraws the rest.

Over real HTTP on loopback: the webhook (uvicorn, Bolt, real Slack signing), moto's DynamoDB and
its stream, the relay fed by the local poller exactly as on the local stack, and the fake Slack
answering each chat.update 250 ms late (its `delay_ms` fault). Slack wants a click answered
within 3 s (docs.slack.dev/interactivity/handling-user-interaction); with sixteen copies a
redraw of each before the answer would take 4 s.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status
from localdev.slack_requests import block_actions, send_signed
from tests.integration.conftest import SIGNING_SECRET, post_pending

if TYPE_CHECKING:
    from collections.abc import Iterator

    from greenlight.core.record import ApprovalRecord, SlackMessage
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

GROUP = tuple(f"U0COPY{n:02d}" for n in range(16))  # each sent a copy in a DM
DELAY_MS = 250  # each chat.update: a slow, not a broken, Slack
ALL_COPIES_SECONDS = len(GROUP) * DELAY_MS / 1000  # 4 s, what redrawing each before would take


@pytest.fixture
def slow_updates(stack: Stack) -> Iterator[None]:
    """The fake Slack answers chat.update DELAY_MS late (every call this test makes); cleared
    afterwards for the session's other tests."""
    fault = {"method": "chat.update", "delay_ms": DELAY_MS, "times": 1000}
    request = urllib.request.Request(
        f"{stack.slack_url}/_faults", data=json.dumps(fault).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    yield
    clear = urllib.request.Request(f"{stack.slack_url}/_faults", method="DELETE")
    with urllib.request.urlopen(clear, timeout=5) as response:
        assert response.status == 200


def sent_to_the_group(stack: Stack) -> ApprovalRecord:
    """A 2-of-16 request in the channel and in each member's DM, as the gate leaves it."""
    record = post_pending(stack, quorum=2, approvers=GROUP)
    for user in GROUP:
        stack.store.attach_message(record.approval_id, stack.notifier.post_direct(record, user))
    record = stack.store.get(record.approval_id)
    assert len(record.posted_as()) == len(GROUP) + 1
    return record


def shown(stack: Stack, record: ApprovalRecord) -> dict[str, dict[str, Any]]:
    """The fake Slack's copies of the request, by conversation."""
    ts = {m.ts for m in record.posted_as()}
    return {m["channel"]: m for m in stack.slack.snapshot()["messages"] if m["ts"] in ts}


def approve_in(stack: Stack, record: ApprovalRecord, copy: SlackMessage) -> float:
    """`copy`'s recipient clicks Approve on it; seconds until the webhook answered."""
    assert copy.recipient is not None
    payload = block_actions(
        action_id="approve",
        approval_id=record.approval_id,
        user_id=copy.recipient,
        channel_id=copy.channel,
        message_ts=copy.ts,
    )
    started = time.monotonic()
    status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)
    seconds = time.monotonic() - started
    assert status == 200
    return seconds


@pytest.mark.usefixtures("slow_updates")
def test_a_click_redraws_its_copy_at_once_and_the_relay_every_copy_on_each_vote(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a request in sixteen DMs and the channel, Slack slow to update each
    record = sent_to_the_group(stack)
    first, second, *_ = [m for m in record.posted_as() if m.recipient]

    # When the first member approves in their DM (1 of 2)
    seconds = approve_in(stack, record, first)

    # Then they are answered without a redraw of every copy, their copy already shows their
    # vote, and no other copy was touched yet
    assert seconds < ALL_COPIES_SECONDS / 2, f"answered after {seconds:.2f} s"
    copies = shown(stack, record)
    assert "1 of 2 approvals" in json.dumps(copies[first.channel]["blocks"])
    assert [c for c, m in copies.items() if m["edited"]] == [first.channel]

    # When the relay takes the vote from the stream
    relay.drain()

    # Then every copy shows the progress, buttons still there
    for channel, message in shown(stack, record).items():
        assert "1 of 2 approvals" in json.dumps(message["blocks"]), channel
        assert "actions" in [b["type"] for b in message["blocks"]], channel

    # When the second member's approval decides it, and the relay takes that from the stream
    seconds = approve_in(stack, record, second)
    assert seconds < ALL_COPIES_SECONDS / 2, f"answered after {seconds:.2f} s"
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    relay.drain()

    # Then every copy shows the decision, buttons gone
    for channel, message in shown(stack, record).items():
        assert "*Approved* by" in json.dumps(message["blocks"]), channel
        assert "actions" not in [b["type"] for b in message["blocks"]], channel
