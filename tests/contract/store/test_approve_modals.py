"""The store's contract for approving through a modal: a comment is stored with the vote and
ends in the audit trail and the decision; a sensitive request is approved only by a confirmed
vote (the modal's submission), refused by the write itself for a one-click approve."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from greenlight.core.audit import AuditKind
from greenlight.core.errors import ConfirmationRequiredError, NotAuthorizedError
from greenlight.core.outcome import Decision, decision_from_success, decision_payload
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.contract.store.conftest import MESSAGE, new_record

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.contract.store.conftest import ContractStore, Subject

FIRST = "2026-11-22T12:01:00+00:00"
SECOND = "2026-11-22T12:02:00+00:00"


def posted(store: ContractStore, *, sensitive: bool, quorum: int = 1) -> ApprovalRecord:
    record = new_record(quorum=quorum)
    record = replace(record, request=replace(record.request, sensitive=sensitive))
    store.create(record)
    store.attach_message(record.approval_id, MESSAGE)
    return store.get(record.approval_id)


@pytest.mark.parametrize("quorum", [1, 2])  # the deciding write, and the counting one
def test_a_one_click_approve_of_a_sensitive_request_is_refused_and_changes_nothing(
    subject: Subject, quorum: int
) -> None:
    # Given a sensitive request, stored as the gate stores it
    record = posted(subject.store, sensitive=True, quorum=quorum)
    assert record.request.sensitive

    # When an approver's approve arrives without the confirmation (one click, or forged)
    with pytest.raises(ConfirmationRequiredError) as refused:
        subject.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, FIRST))

    # Then it is refused as not authorized, and nothing is written
    assert isinstance(refused.value, NotAuthorizedError)
    assert refused.value.user_id == "U0BOB"
    assert subject.store.get(record.approval_id) == record
    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_a_confirmed_approve_of_a_sensitive_request_decides(subject: Subject) -> None:
    record = posted(subject.store, sensitive=True)

    vote = Vote("U0BOB", Verdict.APPROVE, FIRST, comment="checked with finance", confirmed=True)
    after, effect = subject.store.record_vote(record.approval_id, vote)

    assert (effect, after.status, after.decided_by) == (
        VoteEffect.DECIDED,
        Status.APPROVED,
        ("U0BOB",),
    )
    assert subject.store.get(record.approval_id).vote_of("U0BOB") == vote


def test_a_reject_of_a_sensitive_request_needs_no_confirmation(subject: Subject) -> None:
    record = posted(subject.store, sensitive=True)

    after, effect = subject.store.record_vote(
        record.approval_id, Vote("U0CAROL", Verdict.REJECT, FIRST, "not now")
    )

    assert (effect, after.status) == (VoteEffect.DECIDED, Status.REJECTED)


def test_a_comment_is_stored_audited_and_returned_in_the_decision(subject: Subject) -> None:
    # Given a 2-of-3 request, approved once with a comment and once in one click
    record = posted(subject.store, sensitive=False, quorum=2)
    commented = Vote("U0BOB", Verdict.APPROVE, FIRST, comment="fine <@U0EVE> & co")
    subject.store.record_vote(record.approval_id, commented)
    _, effect = subject.store.record_vote(
        record.approval_id, Vote("U0CAROL", Verdict.APPROVE, SECOND)
    )

    # Then the comment is stored with Bob's vote, and Carol's vote has none
    assert effect is VoteEffect.DECIDED
    stored = subject.store.get(record.approval_id)
    assert (stored.vote_of("U0BOB"), stored.vote_of("U0CAROL")) == (
        commented,
        Vote("U0CAROL", Verdict.APPROVE, SECOND),
    )
    # And the audit line of Bob's vote carries it
    voted = [e for e in subject.trail(record.approval_id) if e.kind is AuditKind.VOTED]
    assert [(e.actor, e.reason, e.detail) for e in voted] == [
        ("U0BOB", "fine <@U0EVE> & co", "approve"),
        ("U0CAROL", None, "approve"),
    ]
    # And the decision the workflow receives (over the callback's wire form) returns it
    decision = decision_from_success(json.loads(decision_payload(stored)))
    assert [(v.user_id, v.comment) for v in decision.votes] == [
        ("U0BOB", "fine <@U0EVE> & co"),
        ("U0CAROL", None),
    ]
    assert Decision.from_dict(decision.to_dict()).votes == decision.votes
