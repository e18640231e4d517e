"""Benchmarks, each against its baseline in the same run: `scripts/bench.sh` (never in CI).

1. Click → response on loopback, p50/p99 and throughput at concurrency 1, 10, 50, for our
   webhook, the floor (same outside calls, no framework) and a bare Bolt app.
2. Cold start: importing and initializing each Lambda handler module in a fresh interpreter,
   against the floor's init and importing bare slack_bolt + mangum + boto3.
Writes bench/results.json and bench/results.md (the README quotes the latter). With
`--cold-start`, only the cold-start probes run and their table is printed, nothing written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from slack_sdk import WebClient

from bench.common import free_port, no_full_collections
from bench.servers import (
    CLICK_LEVELS,
    CLICK_ROUNDS,
    CLICK_VARIANTS,
    SIGNING_SECRET,
    TOKEN,
    click_tables,
    env_for,
)
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from localdev import fixtures
from localdev.slack_requests import block_actions, send_signed

if TYPE_CHECKING:
    from collections.abc import Iterator

HERE = Path(__file__).resolve().parent
WARMUP = 20
COLD_RUNS = 15


def wait_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {port}")


def seed(urls: dict[str, str], count: int, prefix: str, table_prefix: str) -> list[ApprovalRecord]:
    """`count` pending approvals, each with its posted message, written straight to the table."""
    table = boto3.resource(
        "dynamodb", endpoint_url=urls["dynamodb"], region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",  # noqa: S106  # dummy
    ).Table(f"{table_prefix}approvals")  # fmt: skip
    slack = WebClient(token=TOKEN, base_url=urls["slack"] + "/api/")
    now = datetime.now(UTC)
    records = []
    with table.batch_writer() as batch:
        for n in range(count):
            posted = slack.chat_postMessage(channel=fixtures.CHANNEL_ID, text="approval")
            record = ApprovalRecord(
                approval_id=f"{prefix}{n:0{22 - len(prefix)}d}",
                callback_id=f"cb-{prefix}-{n}",
                execution_arn="arn:bench",
                request=ApprovalRequest(
                    "Bench order",
                    "U0ALICE",
                    amount=Amount(125_000, "EUR"),
                    reference=f"o-{prefix}-{n}",
                ),
                policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"})),
                created_at=now.isoformat(),
                expires_at=(now + timedelta(days=1)).isoformat(),
                ttl=int(now.timestamp()) + 3600,
                slack=SlackMessage(str(posted["channel"]), str(posted["ts"])),
            )
            batch.put_item(Item=record.to_item())
            records.append(record)
    return records


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process (all its threads) has used so far; Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def clicks(url: str, records: list[ApprovalRecord], concurrency: int) -> dict[str, Any]:
    """Approve each record once, `concurrency` at a time: every latency, failures, wall time."""
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def one(record: ApprovalRecord) -> None:
        nonlocal failures
        assert record.slack is not None
        payload = block_actions(
            action_id="approve", approval_id=record.approval_id, user_id="U0BOB",
            channel_id=record.slack.channel, message_ts=record.slack.ts,
        )  # fmt: skip
        started = time.perf_counter()
        status, _ = send_signed(url, SIGNING_SECRET, payload)
        took = time.perf_counter() - started
        with lock:
            latencies.append(took)
            failures += status != 200  # a counter under a lock

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, records))
    return {"latencies": latencies, "failures": failures, "wall": time.perf_counter() - began}


def summary(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Percentiles over every round's clicks pooled; throughput over their summed wall time."""
    ordered = sorted(t for run in runs for t in run["latencies"])
    return {
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "per_second": len(ordered) / sum(run["wall"] for run in runs),
        "failures": sum(run["failures"] for run in runs),
        "server_cpu_ms": 1000 * sum(run["cpu_server"] for run in runs) / len(ordered),
        "stack_cpu_ms": 1000 * sum(run["cpu_stack"] for run in runs) / len(ordered),
        "requests": len(ordered),
        "rounds": len(runs),
    }


