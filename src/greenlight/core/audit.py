"""The audit trail: one append-only item per thing that happened to an approval."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord

SYSTEM_ACTOR = "greenlight"


class AuditKind(StrEnum):
    """What happened."""

    REQUESTED = "requested"
    AUTO_APPROVED = "auto_approved"
    REFUSED = "refused"
    VOTED = "voted"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REMINDED = "reminded"
    ESCALATED = "escalated"
    OPERATOR_DECIDED = "operator_decided"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One line of an approval's history. `seq` orders and de-duplicates lines per approval."""

    approval_id: str
    kind: AuditKind
    at: str
    actor: str = SYSTEM_ACTOR
    reason: str | None = None
    channel: str | None = None
    message_ts: str | None = None
    detail: str | None = None

    @property
    def seq(self) -> str:
        """Sort key: time, then the kind's place in a lifecycle (a vote before the decision it
        makes), then actor; a retried write of the same event lands on the same item."""
        rank = list(AuditKind).index(self.kind)
        return f"{self.at}#{rank:02d}#{self.kind.value}#{self.actor}"

    def to_item(self) -> dict[str, Any]:
        """The item in the audit table (key: approval_id, seq)."""
        item = {
            "approval_id": self.approval_id,
            "seq": self.seq,
            "kind": self.kind.value,
            "at": self.at,
            "actor": self.actor,
            "reason": self.reason,
            "channel": self.channel,
            "message_ts": self.message_ts,
            "detail": self.detail,
        }
        return {k: v for k, v in item.items() if v is not None}

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> AuditEvent:
        """Rebuild from `to_item` output."""
        return cls(
            approval_id=str(item["approval_id"]),
            kind=AuditKind(item["kind"]),
            at=str(item["at"]),
            actor=str(item.get("actor", SYSTEM_ACTOR)),
            reason=item.get("reason"),
            channel=item.get("channel"),
            message_ts=item.get("message_ts"),
            detail=item.get("detail"),
        )

    def line(self) -> str:
        """One human-readable timeline line."""
        who = "" if self.actor == SYSTEM_ACTOR else f" by {self.actor}"
        parts = [f"{self.at}  {self.kind.value:<16}{who}"]
        if self.reason:
            parts.append(f"reason: {self.reason}")
        if self.detail:
            parts.append(self.detail)
        if self.channel:
            parts.append(f"in {self.channel} @ {self.message_ts}")
        return "  ".join(parts)


def requested_event(record: ApprovalRecord) -> AuditEvent:
    """The first line of every approval, written with the record itself (by every store)."""
    return AuditEvent(
        record.approval_id,
        AuditKind.REQUESTED,
        record.created_at,
        actor=record.request.requester_id,
        detail=", ".join(
            t for t in (record.request.amount_text, f"quorum {record.policy.quorum}") if t
        ),
    )
