"""The local demo: start the stack, submit an order that needs a human, and show where it waits.

With `--auto` it then approves as a listed approver through the real signed webhook path,
waits for the execution to succeed, prints the timeline and exits 0 (1 if anything is off).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from boto3.dynamodb.conditions import Attr

from examples.orders.order import execution_name
from greenlight.core.request import format_amount
from localdev import stack
from localdev.click import click, table
from localdev.config import FUNCTION_NAME, StackConfig, default_root

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})


def lambda_client(config: StackConfig) -> LambdaClient:
    """A Lambda client for the local Lambda endpoint (the host: Invoke and the durable APIs)."""
    env = config.aws_env()
    return boto3.client(
        "lambda",
        endpoint_url=env["AWS_ENDPOINT_URL_LAMBDA"],
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def demo_order(
    amount_cents: int, *, review: bool = False, sensitive: bool = False
) -> dict[str, Any]:
    """An order from Alice that lands in the approval tier for `amount_cents` (`sensitive`:
    approvers must confirm it in a form)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return {
        "order_id": f"demo-{stamp}-{secrets.token_hex(4)}",
        "requester_id": "U0ALICE",
        "customer": "Acme GmbH",
        "amount_cents": amount_cents,
        "currency": "EUR",
        "card": "tok_visa",
        "items": [{"sku": "SKU-CHAIR", "quantity": 4}, {"sku": "SKU-DESK", "quantity": 1}],
        "review": review,
        "sensitive": sensitive,
    }


def start_order(config: StackConfig, order: dict[str, Any]) -> str:
    """Invoke the durable function by name, as an order system would; return the execution ARN."""
    response = lambda_client(config).invoke(
        FunctionName=FUNCTION_NAME,
        InvocationType="Event",
        DurableExecutionName=execution_name(order["order_id"]),
        Payload=json.dumps(order).encode(),
    )
    return response["DurableExecutionArn"]


def wait_for(check: Any, timeout: float, what: str) -> Any:
    """Poll `check()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def history(config: StackConfig, arn: str) -> list[dict[str, Any]]:
    """The execution's events, oldest first."""
    runner = lambda_client(config)
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"DurableExecutionArn": arn}
    while True:
        page = runner.get_durable_execution_history(**kwargs)
        events.extend(page["Events"])  # type: ignore[arg-type]  # TypedDicts are dicts
        if not page.get("NextMarker"):
            return events
        kwargs["Marker"] = page["NextMarker"]


def approval_for(config: StackConfig, order_id: str) -> str | None:
    """The approval id the gate created for `order_id`, once it is posted."""
    items = table(config).scan(FilterExpression=Attr("request.reference").eq(order_id))["Items"]
    return str(items[0]["approval_id"]) if items and "slack" in items[0] else None


def step_names(config: StackConfig, arn: str) -> list[str]:
    """Names of the steps that succeeded so far."""
    return [e.get("Name", "") for e in history(config, arn) if e["EventType"] == "StepSucceeded"]


def settle_review(config: StackConfig, order_id: str, verdict: str) -> None:
    """Run the operator's script, as an operator would, against this stack."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "set-condition.sh"
    subprocess.run(
        [str(script), order_id, verdict, "--local"],
        check=True,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(config.root)},
        timeout=120,
    )


def print_timeline(events: list[dict[str, Any]]) -> None:
    """One line per event: offset from the start, type, name."""
    first = events[0]["EventTimestamp"]
    for event in events:
        offset = (event["EventTimestamp"] - first).total_seconds() * 1000
        print(f"  {offset:9.0f} ms  {event['EventType']:<22} {event.get('Name') or ''}")


def resume_latency_ms(events: list[dict[str, Any]]) -> float | None:
    """From the callback's completion to the next step's start, as the runner recorded them."""
    done = next((e for e in events if e["EventType"] == "CallbackSucceeded"), None)
    if done is None:
        return None
    after = [
        e
        for e in events
        if e["EventType"] == "StepStarted" and e["EventTimestamp"] >= done["EventTimestamp"]
    ]
    if not after:
        return None
    return float((after[0]["EventTimestamp"] - done["EventTimestamp"]).total_seconds() * 1000)


def main(argv: list[str] | None = None) -> int:
    """Run the demo; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--auto", action="store_true", help="approve as bob and wait for the end")
    parser.add_argument("--keep", action="store_true", help="with --auto: leave the stack running")
    parser.add_argument("--amount", type=int, default=125_000, help="order amount in cents")
    parser.add_argument("--root", type=Path, default=default_root())
    args = parser.parse_args(argv)
    began = time.perf_counter()
    config = StackConfig.load(args.root)
    print(f"Starting the local stack (logs in {config.root / 'logs'}):")
    try:
        stack.start(config)
    except stack.StackError as err:
        print(f"error: {err}", file=sys.stderr)
        stack.stop(config)  # the parts already started, as `stack.sh start` does
        return 1
    try:
        return _run(config, args, began)
    finally:
        if args.auto and not args.keep:
            print("Stopped: " + ", ".join(stack.stop(config)))


def _run(config: StackConfig, args: argparse.Namespace, began: float) -> int:
    order = demo_order(args.amount, review=True)
    arn = start_order(config, order)
    shown = format_amount(args.amount, order["currency"])
    print(f"\nOrder {order['order_id']} ({shown}) started: {arn}")
    approval_id = wait_for(
        lambda: approval_for(config, order["order_id"]), 30, "the approval request"
    )
    print(f"Suspended on approval {approval_id}: no compute runs while it waits.")
    print(f"  approve:  ./scripts/click.sh approve {approval_id} --as bob")
    print(f"  reject:   ./scripts/click.sh reject {approval_id} --as carol --reason 'over budget'")
    print(
        f"  then the fraud review: ./scripts/set-condition.sh {order['order_id']} cleared --local"
    )
    print("  stop:     ./scripts/stack.sh stop")
    print(f"\nOpen the local Slack to click as anyone: {config.url('slack')}/?as=bob")
    if not args.auto:
        return 0

    result = click(config, "approve", approval_id, "U0BOB")
    took = result.seconds * 1000
    print(f"\nBob clicked Approve: webhook answered HTTP {result.status} in {took:.0f} ms")
    wait_for(lambda: "open fraud review" in step_names(config, arn), 30, "the fraud review")
    print("Charged; now waiting on the fraud review (polled with backoff). Clearing it:")
    settle_review(config, order["order_id"], "cleared")
    runner = lambda_client(config)

    def finished() -> Any:
        execution = runner.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] in TERMINAL else None

    execution = wait_for(finished, 120, "the execution to finish")
    events = history(config, arn)
    print(f"\nExecution {execution['Status']}. Timeline:")
    print_timeline(events)
    latency = resume_latency_ms(events)
    outcome = json.loads(execution.get("Result") or "{}")
    print("\nResult: " + json.dumps(outcome, indent=2))
    if latency is not None:
        print(f"Callback → workflow resumed: {latency:.0f} ms")
    print(f"Demo wall time: {time.perf_counter() - began:.1f} s")
    ok = execution["Status"] == "SUCCEEDED" and outcome.get("status") == "completed"
    return 0 if ok and result.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
