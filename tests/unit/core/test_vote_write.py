"""The vote's conditional write and its refusals, as pure data; and its audit lines."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from greenlight.core.audit import AuditKind
from greenlight.core.errors import (
    AlreadyVotedError,
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.vote_audit import vote_lines
from greenlight.core.vote_write import (
    VoteWrite,
    WriteAnswer,
    count_vote,
    explain_refusal,
    vote_update,
)
from greenlight.core.votes import Status, Verdict, Vote
from greenlight.testing.store import InMemoryApprovalStore

if TYPE_CHECKING:
    from greenlight.core.audit import AuditEvent
    from greenlight.core.conditional_write import ConditionalUpdate

AT = "2026-11-22T12:00:00+00:00"
LATER = "2026-11-22T12:01:00+00:00"
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


def written(vote: Vote, write: VoteWrite, record: ApprovalRecord) -> ApprovalRecord | None:
    """The record after the vote's write, evaluated on the stored item; None if refused."""
    after = vote_update(vote, write).apply(record.to_item(), {"approval_id": record.approval_id})
    return None if after is None else ApprovalRecord.from_item(after)


@pytest.mark.parametrize("write", list(VoteWrite))
def test_every_vote_write_is_conditional_on_the_authorization(write: VoteWrite) -> None:
    record = pending(quorum=1 if write is VoteWrite.DECIDING else 2)
    assert written(APPROVE, write, record) is not None
    for refused in (
        replace(APPROVE, user_id="U0ALICE"),  # the requester
        replace(APPROVE, user_id="U0EVE"),  # not an approver
    ):
        assert written(refused, write, record) is None
    assert written(APPROVE, write, record.with_vote(APPROVE)) is None  # voted already
    assert written(APPROVE, write, record.expired(AT)) is None


def test_only_the_deciding_approve_and_a_reject_flip_the_status() -> None:
    # The deciding approve needs exactly one approval missing; the counting one more than one
    assert written(APPROVE, VoteWrite.DECIDING, pending(quorum=2)) is None
    assert written(APPROVE, VoteWrite.COUNTING, pending(quorum=1)) is None
    counted = written(APPROVE, VoteWrite.COUNTING, pending(quorum=2))
    assert counted is not None
    assert (counted.status, counted.approvals_needed(), counted.version) == (Status.PENDING, 1, 1)
    carol = Vote("U0CAROL", Verdict.APPROVE, AT)
    decided = written(carol, VoteWrite.DECIDING, counted)
    assert decided is not None
    assert (decided.status, decided.decided_by, decided.decided_at) == (
        Status.APPROVED,
        ("U0BOB", "U0CAROL"),
        AT,
    )
    vetoed = written(REJECT, VoteWrite.COUNTING, pending(quorum=2))
    assert vetoed is not None
    assert (vetoed.status, vetoed.decided_by, vetoed.reason) == (
        Status.REJECTED,
        ("U0BOB",),
        "no budget",
    )


def test_the_write_leaves_the_record_the_ledger_rules_give() -> None:
    # The conditional writes and `tally` (through with_vote) agree on every step of a 2-of-2
    record = pending(quorum=2)
    carol = Vote("U0CAROL", Verdict.APPROVE, AT)
    first = written(APPROVE, VoteWrite.COUNTING, record)
    assert first == record.with_vote(APPROVE)
    assert first is not None
    assert written(carol, VoteWrite.DECIDING, first) == first.with_vote(carol)
    assert written(REJECT, VoteWrite.DECIDING, record) == record.with_vote(REJECT)


def test_the_write_is_sent_with_placeholders_and_answers_with_the_item() -> None:
    arguments = vote_update(APPROVE, VoteWrite.DECIDING).arguments()
    names = arguments["ExpressionAttributeNames"]
    assert "U0BOB" in names.values()  # a user id is a name placeholder, never expression text
    assert "U0BOB" not in arguments["ConditionExpression"] + arguments["UpdateExpression"]
    assert "contains(" in arguments["ConditionExpression"]
    assert "attribute_not_exists(" in arguments["ConditionExpression"]
    assert (arguments["ReturnValues"], arguments["ReturnValuesOnConditionCheckFailure"]) == (
        "ALL_NEW",
        "ALL_OLD",
    )


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


def delegable(quorum: int = 2) -> ApprovalRecord:
    """A request Bob, Dave and Erin may decide, allowing delegates (Carol stands in for two)."""
    record = pending(quorum)
    policy = ApproverPolicy(
        frozenset({"U0BOB", "U0DAVE", "U0ERIN"}), quorum=quorum, allow_delegation=True
    )
    return replace(record, policy=policy)


CAROL_FOR_BOB = Vote("U0BOB", Verdict.APPROVE, AT, cast_by="U0CAROL")
CAROL_FOR_DAVE = Vote("U0DAVE", Verdict.APPROVE, LATER, cast_by="U0CAROL")


def test_the_record_stores_who_cast_each_vote() -> None:
    voted = delegable().with_vote(CAROL_FOR_BOB).with_vote(Vote("U0ERIN", Verdict.APPROVE, LATER))
    assert voted.to_item()["voters"] == ["U0CAROL", "U0ERIN"]
    assert delegable().to_item()["voters"] == []


