"""What the local DynamoDB (moto) charges per shape of vote write: `python -m bench.write_cost`.

`bench.profile_click` shows moto as the largest part of ours' extra CPU per click. This says
why, with a figure the machine's load does not move: the Python function calls moto makes to
serve one `UpdateItem` (cProfile's count, inside the server's one-request-at-a-time section),
beside the CPU time, for the floor's blind write and for each write ours sends (built by
`greenlight.core.vote_write.vote_update`, so the table follows the code). Two mixed shapes, the
floor's update under ours' condition and ours' update under the floor's condition, split the
cost between the condition (the authorization) and the update (the vote, version, decision).

moto interprets each expression in Python: it parses the update twice (once to validate the
request, once to apply it), deep-copies its syntax tree and walks it with ten processors, so
every `SET` clause and every condition term costs calls. DynamoDB bills an `UpdateItem` by the
item's size (write capacity units), not by the length of its expressions. Never in CI.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3

from bench.servers import floor_update
from greenlight.aws.approval_store import typed
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.vote_write import VoteWrite, vote_update
from greenlight.core.votes import Verdict, Vote
from localdev import dynamodb_server, provision

if TYPE_CHECKING:
    from collections.abc import Callable

VOTER = "U0BOB"
PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")


class Meter:
    """Counts what the server does for each request while a shape is being measured."""

    def __init__(self) -> None:
        self.shape: str | None = None
        self.counting = False  # calls (profiler on) or CPU time (profiler off)
        self.profiles: dict[str, cProfile.Profile] = {}
        self.cpu: dict[str, list[float]] = {}

    def install(self) -> Callable[[], None]:
        """Measure inside `AtomicApp`'s lock (exactly the request, one at a time); returns
        what puts the server's own method back."""
        meter = self

        def call(
            app: dynamodb_server.AtomicApp,
            environ: dict[str, Any],
            start_response: Callable[..., Any],
        ) -> list[bytes]:
            with app._lock:  # the section the server itself serializes
                shape, profile = meter.shape, None
                if shape and meter.counting:
                    profile = meter.profiles.setdefault(shape, cProfile.Profile())
                    profile.enable()
                started = time.thread_time()
                try:
                    return list(app._app(environ, start_response))
                finally:
                    if profile:
                        profile.disable()
                    elif shape:
                        meter.cpu.setdefault(shape, []).append(time.thread_time() - started)

        original = dynamodb_server.AtomicApp.__call__
        dynamodb_server.AtomicApp.__call__ = call  # type: ignore[method-assign, assignment]

        def restore() -> None:
            dynamodb_server.AtomicApp.__call__ = original  # type: ignore[method-assign]

        return restore


def shapes() -> dict[str, dict[str, Any]]:
    """`UpdateItem` arguments (typed values) for each shape measured."""
    at = "2026-01-01T00:00:00+00:00"
    ours = {
        "ours: approve, deciding (1 of N)": vote_update(
            Vote(VOTER, Verdict.APPROVE, at), VoteWrite.DECIDING
        ),
        "ours: approve, counting (N of M)": vote_update(
            Vote(VOTER, Verdict.APPROVE, at), VoteWrite.COUNTING
        ),
        "ours: reject": vote_update(
            Vote(VOTER, Verdict.REJECT, at, reason="no"), VoteWrite.DECIDING
        ),
    }
    out: dict[str, dict[str, Any]] = {"floor: blind approve": floor_update(VOTER)}
    for name, update in ours.items():
        arguments = update.arguments()
        arguments["ExpressionAttributeValues"] = typed(arguments["ExpressionAttributeValues"])
        out[name] = arguments
    deciding = out["ours: approve, deciding (1 of N)"]
    out["floor's update, ours' condition"] = _mixed(update=floor_update(VOTER), condition=deciding)
    out["ours' update, floor's condition"] = _mixed(update=deciding, condition=floor_update(VOTER))
    return out


