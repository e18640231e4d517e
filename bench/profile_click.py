"""Where one click's CPU goes, ours against the floor's: `python -m bench.profile_click`.

`bench.run` measures the webhook and the whole local stack as two numbers. This splits them:
DynamoDB (moto), the fake Slack and the callback recorder each run in their own process, so
each one's CPU per click is read from /proc; the webhook variant is built in this process and
each click is handed to its ASGI app directly (no uvicorn, the same for both), one at a time,
so its CPU per click is this process's. `--profile ours` prints cProfile's top entries for the
clicks of that variant. Never in CI; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from bench.common import asgi_post, signed_approve
from bench.run import cpu_seconds, seed, wait_port
from bench.servers import SECRETS, SIGNING_SECRET, TOKEN, env_for

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.record import ApprovalRecord

HERE = Path(__file__).resolve().parent
PARTS = ("dynamodb", "slack", "lambda")
PART_CODE = {  # each part without full garbage collections (bench.common.no_full_collections)
    "dynamodb": (
        "import sys, signal, threading; from localdev.dynamodb_server import DynamoDBServer; "
        "s = DynamoDBServer('127.0.0.1', int(sys.argv[1])).start(); e = threading.Event(); "
        "signal.signal(signal.SIGTERM, lambda *_: e.set()); e.wait()"
    ),
    "slack": (
        "import sys; from localdev import fake_slack; "
        f"fake_slack.serve('127.0.0.1', int(sys.argv[1]), {TOKEN!r}).serve_forever()"
    ),
    "lambda": (
        "import threading, signal; from tests.fakes import lambda_api; "
        "s = lambda_api.serve(lambda_api.CallbackLog()); "
        "print(s.server_port, flush=True); e = threading.Event(); "
        "signal.signal(signal.SIGTERM, lambda *_: e.set()); e.wait()"
    ),
}


def start_parts(stack: ExitStack) -> tuple[dict[str, str], dict[str, int]]:
    """The three services, each its own process: their URLs and pids."""
    urls: dict[str, str] = {}
    pids: dict[str, int] = {}
    for part in PARTS:
        port = _free_port()
        code = "from bench.common import no_full_collections; no_full_collections(); "
        process = subprocess.Popen(  # our own modules, fixed code
            [sys.executable, "-c", code + PART_CODE[part], str(port)],
            cwd=HERE.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        stack.callback(_stop, process)
        if part == "lambda":  # the recorder picks its own port
            assert process.stdout is not None
            port = int(process.stdout.readline())
        wait_port(port)
        urls[part] = f"http://127.0.0.1:{port}"
        pids[part] = process.pid
    return urls, pids


def _free_port() -> int:
    from bench.common import free_port  # noqa: PLC0415

    return free_port()


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def provision(urls: dict[str, str], prefixes: list[str]) -> None:
    """Tables for each variant and the Slack secret, in the DynamoDB process's moto."""
    from localdev import provision as tables  # noqa: PLC0415

    session = boto3.session.Session("bench", "bench", region_name="us-east-1")
    client = session.client("dynamodb", endpoint_url=urls["dynamodb"])
    for prefix in prefixes:
        tables.create_tables(client, prefix)
    tables.put_slack_secrets(
        session.client("secretsmanager", endpoint_url=urls["dynamodb"]),
        SECRETS,
        TOKEN,
        SIGNING_SECRET,
    )


# The two measured variants, then three lower bounds for a secure webhook: what the floor
# costs with one of ours' two fixed costs added (Bolt, which verifies and dispatches the request;
# the write whose condition is the authorization), then with both: the least any webhook can
# cost that uses Bolt and lets DynamoDB authorize the vote, with nothing of ours around them.
VARIANTS = {
    "ours": "ours",
    "floor": "floor",
    "floor-write": "floor, ours' write",
    "floor-bolt": "floor under Bolt",
    "secure": "Bolt + ours' write",
}


def build(variant: str) -> Callable[..., Any]:
    """The variant's ASGI app, built as `bench.servers` builds its own."""
    from bench import servers  # noqa: PLC0415

    if variant == "ours":
        from greenlight.webhook.build import build_webhook  # noqa: PLC0415
        from greenlight.webhook.collector import collector_paused  # noqa: PLC0415
        from greenlight.webhook.settings import Settings  # noqa: PLC0415

        with collector_paused():  # as `greenlight.webhook.handler` inits the deployed webhook
            return build_webhook(Settings.from_env())
    apps: dict[str, Callable[[], Any]] = {
        "floor": servers.floor_app,
        "floor-write": lambda: servers.floor_app(servers.secure_update),
        "floor-bolt": lambda: servers.bolt_app(servers.floor_calls()),
        "secure": lambda: servers.bolt_app(servers.floor_calls(servers.secure_update)),
    }
    return apps[variant]()  # type: ignore[no-any-return]


_TO_THREAD = asyncio.to_thread


