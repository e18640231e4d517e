"""The vote's conditional write and its refusals, as pure data; and its audit lines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from greenlight.core.audit import AuditKind
from greenlight.core.errors import ConflictError, NotAuthorizedError, NotFoundError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.vote_audit import vote_lines
from greenlight.core.vote_write import VoteWrite, explain_refusal, vote_update
from greenlight.core.votes import Status, Verdict, Vote

AT = "2026-11-22T12:00:00+00:00"
APPROVE = Vote("U0BOB", Verdict.APPROVE, AT)
REJECT = Vote("U0BOB", Verdict.REJECT, AT, "no budget")


def pending(quorum: int = 2) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="a" * 22,
        callback_id="cb-1",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "Order ord-1", "U0ALICE", amount=Amount(125_000, "EUR"), reference="ord-1"
        ),
        policy=ApproverPolicy(frozenset({"U0ALICE", "U0BOB", "U0CAROL"}), quorum=quorum),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=1_800_000_000,
    )


def test_the_record_stores_who_may_decide_without_the_requester() -> None:
    item = pending().to_item()
    assert item["eligible_ids"] == ["U0BOB", "U0CAROL"]
    assert (item["approved_by"], item["approvals_needed"]) == ([], 2)
    voted = pending().with_vote(APPROVE).to_item()
    assert (voted["approved_by"], voted["approvals_needed"]) == (["U0BOB"], 1)


@pytest.mark.parametrize("write", list(VoteWrite))
def test_every_vote_write_is_conditional_on_the_authorization(write: VoteWrite) -> None:
    update = vote_update(APPROVE, write)
    condition = update["ConditionExpression"]
    for clause in (
        "#status = :pending",
        "contains(#eligible, :voter)",
        "attribute_not_exists(#votes.#voter)",
    ):
        assert clause in condition
    assert update["ExpressionAttributeNames"]["#voter"] == "U0BOB"
    assert (update["ReturnValues"], update["ReturnValuesOnConditionCheckFailure"]) == (
        "ALL_NEW",
        "ALL_OLD",
    )


def test_only_the_deciding_approve_and_a_reject_flip_the_status() -> None:
    deciding = vote_update(APPROVE, VoteWrite.DECIDING)
    counting = vote_update(APPROVE, VoteWrite.COUNTING)
    reject = vote_update(REJECT, VoteWrite.COUNTING)
    assert "#needed = :one" in deciding["ConditionExpression"]
    assert "#status = :approved" in deciding["UpdateExpression"]
    assert "#needed > :one" in counting["ConditionExpression"]
    assert "#status" not in counting["UpdateExpression"]
    assert "#needed = #needed - :one" in counting["UpdateExpression"]
    assert "#status = :rejected" in reject["UpdateExpression"]
    assert reject["ExpressionAttributeValues"][":reason"] == "no budget"


def test_a_refusal_is_explained_by_the_record_that_refused_it() -> None:
    record = pending()
    with pytest.raises(NotFoundError):
        explain_refusal(record.approval_id, None, APPROVE)
    with pytest.raises(NotAuthorizedError, match="own request"):
        explain_refusal(record.approval_id, record, replace(APPROVE, user_id="U0ALICE"))
    decided = record.with_vote(REJECT)
    with pytest.raises(ConflictError) as refused:
        explain_refusal(record.approval_id, decided, replace(APPROVE, user_id="U0CAROL"))
    assert (refused.value.decided_by, refused.value.decided_at) == (("U0BOB",), AT)
    assert explain_refusal(record.approval_id, record.with_vote(APPROVE), APPROVE) is None
    assert explain_refusal(record.approval_id, record, APPROVE) is VoteWrite.COUNTING
    assert explain_refusal(record.approval_id, pending(quorum=1), APPROVE) is VoteWrite.DECIDING


def test_the_audit_lines_of_a_change_are_its_new_votes_and_the_decision_they_made() -> None:
    before = pending().with_vote(APPROVE)
    after = before.with_vote(Vote("U0CAROL", Verdict.APPROVE, AT))

    lines = vote_lines(before, after)

    assert [(e.kind, e.actor) for e in lines] == [
        (AuditKind.VOTED, "U0CAROL"),
        (AuditKind.APPROVED, "U0CAROL"),
    ]
    assert lines[-1].detail == "decided by U0BOB, U0CAROL"
    assert vote_lines(after, after) == []
    rotated = replace(before, callback_id="cb-2", version=before.version + 1)
    assert vote_lines(before, rotated) == []
    overridden = before.overridden(Status.APPROVED, "arn:operator", "urgent", AT)
    assert vote_lines(before, overridden) == []
