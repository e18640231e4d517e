"""An automatic approval: decided without asking anyone, and audited once.

Two steps inside the gate's child context: "auto-approval id" mints the approval id and the
time (`new_id`, the clock) and the SDK checkpoints them; "auto-approve" writes the audit line
from that checkpoint. The write's step retries (the store's answer may be lost after the line
landed), and each retry writes the very same line (same id, time, kind and actor: the same
audit key, `AuditEvent.seq`), so it lands once. Minted inside the writing step, as before, a
retry made a second approval with a fresh id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.buttons import labelled
from greenlight.core.outcome import Decision
from greenlight.core.votes import Status
from greenlight.gate import retries
from greenlight.gate.checkpoints import MINTED, Minted

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.request import ApprovalRequest
    from greenlight.gate.ports import GateServices

STEP_MINT = "auto-approval id"
STEP_AUTO_APPROVE = "auto-approve"


def approve_automatically(
    ctx: DurableContext, services: GateServices, request: ApprovalRequest, reason: str
) -> Decision:
    """Approve `request` without asking anyone; the audit line says why (`reason`)."""
    minted = ctx.step(
        lambda _: Minted(
            labelled(services.requester, services.new_id()), services.clock().isoformat()
        ),
        name=STEP_MINT,
        config=retries.with_serdes(retries.NO_RETRY, MINTED),
    )
    detail = ", ".join(t for t in (request.reference, request.amount_text) if t)
    event = AuditEvent(
        minted.approval_id,
        AuditKind.AUTO_APPROVED,
        minted.at,
        request.requester_id,
        reason,
        detail=detail,
    )
    ctx.step(lambda _: services.approvals.note(event), name=STEP_AUTO_APPROVE, config=retries.STORE)
    ctx.logger.info("approved without asking", extra={"approval_id": minted.approval_id})
    return Decision(
        Status.APPROVED, minted.approval_id, reason=reason, automatic=True, context=request.context
    )
