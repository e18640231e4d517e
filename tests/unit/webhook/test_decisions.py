"""The decision service: who may open a form, whose vote a delegate casts, what a click
survives (a failing Lambda API), and whose inbox an approval is in.

Over the in-memory store, which counts votes by the core's own conditional-write rules
(`greenlight.core.vote_write`), as the DynamoDB store does.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from greenlight.core.errors import (
    AlreadyVotedError,
    ConflictError,
    DeliveryError,
    NotAuthorizedError,
)
from greenlight.core.votes import Status, Verdict
from greenlight.webhook.decisions import Click, DecisionService
from tests.fakes.workflow import InMemoryApprovalStore
from tests.unit.webhook.test_approval_metrics import (
    APPROVAL_ID,
    AnsweringCallbacks,
    SilentBoard,
    pending,
)
from tests.unit.webhook.test_click_redraws_the_copy_seen import CHANNEL, Board

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord

AT = datetime(2026, 11, 22, 12, 1, tzinfo=UTC)  # while the fixture's request is open
AFTER_EXPIRY = datetime(2026, 11, 23, 12, 0, 1, tzinfo=UTC)  # its expires_at has passed


class Delegations:
    """Who decides for whom, as the delegations table answers `delegators_of`."""

    def __init__(self, **delegators: list[str]) -> None:
        self.delegators = delegators

    def delegators_of(self, user_id: str) -> list[str]:
        return self.delegators.get(user_id, [])


class FailingCallbacks:
    """Lambda's callback API down: the decision is stored, the relay delivers it later."""

    def __init__(self) -> None:
        self.tries = 0

    def succeed(self, callback_id: str, result: bytes) -> bool:
        self.tries += 1
        raise DeliveryError("ServiceException")


def service(
    record: ApprovalRecord,
    *,
    at: datetime = AT,
    delegations: Delegations | None = None,
    callbacks: AnsweringCallbacks | FailingCallbacks | None = None,
) -> tuple[DecisionService, InMemoryApprovalStore]:
    store = InMemoryApprovalStore()
    store.create(record)
    return DecisionService(
        store, callbacks or AnsweringCallbacks(), SilentBoard(), lambda: at, delegations
    ), store


def delegating(quorum: int = 2) -> ApprovalRecord:
    """Bob and Carol decide (Alice asked); the request lets delegates decide."""
    record = pending(quorum=quorum)
    return replace(record, policy=replace(record.policy, allow_delegation=True))


def test_a_form_does_not_open_for_someone_whose_vote_is_counted() -> None:
    # Given Bob's approve, counted (one of two)
    decisions, _ = service(pending(quorum=2))
    decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))
    # When he clicks Reject (or Approve with comment): the form could only change his vote
    with pytest.raises(AlreadyVotedError):
        decisions.check(APPROVAL_ID, "U0BOB")
    # while Carol, who has not voted, gets her form
    assert decisions.check(APPROVAL_ID, "U0CAROL").status is Status.PENDING


def test_a_form_does_not_open_for_a_delegate_who_voted_for_someone_else() -> None:
    # Given Dave, delegate of both approvers, who approved for Bob
    decisions, _ = service(delegating(), delegations=Delegations(U0DAVE=["U0BOB", "U0CAROL"]))
    decisions.decide(Click(APPROVAL_ID, "U0DAVE", Verdict.APPROVE))
    # When he clicks again: his click would now be Carol's vote, a second one of his
    with pytest.raises(AlreadyVotedError) as refused:
        decisions.check(APPROVAL_ID, "U0DAVE")
    # Then it is refused, naming whom his counted vote was for
    assert refused.value.voted_for == "U0BOB"


def test_a_form_does_not_open_on_a_request_past_its_deadline_or_decided() -> None:
    # Past its expires_at, though no one closed it yet (its gate runs later): expired
    late, _ = service(pending(quorum=1), at=AFTER_EXPIRY)
    with pytest.raises(ConflictError) as expired:
        late.check(APPROVAL_ID, "U0BOB")
    assert expired.value.status == Status.EXPIRED.value
    # Decided: the refusal says how
    decisions, _ = service(pending(quorum=1))
    decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))
    with pytest.raises(ConflictError) as decided:
        decisions.check(APPROVAL_ID, "U0CAROL")
    assert decided.value.status == Status.APPROVED.value


