"""What an approval costs: durable operations counted from real execution histories, priced per
1M approvals beside AWS Step Functions Standard running the same flow.

`python -m bench.cost` (run by `scripts/bench.sh`). Each scenario runs on a fresh local stack
through the real paths (order → gate → Slack → signed clicks → resume → payment) and its history
is read back from the runner. Counting rules, so the numbers can be checked by hand:

- durable operations: every operation the execution started (step, wait, callback, context,
  invoke), plus each step retry (a retry is another checkpointed attempt);
- Lambda requests (durable): one per invocation of the durable function (start and each resume);
- Step Functions transitions for the same flow: one per state entered — each step is a Task,
  the approval a `.waitForTaskToken` Task, each wait a Wait, each `parallel` a Parallel state
  (its branches' states counted inside), each retry another transition;
- Lambda requests (Step Functions): one per Task that runs our code (every step and the
  approval's posting); the state machine itself runs no Lambda.
- the gate: its own child context (sub-type `GreenlightApproval`, one CONTEXT operation,
  counted above like every context) and the operations started inside it (`ParentId` = that
  context's id), counted apart as `gate_inside` so the gate's cost reads on its own. The target
  (issue 16) is at most 2 inside when the first ask is answered: the callback and the post step.
  Priced here like every other operation (an upper bound): the pricing page names one rate
  for "durable operations" without listing the kinds, and Lambda's API reference lists CONTEXT
  among an execution's operation types (`API_Operation`: EXECUTION | CONTEXT | STEP | WAIT |
  CALLBACK | CHAINED_INVOKE). The SDK's `ChildConfig(is_virtual=True)` would write no CONTEXT
  operation at all, at the price of the gate's named node in the history.

The webhook's clicks, DynamoDB, Slack and the code's own duration are the same either way and
left out. Prices are us-east-1 list prices, named below with where they were read.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from bench.common import local_stack, publish
from greenlight.gate.gate import SUB_TYPE as GATE_SUB_TYPE
from localdev.click import click
from localdev.demo import (
    TERMINAL,
    approval_for,
    demo_order,
    history,
    lambda_client,
    start_order,
    wait_for,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from localdev.config import StackConfig

# AWS Lambda pricing page (https://aws.amazon.com/lambda/pricing/), durable functions,
# "$8.00/M" durable operations; as transcribed on 2026-09-20 in
# github.com/api-evangelist/aws-lambda plans/aws-lambda-plans-pricing.yml.
DURABLE_OPERATION_USD = 8.00 / 1_000_000
# AWS Lambda pricing page: requests, $0.20 per 1M (x86 and Arm alike).
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
# AWS Step Functions pricing page (https://aws.amazon.com/step-functions/pricing/), Standard
# workflows: $0.025 per 1,000 state transitions.
SFN_TRANSITION_USD = 0.025 / 1_000
PER = 1_000_000  # approvals

STARTED = {
    "StepStarted": "step",
    "WaitStarted": "wait",
    "CallbackStarted": "callback",
    "ContextStarted": "context",
    "ChainedInvokeStarted": "invoke",
}


def count(events: list[dict[str, Any]]) -> dict[str, int]:
    """Operations by kind, retries, invocations and bytes of results, from one history."""
    counted: dict[str, int] = dict.fromkeys(STARTED.values(), 0)
    seen: set[tuple[str, str]] = set()
    retries = invocations = parallels = written = 0
    for event in events:
        kind = event["EventType"]
        if kind in STARTED and (kind, event["Id"]) not in seen:
            seen.add((kind, event["Id"]))
            counted[STARTED[kind]] += 1
            parallels += event.get("SubType") == "Parallel"
        elif kind == "StepStarted":
            retries += 1  # the same step started again: a retry
        invocations += kind == "InvocationCompleted"
        for details in event.values():
            if isinstance(details, dict):
                written += len(str(details.get("Result", {}).get("Payload", "") or ""))
    return (
        counted
        | {
            "retries": retries,
            "invocations": invocations,
            "parallels": parallels,
            "result_bytes": written,
        }
        | gate_operations(events)
    )


def gate_operations(events: list[dict[str, Any]]) -> dict[str, int]:
    """The gates' own contexts, and the operations started directly inside them."""
    gates = {
        e["Id"]
        for e in events
        if e["EventType"] == "ContextStarted" and e.get("SubType") == GATE_SUB_TYPE
    }
    inside = {
        (e["EventType"], e["Id"])
        for e in events
        if e["EventType"] in STARTED and e.get("ParentId") in gates
    }
    return {"gate_contexts": len(gates), "gate_inside": len(inside)}


