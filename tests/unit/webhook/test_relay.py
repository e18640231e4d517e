"""The relay delivers decisions, retries what may succeed later, and lets go of what never can."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber

from greenlight.core.errors import CallbackRefusedError, DeliveryError
from greenlight.core.votes import Status
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.relay import DecisionRelay, decided_in
from tests.unit.webhook.test_approval_metrics import pending

if TYPE_CHECKING:
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
    def __init__(self) -> None:
        self.redrawn: list[str] = []

    def redraw(self, record: ApprovalRecord) -> None:
        self.redrawn.append(record.approval_id)


def images(status: Status) -> tuple[dict[str, Any], dict[str, Any]]:
    before = pending(quorum=1)
    after = replace(before, status=status, decided_by=("U0BOB",), version=before.version + 1)
    return before.to_item(), after.to_item()


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

    DecisionRelay(callbacks, board, Audit()).on_change(*images(Status.APPROVED))

    assert (callbacks.sent, board.redrawn) == (["cb"], ["a" * 22])


def test_a_callback_that_may_succeed_later_is_retried_by_the_stream() -> None:
    relay = DecisionRelay(Callbacks(DeliveryError("ServiceException")), Board(), Audit())

    with pytest.raises(DeliveryError):
        relay.on_change(*images(Status.APPROVED))


def test_a_callback_refused_for_good_is_let_go_with_an_error_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    board = Board()
    relay = DecisionRelay(Callbacks(CallbackRefusedError("AccessDeniedException")), board, Audit())

    with caplog.at_level(logging.ERROR):
        relay.on_change(*images(Status.REJECTED))  # returns: the stream moves on

    assert board.redrawn == []
    assert "callback refused by Lambda; decision let go" in caplog.text


def test_an_unreadable_decided_record_is_let_go_with_an_error_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    callbacks = Callbacks()
    with caplog.at_level(logging.ERROR):
        DecisionRelay(callbacks, Board(), Audit()).on_change(
            {"status": "pending"}, {"status": "approved"}
        )

    assert callbacks.sent == []
    assert "unreadable decision record let go" in caplog.text


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
    ],
)
def test_lambdas_answers_are_read_as_closed_retry_or_refused(
    code: str, status: int, outcome: bool | type[Exception]
) -> None:
    client = boto3.client("lambda", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error(
        "send_durable_execution_callback_success",
        service_error_code=code,
        http_status_code=status,
        expected_params={"CallbackId": "cb", "Result": b"{}"},
    )
    sender = LambdaCallbackSender(client)
    with stub:
        if isinstance(outcome, bool):
            assert sender.succeed("cb", b"{}") is outcome
        else:
            with pytest.raises(outcome):
                sender.succeed("cb", b"{}")
