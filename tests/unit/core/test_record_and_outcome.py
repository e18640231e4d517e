"""The approval record's storage form and the callback payloads built from it."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from greenlight.core.errors import InvalidRequestError
from greenlight.core.outcome import (
    Outcome,
    failure_error,
    outcome_from_failure,
    outcome_from_success,
    success_payload,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import ApprovalRequest
from greenlight.core.votes import Status, Verdict, Vote

AT = "2026-11-22T12:00:00+00:00"


def pending() -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="a" * 22,
        callback_id="secret-callback-id",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "ord-1", "Order ord-1", "U0ALICE", 125_000, "EUR", (("Customer", "Acme"),)
        ),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=1),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=1_800_000_000,
        slack=SlackMessage("C0APPROVALS", "1700000000.000001"),
    )


def test_record_round_trips_through_its_item_even_with_decimals() -> None:
    record = pending().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    item = json.loads(json.dumps(record.to_item()))
    item["ttl"] = Decimal(item["ttl"])
    item["request"]["amount_cents"] = Decimal(item["request"]["amount_cents"])

    assert ApprovalRecord.from_item(item) == record


def test_callback_id_never_shows_in_the_repr() -> None:
    assert "secret-callback-id" not in repr(pending())


def test_success_payload_has_the_documented_shape() -> None:
    approved = pending().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))

    body = json.loads(success_payload(approved))

    assert body == {
        "decision": "approved",
        "approvers": [{"user_id": "U0BOB", "at": AT}],
        "approval_id": "a" * 22,
    }
    assert outcome_from_success(body).deciders[0].user_id == "U0BOB"


def test_failure_error_carries_the_kind_and_reason() -> None:
    rejected = pending().with_vote(Vote("U0CAROL", Verdict.REJECT, AT, "too expensive"))

    error = failure_error(rejected)

    assert (error["ErrorType"], error["ErrorMessage"]) == ("Rejected", "too expensive")
    outcome = outcome_from_failure(error["ErrorData"])
    assert (outcome.decision, outcome.reason) == (Status.REJECTED, "too expensive")


def test_expiry_is_a_failure_of_kind_expired() -> None:
    assert failure_error(pending().expired(AT))["ErrorType"] == "Expired"


@pytest.mark.parametrize(
    "payload", [None, {}, {"decision": "maybe", "approvers": [], "approval_id": "x"}, "text"]
)
def test_malformed_callback_results_are_refused(payload: object) -> None:
    with pytest.raises(InvalidRequestError):
        outcome_from_success(payload)


def test_an_outcome_must_be_final() -> None:
    with pytest.raises(InvalidRequestError):
        Outcome("a" * 22, Status.PENDING)