@pytest.mark.parametrize("write", list(VoteWrite))
def test_a_person_who_cast_a_vote_cannot_cast_another_in_the_write(write: VoteWrite) -> None:
    # Given Carol's vote for Bob, with one approval missing (deciding) or two (counting)
    voted = delegable(quorum=2 if write is VoteWrite.DECIDING else 3).with_vote(CAROL_FOR_BOB)
    # Then her vote for Dave is refused by the write, and Erin's is written, with her name
    assert written(CAROL_FOR_DAVE, write, voted) is None
    after = written(Vote("U0ERIN", Verdict.APPROVE, LATER), write, voted)
    assert after is not None
    assert after.to_item()["voters"] == ["U0CAROL", "U0ERIN"]


def test_the_ledger_counts_one_vote_per_person() -> None:
    voted = delegable().with_vote(CAROL_FOR_BOB)
    assert voted.with_vote(CAROL_FOR_DAVE) is voted
    assert voted.with_vote(replace(CAROL_FOR_DAVE, user_id="U0CAROL", cast_by=None)) is voted


def test_a_second_vote_by_one_person_is_refused_with_who_they_voted_for() -> None:
    voted = delegable().with_vote(CAROL_FOR_BOB)
    with pytest.raises(AlreadyVotedError, match=r"you already voted \(for U0BOB"):
        explain_refusal(voted.approval_id, voted, CAROL_FOR_DAVE)
    assert explain_refusal(voted.approval_id, voted, CAROL_FOR_BOB) is None  # a double click


def test_the_deciding_vote_sent_again_is_already_counted_not_already_decided() -> None:
    decided = pending(quorum=1).with_vote(APPROVE)
    assert explain_refusal(decided.approval_id, decided, APPROVE) is None
    assert decided.is_decided_by(APPROVE)
    later = replace(APPROVE, at=LATER)  # the same person's next click: told who decided
    assert not decided.is_decided_by(later)
    with pytest.raises(ConflictError):
        explain_refusal(decided.approval_id, decided, later)


def test_changing_ones_own_counted_vote_is_refused_as_ones_own() -> None:
    # Given Bob's approval counted on a 2-of-3
    voted = pending().with_vote(APPROVE)
    # When Bob now rejects, he is told he voted already: not that a delegate cast his vote
    with pytest.raises(AlreadyVotedError) as refused:
        explain_refusal(voted.approval_id, voted, replace(REJECT, at=LATER))
    assert (refused.value.voted_for, refused.value.counted_by, refused.value.counted_for) == (
        None,
        None,
        None,
    )
    assert refused.value.why == "you already voted"


class CountingWrites:
    """The in-memory store, counting the vote writes sent to it."""

    def __init__(self, record: ApprovalRecord) -> None:
        self.store = InMemoryApprovalStore()
        self.store.create(record)
        self.sent: list[ConditionalUpdate] = []

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        self.sent.append(update)
        return self.store.write_if(approval_id, update)

    def get(self, approval_id: str) -> ApprovalRecord:
        return self.store.get(approval_id)

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        return self.store.replace(before, after, events)


@pytest.mark.parametrize(
    ("quorum", "vote", "writes"),
    [(1, APPROVE, 1), (2, REJECT, 1), (2, APPROVE, 2)],
    ids=["1-of-N approve", "reject", "first approve of a 2-of-N"],
)
def test_a_vote_that_decides_costs_one_write(quorum: int, vote: Vote, writes: int) -> None:
    # The deciding write is tried first: the common click (a 1-of-N approve, any reject) is
    # one write; only an approve that does not decide pays a refusal, then counts
    table = CountingWrites(pending(quorum))
    count_vote(table, pending().approval_id, vote)
    assert len(table.sent) == writes


def test_an_approver_whose_delegate_voted_is_told_who_cast_their_vote() -> None:
    # Given Dave's vote for Bob (Dave his delegate) counted
    record = replace(pending(), policy=replace(pending().policy, allow_delegation=True)).with_vote(
        replace(APPROVE, cast_by="U0DAVE")
    )
    # When Bob rejects, he is told his delegate cast his vote already
    with pytest.raises(AlreadyVotedError) as refused:
        explain_refusal(record.approval_id, record, replace(REJECT, at=LATER))
    assert (refused.value.counted_by, refused.value.counted_for) == ("U0DAVE", None)


@pytest.mark.parametrize(
    "clicker", ["U0ALICE", "U0EVE"], ids=["the requester", "someone not listed"]
)
def test_who_may_not_decide_is_told_so_not_who_decided(clicker: str) -> None:
    # A click on a decided (or expired) record by someone who may not decide it is refused as
    # that, first: it is not told who decided, or when
    decided = pending(quorum=1).with_vote(APPROVE)
    for closed in (decided, pending().expired(AT)):
        with pytest.raises(NotAuthorizedError) as refused:
            explain_refusal(closed.approval_id, closed, replace(APPROVE, user_id=clicker, at=LATER))
        assert not isinstance(refused.value, AlreadyVotedError)
