"""A request refused because too few of its approvers can be reached tells one story everywhere.

The gate built by `Greenlight.from_env()` (DynamoDB on moto, the fake Slack's Web API, which
refuses `conversations.open` for a deactivated user with `user_disabled`, as Slack's method page
tests/contract/slack_api/slack_api_ref/conversations.open.json documents) on the SDK's local
runner; the relay over the table's stream (Lambda's event source mapping: the local poller);
the real webhook over signed HTTP. The workflow's `Decision`, the stored record, the audit
trail (as `scripts/audit.sh` prints it), the operators' pending list, the relay and Slack (the
copy that went out, and what a late click is told) all say: rejected automatically, and why.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from greenlight.core import ApprovalRequest, Decision, DirectMessages, Ladder, Policy, Status
from greenlight.core.audit import AuditKind
from greenlight.gate import Greenlight
from localdev import fixtures
from localdev.slack_requests import send_signed
from tests.integration.conftest import SIGNING_SECRET, click_payload
from tests.integration.test_gate_over_real_services import gate_env_of

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

OSCAR = sorted(fixtures.DEACTIVATED_IDS)[0]  # deactivated: conversations.open refuses him


def refused_by_the_gate(stack: Stack, title: str) -> Decision:
    """Run a gate asking Bob and Oscar (two of two) in direct messages; its decision."""
    approvals = Greenlight.from_env(gate_env_of(stack))
    policy = Policy(("U0BOB", OSCAR), quorum=2, ladder=Ladder(expire_after=30))

    @durable_execution
    def handle(_: Any, ctx: DurableContext) -> Any:
        request = ApprovalRequest(title, "U0ALICE")
        return approvals.require_approval(
            ctx, request, policy=policy, route=DirectMessages()
        ).to_dict()

    with DurableFunctionTestRunner(handler=handle, poll_interval=0.01, skip_time=True) as runner:
        arn = runner.run_async(input="{}", execution_timeout=60)
        result = runner.wait_for_result(arn, timeout=30)
    assert result.result is not None, result.error
    return Decision.from_dict(json.loads(result.result))


def test_a_request_too_few_can_be_reached_for_is_rejected_automatically_on_every_surface(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a two-of-two request in DMs to Bob and Oscar, whose account is deactivated
    decision = refused_by_the_gate(stack, "Rotate the refusal key")

    # Then the workflow is told: rejected automatically, and why
    assert (decision.status, decision.automatic) == (Status.REJECTED, True)
    assert decision.approval_id is not None
    assert f"{OSCAR} (user_disabled)" in (decision.reason or "")
    # the record in DynamoDB says the same: rejected by no person, that reason, that time
    record = stack.store.get(decision.approval_id)
    assert (record.status, record.decided_by, record.reason, record.decided_at) == (
        Status.REJECTED,
        (),
        decision.reason,
        decision.decided_at,
    )
    # it is not pending for the operators (list-pending.sh reads the `pending` status)
    assert decision.approval_id not in [r.approval_id for r in stack.store.pending()]
    # the audit trail (audit.sh's lines) closes it with one `refused` line and that reason
    trail = stack.store.audit_trail(decision.approval_id)
    assert [e.kind for e in trail] == [AuditKind.REQUESTED, AuditKind.REFUSED]
    assert trail[-1].reason == decision.reason
    assert "refused" in trail[-1].line()
    assert "rejected automatically" in trail[-1].line()

    # When the relay takes the table's stream
    relay.drain()

    # Then it resumed nothing: the gate answered its workflow itself, as for an expiry
    assert [s for s in stack.callbacks.sent() if s[1] == record.callback_id] == []

    # And Bob's copy shows the request rejected automatically, why, and no buttons
    assert record.slack is not None
    assert decision.message == record.slack
    (bob,) = [m for m in stack.slack.snapshot()["messages"] if m["ts"] == record.slack.ts]
    drawn = json.dumps(bob["blocks"])
    assert "*Rejected* automatically" in drawn
    assert f"{OSCAR} (user_disabled)" in drawn
    assert "actions" not in [b["type"] for b in bob["blocks"]]

    # When Bob clicks Approve on his copy anyway (a stale client)
    status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, click_payload(record, "U0BOB"))

    # Then he is told the request was rejected automatically, and nothing changed
    assert status == 200
    told = [e["text"] for e in stack.slack.snapshot()["ephemerals"] if e["user"] == "U0BOB"]
    assert told[-1].startswith("Already rejected automatically")
    assert stack.store.get(decision.approval_id) == record
