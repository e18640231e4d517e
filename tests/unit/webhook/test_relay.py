"""The relay delivers decisions, retries what may succeed later, and lets go of what never can;
it redraws every copy of the message for every vote that counted, in the time it has."""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from boto3.dynamodb.types import TypeSerializer
from botocore.config import Config
from botocore.stub import Stubber

from greenlight.core.errors import CallbackRefusedError, DeliveryError
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Status, Verdict, Vote
from greenlight.webhook import relay as relay_module
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.relay import (
    Change,
    DecisionRelay,
    decided_in,
    for_slack,
    make_stream_handler,
)
from tests.unit.webhook.test_approval_metrics import pending

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord


class Callbacks:
    """Lambda's callback API as the relay sees it: answers, or raises what it is told to."""

    def __init__(self, raises: Exception | None = None) -> None:
        self.raises = raises
        self.sent: list[str] = []

    def succeed(self, callback_id: str, result: bytes) -> bool:
        if self.raises:
            raise self.raises
        self.sent.append(callback_id)
        return True


class Audit:
    """The audit table as the relay writes it: lines kept by key, never overwritten."""

    def __init__(self) -> None:
        self.lines: dict[tuple[str, str], AuditEvent] = {}

    def append_once(self, event: AuditEvent) -> bool:
        key = (event.approval_id, event.seq)
        if key in self.lines:
            return False
        self.lines[key] = event
        return True


class Board:
    """The message board: the copies redrawn, in order, each after `seconds`."""

    def __init__(self, seconds: float = 0) -> None:
        self.seconds = seconds
        self.redrawn: list[str] = []
        self.copies: list[SlackMessage] = []

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        time.sleep(self.seconds)
        self.redrawn.append(record.approval_id)
        self.copies.append(message)


CHANNEL_COPY = SlackMessage("C0DEPLOYS", "1700000000.000001")
DM_COPIES = (
    SlackMessage("D0BOB", "1700000000.000002", "U0BOB"),
    SlackMessage("D0CAROL", "1700000000.000003", "U0CAROL"),
)
VOTE = Vote("U0BOB", Verdict.APPROVE, "2026-11-22T12:01:00+00:00")
SEQUENCE = "400000000000000000001"
STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/approvals/stream/2026-11-22T00:00:00.000"
)


def posted(quorum: int = 1) -> ApprovalRecord:
    """A pending request posted in the channel and in two DMs."""
    record = pending(quorum=quorum)
    for message in (CHANNEL_COPY, *DM_COPIES):
        record = record.with_message(message)
    return record


def images(status: Status) -> tuple[dict[str, Any], dict[str, Any]]:
    before = pending(quorum=1).with_message(CHANNEL_COPY)
    after = replace(before, status=status, decided_by=("U0BOB",), version=before.version + 1)
    return before.to_item(), after.to_item()


