"""The store's contract for votes: who may vote, how votes decide (quorum, veto), what a
refusal says, that a vote counts once, and the audit lines each vote ends with."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import AlreadyVotedError, ConflictError, NotAuthorizedError
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.contract.store.conftest import MESSAGE, posted

if TYPE_CHECKING:
    from tests.contract.store.conftest import Subject

FIRST = "2026-11-22T12:01:00+00:00"
SECOND = "2026-11-22T12:02:00+00:00"
WHERE = {"channel": MESSAGE.channel, "message_ts": MESSAGE.ts}


def approve(user: str, at: str = FIRST) -> Vote:
    return Vote(user, Verdict.APPROVE, at)


def reject(user: str, at: str = FIRST, reason: str = "not this quarter") -> Vote:
    return Vote(user, Verdict.REJECT, at, reason)


@pytest.mark.parametrize(
    ("user", "why"),
    [
        ("U0ALICE", "you cannot decide your own request"),
        ("U0EVE", "you are not an approver for this request"),
        ("U0VERA", "you can follow this request but not decide it"),
    ],
)
def test_a_vote_by_someone_who_may_not_decide_is_refused_and_changes_nothing(
    subject: Subject, user: str, why: str
) -> None:
    record = posted(
        subject.store, approvers=frozenset({"U0ALICE", "U0BOB"}), viewers=frozenset({"U0VERA"})
    )

    for vote in (approve(user), reject(user)):
        with pytest.raises(NotAuthorizedError) as refused:
            subject.store.record_vote(record.approval_id, vote)
        assert (refused.value.user_id, refused.value.why) == (user, why)

    assert subject.store.get(record.approval_id) == record
    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_the_requester_may_decide_when_the_policy_allows_it(subject: Subject) -> None:
    record = posted(subject.store, approvers=frozenset({"U0ALICE"}), allow_self_approval=True)

    after, effect = subject.store.record_vote(record.approval_id, approve("U0ALICE"))

    assert (effect, after.status, after.decided_by) == (
        VoteEffect.DECIDED,
        Status.APPROVED,
        ("U0ALICE",),
    )


def test_one_approve_decides_a_one_of_n_request(subject: Subject) -> None:
    record = posted(subject.store)

    after, effect = subject.store.record_vote(record.approval_id, approve("U0BOB"))

    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by, after.decided_at, after.reason) == (
        Status.APPROVED,
        ("U0BOB",),
        FIRST,
        None,
    )
    assert after.version == record.version + 1
    assert subject.store.get(record.approval_id) == after


def test_the_quorum_th_approve_decides_and_names_every_approver(subject: Subject) -> None:
    record = posted(subject.store, quorum=2)

    first, effect = subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))
    assert (effect, first.status, first.approvals_needed()) == (
        VoteEffect.COUNTED,
        Status.PENDING,
        1,
    )
    assert first.version == record.version + 1
    assert subject.store.get(record.approval_id) == first

    second, effect = subject.store.record_vote(record.approval_id, approve("U0CAROL", SECOND))
    assert effect is VoteEffect.DECIDED
    assert (second.status, second.decided_by, second.decided_at) == (
        Status.APPROVED,
        ("U0BOB", "U0CAROL"),
        SECOND,
    )
    assert second.version == record.version + 2
    assert subject.store.get(record.approval_id) == second


def test_a_reject_vetoes_whatever_the_count(subject: Subject) -> None:
    record = posted(subject.store, quorum=3)
    subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))

    after, effect = subject.store.record_vote(record.approval_id, reject("U0CAROL", SECOND))

    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by, after.decided_at, after.reason) == (
        Status.REJECTED,
        ("U0CAROL",),
        SECOND,
        "not this quarter",
    )
    assert [(v.user_id, v.verdict) for v in after.votes] == [
        ("U0BOB", Verdict.APPROVE),
        ("U0CAROL", Verdict.REJECT),
    ]


def test_a_vote_after_the_decision_is_told_by_whom_and_when(subject: Subject) -> None:
    record = posted(subject.store, quorum=2)
    subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))
    decided, _ = subject.store.record_vote(record.approval_id, approve("U0CAROL", SECOND))

    for late in (approve("U0DAVE"), reject("U0DAVE"), approve("U0BOB")):
        with pytest.raises(ConflictError) as refused:
            subject.store.record_vote(record.approval_id, late)
        assert (refused.value.status, refused.value.decided_by, refused.value.decided_at) == (
            "approved",
            ("U0BOB", "U0CAROL"),
            SECOND,
        )

    assert subject.store.get(record.approval_id) == decided


def test_a_vote_on_an_expired_approval_is_refused(subject: Subject) -> None:
    record = posted(subject.store)
    subject.store.update(record.approval_id, lambda r: (r.expired(FIRST), []))

    with pytest.raises(ConflictError) as refused:
        subject.store.record_vote(record.approval_id, approve("U0BOB", SECOND))

    assert (refused.value.status, refused.value.decided_by) == ("expired", ())


@pytest.mark.parametrize("verdict", [Verdict.APPROVE, Verdict.REJECT])
def test_a_vote_on_a_pending_approval_past_its_deadline_is_refused_as_expired(
    subject: Subject, verdict: Verdict
) -> None:
    # Given a request still pending after its deadline: its gate never ran again to close it
    # (its execution timed out or failed first)
    record = posted(subject.store)
    late = Vote(
        "U0BOB", verdict, record.expires_at, "too late" if verdict is Verdict.REJECT else None
    )

    with pytest.raises(ConflictError) as refused:
        subject.store.record_vote(record.approval_id, late)

    # Then the clicker is told it expired, and when, from the refusal alone; nothing changed
    assert (refused.value.status, refused.value.decided_by, refused.value.decided_at) == (
        "expired",
        (),
        record.expires_at,
    )
    assert subject.store.get(record.approval_id) == record
    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_a_vote_just_before_the_deadline_counts(subject: Subject) -> None:
    record = posted(subject.store)
    just_before = "2026-11-23T11:59:59.999999+00:00"
    assert just_before < record.expires_at

    after, effect = subject.store.record_vote(record.approval_id, approve("U0BOB", just_before))

    assert (effect, after.status, after.decided_at) == (
        VoteEffect.DECIDED,
        Status.APPROVED,
        just_before,
    )


def test_a_second_vote_by_the_same_person_counts_once_and_changes_nothing(
    subject: Subject,
) -> None:
    # Given Bob's approve counted on a 2-of-3 (then a Slack retry, a double click)
    record = posted(subject.store, quorum=2)
    counted, _ = subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))

    for again in (approve("U0BOB", FIRST), approve("U0BOB", SECOND)):
        after, effect = subject.store.record_vote(record.approval_id, again)
        assert (effect, after) == (VoteEffect.ALREADY_COUNTED, counted)

    # And a change of mind (a reject, a comment added) is refused, not dropped in silence
    commented = Vote("U0BOB", Verdict.APPROVE, SECOND, comment="on second thought, fine")
    for changed in (reject("U0BOB", SECOND), commented):
        with pytest.raises(AlreadyVotedError) as refused:
            subject.store.record_vote(record.approval_id, changed)
        assert (refused.value.voted_for, refused.value.counted_for) == (None, None)

    assert subject.store.get(record.approval_id) == counted
    voted = [e for e in subject.trail(record.approval_id) if e.kind is AuditKind.VOTED]
    assert [(e.actor, e.at) for e in voted] == [("U0BOB", FIRST)]


def test_an_approver_added_by_escalation_may_decide(subject: Subject) -> None:
    record = posted(subject.store)
    with pytest.raises(NotAuthorizedError):
        subject.store.record_vote(record.approval_id, approve("U0ZED"))

    subject.store.update(record.approval_id, lambda r: (r.escalated(frozenset({"U0ZED"})), []))

    after, effect = subject.store.record_vote(record.approval_id, approve("U0ZED"))
    assert (effect, after.decided_by) == (VoteEffect.DECIDED, ("U0ZED",))


def test_a_vote_after_a_callback_rotation_counts_against_the_new_callback(
    subject: Subject,
) -> None:
    record = posted(subject.store, quorum=2)
    subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))
    subject.store.update(record.approval_id, lambda r: (r.with_callback("cb-round-2"), []))

    after, effect = subject.store.record_vote(record.approval_id, approve("U0CAROL", SECOND))

    assert (effect, after.callback_id, after.decided_by) == (
        VoteEffect.DECIDED,
        "cb-round-2",
        ("U0BOB", "U0CAROL"),
    )


def test_every_vote_and_the_decision_end_with_exactly_one_line_each(subject: Subject) -> None:
    record = posted(subject.store, quorum=2)
    subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))
    subject.store.record_vote(record.approval_id, approve("U0BOB", FIRST))  # a Slack retry
    subject.store.record_vote(record.approval_id, approve("U0CAROL", SECOND))

    trail = subject.trail(record.approval_id)

    assert trail[1:] == [
        AuditEvent(record.approval_id, AuditKind.VOTED, FIRST, "U0BOB", None, **WHERE,
                   detail="approve"),
        AuditEvent(record.approval_id, AuditKind.VOTED, SECOND, "U0CAROL", None, **WHERE,
                   detail="approve"),
        AuditEvent(record.approval_id, AuditKind.APPROVED, SECOND, "U0CAROL", None, **WHERE,
                   detail="decided by U0BOB, U0CAROL"),
    ]  # fmt: skip


def test_a_veto_ends_with_its_vote_line_and_the_rejection_with_its_reason(
    subject: Subject,
) -> None:
    record = posted(subject.store, quorum=2)
    subject.store.record_vote(record.approval_id, reject("U0DAVE", FIRST))

    trail = subject.trail(record.approval_id)

    assert trail[1:] == [
        AuditEvent(record.approval_id, AuditKind.VOTED, FIRST, "U0DAVE", "not this quarter",
                   **WHERE, detail="reject"),
        AuditEvent(record.approval_id, AuditKind.REJECTED, FIRST, "U0DAVE", "not this quarter",
                   **WHERE, detail="decided by U0DAVE"),
    ]  # fmt: skip


def test_changes_that_count_no_vote_add_no_vote_lines(subject: Subject) -> None:
    record = posted(subject.store)
    subject.store.update(record.approval_id, lambda r: (r.with_callback("cb-2"), []))
    subject.store.update(record.approval_id, lambda r: (r.expired(FIRST), []))

    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_a_delegates_vote_is_the_delegators_in_every_store(subject: Subject) -> None:
    # Given a request that allows delegates, decided by two of bob, carol
    record = posted(
        subject.store, approvers=frozenset({"U0BOB", "U0CAROL"}), quorum=2, allow_delegation=True
    )
    # When dave votes for bob as his delegate, then bob clicks too
    cast = Vote("U0BOB", Verdict.APPROVE, FIRST, cast_by="U0DAVE")
    after, effect = subject.store.record_vote(record.approval_id, cast)
    again, second = subject.store.record_vote(record.approval_id, approve("U0BOB"))
    # Then one vote is counted, bob's, cast by dave; bob's own click changes nothing
    assert (effect, second) == (VoteEffect.COUNTED, VoteEffect.ALREADY_COUNTED)
    assert after.votes == again.votes == (cast,)


@pytest.mark.parametrize(
    ("delegate", "allow", "why"),
    [
        ("U0DAVE", False, "this request does not allow delegates to decide"),
        ("U0ALICE", True, "you cannot decide your own request, not even as a delegate"),
        ("U0CAROL", True, "you decide this request as yourself, not as a delegate"),
    ],
)
def test_a_delegates_vote_the_request_does_not_allow_is_refused_and_changes_nothing(
    subject: Subject, delegate: str, allow: bool, why: str
) -> None:
    record = posted(
        subject.store, approvers=frozenset({"U0BOB", "U0CAROL"}), allow_delegation=allow
    )
    with pytest.raises(NotAuthorizedError) as refused:
        subject.store.record_vote(
            record.approval_id, Vote("U0BOB", Verdict.APPROVE, FIRST, cast_by=delegate)
        )
    assert refused.value.why == why
    assert subject.store.get(record.approval_id) == record