def click_benchmark(
    folder: Path, urls: dict[str, str], env: dict[str, str], stack_pid: int
) -> dict[str, Any]:
    """Each variant at each concurrency, on its own fresh tables and its own server process.

    The variants take turns within each of `CLICK_ROUNDS` rounds (who goes first rotates), so
    drift in the shared moto and on the machine lands on all three alike; a p99 over one short
    run is nearly its slowest click, so the rounds' clicks are pooled. The CPU that the server
    and the local stack (`stack_pid`: DynamoDB, Slack, Lambda) spend on the measured clicks is
    counted too: on a small machine the latency under concurrency follows it.
    """
    turn = len(CLICK_VARIANTS)
    runs: dict[str, dict[int, list[dict[str, Any]]]] = {
        variant: {level: [] for level in CLICK_LEVELS} for variant in CLICK_VARIANTS
    }
    for round_ in range(CLICK_ROUNDS):
        for level, count in CLICK_LEVELS.items():
            first = round_ % turn
            for variant in CLICK_VARIANTS[first:] + CLICK_VARIANTS[:first]:
                tables = click_tables(variant, level, round_)
                port = free_port()
                server = subprocess.Popen(
                    [sys.executable, "-m", "bench.servers", variant, "--dir", str(folder),
                     "--port", str(port)],
                    env=env
                    | {"APPROVALS_TABLE": f"{tables}approvals", "AUDIT_TABLE": f"{tables}audit"},
                    cwd=HERE.parent,
                )  # fmt: skip
                try:
                    wait_port(port)
                    url = f"http://127.0.0.1:{port}/slack/events"
                    tag = f"{variant[0]}{level}r{round_}"
                    clicks(url, seed(urls, WARMUP, f"w{tag}x", tables), 5)
                    seeded = seed(urls, count, f"{tag}x", tables)
                    server_cpu, stack_cpu = cpu_seconds(server.pid), cpu_seconds(stack_pid)
                    run = clicks(url, seeded, level)
                    run["cpu_server"] = cpu_seconds(server.pid) - server_cpu
                    run["cpu_stack"] = cpu_seconds(stack_pid) - stack_cpu
                    runs[variant][level].append(run)
                    print(variant, level, round_, summary([run]), flush=True)
                finally:
                    server.terminate()
                    server.wait(timeout=10)
    return {
        variant: {str(level): summary(runs[variant][level]) for level in CLICK_LEVELS}
        for variant in CLICK_VARIANTS
    }


# What any webhook of this design must do at init: the imports, the three AWS clients, the two
# secrets (the bot token's and the signing secret's, which only the webhook may read).
FLOOR_INIT = (
    "import os, slack_bolt, mangum, boto3; s = boto3.client('secretsmanager'); "
    "s.get_secret_value(SecretId=os.environ['SLACK_SECRET_NAME']); "
    "s.get_secret_value(SecretId=os.environ['SLACK_SIGNING_SECRET_NAME']); "
    "boto3.client('dynamodb'); boto3.client('lambda')"
)
# The floor's init plus what STYLE and the mission require of any webhook, and nothing of ours:
# Powertools' Logger and its Parameters reading the secrets (STYLE §6), a Bolt app built as ours
# is (FaaS settings, named: unnamed, Bolt reads the call stack's source files). The secrets are
# read on a worker thread while the clients and the app are built, as ours does, so the bound
# is the best any such webhook can do: the cold start none can beat.
STYLE_FLOOR_INIT = (
    "import os, slack_bolt, mangum, boto3; "
    "from concurrent.futures import ThreadPoolExecutor; "
    "from aws_lambda_powertools import Logger; "
    "from aws_lambda_powertools.utilities import parameters; Logger(); "
    "s = parameters.SecretsProvider(boto3_client=boto3.client('secretsmanager')); "
    "r = ThreadPoolExecutor(1); f = r.submit(lambda: (s.get(os.environ['SLACK_SECRET_NAME']), "
    "s.get(os.environ['SLACK_SIGNING_SECRET_NAME']))); "
    "boto3.client('dynamodb'); boto3.client('lambda'); "
    "slack_bolt.App(name='bench', signing_secret='b' * 32, token_verification_enabled=False, "
    "process_before_response=True, authorize=lambda: None); f.result(); r.shutdown()"
)


# The floor with ours' one init optimization, the collector paused during init and what init
# made frozen (`greenlight.webhook.collector`): how much of ours' lead over the floor it is.
PAUSED_FLOOR_INIT = f"import gc; gc.disable(); {FLOOR_INIT}; gc.freeze(); gc.enable()"


