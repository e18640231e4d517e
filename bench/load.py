"""Load on the whole local stack: many approvals in flight, each clicked at once by several
approvers; counts that every execution ends right, with exactly one decision and no vote lost.

`python -m bench.load [--approvals 100]` (run by `scripts/bench.sh`). Loopback only, bounded
in count and time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.common import local_stack, publish
from greenlight.core.votes import Status
from localdev.click import click, store_for
from localdev.demo import TERMINAL, approval_for, demo_order, lambda_client, start_order, wait_for

CLICKERS = ("U0BOB", "U0CAROL", "U0DAVE")  # all approvers of the 1-of-3 tier


def run(approvals: int) -> dict[str, Any]:
    """Start, click, wait, count."""
    with local_stack("load") as config:
        began = time.perf_counter()
        orders = [demo_order(125_000) for _ in range(approvals)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            arns = list(pool.map(lambda o: start_order(config, o), orders))
        ids = [
            wait_for(lambda o=o: approval_for(config, o["order_id"]), 120, "approval")
            for o in orders
        ]
        started = time.perf_counter() - began

        latencies: list[float] = []
        lock = threading.Lock()

        def race(approval_id: str) -> None:
            def one(user: str) -> None:
                gate_local.wait(timeout=30)
                result = click(config, "approve", approval_id, user)
                with lock:
                    latencies.append(result.seconds)

            gate_local = threading.Barrier(len(CLICKERS))
            with ThreadPoolExecutor(max_workers=len(CLICKERS)) as clickers:
                list(clickers.map(one, CLICKERS))

        clicked_at = time.perf_counter()
        with ThreadPoolExecutor(max_workers=10) as pool:
            list(pool.map(race, ids))
        clicking = time.perf_counter() - clicked_at

        runner = lambda_client(config)

        def done(arn: str) -> dict[str, Any]:
            def check() -> Any:
                execution = runner.get_durable_execution(DurableExecutionArn=arn)
                return execution if execution["Status"] in TERMINAL else None

            result: dict[str, Any] = wait_for(check, 300, "an execution")
            return result

        finished = [done(arn) for arn in arns]
        store = store_for(config)
        records = [store.get(i) for i in ids]
        results = [json.loads(f.get("Result") or "{}") for f in finished]
        return {
            "approvals": approvals,
            "clicks": approvals * len(CLICKERS),
            "start_seconds": round(started, 1),
            "click_seconds": round(clicking, 1),
            "click_p50_ms": round(1000 * statistics.median(latencies), 1),
            "click_p99_ms": round(1000 * sorted(latencies)[int(len(latencies) * 0.99) - 1], 1),
            "succeeded": sum(f["Status"] == "SUCCEEDED" for f in finished),
            "completed": sum(r.get("status") == "completed" for r in results),
            "approved_records": sum(r.status is Status.APPROVED for r in records),
            "single_decider": sum(len(r.decided_by) == 1 for r in records),
            "one_vote_each": sum(len(r.votes) == 1 for r in records),
            "charges": len(json.loads(_get(config.url("payments") + "/_charges"))["charges"]),
        }


def _get(url: str) -> str:
    import urllib.request  # noqa: PLC0415

    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  # loopback
        return str(response.read().decode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--approvals", type=int, default=100)
    args = parser.parse_args()
    counted = run(args.approvals)
    ok = all(
        counted[k] == args.approvals
        for k in (
            "succeeded",
            "completed",
            "approved_records",
            "single_decider",
            "one_vote_each",
            "charges",
        )
    )
    publish("load", counted)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