def test_a_form_does_not_open_for_the_delegate_of_someone_who_cannot_decide() -> None:
    # Dave decides for Erin, who is no approver of this request
    decisions, _ = service(delegating(), delegations=Delegations(U0DAVE=["U0ERIN"]))
    with pytest.raises(NotAuthorizedError):
        decisions.check(APPROVAL_ID, "U0DAVE")


def test_a_delegates_vote_is_counted_as_the_delegators_and_says_who_cast_it() -> None:
    decisions, store = service(delegating(), delegations=Delegations(U0DAVE=["U0BOB"]))

    result = decisions.decide(Click(APPROVAL_ID, "U0DAVE", Verdict.APPROVE))

    vote = store.get(APPROVAL_ID).vote_of("U0BOB")
    assert vote is not None
    assert (vote.user_id, vote.cast_by, vote.verdict) == ("U0BOB", "U0DAVE", Verdict.APPROVE)
    assert result.record.vote_of("U0DAVE") is None  # no vote of his own


def test_an_approver_who_voted_is_told_so_even_when_they_are_someone_elses_delegate() -> None:
    # Bob approved as himself; he is also Carol's delegate (not on this request: he decides it
    # as himself). His Reject changes his counted vote: refused as "already voted", not as a
    # delegate's refusal (the clicker is told he voted, not that he may not decide)
    decisions, _ = service(delegating(), delegations=Delegations(U0BOB=["U0CAROL"]))
    decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))

    with pytest.raises(AlreadyVotedError):
        decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.REJECT, reason="changed my mind"))


def test_a_deciding_click_survives_a_failing_lambda_api_and_the_decision_stands() -> None:
    # Lambda's callback API fails: the decision is stored, the stream relay delivers it later;
    # the clicker is answered as for any decision, never with an error
    callbacks = FailingCallbacks()
    decisions, store = service(pending(quorum=1), callbacks=callbacks)

    result = decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))

    assert result.decided
    assert callbacks.tries == 1
    assert store.get(APPROVAL_ID).status is Status.APPROVED


def test_only_the_approvals_a_person_may_still_vote_on_are_waiting_on_them() -> None:
    decisions, _ = service(pending(quorum=2))
    decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE))

    assert [r.approval_id for r in decisions.waiting_on("U0CAROL")] == [APPROVAL_ID]
    assert decisions.waiting_on("U0BOB") == []  # voted
    assert decisions.waiting_on("U0ALICE") == []  # asked for it


def test_a_click_already_counted_changes_nothing_and_redraws_nothing() -> None:
    # Given Bob's approve counted, his copy redrawn once (one of two approvals)
    record = pending(quorum=2).with_message(CHANNEL)
    store = InMemoryApprovalStore()
    store.create(record)
    board = Board()
    decisions = DecisionService(store, AnsweringCallbacks(), board, lambda: AT)
    decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, message=CHANNEL))
    assert len(board.redrawn) == 1

    # When the same click arrives again (a double click, Slack's retry)
    again = decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, message=CHANNEL))

    # Then nothing is decided and no Slack call is spent on it (Slack's 3 s are for the answer)
    assert not again.decided
    assert len(board.redrawn) == 1


class StoreDownForReads(InMemoryApprovalStore):
    """The store after a vote's write: its reads fail (throttled, timed out)."""

    def get(self, approval_id: str) -> ApprovalRecord:
        raise OSError("read timed out")


def test_a_counted_vote_is_answered_though_the_recheck_after_its_redraw_fails() -> None:
    # Given a vote that decides nothing (one of two), counted; the store's reads then fail
    store = StoreDownForReads()
    store.create(pending(quorum=2).with_message(CHANNEL))
    board = Board()
    decisions = DecisionService(store, AnsweringCallbacks(), board, lambda: AT)

    # When Bob approves: his copy is redrawn, then the record read again (was it decided
    # meanwhile?), which fails
    result = decisions.decide(Click(APPROVAL_ID, "U0BOB", Verdict.APPROVE, message=CHANNEL))

    # Then his vote stands and he is answered: the recheck is a courtesy, never an error
    assert not result.decided
    assert result.record.vote_of("U0BOB") is not None
    assert len(board.redrawn) == 1
