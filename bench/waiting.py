"""Waiting costs nothing: memory, threads and processes of every local-stack part with no
approval pending and with N pending, and the time to list what is pending.

`python -m bench.waiting [--pending 1000]` (run by `scripts/bench.sh`; writes
bench/waiting-<count>.json). A suspended execution is a row in the runner's store and an item in
DynamoDB: no process, thread or timer per approval; this measures that claim.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import local_stack, publish
from localdev import stack
from localdev.click import store_for
from localdev.config import FUNCTION_NAME, StackConfig
from localdev.demo import demo_order, lambda_client, start_order


def _proc(pid: int) -> dict[str, int]:
    """RSS (KiB), threads and processes (the part and its children) of one part."""
    status = dict(
        line.split(":", 1)
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if ":" in line
    )
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    rss, threads = int(status["VmRSS"].split()[0]), int(status["Threads"])
    for kid in kids:
        sub = _proc(kid)
        rss, threads = rss + sub["rss_kib"], threads + sub["threads"]
    return {"rss_kib": rss, "threads": threads, "processes": 1 + len(kids)}


def snapshot(config: StackConfig) -> dict[str, dict[str, int]]:
    return {part: _proc(pid) for part, pid in stack.running(config).items()}


def posted_to_slack(config: StackConfig) -> int:
    """Approval messages in the fake Slack: a cheap progress count (listing the pending
    approvals on moto reads the whole index per page, and would slow the posting it waits on)."""
    with urllib.request.urlopen(config.url("slack") + "/_state", timeout=30) as answer:  # noqa: S310  # loopback
        return len(json.load(answer)["messages"])


def run(count: int, minutes: float) -> dict[str, Any]:
    """Start `count` orders, wait until their approvals are posted (or `minutes` pass), measure."""
    with local_stack("waiting") as config:
        time.sleep(1)
        idle = snapshot(config)
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda _: start_order(config, demo_order(125_000)), range(count)))
        started_seconds = time.perf_counter() - began
        store = store_for(config)
        while (posted := posted_to_slack(config)) < count:
            elapsed = time.perf_counter() - began
            print(f"{elapsed:6.0f} s: {posted} of {count} posted", file=sys.stderr, flush=True)
            if elapsed > 60 * minutes:
                break  # measure what is waiting by now, and say so
            time.sleep(30)
        posted_seconds = time.perf_counter() - began
        time.sleep(2)
        loaded = snapshot(config)
        began = time.perf_counter()
        pending = store.pending()
        list_seconds = time.perf_counter() - began
        runner = lambda_client(config)
        began = time.perf_counter()
        running, marker = 0, None
        while True:
            kwargs: dict[str, Any] = {"FunctionName": FUNCTION_NAME, "Statuses": ["RUNNING"]}
            if marker:
                kwargs["Marker"] = marker
            page = runner.list_durable_executions_by_function(**kwargs)
            running += len(page["DurableExecutions"])
            marker = page.get("NextMarker")
            if not marker:
                break
        runner_seconds = time.perf_counter() - began
        per_part = {
            part: {
                "idle": idle[part],
                "pending": loaded[part],
                "threads_per_pending": (loaded[part]["threads"] - idle[part]["threads"])
                / len(pending),
                "processes_per_pending": (loaded[part]["processes"] - idle[part]["processes"])
                / len(pending),
                "kib_per_pending": round(
                    (loaded[part]["rss_kib"] - idle[part]["rss_kib"]) / len(pending), 2
                ),
            }
            for part in idle
        }
        return {
            "asked": count,
            "pending": len(pending),
            "all_posted": len(pending) >= count,
            "orders_started_after_s": round(started_seconds, 1),
            "posted_after_s": round(posted_seconds, 1),
            "running_executions": running,
            "list_pending_approvals_ms": round(1000 * list_seconds, 1),
            "list_running_executions_ms": round(1000 * runner_seconds, 1),
            "parts": per_part,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pending", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=60, help="stop waiting for posts after")
    args = parser.parse_args()
    publish(f"waiting-{args.pending}", run(args.pending, args.minutes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
