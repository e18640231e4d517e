"""The local stack's stand-in for Lambda's DynamoDB stream event source mapping.

On AWS, Lambda reads the approvals table's stream and calls the relay's handler with batches in
the DynamoDB Streams event format, retrying from the first record the handler reports as failed
(ReportBatchItemFailures). This poller does the same against moto's stream API: it builds the
same event (each record as `GetRecords` returns it, plus `eventSourceARN`, the creation time as
epoch seconds, as in AWS's sample event), calls the same handler, and remembers how far it got
in a checkpoint file, so a restarted webhook process delivers what it missed.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable
    from pathlib import Path

    Handler = Callable[[dict[str, Any], Any], Any]

logger = logging.getLogger(__name__)
BATCH_SIZE = 100  # Lambda's default for DynamoDB streams


class StreamPoller:
    """Feeds one table's stream to a Lambda stream handler, batch by batch."""

    def __init__(
        self,
        streams: Any,  # boto3's "dynamodbstreams" client (no stubs installed for it)
        stream_arn: str,
        handler: Handler,
        checkpoint: Path | None = None,
    ) -> None:
        self._streams = streams
        self._arn = stream_arn
        self._handler = handler
        self._checkpoint = checkpoint
        self._after: dict[str, str] = _positions(checkpoint, stream_arn)
        # The next iterator of each shard, kept between polls (one GetRecords a poll when idle);
        # dropped when a batch is not accepted, so the next read starts after the checkpoint.
        self._next: dict[str, str] = {}
        self._shard_ids: list[str] | None = None

    def skip_to_end(self) -> None:
        """Start from now: what the stream already holds is not handed to the handler."""
        for shard in self._shards():
            while records := self._read(shard):
                self._after[shard] = records[-1]["dynamodb"]["SequenceNumber"]
        self._save()

    def drain(self) -> int:
        """Hand every record now in the stream to the handler; the number it accepted.

        Records it reports as failed, and every one after them in their shard, are read again
        on the next call (Lambda's order-preserving retry).
        """
        accepted = 0
        for shard in self._shards():
            while records := self._read(shard):
                try:
                    response = self._handler(self._event(records), None) or {}
                except Exception:  # the whole batch failed: Lambda retries it all
                    logger.warning("stream batch failed; it is retried", exc_info=True)
                    self._next.pop(shard, None)
                    break
                failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
                done = _before_first_failure(records, failed)
                if done:
                    self._after[shard] = done[-1]["dynamodb"]["SequenceNumber"]
                    self._save()
                accepted += len(done)
                if failed:
                    self._next.pop(shard, None)
                    break
        return accepted

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        """Drain until `stop` is set; a failing batch waits, then is retried, like Lambda's."""
        while not stop.is_set():
            try:
                self.drain()
            except Exception:  # the stream API itself failed: try again later
                logger.warning("reading the stream failed; retrying", exc_info=True)
                self._next.clear()
                self._shard_ids = None
            stop.wait(interval)

    def _shards(self) -> list[str]:
        """The stream's shards, read once (a table's local stream keeps its shards)."""
        if self._shard_ids is None:
            described = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
            self._shard_ids = [shard["ShardId"] for shard in described.get("Shards", [])]
        return self._shard_ids

    def _read(self, shard: str) -> list[dict[str, Any]]:
        iterator = self._next.get(shard)
        if iterator is None:
            start: dict[str, Any] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._after[shard]}
                if shard in self._after
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            found = self._streams.get_shard_iterator(StreamArn=self._arn, ShardId=shard, **start)
            iterator = found["ShardIterator"]
        page = self._streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
        if page.get("NextShardIterator"):
            self._next[shard] = page["NextShardIterator"]
        else:
            self._next.pop(shard, None)
        return [dict(r) for r in page.get("Records", [])]

    def _event(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        out = []
        for record in records:
            images = dict(record["dynamodb"])
            created = images.get("ApproximateCreationDateTime")
            if isinstance(created, datetime):
                images["ApproximateCreationDateTime"] = created.timestamp()
            out.append(record | {"dynamodb": images, "eventSourceARN": self._arn})
        return {"Records": out}

    def _save(self) -> None:
        if self._checkpoint:
            self._checkpoint.write_text(json.dumps({"stream_arn": self._arn, "after": self._after}))


def _positions(checkpoint: Path | None, stream_arn: str) -> dict[str, str]:
    """The positions saved for this very stream. A position is never carried to another stream
    (Lambda keeps one per stream): a restarted local stack has a new stream, whose shard ids and
    sequence numbers moto starts again from the same values, so an old position would skip
    its first changes. A checkpoint of another stream, or of the old shape, is ignored."""
    if checkpoint is None or not checkpoint.exists():
        return {}
    saved = json.loads(checkpoint.read_text())
    if not isinstance(saved, dict) or saved.get("stream_arn") != stream_arn:
        return {}
    after = saved.get("after")
    return {str(k): str(v) for k, v in after.items()} if isinstance(after, dict) else {}


def _before_first_failure(records: list[dict[str, Any]], failed: set[str]) -> list[dict[str, Any]]:
    done = []
    for record in records:
        if record["dynamodb"]["SequenceNumber"] in failed:
            break
        done.append(record)
    return done
