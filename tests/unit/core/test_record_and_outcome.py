"""The approval record's storage form and the callback payloads built from it."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from greenlight.core.errors import InvalidRequestError
from greenlight.core.outcome import (
    Decision,
    decision_from_failure,
    decision_from_success,
    decision_payload,
    failure_error,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import Status, Verdict, Vote

AT = "2026-11-22T12:00:00+00:00"


def pending() -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="a" * 22,
        callback_id="secret-callback-id",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "Order ord-1",
            "U0ALICE",
            fields=(("Customer", "Acme"),),
            amount=Amount(125_000, "EUR"),
            reference="ord-1",
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


def test_a_pending_record_has_no_decision_to_send() -> None:
    # Only a decided record is sent to its workflow (and the webhook builds the payload
    # without a `Decision`: greenlight.core.callback_result)
    with pytest.raises(InvalidRequestError, match="must be final"):
        decision_payload(pending())
    with pytest.raises(InvalidRequestError, match="must be final"):
        Decision.from_record(pending())


def version_1_reader(body: dict[str, Any]) -> tuple[str, Status, list[str]]:
    """What the gate of the previous release read from a success payload (and nothing else)."""
    deciders = [str(a["user_id"]) for a in body["approvers"]]
    return str(body["approval_id"]), Status(body["decision"]), deciders


def test_an_approval_payload_has_the_documented_shape() -> None:
    approved = pending().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))

    body = json.loads(decision_payload(approved))

    assert body == {
        "decision": "approved",
        "approvers": [{"user_id": "U0BOB", "at": AT}],
        "approval_id": "a" * 22,
        "version": 2,
        "deciders": [{"user_id": "U0BOB", "at": AT}],
        "votes": [{"user_id": "U0BOB", "verdict": "approve", "at": AT}],
        "decided_at": AT,
    }
    decision = decision_from_success(body)
    assert (decision.status, decision.deciders[0].user_id) == (Status.APPROVED, "U0BOB")
    assert version_1_reader(body) == ("a" * 22, Status.APPROVED, ["U0BOB"])


def test_a_rejection_is_a_success_payload_with_its_verdict_who_and_why() -> None:
    # Given a 2-of-2 approval: one approve, then a veto
    two_needed = ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=2)
    rejected = (
        dataclasses.replace(pending(), policy=two_needed)
        .with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
        .with_vote(Vote("U0CAROL", Verdict.REJECT, "2026-11-22T12:01:00+00:00", "too expensive"))
    )

    body = json.loads(decision_payload(rejected))
    decision = decision_from_success(body)

    # Then the gate reads every vote, the veto as the decider, and the reason
    assert (decision.status, decision.reason, decision.approved) == (
        Status.REJECTED,
        "too expensive",
        False,
    )
    assert [d.user_id for d in decision.deciders] == ["U0CAROL"]
    assert [(v.user_id, v.verdict) for v in decision.votes] == [
        ("U0BOB", Verdict.APPROVE),
        ("U0CAROL", Verdict.REJECT),
    ]
    # And the previous release's gate (executions in flight) reads a rejection, not approval
    assert version_1_reader(body) == ("a" * 22, Status.REJECTED, ["U0CAROL"])


def test_a_version_1_success_payload_is_still_read() -> None:
    body = {
        "decision": "approved",
        "approvers": [{"user_id": "U0BOB", "at": AT}],
        "approval_id": "x",
    }

    decision = decision_from_success(body)

    assert (decision.status, [d.user_id for d in decision.deciders]) == (Status.APPROVED, ["U0BOB"])
    assert decision.votes == ()


def test_a_version_1_failure_carrying_a_rejection_is_still_read() -> None:
    rejected = pending().with_vote(Vote("U0CAROL", Verdict.REJECT, AT, "too expensive"))

    error = failure_error(rejected)

    assert (error["ErrorType"], error["ErrorMessage"]) == ("Rejected", "too expensive")
    decision = decision_from_failure(error["ErrorData"])
    assert (decision.status, decision.reason) == (Status.REJECTED, "too expensive")
    assert failure_error(pending().expired(AT))["ErrorType"] == "Expired"


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        {"decision": "maybe", "approvers": [], "approval_id": "x"},
        {"decision": "pending", "approvers": [], "approval_id": "x"},
        {"decision": "approved", "approvers": "U0BOB", "approval_id": "x"},
        {"decision": "approved", "approvers": [], "approval_id": "x", "votes": [{}]},
        "text",
        [],
    ],
)
def test_malformed_callback_results_are_refused(payload: object) -> None:
    with pytest.raises(InvalidRequestError):
        decision_from_success(payload)


@pytest.mark.parametrize("data", [None, "", "[]", "{}", '{"decision": "pending"}', "not json"])
def test_malformed_failure_data_is_refused(data: str | None) -> None:
    with pytest.raises(InvalidRequestError):
        decision_from_failure(data)


def test_a_decision_round_trips_through_its_dict_with_context_and_message() -> None:
    decided = pending().with_vote(Vote("U0CAROL", Verdict.REJECT, AT, "too expensive"))
    decision = Decision.from_record(decided).with_request({"order": [1, 2]}, decided.slack)

    assert Decision.from_dict(json.loads(json.dumps(decision.to_dict()))) == decision


def test_a_decision_must_be_final() -> None:
    with pytest.raises(InvalidRequestError):
        Decision(Status.PENDING, "a" * 22)


LATER = "2026-11-22T12:05:00+00:00"


def two_of_three(quorum: int = 2) -> ApprovalRecord:
    """Bob, Carol and Dave may decide, delegates allowed (Erin stands in for Bob)."""
    return dataclasses.replace(
        pending(),
        policy=ApproverPolicy(
            frozenset({"U0BOB", "U0CAROL", "U0DAVE"}), quorum=quorum, allow_delegation=True
        ),
    )


def test_an_approval_is_decided_at_the_time_of_the_vote_that_reached_the_quorum() -> None:
    voted = two_of_three().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    decided = voted.with_vote(Vote("U0CAROL", Verdict.APPROVE, LATER))
    assert (decided.status, decided.decided_at) == (Status.APPROVED, LATER)
    assert decided.is_decided_by(Vote("U0CAROL", Verdict.APPROVE, LATER))
    assert not decided.is_decided_by(Vote("U0BOB", Verdict.APPROVE, AT))


def test_a_delegates_vote_for_an_approver_who_voted_changes_nothing() -> None:
    voted = two_of_three().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    assert voted.with_vote(Vote("U0BOB", Verdict.APPROVE, LATER, cast_by="U0ERIN")) is voted
    assert voted.with_vote(Vote("U0BOB", Verdict.REJECT, LATER, "no", cast_by="U0ERIN")) is voted


def test_only_the_stored_deciding_vote_is_taken_for_the_write_that_decided() -> None:
    # Given Bob's approval and Carol's veto at the very same microsecond
    both = two_of_three().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    vetoed = both.with_vote(Vote("U0CAROL", Verdict.REJECT, AT, "no budget"))
    assert vetoed.decided_by == ("U0CAROL",)
    # Then Bob's approval sent again did not decide it (Carol's veto did)
    assert not vetoed.is_decided_by(Vote("U0BOB", Verdict.APPROVE, AT))
    assert vetoed.is_decided_by(Vote("U0CAROL", Verdict.REJECT, AT, "no budget"))
    # Nor did another vote of the decider's at that time: Erin's for Carol, or another verdict
    assert not vetoed.is_decided_by(Vote("U0CAROL", Verdict.REJECT, AT, "no budget", "U0ERIN"))
    assert not vetoed.is_decided_by(Vote("U0CAROL", Verdict.REJECT, AT, "another reason"))


def test_the_approvals_needed_are_never_fewer_than_none() -> None:
    # A record holding more approvals than its quorum (stored so by hand) needs none, not -1
    over = dataclasses.replace(
        two_of_three(quorum=1),
        votes=(Vote("U0BOB", Verdict.APPROVE, AT), Vote("U0CAROL", Verdict.APPROVE, LATER)),
    )
    assert (over.approvals_needed(), over.to_item()["approvals_needed"]) == (0, 0)


def test_the_approvers_so_far_leave_out_a_veto() -> None:
    voted = two_of_three(quorum=3).with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    vetoed = voted.with_vote(Vote("U0CAROL", Verdict.REJECT, LATER, "no budget"))
    assert vetoed.approved_by() == ["U0BOB"]
    assert vetoed.to_item()["approved_by"] == ["U0BOB"]


def test_a_decided_record_never_expires_and_an_override_must_decide() -> None:
    approved = pending().with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    assert approved.expired(LATER) is approved
    assert approved.overridden(Status.REJECTED, "arn:operator", "urgent", LATER) is approved
    # an operator's "decision" that leaves it pending is no decision: nothing changes
    assert pending().overridden(Status.PENDING, "arn:operator", "urgent", LATER) == pending()


def test_votes_are_read_back_earliest_first_whatever_order_the_store_gives() -> None:
    voted = (
        two_of_three(quorum=3)
        .with_vote(Vote("U0CAROL", Verdict.APPROVE, AT))
        .with_vote(Vote("U0BOB", Verdict.APPROVE, LATER))
    )
    item = voted.to_item()
    item["votes"] = dict(reversed(list(item["votes"].items())))  # a map has no order in DynamoDB
    assert [v.user_id for v in ApprovalRecord.from_item(item).votes] == ["U0CAROL", "U0BOB"]


def test_the_escalation_names_its_approvers_but_not_the_quiet_ones() -> None:
    policy = ApproverPolicy(
        frozenset({"U0BOB", "U0FRANK", "U0GINA"}),
        escalated_ids=frozenset({"U0FRANK", "U0GINA"}),
        quiet_ids=frozenset({"U0GINA"}),
    )
    assert dataclasses.replace(pending(), policy=policy).escalation_to_ping() == ["U0FRANK"]


def test_the_requester_is_not_waited_on_nor_reminded() -> None:
    # Alice asked; she is also an approver, but may not approve her own request
    policy = ApproverPolicy(frozenset({"U0ALICE", "U0BOB"}))
    record = dataclasses.replace(pending(), policy=policy)
    assert (record.waiting_on(), record.to_ping()) == (["U0BOB"], ["U0BOB"])
