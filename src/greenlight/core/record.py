"""The approval record: the one durable fact the workflow and the webhook share."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from greenlight.core.approvers import ApproverPolicy
from greenlight.core.request import ApprovalRequest
from greenlight.core.votes import (
    Status,
    Verdict,
    Vote,
    approvals_counted,
    deciding_votes,
    tally,
)

RETENTION_SECONDS = 400 * 24 * 3600  # well past the 90-day durable retention


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """Where the request was posted, so it can be updated and threaded.

    `recipient` names the person a direct-message copy was sent to (None in a channel); it is
    not part of the message's identity, which is (channel, ts).
    """

    channel: str
    ts: str
    recipient: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        """A JSON-safe copy, for the record."""
        return _drop_none({"channel": self.channel, "ts": self.ts, "recipient": self.recipient})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SlackMessage:
        """Rebuild from `to_dict` output."""
        recipient = data.get("recipient")
        return cls(str(data["channel"]), str(data["ts"]), str(recipient) if recipient else None)


@dataclass(frozen=True, slots=True)
class ApprovalRecord:
    """Everything needed to authorize, count and announce a decision.

    `callback_id` is a bearer capability: it stays in this record and in the callback call,
    never in Slack, logs or reprs.
    """

    approval_id: str
    callback_id: str = field(repr=False)
    execution_arn: str
    request: ApprovalRequest
    policy: ApproverPolicy
    created_at: str
    expires_at: str
    ttl: int
    status: Status = Status.PENDING
    votes: tuple[Vote, ...] = ()
    slack: SlackMessage | None = None
    copies: tuple[SlackMessage, ...] = ()
    decided_by: tuple[str, ...] = ()
    decided_at: str | None = None
    reason: str | None = None
    version: int = 0

    def posted_as(self) -> tuple[SlackMessage, ...]:
        """Every message the request was posted as, the main one (`slack`) first; a record
        written before copies were kept has its main message only."""
        if self.slack is None or self.slack in self.copies:
            return self.copies
        return (self.slack, *self.copies)

    def with_message(self, message: SlackMessage) -> ApprovalRecord:
        """The record once it was also posted as `message` (the first is the main one); the
        version does not move: where it was posted changes no decision."""
        if message in self.posted_as():
            return self
        return replace(self, slack=self.slack or message, copies=(*self.posted_as(), message))

    def copy_for(self, user_id: str | None) -> SlackMessage | None:
        """The copy `user_id` can open: their own DM, else a channel copy, else the main one
        (None when not posted)."""
        copies = self.posted_as()
        own = [m for m in copies if m.recipient is not None and m.recipient == user_id]
        in_channel = [m for m in copies if m.recipient is None]
        return next(iter(own + in_channel + list(copies)), None)

    def dm_recipients(self) -> frozenset[str]:
        """The people who were sent a copy in a direct message."""
        return frozenset(m.recipient for m in self.posted_as() if m.recipient)

    def to_ping(self) -> list[str]:
        """Who reminders and the message mention: eligible, not voted yet, not quiet; sorted."""
        return [u for u in self.waiting_on() if u not in self.policy.quiet_ids]

    def escalation_to_ping(self) -> list[str]:
        """Who the escalation names: the escalation approvers who are not quiet; sorted."""
        return sorted(self.policy.escalated_ids - self.policy.quiet_ids)

    def vote_of(self, user_id: str) -> Vote | None:
        """The vote `user_id` already cast, if any."""
        return next((v for v in self.votes if v.user_id == user_id), None)

    def vote_cast_by(self, person: str) -> Vote | None:
        """The vote `person` cast, if any: their own, or one for someone as a delegate."""
        return next((v for v in self.votes if v.caster == person), None)

    def is_decided_by(self, vote: Vote) -> bool:
        """Whether `vote`, exactly as stored (same time to the microsecond), made the decision:
        a write DynamoDB applied and botocore sent again because its answer was lost."""
        return (
            self.status.is_final
            and self.decided_at == vote.at
            and vote.user_id in self.decided_by
            and self.vote_of(vote.user_id) == vote
        )

    def with_vote(self, vote: Vote) -> ApprovalRecord:
        """The record after `vote`, decided if the vote settles it. Idempotent per user; a
        person who cast a vote already (`vote_cast_by`) changes nothing."""
        if self.status.is_final or self.vote_of(vote.user_id) or self.vote_cast_by(vote.caster):
            return self
        votes = (*self.votes, vote)
        status = tally(votes, self.policy.quorum)
        if status is Status.PENDING:
            return replace(self, votes=votes, version=self.version + 1)
        deciders = deciding_votes(votes, status)
        return replace(
            self,
            votes=votes,
            status=status,
            decided_by=tuple(v.user_id for v in deciders),
            decided_at=vote.at,
            reason=deciders[0].reason if status is Status.REJECTED else None,
            version=self.version + 1,
        )

    def expired(self, at: str, reason: str = "no decision in time") -> ApprovalRecord:
        """The record after the approval ended undecided (timed out, or never posted)."""
        if self.status.is_final:
            return self
        return replace(
            self,
            status=Status.EXPIRED,
            decided_at=at,
            reason=reason,
            version=self.version + 1,
        )

    def refused(self, at: str, reason: str) -> ApprovalRecord:
        """The record after Greenlight rejected it on its own, no person deciding: too few of
        its approvers can be reached (`greenlight.core.route.check_reached`). Rejected, by no
        one (`is_refused`), with why: the `Decision` the workflow gets says the same."""
        if self.status.is_final:
            return self
        return replace(
            self,
            status=Status.REJECTED,
            decided_by=(),
            decided_at=at,
            reason=reason,
            version=self.version + 1,
        )

    @property
    def is_refused(self) -> bool:
        """Whether Greenlight rejected it on its own (`refused`): rejected, by no one. A
        person's rejection names its vetoer, an operator's the operator. (Earlier releases stored
        such a request as expired, with the refusal as its reason: it reads so.)"""
        return self.status is Status.REJECTED and not self.decided_by

    def overridden(self, status: Status, operator: str, reason: str, at: str) -> ApprovalRecord:
        """The record after an operator decided it by hand (an emergency, outside Slack)."""
        if self.status.is_final or not status.is_final:
            return self
        return replace(
            self,
            status=status,
            decided_by=(operator,),
            decided_at=at,
            reason=reason,
            version=self.version + 1,
        )

    def with_callback(self, callback_id: str) -> ApprovalRecord:
        """The record once the gate waits on a new callback (the version moves, so a vote that
        read the old callback id re-reads before it counts)."""
        return replace(self, callback_id=callback_id, version=self.version + 1)

    def escalated(self, extra: frozenset[str]) -> ApprovalRecord:
        """The record once `extra` approvers may decide too."""
        return replace(self, policy=self.policy.escalated_to(extra), version=self.version + 1)

    def approved_by(self) -> list[str]:
        """The users who approved so far, earliest first."""
        return [
            v.user_id
            for v in sorted(self.votes, key=lambda v: (v.at, v.user_id))
            if v.verdict is Verdict.APPROVE
        ]

    def approvals_needed(self) -> int:
        """How many more approvals decide this record (0 once the quorum is reached): counted
        as `tally` counts them (`approvals_counted`, one per person), so the stored
        `approvals_needed` the vote's write reads and the in-memory decision agree."""
        return max(self.policy.quorum - approvals_counted(self.votes), 0)

    def waiting_on(self) -> list[str]:
        """Eligible approvers who have not voted yet, sorted: neither their own vote is counted
        (cast by them or by their delegate) nor have they cast one for someone else as a
        delegate (one counted vote per person: an approver added after voting as a delegate
        may not vote again, so nothing waits on them)."""
        eligible = self.policy.eligible_for(self.request)
        casters = {v.caster for v in self.votes}
        return sorted(u for u in eligible if not self.vote_of(u) and u not in casters)

    def to_item(self) -> dict[str, Any]:
        """A plain mapping for the store; `None` fields are left out."""
        item: dict[str, Any] = {
            "approval_id": self.approval_id,
            "callback_id": self.callback_id,
            "execution_arn": self.execution_arn,
            "status": self.status.value,
            "request": self.request.to_dict(),
            "policy": self.policy.to_dict(),
            "votes": {
                v.user_id: _drop_none(
                    {
                        "decision": v.verdict.value,
                        "at": v.at,
                        "reason": v.reason,
                        "comment": v.comment,
                        "cast_by": v.cast_by,
                    }
                )
                for v in self.votes
            },
            "decided_by": list(self.decided_by),
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "ttl": self.ttl,
            "version": self.version,
            # Derived, stored for the vote's conditional write (greenlight/core/vote_write.py),
            # which cannot compute them: who may decide, usergroups long resolved and the requester
            # left out; the approvers so far, in order; how many approvals are still missing
            # (the last two are kept current while pending; the deciding write leaves them);
            # who cast a vote (a delegate, not the approver they voted for): one vote each.
            "eligible_ids": sorted(self.policy.eligible_for(self.request)),
            "approved_by": self.approved_by(),
            "approvals_needed": self.approvals_needed(),
            "voters": [v.caster for v in sorted(self.votes, key=lambda v: (v.at, v.user_id))],
        }
        if self.slack:
            item["slack"] = self.slack.to_dict()
        if self.copies:  # left out while the main message is the only one, as before copies
            item["copies"] = [m.to_dict() for m in self.posted_as()]
        return item | _drop_none({"decided_at": self.decided_at, "reason": self.reason})

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ApprovalRecord:
        """Rebuild from `to_item` output (numbers may arrive as Decimal)."""
        votes = tuple(
            Vote(
                user_id=uid,
                verdict=Verdict(v["decision"]),
                at=str(v["at"]),
                reason=v.get("reason"),
                cast_by=v.get("cast_by"),
                comment=v.get("comment"),  # absent on votes stored before comments existed
            )
            for uid, v in sorted(item.get("votes", {}).items(), key=lambda kv: str(kv[1]["at"]))
        )
        slack = item.get("slack")
        return cls(
            approval_id=str(item["approval_id"]),
            callback_id=str(item["callback_id"]),
            execution_arn=str(item["execution_arn"]),
            request=ApprovalRequest.from_dict(item["request"]),
            policy=ApproverPolicy.from_dict(item["policy"]),
            created_at=str(item["created_at"]),
            expires_at=str(item["expires_at"]),
            ttl=int(item["ttl"]),
            status=Status(item["status"]),
            votes=votes,
            slack=SlackMessage.from_dict(slack) if slack else None,
            copies=tuple(SlackMessage.from_dict(m) for m in item.get("copies", ())),
            decided_by=tuple(str(u) for u in item.get("decided_by", [])),
            decided_at=item.get("decided_at"),
            reason=item.get("reason"),
            version=int(item.get("version", 0)),
        )


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
