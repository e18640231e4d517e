"""A local durable function that asks for one approval routed per request: in a direct
message to each approver, or in a channel and DMs (`localdev.direct_approval.handler`).

The local stack hosts it beside the examples, so a DM-routed approval runs end to end (and in
the browser) with no Slack: the event says who decides and where,
`{"title", "by", "approvers": [...], "quiet": [...], "quorum": 1, "channel": "C…" | null}`.
Built only on the public API, as any team's function would be.
"""

from __future__ import annotations

from typing import Any

from aws_durable_execution_sdk_python import DurableContext, durable_execution

from greenlight.core import (
    ApprovalRequest,
    ChannelAndDirectMessages,
    DirectMessages,
    Ladder,
    Policy,
)
from greenlight.gate import Greenlight

EXPIRE_AFTER = 3600

approvals = Greenlight.from_env()


@durable_execution
def handler(event: dict[str, Any], ctx: DurableContext) -> dict[str, Any]:
    """Ask, wait, and return the decision as JSON."""
    channel = event.get("channel")
    route = ChannelAndDirectMessages(str(channel)) if channel else DirectMessages()
    policy = Policy(
        approvers=tuple(event["approvers"]),
        quiet_approvers=tuple(event.get("quiet", ())),
        quorum=int(event.get("quorum", 1)),
        ladder=Ladder(expire_after=EXPIRE_AFTER),
    )
    request = ApprovalRequest(title=str(event["title"]), requester_id=str(event["by"]))
    decision = approvals.require_approval(
        ctx, request, policy=policy, route=route, name="direct approval"
    )
    return decision.to_dict()
