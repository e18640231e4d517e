"""What the benchmark scripts share: a free loopback port, a throwaway local stack, results."""

from __future__ import annotations

import gc
import io
import json
import signal
import socket
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.servers import SIGNING_SECRET
from localdev import stack
from localdev.config import DEFAULT_PORTS, StackConfig
from localdev.slack_requests import block_actions, form, signed_headers

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from greenlight.core.record import ApprovalRecord

HERE = Path(__file__).resolve().parent


FULL_COLLECTIONS_OFF = 1_000_000_000


def no_full_collections() -> None:
    """Keep this process's garbage collector to its young generations: no full collection.

    For the measuring apparatus only (the local stack's services and the process sending the
    clicks), never for a variant under test. A full collection walks every object the process
    holds, and moto holds every item of every table a run made: in `bench.run` the support
    process paused every request in flight for 100-160 ms a few times a run (seen with
    `gc.callbacks`), which set the p99 of whichever variant it landed on, and no DynamoDB or Slack
    pauses for our traffic. Young collections still run; a cycle that outlives them stays until
    the process ends, which a benchmark's bounded run can afford.
    """
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTIONS_OFF)


def signed_approve(record: ApprovalRecord) -> tuple[dict[str, Any], bytes]:
    """The ASGI scope and body of one signed Approve click on `record`."""
    assert record.slack is not None
    body = form(
        block_actions(
            action_id="approve", approval_id=record.approval_id, user_id="U0BOB",
            channel_id=record.slack.channel, message_ts=record.slack.ts,
        )
    )  # fmt: skip
    headers = [
        (k.lower().encode(), v.encode()) for k, v in signed_headers(SIGNING_SECRET, body).items()
    ]
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/slack/events",
        "query_string": b"",
        "headers": headers,
    }
    return scope, body.encode()


async def asgi_post(app: Callable[..., Any], scope: dict[str, Any], body: bytes) -> int:
    """One request through an ASGI app, its whole body at once; the status it answered."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def local_stack(name: str) -> Iterator[StackConfig]:
    """A whole local stack on free ports in a temp folder, stopped afterwards (even on SIGTERM)."""
    signal.signal(signal.SIGTERM, _exit_once)
    config = StackConfig(
        Path(tempfile.mkdtemp(prefix=f"greenlight-{name}-")),
        {p: free_port() for p in DEFAULT_PORTS},
    )
    stack.start(config, out=io.StringIO())
    try:
        yield config
    finally:
        stack.stop(config)


def _exit_once(*_: object) -> None:
    """Leave through `finally` (stopping the stack); a second SIGTERM must not cut that short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def publish(name: str, measured: dict[str, Any]) -> None:
    """Print the result and keep it beside the scripts (bench/<name>.json)."""
    text = json.dumps(measured, indent=2)
    print(text)
    (HERE / f"{name}.json").write_text(text + "\n")
