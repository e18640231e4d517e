"""The vote rules, by example and as properties over every order of votes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from greenlight.core.errors import InvalidRequestError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.votes import (
    MAX_REASON,
    Status,
    Verdict,
    Vote,
    approvals_counted,
    deciding_votes,
    tally,
)

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


def test_a_delegate_counts_once_however_many_approvers_they_cast_votes_for() -> None:
    # Given two approvals cast by carol, for bob and for dave (as a record stored before one
    # vote per person was enforced may hold)
    carol_for_two = [
        Vote("U0BOB", Verdict.APPROVE, "2026-11-22T12:00:00+00:00", cast_by="U0CAROL"),
        Vote("U0DAVE", Verdict.APPROVE, "2026-11-22T12:00:01+00:00", cast_by="U0CAROL"),
    ]
    # Then they are one person's approval: a 2-of-N still waits, a second person decides it
    assert approvals_counted(carol_for_two) == 1
    assert tally(carol_for_two, quorum=2) is Status.PENDING
    assert tally([*carol_for_two, approve("U0ERIN")], quorum=2) is Status.APPROVED
    # and the record agrees: one approval still needed, as its stored attribute will say
    held = replace(record(quorum=3), votes=tuple(carol_for_two))
    assert (held.approvals_needed(), held.to_item()["approvals_needed"]) == (2, 2)


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


def test_a_reason_may_fill_its_room_and_not_one_character_more() -> None:
    at = "2026-11-22T12:00:00+00:00"
    assert Vote("U0BOB", Verdict.REJECT, at, "n" * MAX_REASON).reason == "n" * MAX_REASON
    with pytest.raises(InvalidRequestError, match=f"at most {MAX_REASON}"):
        Vote("U0BOB", Verdict.REJECT, at, "n" * (MAX_REASON + 1))


def test_a_vote_cast_for_oneself_as_a_delegate_is_refused() -> None:
    # It would be one's own vote under another name: `caster` and `user_id` must differ
    with pytest.raises(InvalidRequestError, match="one's own vote"):
        Vote("U0BOB", Verdict.APPROVE, "2026-11-22T12:00:00+00:00", cast_by="U0BOB")


def test_of_two_rejects_the_earliest_is_the_veto() -> None:
    # (a record holds two only if stored so by hand; the veto is still one person's)
    late = Vote("U0BOB", Verdict.REJECT, "2026-11-22T12:05:00+00:00", "too late")
    early = Vote("U0CAROL", Verdict.REJECT, "2026-11-22T12:01:00+00:00", "no budget")
    assert deciding_votes([late, early, approve("U0DAVE")], Status.REJECTED) == [early]


def test_a_reject_is_no_approval_counted() -> None:
    assert approvals_counted([approve("U0BOB"), reject("U0CAROL")]) == 1
