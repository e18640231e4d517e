"""One counted vote per person per approval, in every store: whoever cast a vote (their own,
or one for someone else as a delegate) cannot cast another, however they click and however
fast; and a vote whose write is sent twice (botocore resends a write whose answer was lost)
is still known as the vote that decided.

The conditional write is the authority, so the races here are real threads on their own store
handles (for DynamoDB: the local DynamoDB, moto in server mode, over HTTP).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.conditional_write import Add, ConditionalUpdate, Equals, Remove
from greenlight.core.errors import AlreadyVotedError, ConflictError, NotAuthorizedError
from greenlight.core.vote_write import WriteAnswer, count_vote
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.contract.store.conftest import posted
from tests.contract.store.test_races import Outcome, race, voting

FIRST = "2026-11-22T12:01:00+00:00"
SECOND = "2026-11-22T12:02:00+00:00"
THIRD = "2026-11-22T12:03:00+00:00"
FOURTH = "2026-11-22T12:04:00+00:00"
# Bob, Dave and Erin may decide; Bob and Dave both chose Carol as their delegate
APPROVERS = frozenset({"U0BOB", "U0DAVE", "U0ERIN"})

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord
    from tests.contract.store.conftest import ContractStore, Subject


def carol_for(delegator: str, at: str = FIRST) -> Vote:
    return Vote(delegator, Verdict.APPROVE, at, cast_by="U0CAROL")


def two_of_three(subject: Subject) -> ApprovalRecord:
    return posted(subject.store, approvers=APPROVERS, quorum=2, allow_delegation=True)


def test_a_delegate_of_two_approvers_casts_one_vote_not_a_quorum(subject: Subject) -> None:
    # Given Carol's vote for Bob counted on a 2-of-3
    record = two_of_three(subject)
    counted, effect = subject.store.record_vote(record.approval_id, carol_for("U0BOB"))
    assert effect is VoteEffect.COUNTED

    # When she clicks again, now for Dave (the other approver she stands in for)
    with pytest.raises(AlreadyVotedError) as refused:
        subject.store.record_vote(record.approval_id, carol_for("U0DAVE", SECOND))

    # Then she is told she voted already, for whom, and nothing changed: still pending
    assert isinstance(refused.value, NotAuthorizedError)  # every edge answers it already
    assert (refused.value.user_id, refused.value.voted_for) == ("U0CAROL", "U0BOB")
    assert refused.value.why == "you already voted (for U0BOB, as their delegate)"
    stored = subject.store.get(record.approval_id)
    assert stored == counted
    assert (stored.status, stored.votes) == (Status.PENDING, (carol_for("U0BOB"),))


def test_a_delegate_escalated_to_approver_cannot_vote_again_as_themself(
    subject: Subject,
) -> None:
    # Given Carol's vote for Bob counted, then Carol added as an approver by escalation
    record = two_of_three(subject)
    subject.store.record_vote(record.approval_id, carol_for("U0BOB"))
    escalated = subject.store.update(
        record.approval_id, lambda r: (r.escalated(frozenset({"U0CAROL"})), [])
    )

    # When she approves as herself
    with pytest.raises(AlreadyVotedError) as refused:
        subject.store.record_vote(record.approval_id, Vote("U0CAROL", Verdict.APPROVE, SECOND))

    # Then it is refused: her one vote is the one she cast for Bob
    assert refused.value.voted_for == "U0BOB"
    assert subject.store.get(record.approval_id) == escalated


def test_an_approver_who_voted_cannot_vote_again_for_someone_else(subject: Subject) -> None:
    # Given Carol approved as an approver in her own right, on a request allowing delegates
    record = posted(
        subject.store,
        approvers=frozenset({"U0BOB", "U0CAROL", "U0DAVE"}),
        quorum=2,
        allow_delegation=True,
    )
    counted, _ = subject.store.record_vote(
        record.approval_id, Vote("U0CAROL", Verdict.APPROVE, FIRST)
    )

    # When a vote for Bob cast by her reaches the store (she is Bob's delegate too)
    with pytest.raises(AlreadyVotedError) as refused:
        subject.store.record_vote(record.approval_id, carol_for("U0BOB", SECOND))

    # Then she is told her own vote is her one vote, and nothing changed
    assert (refused.value.voted_for, refused.value.why) == (None, "you already voted")
    assert subject.store.get(record.approval_id) == counted


def test_a_record_stored_before_voters_were_kept_still_refuses_a_second_vote(
    subject: Subject,
) -> None:
    # Given Carol's vote for Bob stored on a record without the `voters` attribute (as stored
    # before it existed)
    record = two_of_three(subject)
    subject.store.record_vote(record.approval_id, carol_for("U0BOB"))
    legacy = forget_voters(subject.store, record.approval_id)

    # When Carol votes for Dave
    with pytest.raises(AlreadyVotedError):
        subject.store.record_vote(record.approval_id, carol_for("U0DAVE", SECOND))

    # Then it is refused, and Erin's vote still counts, decides, and keeps the voters from then on
    assert subject.store.get(record.approval_id) == legacy
    after, effect = subject.store.record_vote(
        record.approval_id, Vote("U0ERIN", Verdict.APPROVE, SECOND)
    )
    assert (effect, after.decided_by) == (VoteEffect.DECIDED, ("U0BOB", "U0ERIN"))


def test_a_record_stored_before_voters_were_kept_accepts_votes_and_starts_keeping_them(
    subject: Subject,
) -> None:
    record = two_of_three(subject)
    forget_voters(subject.store, record.approval_id)

    _, effect = subject.store.record_vote(record.approval_id, carol_for("U0BOB"))
    assert effect is VoteEffect.COUNTED
    assert stored_item(subject.store, record.approval_id)["voters"] == ["U0CAROL"]

    # the next vote is the one-write kind again, and the guard holds on it
    with pytest.raises(AlreadyVotedError):
        subject.store.record_vote(record.approval_id, carol_for("U0DAVE", SECOND))


def test_two_votes_one_delegate_cast_before_the_rule_count_as_one_persons(
    subject: Subject,
) -> None:
    # Given a 3-of-4 stored before `voters` was kept, holding Carol's votes for Bob and Dave
    record = posted(
        subject.store,
        approvers=frozenset({"U0BOB", "U0DAVE", "U0ERIN", "U0FRANK"}),
        quorum=3,
        allow_delegation=True,
    )
    both = replace(
        record,
        votes=(carol_for("U0BOB"), carol_for("U0DAVE", SECOND)),
        version=record.version + 1,
    )
    assert subject.store.replace(record, both, [])
    forget_voters(subject.store, record.approval_id)

    # When Erin approves
    counted, effect = subject.store.record_vote(
        record.approval_id, Vote("U0ERIN", Verdict.APPROVE, THIRD)
    )

    # Then it counts without deciding: Carol and Erin are two people of the three needed, and
    # the stored count the next vote's write reads says one more
    assert (effect, counted.status) == (VoteEffect.COUNTED, Status.PENDING)
    assert stored_item(subject.store, record.approval_id)["approvals_needed"] == 1
    # and Frank's approval, a third person's, decides it with one write
    after, effect = subject.store.record_vote(
        record.approval_id, Vote("U0FRANK", Verdict.APPROVE, FOURTH)
    )
    assert (effect, after.status) == (VoteEffect.DECIDED, Status.APPROVED)
    assert after.decided_by == ("U0BOB", "U0DAVE", "U0ERIN", "U0FRANK")


def forget_voters(store: ContractStore, approval_id: str) -> ApprovalRecord:
    """Remove the `voters` attribute, as a record stored before it existed lacks it."""
    update = ConditionalUpdate((Equals(("status",), "pending"),), (Remove(("voters",)),))
    answer = store.write_if(approval_id, update)
    assert answer.written
    assert answer.item is not None
    assert "voters" not in answer.item
    return store.get(approval_id)


def stored_item(store: ContractStore, approval_id: str) -> dict[str, Any]:
    """The stored item as it is (an update that changes nothing answers with it)."""
    update = ConditionalUpdate((Equals(("status",), "pending"),), (Add(("version",), 0),))
    answer = store.write_if(approval_id, update)
    assert answer.written
    assert answer.item is not None
    return answer.item


@pytest.mark.parametrize("round_", range(3))
def test_one_delegate_clicking_for_two_approvers_at_once_casts_one_vote(
    subject: Subject, round_: int
) -> None:
    # Given a 2-of-3, and Carol's clicks for Bob and for Dave released together, twice each
    # (a double click on two copies of the message)
    record = two_of_three(subject)
    clicks = [carol_for("U0BOB"), carol_for("U0DAVE")] * 2

    outcomes = race(subject, [refusing(record.approval_id, v) for v in clicks])

    # Then exactly one vote is counted and the request still waits for a second person
    stored = subject.store.get(record.approval_id)
    assert stored.status is Status.PENDING
    assert [(v.user_id, v.cast_by) for v in stored.votes] in (
        [("U0BOB", "U0CAROL")],
        [("U0DAVE", "U0CAROL")],
    )
    assert outcomes.count(VoteEffect.COUNTED) == 1
    assert VoteEffect.DECIDED not in outcomes
    voted = [e for e in subject.trail(record.approval_id) if e.kind.value == "voted"]
    assert len(voted) == 1


def refusing(approval_id: str, vote: Vote) -> Callable[[ContractStore], Outcome]:
    """`voting`, with a refusal for having voted already as its outcome too."""
    count = voting(approval_id, vote)

    def act(store: ContractStore) -> Outcome:
        try:
            return count(store)
        except AlreadyVotedError as err:
            return ConflictError(approval_id, f"already voted: {err.voted_for}")

    return act


class LostAnswers:
    """A store whose vote writes reach it but whose answers are lost once: each write is sent
    twice and the second answer returned, as botocore resends a request whose response never
    came (DynamoDB applied the first: the second is refused by the write's own condition)."""

    def __init__(self, store: ContractStore) -> None:
        self._store = store

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        self._store.write_if(approval_id, update)  # applied; its answer lost
        return self._store.write_if(approval_id, update)

    def get(self, approval_id: str) -> ApprovalRecord:
        return self._store.get(approval_id)

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        return self._store.replace(before, after, events)


@pytest.mark.parametrize(
    "vote",
    [Vote("U0BOB", Verdict.APPROVE, FIRST), Vote("U0BOB", Verdict.REJECT, FIRST, "no budget")],
    ids=["approve", "reject"],
)
def test_a_deciding_write_sent_twice_is_still_the_vote_that_decided(
    subject: Subject, vote: Vote
) -> None:
    # Given a 1-of-3, and Bob's deciding vote whose first answer is lost
    record = posted(subject.store)

    after, effect = count_vote(LostAnswers(subject.store), record.approval_id, vote)

    # Then Bob is not told "already decided": his vote decided it, so the caller delivers it
    assert effect is VoteEffect.DECIDED
    assert after == subject.store.get(record.approval_id)
    assert (after.decided_by, after.decided_at) == (("U0BOB",), FIRST)


class Passing:
    """A store that hands each write and read to the store under test; subclasses change what
    its `replace` does."""

    def __init__(self, store: ContractStore) -> None:
        self._store = store

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        return self._store.write_if(approval_id, update)

    def get(self, approval_id: str) -> ApprovalRecord:
        return self._store.get(approval_id)


class LosesItsFirstReplace(Passing):
    """A store on which another click wins the race with this vote's replace once: just
    before the first replace is sent, `other` is counted (another webhook container was
    faster), so that replace finds the version moved and is refused."""

    def __init__(self, store: ContractStore, approval_id: str, other: Vote) -> None:
        super().__init__(store)
        self._approval_id = approval_id
        self._other: Vote | None = other

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        if self._other is not None:
            self._store.record_vote(self._approval_id, self._other)
            self._other = None
        return self._store.replace(before, after, events)


def test_a_vote_on_a_record_stored_before_voters_that_loses_a_race_reads_again(
    subject: Subject,
) -> None:
    # Given a 2-of-3 stored before `voters` was kept (its votes are counted by a replace on
    # the version read), and Erin's approval counted just before Bob's replace lands
    record = two_of_three(subject)
    forget_voters(subject.store, record.approval_id)
    erin = Vote("U0ERIN", Verdict.APPROVE, FIRST)
    store = LosesItsFirstReplace(subject.store, record.approval_id, erin)

    # When Bob approves
    after, effect = count_vote(store, record.approval_id, Vote("U0BOB", Verdict.APPROVE, SECOND))

    # Then his vote is counted on the record as it now stands: the second approval, deciding
    assert (effect, after.status) == (VoteEffect.DECIDED, Status.APPROVED)
    assert after.decided_by == ("U0ERIN", "U0BOB")
    assert after == subject.store.get(record.approval_id)


def test_a_vote_on_a_record_stored_before_voters_decided_meanwhile_is_told_by_whom(
    subject: Subject,
) -> None:
    # Given a 1-of-3 stored before `voters` was kept, and Erin's approval (which decides it)
    # counted just before Bob's replace lands
    record = posted(subject.store, approvers=APPROVERS, allow_delegation=True)
    forget_voters(subject.store, record.approval_id)
    erin = Vote("U0ERIN", Verdict.APPROVE, FIRST)
    store = LosesItsFirstReplace(subject.store, record.approval_id, erin)

    # When Bob rejects, his vote is checked again on the record read after the lost race:
    # it was decided, by Erin, and nothing of his is written
    with pytest.raises(ConflictError) as refused:
        count_vote(store, record.approval_id, Vote("U0BOB", Verdict.REJECT, SECOND, "no"))
    assert (refused.value.decided_by, refused.value.decided_at) == (("U0ERIN",), FIRST)
    stored = subject.store.get(record.approval_id)
    assert [v.user_id for v in stored.votes] == ["U0ERIN"]


class LostReplaceAnswer(Passing):
    """A store whose first replace is applied but answered "refused": botocore resent the
    transaction whose answer was lost, and the resend found the version moved (by itself)."""

    def __init__(self, store: ContractStore) -> None:
        super().__init__(store)
        self._lost = False

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        written = self._store.replace(before, after, events)
        if written and not self._lost:
            self._lost = True
            return False
        return written


def test_a_deciding_vote_on_a_record_stored_before_voters_whose_answer_was_lost_decided(
    subject: Subject,
) -> None:
    # Given a 1-of-3 stored before `voters` was kept, and Bob's approval whose replace is
    # applied but answered "refused"
    record = posted(subject.store, approvers=APPROVERS)
    forget_voters(subject.store, record.approval_id)
    vote = Vote("U0BOB", Verdict.APPROVE, FIRST)

    after, effect = count_vote(LostReplaceAnswer(subject.store), record.approval_id, vote)

    # Then Bob is told his vote decided it (the caller delivers the decision), not "counted"
    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by) == (Status.APPROVED, ("U0BOB",))
    assert after == subject.store.get(record.approval_id)
