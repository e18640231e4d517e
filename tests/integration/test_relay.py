"""Every stored decision reaches its workflow, even when the webhook cannot send its callback.

The webhook's callback is a fast path; the approvals table's stream is the outbox. Here the
webhook's Lambda API is down or hangs, the click still counts and is answered, and the relay,
fed by the stream exactly as Lambda feeds it, delivers the decision once.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING

import pytest

from approvals.votes import Status
from localdev.slack_requests import block_actions, form, signed_headers
from slack_webhook.build import build_webhook
from tests.events import function_url_event
from tests.integration.conftest import SIGNING_SECRET, post_pending
from tests.integration.test_webhook_mangum import invoke

if TYPE_CHECKING:
    from collections.abc import Iterator

    from approvals.record import ApprovalRecord
    from localdev.stream_relay import StreamPoller
    from slack_webhook.asgi import SlackWebhook
    from tests.integration.conftest import Stack


@pytest.fixture
def hanging_endpoint() -> Iterator[str]:
    """A Lambda API that accepts connections and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


def webhook_with_lambda_at(
    stack: Stack, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> SlackWebhook:
    """The deployed webhook, its Lambda client pointed at `endpoint` (read when it is built)."""
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint)
        return build_webhook(stack.settings)


def approve(asgi: SlackWebhook, record: ApprovalRecord, user: str = "U0CAROL") -> int:
    assert record.slack is not None
    body = form(
        block_actions(
            action_id="approve",
            approval_id=record.approval_id,
            user_id=user,
            channel_id=record.slack.channel,
            message_ts=record.slack.ts,
        )
    )
    return int(
        invoke(asgi, function_url_event(body, signed_headers(SIGNING_SECRET, body)))["statusCode"]
    )


def callbacks_for(stack: Stack, record: ApprovalRecord) -> list[str]:
    return [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]


def test_a_decision_whose_callback_failed_is_delivered_by_the_relay(
    stack: Stack, relay: StreamPoller, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a webhook whose Lambda API refuses connections (nothing listens on port 9)
    asgi = webhook_with_lambda_at(stack, "http://127.0.0.1:9", monkeypatch)
    record = post_pending(stack)

    # When Carol approves
    status = approve(asgi, record)

    # Then her click counts and is answered, though the workflow was not resumed yet
    assert status == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert callbacks_for(stack, record) == []

    # When the stream delivers the change to the relay
    relay.drain()

    # Then the workflow is resumed, once; later batches change nothing
    assert callbacks_for(stack, record) == ["succeed"]
    relay.drain()
    assert callbacks_for(stack, record) == ["succeed"]


def test_a_hanging_lambda_api_holds_no_click_past_slacks_3_seconds(
    stack: Stack, relay: StreamPoller, hanging_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a webhook whose Lambda API accepts the connection and never answers
    asgi = webhook_with_lambda_at(stack, hanging_endpoint, monkeypatch)
    record = post_pending(stack)

    # When Carol approves
    started = time.monotonic()
    status = approve(asgi, record)
    seconds = time.monotonic() - started

    # Then she is answered within Slack's 3 s, and the relay resumes the workflow
    assert status == 200
    assert seconds < 3
    relay.drain()
    assert callbacks_for(stack, record) == ["succeed"]


def test_a_decision_the_webhook_delivered_is_not_delivered_twice(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a click whose callback the webhook sent at once (the fast path)
    record = post_pending(stack)
    assert approve(build_webhook(stack.settings), record) == 200
    assert callbacks_for(stack, record) == ["succeed"]

    # When the relay sees the same decision on the stream
    relay.drain()

    # Then Lambda answers "closed" to the second send, and the workflow saw one decision
    assert callbacks_for(stack, record) == ["succeed"]


def test_votes_that_decide_nothing_are_not_relayed(stack: Stack, relay: StreamPoller) -> None:
    # Given a 2-of-3 approval with one vote so far
    record = post_pending(stack, quorum=2)
    assert approve(build_webhook(stack.settings), record) == 200

    # When the relay reads the vote
    relay.drain()

    # Then no workflow is resumed: the approval is still pending
    assert stack.store.get(record.approval_id).status is Status.PENDING
    assert callbacks_for(stack, record) == []
