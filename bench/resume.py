"""Click → workflow resumed, against a bare SendDurableExecutionCallbackSuccess on the same
runner: from the moment the request leaves the client to the workflow's next step starting
(`charge payment`'s StepStarted in the runner's history; one machine, one clock).

`python -m bench.resume [--each 8]` (run by `scripts/bench.sh`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import TYPE_CHECKING, Any

from bench.common import local_stack, publish
from greenlight.core.outcome import success_payload
from greenlight.core.votes import Status, Verdict, Vote
from localdev.click import click, store_for
from localdev.demo import approval_for, demo_order, history, lambda_client, start_order, wait_for

if TYPE_CHECKING:
    from localdev.config import StackConfig


def resumed_at(config: StackConfig, arn: str) -> float:
    """Epoch seconds at which the step after the approval started."""

    def found() -> Any:
        events = [e for e in history(config, arn) if e["EventType"] == "StepStarted"]
        charge = [e for e in events if e.get("Name") == "charge payment"]
        return charge[0]["EventTimestamp"].timestamp() if charge else None

    at: float = wait_for(found, 60, "the workflow to resume")
    return at


def pending(config: StackConfig, count: int) -> list[tuple[str, str]]:
    orders = [demo_order(125_000) for _ in range(count)]
    arns = [start_order(config, o) for o in orders]
    ids = [
        wait_for(lambda o=o: approval_for(config, o["order_id"]), 60, "approval") for o in orders
    ]
    return list(zip(arns, ids, strict=True))


def run(each: int) -> dict[str, Any]:
    with local_stack("resume") as config:
        via_webhook, bare = [], []
        for arn, approval_id in pending(config, each):
            sent = time.time()
            click(config, "approve", approval_id, "U0BOB")
            via_webhook.append(resumed_at(config, arn) - sent)
        runner = lambda_client(config)
        store = store_for(config)
        for arn, approval_id in pending(config, each):
            record = store.get(approval_id)
            payload = success_payload(
                record.with_vote(Vote("U0BOB", Verdict.APPROVE, "2026-01-01T00:00:00+00:00"))
            )
            sent = time.time()
            runner.send_durable_execution_callback_success(
                CallbackId=record.callback_id, Result=payload
            )
            bare.append(resumed_at(config, arn) - sent)
            assert store.get(approval_id).status is Status.PENDING  # the bare call skips the record
        ours_ms, bare_ms = 1000 * statistics.median(via_webhook), 1000 * statistics.median(bare)
        return {
            "each": each,
            "webhook_ms": round(ours_ms, 1),
            "bare_callback_ms": round(bare_ms, 1),
            "ratio": round(ours_ms / bare_ms, 2),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--each", type=int, default=8)
    measured = run(parser.parse_args().each)
    publish("resume", measured)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
