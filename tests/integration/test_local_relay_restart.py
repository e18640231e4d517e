"""The local stack's stream poller relays every change of a restarted stack (found by
review-relay: it skipped the first ones; it now keeps its position per stream ARN).

The webhook process's relay (`localdev/processes.py`, `_relay`) keeps its position in
`state/relay-checkpoint.json`, keyed by shard id only. moto keeps no data across a restart, and
every stream it makes has the same shard id and starts at the same sequence number
(moto/dynamodb/models/table.py, `StreamShard`: `self.id = "shardId-00000001541626099285-f35f62ef"`,
`starting_sequence_number = 1100000000017454423009`). After `stack stop` / `stack start` (the
state folder is kept), the poller resumes AFTER the old position in the *new* stream: as many
changes as the last run relayed are skipped, so their audit lines (written only by the relay),
their redraws and any callback the webhook failed to send never happen.

On AWS a shard is "a uniquely identified group of stream records within a stream", its id
system-generated (https://docs.aws.amazon.com/goto/WebAPI/streams-dynamodb-2012-08-10/Shard),
and Lambda's event source mapping keeps its position per mapping, i.e. per stream ARN: a
position is never carried from one stream to another. The poller should key its checkpoint by
stream ARN too (or drop it when the ARN changes).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import boto3

from localdev import provision
from localdev.stream_relay import StreamPoller

if TYPE_CHECKING:
    from pathlib import Path

PREFIX = "review-restart-"


class Recorder:
    """A stream handler that accepts every record and remembers the keys it saw."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, event: dict[str, Any], _: Any) -> dict[str, Any]:
        self.seen += [r["dynamodb"]["Keys"]["approval_id"]["S"] for r in event["Records"]]
        return {"batchItemFailures": []}


def stack_run(checkpoint: Path, ids: list[str]) -> list[str]:
    """One run of the local stack: moto's tables as provisioned, changes written, the relay's
    poller (with the kept checkpoint) drained; what the relay was handed."""
    dynamodb = boto3.client("dynamodb")
    names = provision.create_tables(dynamodb, PREFIX)
    table = dynamodb.describe_table(TableName=names["approvals"])["Table"]
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    recorder = Recorder()
    poller = StreamPoller(streams, table["LatestStreamArn"], recorder, checkpoint)
    for approval_id in ids:
        dynamodb.put_item(
            TableName=names["approvals"],
            Item={
                "approval_id": {"S": approval_id},
                "status": {"S": "pending"},
                "created_at": {"S": "2026-11-30T10:00:00+00:00"},
            },
        )
    poller.drain()
    return recorder.seen


def forget_tables() -> None:
    """What a restarted moto has: nothing (every table provisioned again)."""
    dynamodb = boto3.client("dynamodb")
    for role in provision.TABLES:
        dynamodb.delete_table(TableName=f"{PREFIX}{role}")
        dynamodb.get_waiter("table_not_exists").wait(TableName=f"{PREFIX}{role}")


def test_a_restarted_local_stack_relays_every_change_of_its_new_stream(
    aws_env: dict[str, str], tmp_path: Path
) -> None:
    # Given a local stack whose relay handed on three changes, then was stopped and started
    # again (moto empty and provisioned again; the state folder, and its checkpoint, kept)
    checkpoint = tmp_path / "relay-checkpoint.json"
    try:
        assert stack_run(checkpoint, ["a1", "a2", "a3"]) == ["a1", "a2", "a3"]
        forget_tables()

        # When two approvals change in the new stack
        seen = stack_run(checkpoint, ["b1", "b2"])
    finally:
        forget_tables()

    # Then the relay is handed both (on main: none; it resumes after the old run's position)
    assert seen == ["b1", "b2"]
