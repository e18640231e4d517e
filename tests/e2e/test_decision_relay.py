"""On the running local stack: a decision stored while nothing could deliver it, and the webhook
killed before it could, still resumes its workflow, without anyone clicking again."""

from __future__ import annotations

import json
import os
import signal
from typing import TYPE_CHECKING

import pytest

from greenlight.core.votes import Status
from localdev import stack
from localdev.click import click, store_for
from localdev.demo import approval_for, demo_order, start_order, wait_for
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
ONE_APPROVER = 125_000  # the single tier: one approval decides


def kill(config: StackConfig, part: str) -> None:
    """SIGKILL a part's whole process group, as a crashed container dies: no clean-up runs."""
    pid = int((config.root / "pids" / f"{part}.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
    wait_for(lambda: not stack.healthy(config, part), 10, f"the {part} to die")


def test_a_decision_whose_webhook_died_before_the_callback_still_resumes_the_workflow(
    local_stack: StackConfig,
) -> None:
    # Given an order waiting on Bob's approval
    order = demo_order(ONE_APPROVER)
    arn = start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")

    # And Lambda's endpoint gone (the host killed): no callback can be delivered
    kill(local_stack, "host")
    try:
        # When Bob approves: the decision is stored, the callback cannot be sent
        result = click(local_stack, "approve", approval_id, "U0BOB")
        assert result.status == 200
        assert store_for(local_stack).get(approval_id).status is Status.APPROVED
        # And the webhook (with the relay beside it) is killed before anything delivered it
        kill(local_stack, "webhook")
    finally:
        # When the stack comes back (the host and the webhook restarted; nobody clicks again)
        stack.start(local_stack, out=open(os.devnull, "w"))  # noqa: SIM115  # restarts only what is down

    # Then the relay, resuming from its checkpoint, delivers the decision and the order completes
    execution = finished(local_stack, arn)
    assert execution["Status"] == "SUCCEEDED"
    result_body = json.loads(execution["Result"])
    assert result_body["status"] == "completed"
    assert [d["user_id"] for d in result_body["approval"]["deciders"]] == ["U0BOB"]
    # (and it was the relay that delivered it: the webhook had logged that it could not)
    log = (local_stack.root / "logs" / "webhook.log").read_text()
    lines = [json.loads(x) for x in log.splitlines() if approval_id in x and x.startswith("{")]
    said = [line["message"] for line in lines]
    assert "decision stored, callback left to the stream relay" in said
    assert "decision delivered by the relay" in said
