"""What the decision service needs from the world."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from approvals.record import ApprovalRecord
    from approvals.votes import Vote


class VoteStore(Protocol):
    """The approvals table, as the webhook uses it."""

    def get(self, approval_id: str) -> ApprovalRecord:
        """Read a record; raises NotFoundError."""
        ...

    def pending(self) -> list[ApprovalRecord]:
        """Every pending approval."""
        ...

    def record_vote(self, record: ApprovalRecord, vote: Vote) -> tuple[ApprovalRecord, bool]:
        """Count a vote; returns the stored record and whether this vote decided it."""
        ...


class CallbackSender(Protocol):
    """Resumes the suspended workflow (Lambda's durable callback API)."""

    def succeed(self, callback_id: str, result: bytes) -> bool:
        """Send success; False if the callback was already closed."""
        ...

    def fail(self, callback_id: str, error: dict[str, str]) -> bool:
        """Send failure; False if the callback was already closed."""
        ...


class MessageBoard(Protocol):
    """The approval message in Slack."""

    def redraw(self, record: ApprovalRecord) -> None:
        """Update the posted message to match the record."""
        ...
