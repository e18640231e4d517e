"""The webhook's core: turn one authorized click into a counted vote and, maybe, a decision.

Exactly one request flips an approval (the store's conditional write decides who), and only
that request resumes the workflow at once; everyone else is told what happened. Resuming here is
the fast path: the stored decision is also delivered by the table's stream (`relay.py`), so a
webhook that dies, or a Lambda API that fails, between the write and the callback loses nothing.

The click redraws one message only: the copy the clicker sees (`seen_copy`). Slack wants the
click answered within 3 s, and Bolt answers only once the listener returns (FaaS mode), so a
request sent to forty people's DMs cannot wait on forty `chat.update` calls; the relay redraws
every copy from the stream, for every vote that counted (`relay.py`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from greenlight.core.approvers import (
    authorize,
    authorize_delegate,
    delegator_for,
    refuse_changed_vote,
    refuse_second_vote,
)
from greenlight.core.callback_result import decision_payload
from greenlight.core.errors import (
    AlreadyVotedError,
    CallbackRefusedError,
    ConfirmationRequiredError,
    DeliveryError,
    NotAuthorizedError,
)
from greenlight.core.vote_write import refuse_closed
from greenlight.core.votes import Verdict, Vote, VoteEffect
from greenlight.webhook import approval_metrics, log_context

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.webhook.ports import CallbackSender, MessageBoard, VoteStore

logger = logging.getLogger(__name__)


class Delegators(Protocol):
    """Who a delegate decides for (`greenlight.webhook.delegation.Delegations`)."""

    def delegators_of(self, user_id: str) -> list[str]:
        """Whom `user_id` decides for now, as their delegate."""
        ...


@dataclass(frozen=True, slots=True)
class Click:
    """One person's decision on one approval, as read from Slack: a button, or a modal's
    submission (`confirmed`, the only way to approve a sensitive request).

    Where it was made says which message to redraw at once (`seen_copy`): `message`, the one
    clicked; `on_home_tab`, none (the Home tab is published again with the result); neither (a
    modal's submission, which names no message), the clicker's own copy.
    """

    approval_id: str
    user_id: str
    verdict: Verdict
    reason: str | None = None
    comment: str | None = None
    confirmed: bool = False
    message: SlackMessage | None = None
    on_home_tab: bool = False


@dataclass(frozen=True, slots=True)
class VoteResult:
    """The record after the vote, and whether this click decided it."""

    record: ApprovalRecord
    decided: bool


class DecisionService:
    """Authorize, count, decide, resume, redraw the clicker's copy — in that order, each step
    conditional."""

    def __init__(
        self,
        store: VoteStore,
        callbacks: CallbackSender,
        board: MessageBoard,
        clock: Callable[[], datetime],
        delegations: Delegators | None = None,
    ) -> None:
        self._store = store
        self._callbacks = callbacks
        self._board = board
        self._clock = clock
        self._delegations = delegations

    def check(self, approval_id: str, user_id: str) -> ApprovalRecord:
        """Load the record and make sure the user may still vote on it (the buttons that open a
        form read it first; a vote itself reads nothing first). The refusals are the vote's
        write's, in its order (`explain_refusal`), so no form opens for a vote its submission
        would be refused: not for someone who cast a vote already (`refuse_second_vote`).

        Raises:
            NotFoundError, NotAuthorizedError, AlreadyVotedError, ConflictError: nothing is
                changed.
        """
        record = self._store.get(approval_id)
        voter = user_id  # whose vote the click would be: theirs, or a delegator's
        try:
            authorize(record.policy, record.request, approval_id, user_id)
        except NotAuthorizedError:
            delegators = self._delegators(user_id)
            delegator = self._as_delegate(record, user_id, delegators) if delegators else None
            if delegator is None:
                raise
            voter = delegator
        refuse_second_vote(record, user_id, voter)  # in the write's order: before "decided"
        refuse_closed(record, self._clock().isoformat())
        refuse_changed_vote(record, user_id, voter)  # a form could only change a counted vote
        return record

    def decide(self, click: Click) -> VoteResult:
        """Count the click; if it settles the approval, resume the workflow; redraw the copy the
        clicker sees (`seen_copy`), and only it: the relay redraws every copy from the stream.

        One conditional write authorizes, counts and maybe decides (`VoteStore.record_vote`).

        Raises:
            NotFoundError, NotAuthorizedError, ConflictError, InvalidRequestError.
        """
        vote = Vote(
            click.user_id,
            click.verdict,
            self._clock().isoformat(),
            click.reason,
            comment=click.comment,
            confirmed=click.confirmed,
        )
        try:
            after, effect = self._store.record_vote(click.approval_id, vote)
        except (ConfirmationRequiredError, AlreadyVotedError):
            raise  # theirs to decide only by confirming, or they voted: no delegate's path
        except NotAuthorizedError:
            # Not theirs to decide: perhaps as a delegate (a read of their delegations and of
            # the record, only on this path), cast as the delegator's vote, one write again
            delegators = self._delegators(click.user_id)
            if not delegators:
                raise
            record = self._store.get(click.approval_id)
            delegator = self._as_delegate(record, click.user_id, delegators)
            if delegator is None:
                raise
            vote = replace(vote, user_id=delegator, cast_by=click.user_id)
            after, effect = self._store.record_vote(click.approval_id, vote)
        log_context.correlate(after.approval_id, after.execution_arn)
        decided = effect is VoteEffect.DECIDED
        if decided:
            approval_metrics.decided(after)  # once per decision: only this request decided
            try:
                deliver(self._callbacks, after)
            except DeliveryError as err:
                logger.warning(
                    "decision stored, callback left to the stream relay",
                    extra={"approval_id": after.approval_id, "cause": err.cause},
                )
            except CallbackRefusedError as err:  # the relay will be refused too: say it once
                logger.error(
                    "decision stored, callback refused by Lambda",
                    extra={"approval_id": after.approval_id, "code": err.code},
                )
        seen = seen_copy(after, click)
        if effect is not VoteEffect.ALREADY_COUNTED and seen is not None:
            self._board.redraw_copy(after, seen)  # best effort: never raises
            if not decided:
                self._redraw_if_decided_since(after, seen)
        return VoteResult(after, decided)

    def _redraw_if_decided_since(self, counted: ApprovalRecord, seen: SlackMessage) -> None:
        """Redraw `seen` again if the approval was decided while it was being redrawn.

        chat.update has no condition: the last call wins. A slow redraw of a counted vote
        (buttons still on) can land after the relay drew the decision that followed, bringing
        the buttons back for good; a read after it sees the decision and draws it last. A
        deciding click needs no read (its state is final), so the common path pays nothing.
        """
        try:
            now = self._store.get(counted.approval_id)
        except Exception as err:  # noqa: BLE001  # a courtesy: the vote is counted either way
            logger.warning(
                "redraw not rechecked",
                extra={"approval_id": counted.approval_id, "error": type(err).__name__},
            )
            return
        if now.status.is_final:
            self._board.redraw_copy(now, seen)

    def _delegators(self, user_id: str) -> list[str]:
        """Whom `user_id` decides for now as a delegate (none without a delegations table)."""
        return self._delegations.delegators_of(user_id) if self._delegations else []

    @staticmethod
    def _as_delegate(record: ApprovalRecord, user_id: str, delegators: list[str]) -> str | None:
        """Whom `user_id`, a delegate of `delegators`, would vote for on `record`, or None
        when none of them may decide it (the caller's refusal stands).

        Raises:
            NotAuthorizedError: this request does not let a delegate decide (no delegates
                allowed, the delegate requested it, or may decide it themselves).
        """
        authorize_delegate(record.policy, record.request, record.approval_id, user_id)
        return delegator_for(record, user_id, delegators)

    def waiting_on(self, user_id: str) -> list[ApprovalRecord]:
        """Pending approvals this user may still vote on, oldest first."""
        return [r for r in self._store.pending() if user_id in r.waiting_on()]

    def current(self, approval_id: str) -> ApprovalRecord:
        """The record as it stands (for telling a late clicker who decided)."""
        return self._store.get(approval_id)


def seen_copy(record: ApprovalRecord, click: Click) -> SlackMessage | None:
    """The one message a click redraws before it is answered: the copy clicked; else (a modal's
    submission, or a message that is not one of the copies, such as an ephemeral one) the
    clicker's own copy, their DM else the channel's; None for a Home tab click, or a request
    not posted."""
    if click.on_home_tab:
        return None
    clicked = [m for m in record.posted_as() if m == click.message]  # the stored one: recipient
    return clicked[0] if clicked else record.copy_for(click.user_id)


def deliver(callbacks: CallbackSender, record: ApprovalRecord) -> bool:
    """Resume the workflow waiting on a decided record; False if its callback was closed.

    Closed means the workflow no longer waits on this callback: it timed out (its expiry step
    reads the record), or the decision was delivered before (by the webhook or the relay).
    Every verdict is an answer, sent as SendDurableExecutionCallbackSuccess with the verdict in
    its payload (`greenlight.core.outcome`); the failure callback is for true errors only.

    Raises:
        DeliveryError: Lambda's API failed; nothing is lost, the caller or the relay retries.
        CallbackRefusedError: Lambda refused the callback for good.
    """
    sent = callbacks.succeed(record.callback_id, decision_payload(record))
    if not sent:
        logger.info("callback already closed", extra={"approval_id": record.approval_id})
    return sent
