"""A deciding vote whose answer is lost and which botocore sends again, on moto's DynamoDB.

The loss is made where botocore sends (its `before-send` event): the first `UpdateItem` of a
vote is sent for real (DynamoDB applies it) and its answer dropped, as a connection cut after
the request reached DynamoDB, raising the `ReadTimeoutError` botocore gets then; botocore's
own retry handler (standard mode, the webhook's `WEBHOOK_CLIENT_CONFIG`) sends it again, and
DynamoDB refuses the copy by the write's own condition. The voter must not be told "already
decided" by their own vote, and the decision must still reach the workflow at once.

Sources (botocore 1.44.5): `botocore/endpoint.py` emits `before-send.{service}.{operation}`
and returns an `HTTPClientError` raised there as the attempt's exception; the standard retry
mode's `TransientRetryableChecker` (`botocore/retries/standard.py`) retries every
`HTTPClientError`, which `ReadTimeoutError` is (`botocore/exceptions.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.aws.config import WEBHOOK_CLIENT_CONFIG
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from greenlight.webhook.build import build_webhook
from localdev.slack_requests import post, signed_headers
from tests.integration.conftest import SIGNING_SECRET, click_body, post_pending, served

if TYPE_CHECKING:
    from collections.abc import Iterator

    from botocore.awsrequest import AWSPreparedRequest

    from tests.integration.conftest import Stack

UPDATE_ITEM = "before-send.dynamodb.UpdateItem"


class LoseOneAnswer:
    """Sends the next vote write on `approval_id` itself and loses its answer, once."""

    def __init__(self) -> None:
        self.approval_id: str | None = None
        self.sent: list[bytes] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> None:
        body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        self.sent.append(body)
        if self.approval_id is None or self.approval_id.encode() not in body:
            return  # botocore sends it as usual
        self.approval_id = None
        URLLib3Session().send(request)  # reached DynamoDB, which applied it
        raise ReadTimeoutError(endpoint_url=request.url)  # the answer never came back


def test_a_deciding_vote_sent_twice_by_botocore_is_the_vote_that_decided(stack: Stack) -> None:
    # Given a 1-of-N, and the webhook's client about to lose the answer to Bob's vote
    record = post_pending(stack)
    client = boto3.client("dynamodb", config=WEBHOOK_CLIENT_CONFIG)
    lose = LoseOneAnswer()
    client.meta.events.register(UPDATE_ITEM, lose)
    store = DynamoApprovalStore(client, stack.settings.approvals_table, stack.settings.audit_table)
    lose.approval_id = record.approval_id

    # When Bob approves (the write applied, its answer lost, resent by botocore and refused)
    vote = Vote("U0BOB", Verdict.APPROVE, datetime.now(UTC).isoformat())
    after, effect = store.record_vote(record.approval_id, vote)

    # Then his vote is the one that decided, counted once
    assert lose.approval_id is None  # the answer was lost
    assert len(lose.sent) == 2  # botocore's one resend, nothing else
    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by, len(after.votes)) == (Status.APPROVED, ("U0BOB",), 1)
    assert stack.store.get(record.approval_id) == after


@pytest.fixture
def losing_webhook(stack: Stack) -> Iterator[tuple[str, LoseOneAnswer]]:
    """Another webhook over the same tables, built as Lambda builds it, whose DynamoDB client
    (made from boto3's default session, whose handlers each new client copies) loses one
    answer when armed."""
    lose = LoseOneAnswer()
    session = boto3._get_default_session()  # the one boto3.client, so build_webhook, uses
    session.events.register(UPDATE_ITEM, lose)
    try:
        app = build_webhook(stack.settings)
    finally:
        session.events.unregister(UPDATE_ITEM, lose)  # only this webhook's clients keep it
    with served(app) as url:
        yield url, lose


def test_a_click_whose_vote_answer_was_lost_still_resumes_the_workflow(
    stack: Stack, losing_webhook: tuple[str, LoseOneAnswer]
) -> None:
    # Given a 1-of-N, and the webhook about to lose the answer to Bob's vote
    url, lose = losing_webhook
    record = post_pending(stack)
    lose.approval_id = record.approval_id
    with stack.slack.lock:
        earlier = len(stack.slack.ephemerals)  # the session's fake Slack: other tests' too

    # When Bob clicks Approve
    body = click_body(record, "U0BOB")
    status, _ = post(url, body, signed_headers(SIGNING_SECRET, body))

    # Then it is approved by him, the workflow is resumed by this click (one callback), and
    # he is not told it was "already approved" by himself
    assert status == 200
    assert lose.approval_id is None  # the answer was lost
    stored = stack.store.get(record.approval_id)
    assert (stored.status, stored.decided_by) == (Status.APPROVED, ("U0BOB",))
    sent = [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]
    assert sent == ["succeed"]
    with stack.slack.lock:
        told = [e["text"] for e in stack.slack.ephemerals[earlier:] if e["user"] == "U0BOB"]
    assert not [t for t in told if t.startswith("Already")]