def cold_start(
    env: dict[str, str], python: str = sys.executable, bundle: Path | None = None
) -> dict[str, Any]:
    """Median milliseconds to import each module in a fresh interpreter (best of the noise),
    wall clock and the interpreter's own CPU time.

    Every probe reads compiled bytecode, as a Lambda bundle from `scripts/build.sh` does: pip
    compiled site-packages at install, so our own modules are compiled by an unmeasured first
    run (with PYTHONDONTWRITEBYTECODE set, they were compiled afresh in every measured run, a
    cost the baseline never paid). An unpacked `bundle` (`bench.cold_runtime`: `python` the
    runtime's, `env` forbidding bytecode writes as Lambda's read-only code directory does) is
    run from as it is, reading the bytecode it ships. On a machine shared with other work the
    wall clock also counts the waits for a core; the CPU time does not, so it is reported
    beside it.
    """
    cwd = bundle or HERE.parent
    if bundle is None:
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    probes = {
        "webhook handler": "import greenlight.webhook.handler",
        "floor": FLOOR_INIT,
        "floor + Powertools + Bolt app": STYLE_FLOOR_INIT,
        "floor, collector paused": PAUSED_FLOOR_INIT,
        "baseline: slack_bolt + mangum + boto3": "import slack_bolt, mangum, boto3",
    }
    runs: dict[str, list[float]] = {name: [] for name in probes}
    cpu: dict[str, list[float]] = {name: [] for name in probes}
    durable = dict.fromkeys(probes, False)
    for attempt in range(1 + COLD_RUNS):
        for name, statement in probes.items():  # taking turns, so drift hits all alike
            code = (
                "import sys, time; t = time.perf_counter(); c = time.process_time(); "
                + statement + "; print(time.perf_counter() - t, time.process_time() - c, "
                "'aws_durable_execution_sdk_python' in sys.modules)"
            )  # fmt: skip
            done = subprocess.run(
                [python, "-c", code], env=env, cwd=cwd,
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            seconds, cpu_seconds_, loaded = done.stdout.split()
            if attempt:  # the first run compiles
                runs[name].append(float(seconds))
                cpu[name].append(float(cpu_seconds_))
            durable[name] = durable[name] or loaded == "True"
    return {
        name: {
            "median_ms": 1000 * statistics.median(runs[name]),
            "cpu_median_ms": 1000 * statistics.median(cpu[name]),
            "durable_sdk_loaded": durable[name],
        }
        for name in probes
    }


def machine() -> dict[str, str]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=HERE.parent,
    ).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": commit,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def cold_start_table(cold: dict[str, Any]) -> list[str]:
    """The cold-start rows, each against the baseline and the floor (wall clock, then CPU)."""
    floor, base = cold["floor"], cold["baseline: slack_bolt + mangum + boto3"]

    def row(name: str, probe: dict[str, Any]) -> str:
        ms, cpu = probe["median_ms"], probe.get("cpu_median_ms", float("nan"))
        return (
            f"| {name} | {ms:.0f} | {ms / base['median_ms']:.2f}× | "
            f"{ms / floor['median_ms']:.2f}× | {cpu:.0f} | "
            f"{cpu / floor.get('cpu_median_ms', float('nan')):.2f}× | "
            f"{probe['durable_sdk_loaded']} |"
        )

    return [
        f"| cold start (fresh interpreter, median of {COLD_RUNS}, interleaved) | ms "
        "| / baseline | / floor | CPU ms | CPU / floor | durable SDK imported |",
        "|---|---|---|---|---|---|---|",
        row(
            "webhook handler module: imports, settings, both secrets, clients, Bolt app",
            cold["webhook handler"],
        ),
        row("floor: the imports, the two secret reads, a DynamoDB and a Lambda client", floor),
        *(
            [
                row(
                    "lower bound: the floor + Powertools Logger and Parameters (the secret "
                    "reads) + a Bolt app",
                    cold["floor + Powertools + Bolt app"],
                )
            ]
            if "floor + Powertools + Bolt app" in cold  # absent from older results
            else []
        ),
        *(
            [row("floor, with the collector paused during init as ours does", paused)]
            if (paused := cold.get("floor, collector paused"))
            else []
        ),
        row("baseline: import slack_bolt, mangum, boto3", base),
    ]


def _pair(result: dict[str, float]) -> str:
    return f"{result['p50_ms']:.1f} / {result['p99_ms']:.1f}"