def _mixed(update: dict[str, Any], condition: dict[str, Any]) -> dict[str, Any]:
    """One shape's update with another's condition (their placeholders never collide)."""
    expressions = f"{update['UpdateExpression']} {condition['ConditionExpression']}"
    used = set(PLACEHOLDER.findall(expressions))
    names = update["ExpressionAttributeNames"] | condition["ExpressionAttributeNames"]
    values = update["ExpressionAttributeValues"] | condition["ExpressionAttributeValues"]
    return {
        "UpdateExpression": update["UpdateExpression"],
        "ConditionExpression": condition["ConditionExpression"],
        "ExpressionAttributeNames": {k: v for k, v in names.items() if k in used},
        "ExpressionAttributeValues": {k: v for k, v in values.items() if k in used},
        "ReturnValues": "ALL_NEW",
    }


def record(approval_id: str, now: datetime, quorum: int) -> ApprovalRecord:
    """A pending approval as `bench.run` seeds them, with `quorum` of its two approvers."""
    return ApprovalRecord(
        approval_id=approval_id,
        callback_id=f"cb-{approval_id}",
        execution_arn="arn:bench",
        request=ApprovalRequest("Bench order", "U0ALICE", amount=Amount(125_000, "EUR")),
        policy=ApproverPolicy(frozenset({VOTER, "U0CAROL"}), quorum=quorum),
        created_at=now.isoformat(),
        expires_at=(now + timedelta(days=1)).isoformat(),
        ttl=int(now.timestamp()) + 3600,
        slack=SlackMessage("C0APPROVALS", "1700000000.000100"),
    )


def measure(writes: int, warmup: int) -> dict[str, dict[str, float]]:
    """Each shape `writes` times counted and `writes` times timed (after `warmup` unmeasured),
    interleaved, each write on a fresh record."""
    meter = Meter()
    restore = meter.install()
    server = dynamodb_server.DynamoDBServer("127.0.0.1", 0).start()
    try:
        client = boto3.client(
            "dynamodb", endpoint_url=server.url, region_name="us-east-1",
            aws_access_key_id="bench", aws_secret_access_key="bench",  # noqa: S106  # dummy
        )  # fmt: skip
        table = provision.create_tables(client, "cost-")["approvals"]
        now = datetime.now(UTC)
        measured = shapes()
        for n in range(warmup + 2 * writes):
            for index, (name, arguments) in enumerate(measured.items()):
                approval_id = f"s{index}-{n:06d}"
                quorum = 2 if "counting" in name else 1
                item = record(approval_id, now, quorum).to_item()
                client.put_item(TableName=table, Item=typed(item))
                meter.shape = name if n >= warmup else None
                meter.counting = n % 2 == 0
                client.update_item(
                    TableName=table, Key={"approval_id": {"S": approval_id}}, **arguments
                )
                meter.shape = None
    finally:
        server.stop()
        restore()
    return {
        name: {
            "calls": pstats.Stats(meter.profiles[name]).total_calls / writes,  # type: ignore[attr-defined]
            "cpu_ms": 1000 * statistics.median(meter.cpu[name]),
            "set": _count_sets(arguments["UpdateExpression"]),
            "terms": arguments["ConditionExpression"].count(" AND ") + 1,
        }
        for name, arguments in measured.items()
    }


def _count_sets(update: str) -> int:
    """The actions of a `SET` (commas outside a function's parentheses)."""
    return re.sub(r"\([^)]*\)", "", update.removeprefix("SET ")).count(",") + 1


def table(results: dict[str, dict[str, float]], writes: int) -> str:
    floor = results["floor: blind approve"]
    lines = [
        f"What the local DynamoDB (moto) does per `UpdateItem` (`python -m bench.write_cost`, "
        f"{writes} writes of each shape, interleaved; calls: Python function calls inside moto, "
        "which the machine's load does not move; CPU: median, profiler off):",
        "",
        "| write | SET clauses | condition terms | moto calls | / floor | CPU ms | / floor |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['set']:.0f} | {r['terms']:.0f} | {r['calls']:,.0f} | "
            f"{r['calls'] / floor['calls']:.2f}× | {r['cpu_ms']:.2f} | "
            f"{r['cpu_ms'] / floor['cpu_ms']:.2f}× |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    print(table(measure(args.writes, args.warmup), args.writes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
