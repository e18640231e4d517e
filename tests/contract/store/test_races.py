"""Racing writers, on real threads: one decision, no lost vote, every line once.

Each thread has its own handle on the store (for DynamoDB its own boto3 session and client,
as separate webhook containers would), and all start together at a barrier.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from greenlight.core.audit import AuditKind
from greenlight.core.errors import ConflictError
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.contract.store.conftest import posted

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord
    from tests.contract.store.conftest import ContractStore, Subject

AT = "2026-11-22T12:01:00+00:00"
PEOPLE = frozenset(f"U0VOTER{n}" for n in range(8))
Outcome = VoteEffect | ConflictError


def race(subject: Subject, acts: list[Callable[[ContractStore], Outcome]]) -> list[Outcome]:
    """Run every act on its own thread and store handle, all released at once."""
    handles = [subject.connect() for _ in acts]
    start = threading.Barrier(len(acts))

    def run(n: int) -> Outcome:
        start.wait(timeout=30)
        return acts[n](handles[n])

    with ThreadPoolExecutor(max_workers=len(acts)) as pool:
        return list(pool.map(run, range(len(acts)), timeout=120))


def voting(approval_id: str, vote: Vote) -> Callable[[ContractStore], Outcome]:
    def act(store: ContractStore) -> Outcome:
        try:
            return store.record_vote(approval_id, vote)[1]
        except ConflictError as err:
            return err

    return act


def test_racing_approves_on_one_of_n_make_exactly_one_decision(subject: Subject) -> None:
    record = posted(subject.store, approvers=PEOPLE)

    outcomes = race(
        subject,
        [voting(record.approval_id, Vote(u, Verdict.APPROVE, AT)) for u in sorted(PEOPLE)],
    )

    assert outcomes.count(VoteEffect.DECIDED) == 1
    refusals = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(refusals) == len(PEOPLE) - 1
    final = subject.store.get(record.approval_id)
    assert (final.status, len(final.votes), len(final.decided_by)) == (Status.APPROVED, 1, 1)
    assert all(r.decided_by == final.decided_by for r in refusals)  # told who won
    kinds = [e.kind for e in subject.trail(record.approval_id)]
    assert kinds == [AuditKind.REQUESTED, AuditKind.VOTED, AuditKind.APPROVED]


def test_racing_approves_on_all_of_n_lose_no_vote(subject: Subject) -> None:
    record = posted(subject.store, approvers=PEOPLE, quorum=len(PEOPLE))

    outcomes = race(
        subject,
        [voting(record.approval_id, Vote(u, Verdict.APPROVE, AT)) for u in sorted(PEOPLE)],
    )

    assert sorted(map(str, outcomes)) == sorted(
        [VoteEffect.DECIDED] + [VoteEffect.COUNTED] * (len(PEOPLE) - 1)
    )
    final = subject.store.get(record.approval_id)
    assert final.status is Status.APPROVED
    assert set(final.decided_by) == PEOPLE
    assert final.version == record.version + len(PEOPLE)
    trail = subject.trail(record.approval_id)
    assert sorted(e.actor for e in trail if e.kind is AuditKind.VOTED) == sorted(PEOPLE)
    assert [e.kind for e in trail].count(AuditKind.APPROVED) == 1


def test_racing_approves_and_rejects_decide_once_and_keep_every_vote_that_counted(
    subject: Subject,
) -> None:
    # Given 3 of 8 needed, and three of the eight racing voters rejecting
    record = posted(subject.store, approvers=PEOPLE, quorum=3)
    voters = sorted(PEOPLE)
    votes = [
        Vote(u, Verdict.REJECT, AT, "no") if n % 3 == 0 else Vote(u, Verdict.APPROVE, AT)
        for n, u in enumerate(voters)
    ]

    outcomes = race(subject, [voting(record.approval_id, v) for v in votes])

    # Then one vote decided, every vote that was told it counted is in the record, and every
    # other vote was refused as too late
    assert outcomes.count(VoteEffect.DECIDED) == 1
    final = subject.store.get(record.approval_id)
    counted = {v.user_id for v, o in zip(votes, outcomes, strict=True) if isinstance(o, VoteEffect)}
    assert {v.user_id for v in final.votes} == counted
    assert all(isinstance(o, ConflictError) for v, o in zip(votes, outcomes, strict=True)
               if v.user_id not in counted)  # fmt: skip
    assert final.status in {Status.APPROVED, Status.REJECTED}
    trail = subject.trail(record.approval_id)
    assert sorted(e.actor for e in trail if e.kind is AuditKind.VOTED) == sorted(counted)
    decisions = [e for e in trail if e.kind in {AuditKind.APPROVED, AuditKind.REJECTED}]
    assert [e.kind.value for e in decisions] == [final.status.value]


def test_a_double_click_racing_itself_counts_once(subject: Subject) -> None:
    record = posted(subject.store, quorum=2)

    outcomes = race(subject, [voting(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))] * 6)

    assert sorted(map(str, outcomes)) == sorted(
        [VoteEffect.COUNTED] + [VoteEffect.ALREADY_COUNTED] * 5
    )
    final = subject.store.get(record.approval_id)
    assert (final.status, [v.user_id for v in final.votes]) == (Status.PENDING, ["U0BOB"])
    assert [e.kind for e in subject.trail(record.approval_id)].count(AuditKind.VOTED) == 1


def test_votes_racing_callback_rotations_are_all_counted(subject: Subject) -> None:
    # Given all four approvers needed, while the gate swaps its callback again and again
    people = sorted(PEOPLE)[:4]
    record = posted(subject.store, approvers=frozenset(people), quorum=4)

    def rotate(store: ContractStore) -> Outcome:
        for n in range(4):
            callback = f"cb-{n}"

            def swap(r: ApprovalRecord) -> tuple[ApprovalRecord, list[AuditEvent]]:
                return r.with_callback(callback), []  # noqa: B023  # called before the next n

            store.update(record.approval_id, swap)
        return VoteEffect.ALREADY_COUNTED  # not a vote: left out below

    votes = [voting(record.approval_id, Vote(u, Verdict.APPROVE, AT)) for u in people]

    outcomes = race(subject, [*votes, rotate])

    assert sorted(map(str, outcomes[:-1])) == sorted(
        [VoteEffect.DECIDED] + [VoteEffect.COUNTED] * 3
    )
    final: ApprovalRecord = subject.store.get(record.approval_id)
    assert (final.status, set(final.decided_by)) == (Status.APPROVED, set(people))
    voted = [e.actor for e in subject.trail(record.approval_id) if e.kind is AuditKind.VOTED]
    assert sorted(voted) == people
