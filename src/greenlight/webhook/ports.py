"""What the decision service needs from the world."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.votes import Vote, VoteEffect


class VoteStore(Protocol):
    """The approvals table, as the webhook uses it."""

    def get(self, approval_id: str) -> ApprovalRecord:
        """Read a record; raises NotFoundError."""
        ...

    def pending(self) -> list[ApprovalRecord]:
        """Every pending approval."""
        ...

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        """Count a vote in one conditional write; returns the stored record and what the vote
        did. Raises NotFoundError, NotAuthorizedError, ConflictError."""
        ...


class CallbackSender(Protocol):
    """Resumes the suspended workflow (Lambda's durable callback API)."""

    def succeed(self, callback_id: str, result: bytes) -> bool:
        """Send success; False if the callback was already closed."""
        ...


class MessageBoard(Protocol):
    """The approval message in Slack, one copy at a time (a request sent to people's DMs has a
    copy in each): the webhook redraws the copy clicked, the relay every copy, as long as its
    time for Slack lasts."""

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        """Update one posted copy to match the record; best effort: a copy Slack will not
        update is logged, never raised (the vote is stored by then)."""
        ...


class AuditLog(Protocol):
    """The audit table, as the relay writes it: append only."""

    def append_once(self, event: AuditEvent) -> bool:
        """Write `event` unless a line with its key exists; False if it did (a redelivery)."""
        ...
