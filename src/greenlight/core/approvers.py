"""Who may decide one approval once it is posted, and the checks a vote must pass.

The record's half of the policy (`greenlight.core.policy` is the workflow's half, and
re-exports these names): the webhook authorizes every click against an `ApproverPolicy`, and
by importing it from here it does not load `Policy`, `Tiers` and the ladder at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from greenlight.core.errors import AlreadyVotedError, InvalidRequestError, NotAuthorizedError
from greenlight.core.request import is_slack_user_id

if TYPE_CHECKING:
    from collections.abc import Iterable

    from greenlight.core.record import ApprovalRecord
    from greenlight.core.request import ApprovalRequest
    from greenlight.core.votes import Vote


@dataclass(frozen=True, slots=True)
class ApproverPolicy:
    """The people who may decide one approval, how many must approve, and who may only look.

    Usergroups are resolved to their members before a policy is made, so a policy holds user
    ids only; `escalated_ids` are the approvers added when the request was escalated;
    `quiet_ids` are approvers who may decide but are never mentioned, messaged or reminded.
    """

    approver_ids: frozenset[str]
    quorum: int = 1
    allow_self_approval: bool = False
    viewer_ids: frozenset[str] = field(default_factory=frozenset)
    escalated_ids: frozenset[str] = field(default_factory=frozenset)
    allow_delegation: bool = False
    quiet_ids: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.quiet_ids <= self.approver_ids:
            raise InvalidRequestError("policy.quiet_ids", "quiet approvers must be approvers")
        if not self.approver_ids:
            raise InvalidRequestError("policy.approver_ids", "at least one approver is required")
        bad = sorted(a for a in self.approver_ids | self.viewer_ids if not is_slack_user_id(a))
        if bad:
            raise InvalidRequestError("policy.approver_ids", f"not Slack user ids: {bad}")
        if not 1 <= self.quorum <= len(self.approver_ids):
            raise InvalidRequestError(
                "policy.quorum", f"must be 1..{len(self.approver_ids)}, got {self.quorum}"
            )

    def eligible_for(self, request: ApprovalRequest) -> frozenset[str]:
        """The approvers who may decide this request (the requester drops out by default)."""
        if self.allow_self_approval:
            return self.approver_ids
        return self.approver_ids - {request.requester_id}

    def escalated_to(self, extra: frozenset[str]) -> ApproverPolicy:
        """The policy once `extra` approvers are added by an escalation."""
        added = extra - self.approver_ids
        return replace(
            self, approver_ids=self.approver_ids | added, escalated_ids=self.escalated_ids | added
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for the approval record."""
        return {
            "approver_ids": sorted(self.approver_ids),
            "quorum": self.quorum,
            "allow_self_approval": self.allow_self_approval,
            "viewer_ids": sorted(self.viewer_ids),
            "escalated_ids": sorted(self.escalated_ids),
            "allow_delegation": self.allow_delegation,
            "quiet_ids": sorted(self.quiet_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApproverPolicy:
        """Rebuild from `to_dict` output."""
        return cls(
            approver_ids=frozenset(str(a) for a in data["approver_ids"]),
            quorum=int(data["quorum"]),
            allow_self_approval=bool(data.get("allow_self_approval", False)),
            viewer_ids=frozenset(str(a) for a in data.get("viewer_ids", [])),
            escalated_ids=frozenset(str(a) for a in data.get("escalated_ids", [])),
            allow_delegation=bool(data.get("allow_delegation", False)),
            quiet_ids=frozenset(str(a) for a in data.get("quiet_ids", [])),
        )


def authorize(
    policy: ApproverPolicy, request: ApprovalRequest, approval_id: str, user_id: str
) -> None:
    """Raise unless `user_id` may cast a vote on this request.

    Raises:
        NotAuthorizedError: the requester (self-approval off), a viewer, or not listed.
    """
    if user_id == request.requester_id and not policy.allow_self_approval:
        raise NotAuthorizedError(approval_id, user_id, "you cannot decide your own request")
    if user_id in policy.approver_ids:
        return
    if user_id in policy.viewer_ids:
        raise NotAuthorizedError(
            approval_id, user_id, "you can follow this request but not decide it"
        )
    raise NotAuthorizedError(approval_id, user_id, "you are not an approver for this request")


def delegate_refusal(
    policy: ApproverPolicy, request: ApprovalRequest, delegate_id: str
) -> str | None:
    """Why `delegate_id` may not cast an approver's vote on this request, or None when they may.

    The request's half of delegation: it allows delegates, and the delegate is neither its
    requester nor an approver of it in their own right (who votes as themselves, once: a
    delegate never adds a second vote of their own). The other half, that the delegation holds
    (the delegator chose this delegate, until a day not yet past), is the delegations table's
    (`DelegationEntry.delegators_at`). The vote's conditional write checks this same rule on
    the stored item (`greenlight.core.vote_write.delegate_conditions`); a test holds the two
    equal (tests/contract/store/test_delegate_write.py).
    """
    if not policy.allow_delegation:
        return "this request does not allow delegates to decide"
    if delegate_id == request.requester_id:
        return "you cannot decide your own request, not even as a delegate"
    if delegate_id in policy.eligible_for(request):
        return "you decide this request as yourself, not as a delegate"
    return None


def authorize_delegate(
    policy: ApproverPolicy, request: ApprovalRequest, approval_id: str, delegate_id: str
) -> None:
    """Raise unless `delegate_id` may cast a vote for an approver of this request (whose own
    right to vote `authorize` checks): the rule of `delegate_refusal`.

    Raises:
        NotAuthorizedError: delegation is off for this request, or the delegate may not use it.
    """
    refusal = delegate_refusal(policy, request, delegate_id)
    if refusal is not None:
        raise NotAuthorizedError(approval_id, delegate_id, refusal)


def delegator_for(
    record: ApprovalRecord, delegate_id: str, delegators: Iterable[str]
) -> str | None:
    """Whose vote `delegate_id` casts on `record` as the delegate of `delegators` (whom they
    decide for now), or None: the request refuses this delegate (`delegate_refusal`), or none
    of `delegators` may decide it.

    The first of them by user id who may decide it and has not voted yet; else the first who
    may decide it, whose vote is counted already (so a second click by the delegate is told
    "already counted", not refused). Whether the record is still pending is not asked here:
    the vote's write answers that. Nor whether the delegate cast a vote on it already (for
    another of `delegators`, or as themself): the vote's write and the form's check refuse
    that with whom it was cast for (`refuse_second_vote`), and the inbox leaves such a record
    out (`greenlight.core.home.delegated_to`).
    """
    if delegate_refusal(record.policy, record.request, delegate_id) is not None:
        return None
    eligible = record.policy.eligible_for(record.request)
    theirs = sorted(d for d in delegators if d in eligible)
    waiting = [d for d in theirs if not record.vote_of(d)]
    return (waiting or theirs)[0] if theirs else None


def refuse_second_vote(record: ApprovalRecord, caster: str, voter: str) -> None:
    """Raise if `caster` cast a vote on `record` already, other than `voter`'s (whose vote
    they would cast now: their own, or a delegator's): one counted vote per person. A vote
    for `voter` already counted is not refused here: clicking it again changes nothing.

    The rule of the vote's write (`greenlight.core.vote_write.explain_refusal`, on the record
    that refused it), asked before a form opens (`DecisionService.check`) on the record read.

    Raises:
        AlreadyVotedError: naming whom the vote was cast for, when it was cast as a delegate.
    """
    other = record.vote_cast_by(caster)
    if other is not None and other.user_id != voter:
        voted_for = other.user_id if other.cast_by else None
        raise AlreadyVotedError(record.approval_id, caster, voted_for)


def refuse_changed_vote(
    record: ApprovalRecord, caster: str, voter: str, vote: Vote | None = None
) -> bool:
    """Whether `vote` (for `voter`, cast by `caster`) repeats the vote counted for `voter`:
    True for a double click, Slack's retry, or the approver and their delegate giving the
    same answer (same verdict, reason and comment: nothing changes), False when none is
    counted. A vote that would change the counted one (a reject after an approve, a comment
    added) is refused, never dropped in silence: one vote per person, and no taking it back.
    With no `vote` (a form about to open, whose submission could only change it), any counted
    vote refuses.

    Raises:
        AlreadyVotedError: a vote for `voter` is counted, and this one is not the same; it says
            who cast it, when not `caster`.
    """
    counted = record.vote_of(voter)
    if counted is None:
        return False
    if vote is not None and (counted.verdict, counted.reason, counted.comment) == (
        vote.verdict,
        vote.reason,
        vote.comment,
    ):
        return True
    if counted.caster == caster:
        raise AlreadyVotedError(record.approval_id, caster, None)
    if caster == voter:  # the approver, whose delegate answered first
        raise AlreadyVotedError(record.approval_id, caster, None, counted_by=counted.caster)
    raise AlreadyVotedError(record.approval_id, caster, None, counted_for=voter)