def relayed(
    relay: DecisionRelay, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> PartialItemFailureResponse:
    """Hand one change of a record to the relay as Lambda does: a DynamoDB Streams batch
    (`make_stream_handler`), one MODIFY record with both images in DynamoDB's typed JSON, as
    in AWS's sample event (docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). The answer
    lists the records to deliver again (`batchItemFailures`)."""
    typed = TypeSerializer().serialize
    key = (new or old or {}).get("approval_id", "unknown")
    change: dict[str, Any] = {
        "Keys": {"approval_id": typed(key)},
        "StreamViewType": "NEW_AND_OLD_IMAGES",
        "SequenceNumber": SEQUENCE,
        "SizeBytes": 512,
    }
    if old is not None:
        change["OldImage"] = {k: typed(v) for k, v in old.items()}
    if new is not None:
        change["NewImage"] = {k: typed(v) for k, v in new.items()}
    event = {
        "Records": [
            {
                "eventID": "1",
                "eventVersion": "1.1",
                "eventName": "MODIFY",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "eventSourceARN": STREAM_ARN,
                "dynamodb": change,
            }
        ]
    }
    return make_stream_handler(relay)(event, None)


@pytest.mark.parametrize(
    ("old", "new", "decided"),
    [
        ("pending", "approved", True),
        ("pending", "rejected", True),
        ("pending", "expired", False),  # the gate writes expiry itself: nothing to send
        ("pending", "pending", False),  # a vote that decided nothing
        ("approved", "approved", False),  # a later write to a decided record
    ],
)
def test_only_the_change_that_decided_is_relayed(old: str, new: str, decided: bool) -> None:
    assert decided_in({"status": old}, {"status": new}) is decided
    assert decided_in(None, {"status": "approved"}) is False  # an insert decides nothing


def test_a_decision_is_delivered_and_redrawn() -> None:
    callbacks, board = Callbacks(), Board()

    answer = relayed(DecisionRelay(callbacks, board, Audit()), *images(Status.APPROVED))

    assert (callbacks.sent, board.redrawn) == (["cb"], ["a" * 22])
    assert answer["batchItemFailures"] == []


def test_a_request_the_gate_refused_is_not_relayed() -> None:
    # Given a request the gate itself rejected (too few approvers reachable): rejected by no
    # one, as the gate stores it; the gate returned its decision and waits on no callback
    callbacks, board = Callbacks(), Board()
    before = posted(quorum=2)
    why = "needs 2 approvers but only 1 can be reached"
    after = replace(
        before, status=Status.REJECTED, decided_at=VOTE.at, reason=why, version=before.version + 1
    )

    # When the relay sees the change
    relayed(DecisionRelay(callbacks, board, Audit()), before.to_item(), after.to_item())

    # Then it resumes nothing (like an expiry) and leaves the redraw to the gate that wrote it
    assert callbacks.sent == []
    assert board.copies == []


def test_a_callback_that_may_succeed_later_is_retried_by_the_stream() -> None:
    board = Board()
    relay = DecisionRelay(Callbacks(DeliveryError("ServiceException")), board, Audit())

    # (a batch whose every record failed raises, so Lambda delivers the batch again: Powertools'
    # process_partial_response)
    with pytest.raises(BatchProcessingError, match="All records failed"):
        relayed(relay, *images(Status.APPROVED))

    assert board.redrawn == []  # shown once delivered, not before


def test_a_callback_refused_for_good_is_let_go_with_an_error_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = Board()
    relay = DecisionRelay(Callbacks(CallbackRefusedError("AccessDeniedException")), board, Audit())

    with caplog.at_level(logging.ERROR):
        answer = relayed(relay, *images(Status.REJECTED))

    assert answer["batchItemFailures"] == []  # the stream moves on
    assert board.redrawn == []
    assert "callback refused by Lambda; decision let go" in caplog.text


def test_an_unreadable_decided_record_is_let_go_with_an_error_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    callbacks = Callbacks()
    with caplog.at_level(logging.ERROR):
        answer = relayed(
            DecisionRelay(callbacks, Board(), Audit()),
            {"approval_id": "a" * 22, "status": "pending"},
            {"approval_id": "a" * 22, "status": "approved"},
        )

    assert callbacks.sent == []
    assert answer["batchItemFailures"] == []
    assert "unreadable decision record let go" in caplog.text


def test_a_counted_vote_that_decides_nothing_redraws_every_copy_and_sends_no_callback() -> None:
    # Given a 2-of-2 request in the channel and two DMs, and Bob's vote counted (1 of 2)
    callbacks, board = Callbacks(), Board()
    before = posted(quorum=2)
    after = before.with_vote(VOTE)
    assert after.status is Status.PENDING

    # When the relay sees the change
    relayed(DecisionRelay(callbacks, board, Audit()), before.to_item(), after.to_item())

    # Then every copy shows the progress, and no workflow was resumed
    assert board.copies == [CHANNEL_COPY, *DM_COPIES]
    assert callbacks.sent == []


def test_a_change_that_counts_no_vote_redraws_nothing() -> None:
    # Given a request given one more copy (the gate posting to a DM): no vote changed
    board = Board()
    before = pending(quorum=1).with_message(CHANNEL_COPY)
    after = before.with_message(DM_COPIES[0])

    relayed(DecisionRelay(Callbacks(), board, Audit()), before.to_item(), after.to_item())

    assert board.copies == []


def test_a_decision_redraws_every_copy() -> None:
    board = Board()
    before = posted(quorum=1)
    after = before.with_vote(VOTE)
    assert after.status is Status.APPROVED

    relayed(DecisionRelay(Callbacks(), board, Audit()), before.to_item(), after.to_item())

    assert board.copies == [CHANNEL_COPY, *DM_COPIES]


def test_the_copies_are_redrawn_only_while_the_relays_time_for_slack_lasts() -> None:
    # Given Slack taking 50 ms a copy and 120 ms left: time for three copies at most
    board = Board(seconds=0.05)
    record = posted(quorum=2).with_vote(VOTE)
    many = record
    for n in range(10):
        many = many.with_message(SlackMessage(f"D0P{n:02d}", f"1700000001.{n:06d}", f"U0P{n:02d}"))
    relay = DecisionRelay(Callbacks(), board, Audit())

    # When the relay redraws the request's 13 copies
    finished = relay.redraw(Change(many, redraw=True), until=time.monotonic() + 0.12)

    # Then it stopped between copies when the time was up, and says so
    assert finished is False
    assert 1 <= len(board.copies) <= 3
    assert board.copies == list(many.posted_as()[: len(board.copies)])


def test_a_batch_shows_each_approval_once_as_it_is_now_redrawn_if_any_change_was() -> None:
    first = posted(quorum=2)
    counted = first.with_vote(VOTE)
    reminded = replace(counted, version=counted.version + 1)  # a later change, no vote

    shown = for_slack([Change(counted, redraw=True), Change(reminded, redraw=False)])

    assert shown == [Change(reminded, redraw=True)]


def answering(code: str, status: int, callback_id: str) -> tuple[Any, Stubber]:
    """A Lambda client whose next `SendDurableExecutionCallbackSuccess` for `callback_id` is
    answered with Lambda's error `code` at HTTP `status` (botocore's Stubber)."""
    client = boto3.client("lambda", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error(
        "send_durable_execution_callback_success",
        service_error_code=code,
        http_status_code=status,
        expected_params={"CallbackId": callback_id, "Result": b"{}"},
    )
    return client, stub


@pytest.mark.parametrize(
    ("code", "status", "outcome"),
    [
        ("CallbackTimeoutException", 400, False),  # closed: timed out, or delivered before
        ("ResourceNotFoundException", 404, False),
        ("TooManyRequestsException", 429, DeliveryError),
        ("ServiceException", 500, DeliveryError),
        ("AccessDeniedException", 403, CallbackRefusedError),
        ("InvalidParameterValueException", 400, CallbackRefusedError),
        ("KMSAccessDeniedException", 502, DeliveryError),  # a 5xx may pass: sent again
        # A 500 whatever its code (none in the model but ServiceException): botocore's own
        # retry rules send any 500 again (botocore/data/_retry.json, "general_server_error")
        ("InternalError", 500, DeliveryError),
    ],
)
def test_lambdas_answers_are_read_as_closed_retry_or_refused(
    code: str, status: int, outcome: bool | type[Exception]
) -> None:
    client, stub = answering(code, status, "cb")
    sender = LambdaCallbackSender(client)
    with stub:
        if isinstance(outcome, bool):
            assert sender.succeed("cb", b"{}") is outcome
        else:
            with pytest.raises(outcome):
                sender.succeed("cb", b"{}")


def test_a_lambda_api_that_cannot_be_reached_is_a_delivery_to_retry_not_a_refusal() -> None:
    # A refused connection on loopback (a port nothing listens on): botocore raises its own
    # EndpointConnectionError, no answer from Lambda at all. The decision must be sent again
    # (the stream retries the record), never let go as refused for good.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="testing-not-real",
        aws_secret_access_key="testing-not-real",  # a dummy for SigV4 only
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )
    with pytest.raises(DeliveryError) as raised:
        LambdaCallbackSender(client).succeed("cb", b"{}")
    assert raised.value.cause == "EndpointConnectionError"


def test_each_counted_vote_and_the_decision_are_audited_once_however_often_delivered() -> None:
    # Given Bob's deciding vote (1 of 1), the change the stream shows
    audit = Audit()
    relay = DecisionRelay(Callbacks(), Board(), audit)
    before = posted(quorum=1)
    after = before.with_vote(VOTE)

    # When the stream delivers it, then again (a retried batch)
    relayed(relay, before.to_item(), after.to_item())
    relayed(relay, before.to_item(), after.to_item())

    # Then his vote and the decision each have their one line
    kinds = [(e.kind.value, e.actor) for e in audit.lines.values()]
    assert kinds == [("voted", "U0BOB"), ("approved", "U0BOB")]


def test_a_decision_let_go_for_a_refused_callback_is_still_audited() -> None:
    # Lambda refuses the callback for good: the record is let go (never retried), so its audit
    # lines are written before the callback is tried, or never
    audit = Audit()
    relay = DecisionRelay(Callbacks(CallbackRefusedError("AccessDeniedException")), Board(), audit)
    before = posted(quorum=1)

    relayed(relay, before.to_item(), before.with_vote(VOTE).to_item())

    assert [e.kind.value for e in audit.lines.values()] == ["voted", "approved"]


class Context:
    """The Lambda context the relay reads: only the time the invocation has left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds * 1000)


def stream_record(sequence: str, old: ApprovalRecord, new: ApprovalRecord) -> dict[str, Any]:
    """A MODIFY record of the approvals table's stream, in the shape of Powertools' fixture
    (aws-powertools/powertools-lambda-python tests/events/dynamoStreamEvent.json), with the
    record's images in DynamoDB JSON as the stream carries them."""
    serialize = TypeSerializer().serialize
    return {
        "eventID": sequence,
        "eventVersion": "1.0",
        "dynamodb": {
            "Keys": {"approval_id": {"S": new.approval_id}},
            "OldImage": {k: serialize(v) for k, v in old.to_item().items()},
            "NewImage": {k: serialize(v) for k, v in new.to_item().items()},
            "StreamViewType": "NEW_AND_OLD_IMAGES",
            "SequenceNumber": sequence,
            "SizeBytes": 59,
        },
        "awsRegion": "us-west-2",
        "eventName": "MODIFY",
        "eventSourceARN": "source_arn",
        "eventSource": "aws:dynamodb",
    }


def test_with_time_for_one_message_a_batch_redraws_the_decided_one_first() -> None:
    # Given a batch: first a vote counted on one request (1 of 2), then another request decided
    progress_before = replace(posted(quorum=2), approval_id="p" * 22)
    progress = progress_before.with_vote(VOTE)
    decided_before = pending(quorum=1).with_message(CHANNEL_COPY)
    decided = decided_before.with_vote(VOTE)
    event = {
        "Records": [
            stream_record("111", progress_before, progress),
            stream_record("222", decided_before, decided),
        ]
    }
    board = Board(seconds=0.3)
    handler = make_stream_handler(DecisionRelay(Callbacks(), board, Audit()))

    # When the invocation has time for about one Slack call past its reserve
    response = handler(event, Context(relay_module.SLACK_RESERVE_SECONDS + 0.2))  # type: ignore[arg-type]  # a stand-in

    # Then nothing failed, and the decided message (its buttons must go) was drawn first
    assert response == {"batchItemFailures": []}
    assert board.redrawn[0] == decided.approval_id


def test_what_follows_a_failed_record_in_a_batch_is_left_to_its_redelivery() -> None:
    # Given a batch: a decision whose callback cannot be sent yet, then a vote on another request
    decided_before = pending(quorum=1).with_message(CHANNEL_COPY)
    progress_before = replace(posted(quorum=2), approval_id="p" * 22)
    event = {
        "Records": [
            stream_record("111", decided_before, decided_before.with_vote(VOTE)),
            stream_record("222", progress_before, progress_before.with_vote(VOTE)),
        ]
    }
    board = Board()
    relay = DecisionRelay(Callbacks(DeliveryError("ServiceException")), board, Audit())

    response = make_stream_handler(relay)(event, None)

    # Then the failed record is reported (Lambda delivers it, and all after it, again) and
    # Slack is shown nothing of the batch: the redelivery draws it
    assert response == {"batchItemFailures": [{"itemIdentifier": "111"}]}
    assert board.redrawn == []


class BrokenHomes:
    """App Home tabs that cannot be published (Slack down for views.publish)."""

    def __init__(self) -> None:
        self.tries = 0

    def refresh(self, record: ApprovalRecord, until: float = float("inf")) -> int:
        self.tries += 1
        raise OSError("views.publish unreachable")


def test_a_home_tab_that_cannot_be_refreshed_never_fails_the_decisions_batch() -> None:
    # Given a decision, and App Home tabs Slack will not publish
    decided_before = pending(quorum=1).with_message(CHANNEL_COPY)
    event = {"Records": [stream_record("111", decided_before, decided_before.with_vote(VOTE))]}
    callbacks, homes = Callbacks(), BrokenHomes()
    relay = DecisionRelay(callbacks, Board(), Audit(), homes)

    response = make_stream_handler(relay)(event, None)

    # Then the decision is delivered and the batch succeeds: a Home tab is a view of the table,
    # drawn again on the next change or when opened, never a reason to send the batch again
    assert callbacks.sent == ["cb"]
    assert homes.tries == 1
    assert response == {"batchItemFailures": []}


@pytest.mark.parametrize(
    ("code", "status", "raised"),
    [
        ("ServiceException", 500, DeliveryError),
        ("AccessDeniedException", 403, CallbackRefusedError),
    ],
)
def test_lambdas_refusal_is_raised_without_botocores_error_which_names_the_callback_id(
    code: str, status: int, raised: type[Exception]
) -> None:
    # botocore's error text names the request's URL, whose path is the callback id (a bearer
    # capability): a traceback of a chained error would print it (Lambda's logs, the relay's)
    client, stub = answering(code, status, "cb-secret")
    with stub, pytest.raises(raised) as caught:
        LambdaCallbackSender(client).succeed("cb-secret", b"{}")

    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert "cb-secret" not in str(caught.value)
