"""The vote rules, by example and as properties over every order of votes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenlight.core.errors import InvalidRequestError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import Status, Verdict, Vote, deciding_votes, tally

USERS = ["U0BOB", "U0CAROL", "U0DAVE", "U0ERIN", "U0FRANK"]


def approve(user: str, at: str = "2026-11-22T12:00:00+00:00") -> Vote:
    return Vote(user, Verdict.APPROVE, at)


def reject(user: str, reason: str = "no budget") -> Vote:
    return Vote(user, Verdict.REJECT, "2026-11-22T12:00:00+00:00", reason)


def record(quorum: int) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="a" * 22,
        callback_id="cb",
        execution_arn="arn",
        request=ApprovalRequest("Order", "U0ALICE", amount=Amount(100, "EUR"), reference="ord-1"),
        policy=ApproverPolicy(frozenset(USERS), quorum=quorum),
        created_at="2026-11-22T12:00:00+00:00",
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=0,
    )


def test_quorum_of_distinct_approvers_approves() -> None:
    assert tally([approve("U0BOB")], quorum=2) is Status.PENDING
    assert tally([approve("U0BOB"), approve("U0BOB")], quorum=2) is Status.PENDING
    assert tally([approve("U0BOB"), approve("U0CAROL")], quorum=2) is Status.APPROVED


def test_any_reject_is_a_veto() -> None:
    assert (
        tally([approve("U0BOB"), reject("U0CAROL"), approve("U0DAVE")], quorum=2) is Status.REJECTED
    )


def test_a_rejection_needs_a_reason() -> None:
    with pytest.raises(InvalidRequestError, match="needs a reason"):
        Vote("U0BOB", Verdict.REJECT, "2026-11-22T12:00:00+00:00", "  ")


def test_deciders_are_the_approvers_earliest_first_or_the_veto() -> None:
    votes = [
        approve("U0CAROL", "2026-11-22T12:00:02+00:00"),
        approve("U0BOB", "2026-11-22T12:00:01+00:00"),
    ]
    assert [v.user_id for v in deciding_votes(votes, Status.APPROVED)] == ["U0BOB", "U0CAROL"]
    assert [v.user_id for v in deciding_votes([*votes, reject("U0DAVE")], Status.REJECTED)] == [
        "U0DAVE"
    ]


votes_strategy = st.lists(
    st.tuples(st.sampled_from(USERS), st.sampled_from([Verdict.APPROVE, Verdict.REJECT])),
    max_size=8,
)


@given(votes=votes_strategy, quorum=st.integers(1, 5), order=st.randoms(use_true_random=False))
def test_any_order_of_votes_gives_the_same_decision(
    votes: list[tuple[str, Verdict]], quorum: int, order: object
) -> None:
    cast = [
        Vote(u, v, "2026-11-22T12:00:00+00:00", "why" if v is Verdict.REJECT else None)
        for u, v in votes
    ]
    shuffled = list(cast)
    order.shuffle(shuffled)  # type: ignore[attr-defined]  # hypothesis' Random

    assert tally(shuffled, quorum) is tally(cast, quorum)


@given(votes=votes_strategy, quorum=st.integers(1, 5))
def test_the_record_decides_exactly_when_the_rules_say_and_then_never_changes(
    votes: list[tuple[str, Verdict]], quorum: int
) -> None:
    current = record(quorum)
    counted: list[Vote] = []
    for user, verdict in votes:
        vote = Vote(
            user, verdict, "2026-11-22T12:00:00+00:00", "why" if verdict is Verdict.REJECT else None
        )
        before = current
        current = current.with_vote(vote)
        if before.status.is_final or before.vote_of(user):
            assert current is before  # decided records and repeat voters change nothing
        else:
            counted.append(vote)
            assert current.version == before.version + 1
    # One vote per person counted (first one wins), and the status is what the rules say
    assert len({v.user_id for v in counted}) == len(counted)
    assert current.status is tally(counted, quorum)
    if current.status is Status.APPROVED:
        assert len(current.decided_by) >= quorum
    if current.status is Status.REJECTED:
        assert len(current.decided_by) == 1
