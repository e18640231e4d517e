"""What happens at each rung of the timeout ladder: bodies of durable steps, one I/O act each.

Each returns the decision when the approval is, or just became, final (a vote may have landed
while the round timed out), and None while it is still pending.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.core import messages
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import NotFoundError
from greenlight.core.outcome import Decision
from greenlight.core.votes import Status
from greenlight.gate import metrics as approval_metrics

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.gate.ports import GateServices


def decided(record: ApprovalRecord) -> Decision | None:
    """The decision of a final record, else None."""
    return Decision.from_record(record) if record.status.is_final else None


def expire(deps: GateServices, approval_id: str) -> Decision | None:
    """Flip pending → expired (with its audit line) and redraw; a decision that won stands."""
    at = deps.clock().isoformat()
    record = deps.approvals.update(
        approval_id,
        lambda r: (
            r.expired(at),
            [AuditEvent(r.approval_id, AuditKind.EXPIRED, at, reason="no decision in time")],
        ),
    )
    if record.status is Status.EXPIRED:
        deps.notifier.update_request(record)
        approval_metrics.count(approval_metrics.EXPIRED)
    return decided(record)


NOT_POSTED = "the request could not be posted"


def withdraw(deps: GateServices, approval_id: str) -> None:
    """Close a record whose post failed for good (pending → expired, with its audit line), so
    no pending approval without a message is left for `/approvals` and the operators' lists.
    Nothing to do when the record was never stored."""
    try:
        deps.approvals.get(approval_id)
    except NotFoundError:
        return
    at = deps.clock().isoformat()
    deps.approvals.update(
        approval_id,
        lambda r: (
            r.expired(at, NOT_POSTED),
            [AuditEvent(r.approval_id, AuditKind.EXPIRED, at, reason=NOT_POSTED)],
        ),
    )


def remind(deps: GateServices, approval_id: str, message: SlackMessage) -> Decision | None:
    """Reply in the thread, mentioning who is still needed."""
    record = deps.approvals.get(approval_id)
    if record.status.is_final:
        return decided(record)
    deps.notifier.reply(message, messages.reminder(record))
    deps.approvals.note(
        AuditEvent(
            approval_id,
            AuditKind.REMINDED,
            deps.clock().isoformat(),
            detail="waiting on " + ", ".join(record.waiting_on()),
            channel=message.channel,
            message_ts=message.ts,
        )
    )
    return None


def escalate(
    deps: GateServices,
    approval_id: str,
    message: SlackMessage,
    escalation: frozenset[str],
    escalation_channel: str | None,
) -> Decision | None:
    """Let the escalation approvers decide too; say so on the message, in the thread and channel."""
    at = deps.clock().isoformat()

    def add(record: ApprovalRecord) -> tuple[ApprovalRecord, list[AuditEvent]] | None:
        if escalation <= record.policy.approver_ids:
            return None  # a retried step: already escalated
        after = record.escalated(escalation)
        added = ", ".join(sorted(after.policy.escalated_ids))
        event = AuditEvent(
            approval_id,
            AuditKind.ESCALATED,
            at,
            detail=f"added {added}",
            channel=message.channel,
            message_ts=message.ts,
        )
        return after, [event]

    record = deps.approvals.update(approval_id, add)
    if record.status.is_final:
        return decided(record)
    deps.notifier.update_request(record)
    notice = messages.escalation(record)
    deps.notifier.reply(message, notice)
    if escalation_channel:
        link = messages.permalink(message)
        deps.notifier.announce(escalation_channel, f"{notice} <{link}|Open the request>")
    return None
