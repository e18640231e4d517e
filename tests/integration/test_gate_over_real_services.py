"""The gate built by `Greenlight.from_env()` (DynamoDB on moto, the Slack secret from Secrets
Manager, the fake Slack's Web API) answered by the real webhook over signed HTTP.

The webhook's callback goes to the recorder standing in for Lambda's API; the test hands what
the webhook sent, byte for byte, to the durable runner, so the gate reads exactly the payload
the webhook writes, for an approval and for a rejection.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from greenlight.core import ApprovalRequest, Channel, ConfigError, Decision, Policy, Status
from greenlight.core.votes import Verdict
from greenlight.gate import Greenlight
from greenlight.gate import settings as gate_env
from localdev import fixtures
from localdev.slack_requests import send_signed, view_submission
from tests.integration.conftest import SECRET_NAME, SIGNING_SECRET, click_payload

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack


def gate_env_of(stack: Stack) -> dict[str, str]:
    return {
        gate_env.ENV_APPROVALS_TABLE: stack.settings.approvals_table,
        gate_env.ENV_AUDIT_TABLE: stack.settings.audit_table,
        gate_env.ENV_SLACK_SECRET_NAME: SECRET_NAME,
        gate_env.ENV_SLACK_API_URL: f"{stack.slack_url}/api/",
    }


def wait_for(check: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)
    return found


def run_gate(stack: Stack, title: str, decide: Any) -> Decision:
    approvals = Greenlight.from_env(gate_env_of(stack))

    @durable_execution
    def handle(_: Any, ctx: DurableContext) -> Any:
        request = ApprovalRequest(title, "U0ALICE", description="*1 row*", context={"n": 1})
        policy = Policy(fixtures.APPROVER_IDS, quorum=1)
        return approvals.require_approval(
            ctx, request, policy=policy, route=Channel(fixtures.CHANNEL_ID)
        ).to_dict()

    with DurableFunctionTestRunner(handler=handle, poll_interval=0.01, skip_time=True) as runner:
        arn = runner.run_async(input="{}", execution_timeout=60)
        record = wait_for(lambda: posted(stack, title))
        decide(record)
        (body,) = wait_for(
            lambda: [b for k, cid, b in stack.callbacks.sent() if cid == record.callback_id]
        )
        runner.send_callback_success(record.callback_id, body.encode())
        result = runner.wait_for_result(arn, timeout=30)
    assert result.result is not None, result.error
    return Decision.from_dict(json.loads(result.result))


def posted(stack: Stack, title: str) -> ApprovalRecord | None:
    for record in stack.store.pending():
        if record.request.title == title and record.slack is not None:
            return record
    return None


def click(stack: Stack, record: ApprovalRecord, user: str, action: str) -> None:
    payload = click_payload(record, user, action)
    status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)
    assert status == 200


def test_an_approval_through_the_real_webhook(stack: Stack) -> None:
    decision = run_gate(stack, "Rotate the prod key", lambda r: click(stack, r, "U0BOB", "approve"))

    assert (decision.status, [d.user_id for d in decision.deciders]) == (
        Status.APPROVED,
        ["U0BOB"],
    )
    assert decision.context == {"n": 1}
    assert decision.message is not None
    assert decision.message.channel == fixtures.CHANNEL_ID


def test_a_rejection_through_the_real_webhook_is_an_answer(stack: Stack) -> None:
    def reject(record: ApprovalRecord) -> None:
        click(stack, record, "U0CAROL", "reject")
        opened = stack.slack.snapshot()["views"][-1]["view"]
        submission = view_submission(view=opened, user_id="U0CAROL", reason="not this week")
        status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, submission)
        assert status == 200

    decision = run_gate(stack, "Drop the old index", reject)

    assert (decision.status, decision.reason) == (Status.REJECTED, "not this week")
    assert [(v.user_id, v.verdict) for v in decision.votes] == [("U0CAROL", Verdict.REJECT)]
    assert [d.user_id for d in decision.deciders] == ["U0CAROL"]


def test_from_env_names_every_missing_variable() -> None:
    with pytest.raises(ConfigError) as refused:
        Greenlight.from_env({})

    assert refused.value.problems == (
        f"{gate_env.ENV_APPROVALS_TABLE} is required",
        f"{gate_env.ENV_AUDIT_TABLE} is required",
        f"{gate_env.ENV_SLACK_SECRET_NAME} is required",
    )
