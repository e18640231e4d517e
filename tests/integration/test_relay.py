"""Every stored decision reaches its workflow, even when the webhook cannot send its callback.

The webhook's callback is a fast path; the approvals table's stream is the outbox. Here the
webhook's Lambda API is down or hangs, the click still counts and is answered, and the relay,
fed by the stream exactly as Lambda feeds it, delivers the decision once.
"""

from __future__ import annotations

import math
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, cast

import boto3
import pytest

from greenlight.aws.approval_store import DynamoAuditLog
from greenlight.core.votes import Status
from greenlight.webhook.build import build_relay, build_webhook
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.relay import SLACK_RESERVE_SECONDS, DecisionRelay, make_stream_handler
from localdev.slack_requests import signed_headers
from localdev.stream_relay import StreamPoller
from tests.events import function_url_event
from tests.integration.conftest import SIGNING_SECRET, click_body, post_pending
from tests.integration.test_webhook_mangum import invoke

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from aws_lambda_powertools.utilities.typing import LambdaContext

    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.webhook.asgi import SlackWebhook
    from tests.integration.conftest import Stack


@pytest.fixture
def hanging_endpoint() -> Iterator[tuple[str, list[socket.socket]]]:
    """A Lambda API that accepts connections and never answers; and the connections it took."""
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
    yield f"http://127.0.0.1:{server.getsockname()[1]}", held
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
    body = click_body(record, user)
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


def test_a_hanging_lambda_api_gets_one_short_try_and_the_relay_delivers(
    stack: Stack,
    relay: StreamPoller,
    hanging_endpoint: tuple[str, list[socket.socket]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a webhook whose Lambda API accepts the connection and never answers
    endpoint, connections = hanging_endpoint
    asgi = webhook_with_lambda_at(stack, endpoint, monkeypatch)
    record = post_pending(stack)

    # When Carol approves
    started = time.monotonic()
    status = approve(asgi, record)
    seconds = time.monotonic() - started

    # Then the webhook tried once (a 1.5 s read timeout, no retry: so within Slack's 3 s on an
    # idle machine; the bound here is loose for a loaded one), and the relay resumes the workflow
    assert status == 200
    assert len(connections) == 1
    assert seconds < 6
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
    handed = relay.drain()

    # Then Lambda answers "closed" to the second send, the relay takes that as done (it moves
    # past the record instead of retrying it), and the workflow saw one decision
    assert handed >= 1
    assert relay.drain() == 0
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


def test_a_relay_that_cannot_deliver_keeps_the_decision_for_the_next_one(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a decision whose fast path failed, and a relay whose own Lambda API is down too
    table = boto3.client("dynamodb").describe_table(TableName=stack.settings.approvals_table)
    arn = table["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    checkpoint = tmp_path / "checkpoint.json"
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9")
        failing = StreamPoller(
            streams, arn, make_stream_handler(build_relay(stack.settings)), checkpoint
        )
    failing.skip_to_end()
    record = post_pending(stack)
    assert approve(webhook_with_lambda_at(stack, "http://127.0.0.1:9", monkeypatch), record) == 200

    # When that relay tries (and its container then dies), and a new one starts from the checkpoint
    failing.drain()
    assert callbacks_for(stack, record) == []
    fresh = StreamPoller(streams, arn, make_stream_handler(build_relay(stack.settings)), checkpoint)
    fresh.drain()

    # Then the decision was kept in the stream, and the new relay delivers it once
    assert callbacks_for(stack, record) == ["succeed"]


def test_a_failed_delivery_never_writes_the_callback_id_to_the_logs(
    stack: Stack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Given a decision whose fast path failed, and a relay whose Lambda API refuses connections
    # (botocore's error names the URL, which holds the callback id, a bearer capability)
    table = boto3.client("dynamodb").describe_table(TableName=stack.settings.approvals_table)
    arn = table["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9")
        failing = StreamPoller(
            streams, arn, make_stream_handler(build_relay(stack.settings)), tmp_path / "at.json"
        )
    record = post_pending(stack)
    failing.skip_to_end()  # the batch is the vote alone, so all of it fails
    assert approve(webhook_with_lambda_at(stack, "http://127.0.0.1:9", monkeypatch), record) == 200

    # When the relay's whole batch fails (Lambda logs what its handler raised), logging at INFO
    # as deployed (botocore's own DEBUG lines name every URL: never on in production)
    with caplog.at_level("INFO"):
        failing.drain()

    # Then the failure is logged, and nowhere with the callback id
    assert "stream batch failed" in caplog.text
    assert "DeliveryError" in caplog.text
    out, err = capfd.readouterr()
    assert record.callback_id not in caplog.text + out + err


class SlowSlack:
    """Slack answering slowly: each message redraw and each Home tabs refresh takes `seconds`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.shown: list[str] = []

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        time.sleep(self.seconds)
        self.shown.append(record.approval_id)

    def refresh(self, record: ApprovalRecord, until: float = math.inf) -> int:
        time.sleep(self.seconds)
        return 1


class Context:
    """Lambda's context object, of which the relay asks only the time left."""

    def __init__(self, seconds: float) -> None:
        self.millis = int(seconds * 1000)

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


def test_a_batchs_callbacks_all_go_before_a_slow_slack_which_gets_only_the_time_left(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Given four decisions whose fast path failed, and a relay whose Slack takes 1 s a change,
    # in an invocation that has 1.2 s left for Slack
    table = boto3.client("dynamodb").describe_table(TableName=stack.settings.approvals_table)
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    slack = SlowSlack(0.5)
    audit = DynamoAuditLog(boto3.client("dynamodb"), stack.settings.audit_table)
    relay = DecisionRelay(LambdaCallbackSender(boto3.client("lambda")), slack, audit, slack)
    handler = make_stream_handler(relay)
    left = cast("LambdaContext", Context(SLACK_RESERVE_SECONDS + 1.2))
    poller = StreamPoller(
        streams, table["Table"]["LatestStreamArn"], lambda event, _: handler(event, left)
    )
    records = [post_pending(stack) for _ in range(4)]
    poller.skip_to_end()
    webhook = webhook_with_lambda_at(stack, "http://127.0.0.1:9", monkeypatch)
    for record in records:
        assert approve(webhook, record) == 200

    # When the relay takes the batch
    started = time.monotonic()
    with caplog.at_level("WARNING"):
        accepted = poller.drain()
    seconds = time.monotonic() - started

    # Then every workflow is resumed, the batch succeeds, and Slack stopped when time ran out
    assert accepted == 4
    assert all(callbacks_for(stack, record) == ["succeed"] for record in records)
    assert 1 <= len(slack.shown) < 4
    assert "out of time for Slack" in caplog.text
    assert seconds < 4
