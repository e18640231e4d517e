"""The timeout ladder on the real runner: reminder, escalation, expiry, seen in Slack and audit."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status
from localdev.click import click, store_for
from localdev.demo import approval_for, demo_order, start_order, wait_for
from tests.conftest import DUAL_AMOUNT
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def slack_state(config: StackConfig) -> dict[str, Any]:
    with urllib.request.urlopen(config.url("slack") + "/_state") as response:
        state: dict[str, Any] = json.loads(response.read())
        return state


def thread_of(config: StackConfig, ts: str) -> list[str]:
    return [m["text"] for m in slack_state(config)["messages"] if m["thread_ts"] == ts]


def message_blocks(config: StackConfig, ts: str) -> str:
    message = next(m for m in slack_state(config)["messages"] if m["ts"] == ts)
    return json.dumps(message["blocks"])


def test_an_unanswered_request_climbs_the_ladder_and_expires(local_stack: StackConfig) -> None:
    # Given a dual-approval order nobody answers
    order = demo_order(DUAL_AMOUNT)
    arn = start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")

    # When its ladder runs out
    result = json.loads(finished(local_stack, arn)["Result"])

    # Then it expired and was compensated, and each rung shows in Slack
    assert result["status"] == "expired"
    assert result["undone"] == ["release shipping", "release inventory"]
    slack = store_for(local_stack).get(approval_id).slack
    assert slack is not None
    reminder, escalation = thread_of(local_stack, slack.ts)[:2]
    assert reminder.startswith("Reminder: this request is still waiting on <@U0BOB>")
    assert (
        escalation == "Escalated: no decision yet, so <@U0FRANK> can now decide this request too."
    )
    blocks = message_blocks(local_stack, slack.ts)
    assert ":hourglass: *Expired*" in blocks
    assert "escalated to <@U0FRANK>" in blocks

    # And in the audit trail, read with the real AWS CLI through scripts/audit.sh
    audit = subprocess.run(
        [str(ROOT / "scripts" / "audit.sh"), approval_id, "--local"],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(local_stack.root)},
        timeout=120,
    )
    kinds = [line.split()[1] for line in audit.stdout.splitlines()]
    assert kinds == ["requested", "reminded", "escalated", "expired"]


def test_after_escalation_the_added_approver_completes_the_quorum(local_stack: StackConfig) -> None:
    order = demo_order(DUAL_AMOUNT)
    arn = start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")
    assert click(local_stack, "approve", approval_id, "U0BOB").told == [
        "Your approval is recorded (1 of 2)."
    ]
    assert (
        click(local_stack, "approve", approval_id, "U0FRANK")
        .told[0]
        .startswith("You can't decide this request")
    )

    wait_for(
        lambda: "U0FRANK" in store_for(local_stack).get(approval_id).policy.approver_ids,
        10,
        "the escalation",
    )
    click(local_stack, "approve", approval_id, "U0FRANK")

    result = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "completed"
    assert sorted(d["user_id"] for d in result["approval"]["deciders"]) == ["U0BOB", "U0FRANK"]
    assert store_for(local_stack).get(approval_id).status is Status.APPROVED


def test_audit_script_refuses_a_malformed_id(local_stack: StackConfig) -> None:
    done = subprocess.run(
        [str(ROOT / "scripts" / "audit.sh"), "not-an-id", "--local"],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(local_stack.root)},
    )

    assert done.returncode == 2
    assert "is not an approval id" in done.stderr
