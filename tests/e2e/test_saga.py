"""The saga on the running local stack: a crash mid-charge, a lost or late charge answer settled
by lookup and refunded, and the review settled by script (refused once given up)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from examples.orders.dynamo_conditions import DynamoConditions
from localdev import stack
from localdev.click import table
from localdev.demo import TERMINAL, demo_order, lambda_client, start_order, step_names, wait_for
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
AUTO_AMOUNT = 5_000  # below the auto-approve threshold: straight to the charge


def ledger(config: StackConfig) -> dict[str, Any]:
    with urllib.request.urlopen(config.url("payments") + "/_charges") as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def faults(config: StackConfig, **settings: Any) -> None:
    body = json.dumps(settings).encode()
    request = urllib.request.Request(config.url("payments") + "/_faults", data=body, method="POST")
    urllib.request.urlopen(request).close()


def set_condition(config: StackConfig, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "set-condition.sh"), *args, "--local"],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(config.root)},
        timeout=120,
    )


def test_the_host_killed_mid_charge_charges_exactly_once(local_stack: StackConfig) -> None:
    # Given the provider will take the next charge but hold its answer
    faults(local_stack, hang_next=1, hang_seconds=30)
    order = demo_order(AUTO_AMOUNT)
    arn = start_order(local_stack, order)
    wait_for(lambda: order["order_id"] in ledger(local_stack)["charges"], 30, "the charge")

    # When the Lambda host dies mid-call and comes back
    host_pid = int((local_stack.root / "pids" / "host.pid").read_text())
    os.killpg(host_pid, signal.SIGKILL)
    wait_for(lambda: not stack.healthy(local_stack, "host"), 10, "the host to die")
    stack.start(local_stack, out=open(os.devnull, "w"))  # noqa: SIM115  # restarts only what is down

    # Then the execution completes, and the provider charged the order once
    execution = finished(local_stack, arn)
    assert execution["Status"] == "SUCCEEDED"
    assert json.loads(execution["Result"])["status"] == "completed"
    charges = [key for key in ledger(local_stack)["charges"] if key == order["order_id"]]
    assert charges == [order["order_id"]]


def test_a_review_settled_by_the_operator_script_completes_the_order(
    local_stack: StackConfig,
) -> None:
    order = demo_order(AUTO_AMOUNT, review=True)
    arn = start_order(local_stack, order)
    wait_for(lambda: "open fraud review" in step_names(local_stack, arn), 30, "the review")

    done = set_condition(local_stack, order["order_id"], "cleared")

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"order {order['order_id']}: review cleared"
    assert json.loads(finished(local_stack, arn)["Result"])["status"] == "completed"
    again = set_condition(local_stack, order["order_id"], "failed")
    assert again.returncode == 1
    assert "is not waiting on a review" in again.stderr


def test_a_failed_review_refunds_and_releases(local_stack: StackConfig) -> None:
    order = demo_order(AUTO_AMOUNT, review=True)
    arn = start_order(local_stack, order)
    wait_for(lambda: "open fraud review" in step_names(local_stack, arn), 30, "the review")

    set_condition(local_stack, order["order_id"], "failed")

    result = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "review_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    refunded = [r["charge_id"] for r in ledger(local_stack)["refunds"].values()]
    assert ledger(local_stack)["charges"][order["order_id"]]["charge_id"] in refunded


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ord-1", "maybe"], "must be 'cleared' or 'failed'"),
        (["bad id!", "cleared"], "is not an order id"),
        (["no-such-order", "cleared"], "is not waiting on a review"),
    ],
)
def test_set_condition_refuses_bad_input_and_changes_nothing(
    local_stack: StackConfig, args: list[str], message: str
) -> None:
    done = set_condition(local_stack, *args)

    assert done.returncode != 0
    assert message in done.stderr


def finished_slowly(config: StackConfig, arn: str, timeout: float) -> dict[str, Any]:
    """The finished execution, for runs whose real retry delays add up to most of a minute."""
    runner = lambda_client(config)

    def check() -> Any:
        execution = runner.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] in TERMINAL else None

    result: dict[str, Any] = wait_for(check, timeout, "the execution to finish")
    return result


def assert_refunded(config: StackConfig, order_id: str) -> None:
    book = ledger(config)
    charge_id = book["charges"][order_id]["charge_id"]
    assert [r["charge_id"] for r in book["refunds"].values()].count(charge_id) == 1


def test_the_issues_reproduction_a_lost_last_charge_answer_ends_refunded(
    local_stack: StackConfig,
) -> None:
    # Given four 503s, then a charge whose answer comes after 12 s (the gateway waits 10 s)
    faults(local_stack, fail_next=4, hang_next=1, hang_seconds=12)

    # When a 50.00 EUR order runs out of charge attempts
    order = demo_order(AUTO_AMOUNT)
    execution = finished_slowly(local_stack, start_order(local_stack, order), 180)

    # Then it failed, and the charge the provider made was looked up and refunded
    result = json.loads(execution["Result"])
    assert result["status"] == "payment_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    assert_refunded(local_stack, order["order_id"])


def test_a_charge_that_settles_after_the_last_attempt_is_refunded(
    local_stack: StackConfig,
) -> None:
    # Given the last attempt's key stays in progress 14 s before the provider charges it
    faults(local_stack, fail_next=4, settle_late_next=1, hang_seconds=14)

    order = demo_order(AUTO_AMOUNT)
    execution = finished_slowly(local_stack, start_order(local_stack, order), 180)

    # Then the refund's lookups waited for the settlement instead of reading "not charged"
    result = json.loads(execution["Result"])
    assert result["status"] == "payment_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    assert_refunded(local_stack, order["order_id"])


def test_set_condition_on_a_review_the_workflow_gave_up_is_refused(
    local_stack: StackConfig,
) -> None:
    # Given a review the workflow closed (its wait gave up), through the workflow's own adapter
    order_id = demo_order(AUTO_AMOUNT)["order_id"]
    conditions = DynamoConditions(table(local_stack, "conditions"))
    conditions.open(order_id, "fraud_review")
    assert conditions.close(order_id, "review_timed_out") == "expired"

    # When the reviewer clears it afterwards
    done = set_condition(local_stack, order_id, "cleared")

    # Then the script refuses, says what happened to the order, and changes nothing
    assert done.returncode == 1
    assert "the workflow gave up" in done.stderr
    assert "because it was not reviewed in time" in done.stderr
    assert "payment refunded, reservations released" in done.stderr
    assert conditions.status(order_id) == "expired"


def test_the_host_killed_after_the_charge_then_a_failing_provider_still_refunds(
    local_stack: StackConfig,
) -> None:
    # Given the provider takes the charge but holds its answer
    faults(local_stack, hang_next=1, hang_seconds=30)
    order = demo_order(AUTO_AMOUNT)
    arn = start_order(local_stack, order)
    wait_for(lambda: order["order_id"] in ledger(local_stack)["charges"], 30, "the charge")

    # When the Lambda host dies before the step can record the charge, and every charge
    # attempt after its restart fails (so the step never records it)
    faults(local_stack, fail_next=10)
    try:
        host_pid = int((local_stack.root / "pids" / "host.pid").read_text())
        os.killpg(host_pid, signal.SIGKILL)
        wait_for(lambda: not stack.healthy(local_stack, "host"), 10, "the host to die")
        stack.start(local_stack, out=open(os.devnull, "w"))  # noqa: SIM115  # restarts what is down
        result = json.loads(finished_slowly(local_stack, arn, 180)["Result"])
    finally:
        faults(local_stack)  # what is left of the 503s must not reach the tests after this one

    # Then the refund, guarded before the charge ran, found the charge and returned the money
    assert result["status"] == "payment_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    assert_refunded(local_stack, order["order_id"])
