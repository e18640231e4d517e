"""A slow click redraw never has the last word over the relay's final one (found by
review-relay; the webhook now reads the record again after a counted vote's redraw and draws
a decision made meanwhile).

The webhook redraws the copy its clicker sees with the record *its* write returned; the relay
redraws every copy from the stream. Slack's chat.update has no condition (it is last writer
wins), so a counted vote's redraw that Slack answers late lands after the relay has drawn the
decision, and the message shows "1 of 2" and live buttons again. A decided record has no
next change, so nothing redraws it: it stays so for good.

A real race over the local stack: the running webhook (real HTTP, signed clicks), moto
DynamoDB and its stream, the relay's real poller, the fake Slack's `delay_ms` fault (Slack
answering slowly, localdev/fake_slack.py). chat.update: https://docs.slack.dev/reference/methods/chat.update
(no version or precondition argument).
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING

from greenlight.core.votes import Status
from localdev.slack_requests import post, send_signed
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending
from tests.integration.test_webhook_http import message_of

if TYPE_CHECKING:
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack


def test_a_counted_votes_slow_redraw_never_brings_buttons_back_after_the_decision(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a 2-of-3 approval, and a Slack that answers the next chat.update 2 s late
    record = post_pending(stack, quorum=2)
    fault = {"method": "chat.update", "delay_ms": 2000, "times": 1}
    assert post(f"{stack.slack_url}/_faults", json.dumps(fault), {})[0] == 200

    # When Carol's approve counts (her copy's redraw is the slow one) ...
    carol = threading.Thread(
        target=send_signed,
        args=(stack.webhook_url, SIGNING_SECRET, click_payload(record, "U0CAROL")),
    )
    carol.start()
    deadline = time.monotonic() + 5
    while stack.store.get(record.approval_id).vote_of("U0CAROL") is None:
        assert time.monotonic() < deadline, "Carol's vote was never stored"
        time.sleep(0.02)
    time.sleep(0.3)  # her chat.update is on its way to Slack (and held there)
    # ... and Bob's decides it while her redraw is in flight, and the relay draws the decision
    assert send_signed(stack.webhook_url, SIGNING_SECRET, click_payload(record, "U0BOB"))[0] == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    relay.drain()
    carol.join(timeout=10)
    relay.drain()

    # Then the message shows the decision: no Approve/Reject buttons left
    # (on main: Carol's late redraw of the "1 of 2" record lands last; the buttons are back)
    blocks = message_of(stack, record)["blocks"]
    assert all(block["type"] != "actions" for block in blocks)
