"""A batch whose decision failed (its callback, Lambda's API down) does not redraw the message
from the vote counted before it (found by review-relay): the webhook drew the decision, and the
counted change would bring "1 of 2" and the buttons back until the callback got through.

Over the real local stack (moto DynamoDB and its stream, the real webhook behind Mangum, the
real poller). Lambda's semantics relied on
(https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html): with
ReportBatchItemFailures, Lambda retries every record from the lowest failed sequence number.
"""

from __future__ import annotations

import math
import os
import time
from typing import TYPE_CHECKING

import boto3

from greenlight.aws.approval_store import DynamoAuditLog
from greenlight.core.votes import Status
from greenlight.webhook.build import build_webhook
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.relay import DecisionRelay, make_stream_handler
from localdev.stream_relay import StreamPoller
from tests.integration.conftest import post_pending
from tests.integration.test_relay import approve, webhook_with_lambda_at

if TYPE_CHECKING:
    import pytest
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from greenlight.core.record import ApprovalRecord, SlackMessage
    from tests.integration.conftest import Stack


class RecordingSlack:
    """Slack's message board and Home tabs: what each copy was last drawn as."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds
        self.drawn: list[tuple[str, SlackMessage, Status, int]] = []

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        time.sleep(self.seconds)
        self.drawn.append((record.approval_id, message, record.status, record.version))

    def refresh(self, record: ApprovalRecord, until: float = math.inf) -> int:
        return 0


def poller_for(
    stack: Stack, relay: DecisionRelay, context: LambdaContext | None = None
) -> StreamPoller:
    table = boto3.client("dynamodb").describe_table(TableName=stack.settings.approvals_table)
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    handler = make_stream_handler(relay)
    poller = StreamPoller(
        streams, table["Table"]["LatestStreamArn"], lambda event, _: handler(event, context)
    )
    poller.skip_to_end()
    return poller


def test_a_failed_decision_does_not_let_its_earlier_vote_redraw_the_message_as_pending(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a 2-of-3 approval, and a relay whose Lambda API is down (nothing listens on port 9)
    record = post_pending(stack, quorum=2)
    slack = RecordingSlack()
    audit = DynamoAuditLog(boto3.client("dynamodb"), stack.settings.audit_table)
    with monkeypatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9")
        callbacks = LambdaCallbackSender(boto3.client("lambda"))
    poller = poller_for(stack, DecisionRelay(callbacks, slack, audit, slack))

    # When Carol's approve counts, and Bob's decides it (the webhook's fast path fails too, so
    # the webhook drew only Bob's copy, as approved), and the relay then takes both changes
    assert approve(build_webhook(stack.settings), record, "U0CAROL") == 200
    down = webhook_with_lambda_at(stack, "http://127.0.0.1:9", monkeypatch)
    assert approve(down, record, "U0BOB") == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    poller.drain()

    # Then no copy of the decided approval was redrawn from the older, pending change
    # (on main: every copy is redrawn as "1 of 2", buttons back, while the decision waits)
    stale = [d for d in slack.drawn if d[0] == record.approval_id and d[2] is Status.PENDING]
    assert stale == []