async def _inline(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """`asyncio.to_thread` run in the calling thread, so cProfile (one thread) sees it."""
    return func(*args, **kwargs)


def measure(
    variant: str, app: Callable[..., Any], records: list[ApprovalRecord], pids: dict[str, int],
    profiler: cProfile.Profile | None,
) -> dict[str, Any]:  # fmt: skip
    """Click each record once, one at a time: CPU per click in each process, wall per click."""
    requests = [signed_approve(r) for r in records]
    loop = asyncio.new_event_loop()
    before = {part: cpu_seconds(pid) for part, pid in pids.items()}
    own = time.process_time()
    walls = []
    failures = 0
    if profiler:
        asyncio.to_thread = _inline  # profile the worker's part too
        profiler.enable()
    for scope, body in requests:
        started = time.perf_counter()
        failures += loop.run_until_complete(asgi_post(app, scope, body)) != 200
        walls.append(time.perf_counter() - started)
    if profiler:
        profiler.disable()
        asyncio.to_thread = _TO_THREAD
    count = len(requests)
    result = {
        "variant": variant,
        "webhook": 1000 * (time.process_time() - own) / count,
        **{part: 1000 * (cpu_seconds(pid) - before[part]) / count for part, pid in pids.items()},
        "wall_p50": 1000 * statistics.median(walls),
        "failures": failures,
    }
    loop.close()
    return result


def split_table(rows: list[dict[str, Any]], clicks: int, rounds: int) -> str:
    """Markdown: each process's CPU per click, median over the rounds, each variant against
    the floor."""
    columns = ("webhook", *PARTS)
    variants = [v for v in VARIANTS if any(r["variant"] == v for r in rows)]
    medians = {
        variant: {k: statistics.median(r[k] for r in rows if r["variant"] == variant)
                  for k in (*columns, "wall_p50")}
        for variant in variants
    }  # fmt: skip
    lines = [
        f"Where a click's CPU goes (`python -m bench.profile_click`: {rounds} interleaved rounds "
        f"of {clicks} clicks, one at a time, straight into each ASGI app; each service in its "
        "own process; median of the rounds, ms per click; the last three rows are lower bounds "
        "for a secure webhook, `bench.profile_click.VARIANTS`):",
        "",
        "| | webhook | DynamoDB (moto) | fake Slack | callback recorder | total | wall p50 "
        "| total / floor | wall / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    floor = medians["floor"]
    floor_total = sum(floor[k] for k in columns)
    for variant in variants:
        cells = medians[variant]
        total = sum(cells[k] for k in columns)
        lines.append(
            f"| {VARIANTS[variant]} | " + " | ".join(f"{cells[k]:.2f}" for k in columns)
            + f" | {total:.2f} | {cells['wall_p50']:.1f} | {_ratio(total, floor_total)} "
            f"| {_ratio(cells['wall_p50'], floor['wall_p50'])} |"
        )  # fmt: skip
    ours = medians["ours"]
    lines.append(
        "| ours/floor | " + " | ".join(_ratio(ours[k], floor[k]) for k in columns)
        + " | | | | |"
    )  # fmt: skip
    return "\n".join(lines) + "\n"


def _ratio(ours: float, floor: float) -> str:
    """`ours / floor` as a ratio cell; a dash where the floor read no CPU at all (/proc counts
    in clock ticks of 10 ms, so a short run can read none)."""
    return f"{ours / floor:.2f}×" if floor else "—"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=list(VARIANTS))
    parser.add_argument(
        "--only-measured", action="store_true", help="ours and the floor, no lower bounds"
    )
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--write", action="store_true", help="append the table to results.md")
    args = parser.parse_args(argv)
    variants = ("ours", "floor") if args.only_measured else tuple(VARIANTS)
    with ExitStack() as stack:
        urls, pids = start_parts(stack)
        prefixes = {(v, r): f"prof-{v}{r}-" for v in variants for r in range(args.rounds)}
        provision(urls, list(prefixes.values()))
        env = env_for(
            {"dynamodb": urls["dynamodb"], "slack": urls["slack"], "lambda": urls["lambda"]}
        )
        os.environ.update(env)
        profiler = cProfile.Profile() if args.profile else None
        apps: dict[str, Callable[..., Any]] = {}
        rows = []
        for round_ in range(args.rounds):
            turn = round_ % len(variants)  # each round starts with another variant
            for variant in variants[turn:] + variants[:turn]:
                prefix = prefixes[variant, round_]
                os.environ["APPROVALS_TABLE"] = f"{prefix}approvals"
                os.environ["AUDIT_TABLE"] = f"{prefix}audit"
                apps[variant] = build(variant)  # the table names are read at build
                seed_urls = {"dynamodb": urls["dynamodb"], "slack": urls["slack"]}
                mark = f"{list(VARIANTS).index(variant)}r{round_}x"  # unique callback ids
                warm = seed(seed_urls, 20, f"w{mark}", prefix)
                measure(variant, apps[variant], warm, pids, None)
                records = seed(seed_urls, args.clicks, mark, prefix)
                use = profiler if args.profile == variant else None
                row = measure(variant, apps[variant], records, pids, use)
                rows.append(row)
                print(json.dumps({k: round(v, 2) if isinstance(v, float) else v
                                  for k, v in row.items()}), flush=True)  # fmt: skip
        text = split_table(rows, args.clicks, args.rounds)
        print("\n" + text)
        if args.write:
            with (HERE / "results.md").open("a") as results:
                results.write("\n" + text)
        if profiler:
            out = Path(tempfile.gettempdir()) / f"click-{args.profile}.prof"
            profiler.dump_stats(out)
            stats = pstats.Stats(profiler).sort_stats("cumulative")
            stats.print_stats(args.top)
            print("written", out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