def price(counted: dict[str, int]) -> dict[str, Any]:
    """Per approval and per 1M approvals, durable functions and Step Functions Standard."""
    operations = sum(counted[k] for k in STARTED.values()) + counted["retries"]
    tasks = counted["step"] + counted["callback"]
    transitions = tasks + counted["wait"] + counted["parallels"] + counted["retries"]
    durable = operations * DURABLE_OPERATION_USD + counted["invocations"] * LAMBDA_REQUEST_USD
    sfn = transitions * SFN_TRANSITION_USD + (tasks + counted["retries"]) * LAMBDA_REQUEST_USD
    return {
        "durable_operations": operations,
        "durable_lambda_requests": counted["invocations"],
        "sfn_transitions": transitions,
        "sfn_lambda_requests": tasks + counted["retries"],
        "durable_usd_per_1m": round(durable * PER, 2),
        "sfn_usd_per_1m": round(sfn * PER, 2),
        "sfn_over_durable": round(sfn / durable, 2),
    }


def finished(config: StackConfig, arn: str) -> list[dict[str, Any]]:
    runner = lambda_client(config)
    wait_for(
        lambda: runner.get_durable_execution(DurableExecutionArn=arn)["Status"] in TERMINAL,
        120,
        "the execution to finish",
    )
    return history(config, arn)


def decided_by(*clicks: tuple[str, str]) -> Callable[[StackConfig, str], None]:
    """Clicks (action, user) on the order's approval, once it is posted."""

    def act(config: StackConfig, order_id: str) -> None:
        approval_id = wait_for(lambda: approval_for(config, order_id), 60, "the approval")
        for action, user in clicks:
            reason = "over budget" if action == "reject" else None
            click(config, action, approval_id, user, reason)

    return act


def reminded_then_approved(config: StackConfig, order_id: str) -> None:
    approval_id = wait_for(lambda: approval_for(config, order_id), 60, "the approval")
    time.sleep(3)  # past the reminder rung (LADDER_SINGLE below)
    click(config, "approve", approval_id, "U0BOB")


SCENARIOS: dict[str, tuple[int, Callable[[StackConfig, str], None] | None]] = {
    "auto-approved (below threshold)": (5_000, None),
    "approved by one": (125_000, decided_by(("approve", "U0BOB"))),
    "rejected by one": (125_000, decided_by(("reject", "U0BOB"))),
    "two approvers (2-of-N)": (2_500_000, decided_by(("approve", "U0BOB"), ("approve", "U0CAROL"))),
    "reminded, then approved": (125_000, reminded_then_approved),
}


def run() -> dict[str, Any]:
    os.environ["LADDER_SINGLE"] = "2,3600,7200"  # remind after 2 s; escalate/expire far later
    results: dict[str, Any] = {}
    with local_stack("cost") as config:
        for name, (amount, act) in SCENARIOS.items():
            order = demo_order(amount)
            arn = start_order(config, order)
            if act:
                act(config, order["order_id"])
            counted = count(finished(config, arn))
            results[name] = {"counted": counted} | price(counted)
            print(name, results[name], flush=True)
    return {
        "measured": "durable operations per approval from real histories, priced per 1M "
        "approvals; Step Functions Standard for the same flow",
        "prices_usd": {
            "durable_operation": DURABLE_OPERATION_USD,
            "lambda_request": LAMBDA_REQUEST_USD,
            "sfn_state_transition": SFN_TRANSITION_USD,
        },
        "scenarios": results,
        "reproduce": "python -m bench.cost",
    }


def main() -> int:
    publish("cost", run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