def markdown(results: dict[str, Any]) -> str:
    """The README's table: each row against its baselines, with the ratios the targets use."""
    m = results["machine"]
    lines = [
        f"Machine: {m['cpus']} cores, {m['platform']}, Python {m['python']}; "
        f"commit {m['commit']}, {m['date']}. Reproduce: `./scripts/bench.sh`. Clicks: "
        f"{CLICK_ROUNDS} interleaved rounds of "
        f"{' / '.join(map(str, CLICK_LEVELS.values()))} clicks at concurrency "
        f"{' / '.join(map(str, CLICK_LEVELS))}, pooled.",
        "",
        "| concurrency | ours p50/p99 ms | floor p50/p99 ms | bare Bolt p50/p99 ms "
        "| ours/floor p99 | ours/Bolt p99 | ours req/s |",
        "|---|---|---|---|---|---|---|",
    ]
    for level in CLICK_LEVELS:
        ours, floor, bolt = (results["clicks"][v][str(level)] for v in ("ours", "floor", "bolt"))
        ratios = f"{ours['p99_ms'] / floor['p99_ms']:.2f}× | {ours['p99_ms'] / bolt['p99_ms']:.2f}×"
        lines.append(
            f"| {level} | {_pair(ours)} | {_pair(floor)} | {_pair(bolt)} | {ratios} "
            f"| {ours['per_second']:.0f} |"
        )
    lines += [
        "",
        "| concurrency | CPU ms per click, server + local stack: ours | floor | bare Bolt |",
        "|---|---|---|---|",
    ]
    for level in CLICK_LEVELS:
        cpu = [results["clicks"][v][str(level)] for v in ("ours", "floor", "bolt")]
        cells = " | ".join(f"{c['server_cpu_ms']:.1f} + {c['stack_cpu_ms']:.1f}" for c in cpu)
        lines.append(f"| {level} | {cells} |")
    if "secure" in results["clicks"]:  # absent from older results
        lines += ["", *lower_bound_table(results["clicks"])]
    lines += ["", *cold_start_table(results["cold_start"])]
    return "\n".join(lines) + "\n"


def lower_bound_table(clicks: dict[str, Any]) -> list[str]:
    """The secure lower bound (`bench.servers`: Bolt + ours' authorizing write, nothing else of
    ours) against the floor, and ours against it."""
    lines = [
        "| concurrency | lower bound p50/p99 ms | lower bound/floor p50 / p99 | CPU ms per "
        "click, server + local stack | ours/lower bound p50 / p99 |",
        "|---|---|---|---|---|",
    ]
    for level in CLICK_LEVELS:
        ours, floor, low = (clicks[v][str(level)] for v in ("ours", "floor", "secure"))
        lines.append(
            f"| {level} | {_pair(low)} | {low['p50_ms'] / floor['p50_ms']:.2f}× / "
            f"{low['p99_ms'] / floor['p99_ms']:.2f}× | {low['server_cpu_ms']:.1f} + "
            f"{low['stack_cpu_ms']:.1f} | {ours['p50_ms'] / low['p50_ms']:.2f}× / "
            f"{ours['p99_ms'] / low['p99_ms']:.2f}× |"
        )
    return lines


@contextmanager
def support_services(folder: Path) -> Iterator[tuple[dict[str, str], int]]:
    """Moto, the fake Slack and the callback recorder in their own process: URLs and pid."""
    support = subprocess.Popen(
        [sys.executable, "-m", "bench.servers", "support", "--dir", str(folder)], cwd=HERE.parent
    )
    try:
        deadline = time.monotonic() + 60
        while not (folder / "support.json").exists():
            if time.monotonic() > deadline or support.poll() is not None:
                raise RuntimeError("the support services did not start")
            time.sleep(0.1)
        yield json.loads((folder / "support.json").read_text()), support.pid
    finally:
        support.terminate()
        try:
            support.wait(timeout=10)
        except subprocess.TimeoutExpired:
            support.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cold-start",
        action="store_true",
        help="only the cold-start probes; print them, write no results file",
    )
    args = parser.parse_args(argv)
    no_full_collections()  # this process sends the clicks and times them
    folder = Path(tempfile.mkdtemp(prefix="greenlight-bench-"))
    with support_services(folder) as (urls, support_pid):
        env = os.environ | env_for(urls)
        if args.cold_start:
            print("\n".join(cold_start_table(cold_start(env))))
            return 0
        results = {
            "machine": machine(),
            "clicks": click_benchmark(folder, urls, env, support_pid),
            "cold_start": cold_start(env),
        }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (HERE / "results.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
