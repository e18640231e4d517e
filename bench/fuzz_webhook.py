"""Coverage-guided fuzzing of the webhook with atheris (libFuzzer), beside CI's hypothesis tests.

`scripts/fuzz.sh [-runs=N] [-max_total_time=S]` (installs atheris into .venv on first use).
Each input becomes one request to the real ASGI app (`build_webhook`, Bolt, the DynamoDB store on
an in-process moto, the fake Slack, a recorder of Lambda's callback API): raw bytes, form
fields, or a `block_actions` payload with fuzzed fields that may name a real pending approval;
signed, unsigned, badly signed or stale. A finding is any 5xx, any exception escaping the app,
or any callback sent for a request without a valid signature. Loopback only, bounded by the
runs or time given.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import atheris

with atheris.instrument_imports(include=["slack_webhook", "slack_bolt", "approvals"]):
    from slack_webhook.build import build_webhook
    from slack_webhook.settings import Settings

import boto3
from slack_sdk import WebClient

from approvals.policy import ApproverPolicy
from approvals.record import ApprovalRecord, SlackMessage
from approvals.request import ApprovalRequest
from bench.servers import SECRET_NAME, SIGNING_SECRET, TOKEN, env_for
from localdev import fake_slack, fixtures, provision
from localdev.dynamodb_server import DynamoDBServer
from tests.fakes import lambda_api

ACTIONS = ["approve", "reject", "other", ""]
USERS = ["U0BOB", "U0CAROL", "U0ALICE", "U0EVE", ""]
TYPES = ["block_actions", "view_submission", "shortcut", "block_suggestion", ""]
SIGNINGS = ["valid", "none", "garbage", "stale"]
PENDING = 20


def start() -> tuple[Any, lambda_api.CallbackLog, list[str]]:
    """The webhook over real adapters on loopback, with a few pending approvals to hit."""
    dynamodb = DynamoDBServer().start()
    slack = fake_slack.serve("127.0.0.1", 0, TOKEN)
    threading.Thread(target=slack.serve_forever, daemon=True).start()
    log = lambda_api.CallbackLog()
    callbacks = lambda_api.serve(log)
    urls = {
        "dynamodb": dynamodb.url,
        "slack": f"http://127.0.0.1:{slack.server_port}",
        "lambda": f"http://127.0.0.1:{callbacks.server_port}",
    }
    os.environ.update(env_for(urls) | {"APPROVALS_TABLE": "fuzz-approvals"})
    os.environ["AUDIT_TABLE"] = "fuzz-audit"
    provision.create_tables(boto3.client("dynamodb"), "fuzz-")
    provision.put_slack_secret(boto3.client("secretsmanager"), SECRET_NAME, TOKEN, SIGNING_SECRET)
    table = boto3.resource("dynamodb").Table("fuzz-approvals")
    poster = WebClient(token=TOKEN, base_url=urls["slack"] + "/api/")
    now = datetime.now(UTC)
    ids = []
    for n in range(PENDING):
        posted = poster.chat_postMessage(channel=fixtures.CHANNEL_ID, text="approval")
        record = ApprovalRecord(
            approval_id=f"fuzz{n:018d}",
            callback_id=f"cb-fuzz-{n}",
            execution_arn="arn:fuzz",
            request=ApprovalRequest(f"o-fuzz-{n}", "Fuzz order", "U0ALICE", 125_000, "EUR"),
            policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=1 + n % 2),
            created_at=now.isoformat(),
            expires_at=(now + timedelta(days=1)).isoformat(),
            ttl=int(now.timestamp()) + 3600,
            slack=SlackMessage(str(posted["channel"]), str(posted["ts"])),
        )
        table.put_item(Item=record.to_item())
        ids.append(record.approval_id)
    return build_webhook(Settings.from_env()), log, ids


def body_from(fdp: atheris.FuzzedDataProvider, ids: list[str]) -> bytes:
    """Raw bytes, a form, or a payload shaped like Slack's with fuzzed fields."""
    mode = fdp.ConsumeIntInRange(0, 2)
    if mode == 0:
        raw: bytes = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
        return raw
    if mode == 1:
        return ("payload=" + urllib.parse.quote(fdp.ConsumeUnicodeNoSurrogates(256))).encode()
    value = (
        ids[fdp.ConsumeIntInRange(0, len(ids) - 1)]
        if fdp.ConsumeBool()
        else fdp.ConsumeUnicodeNoSurrogates(30)
    )
    payload: dict[str, Any] = {
        "type": fdp.PickValueInList(TYPES),
        "api_app_id": "A0GREENLT" if fdp.ConsumeBool() else fdp.ConsumeUnicodeNoSurrogates(10),
        "team": {"id": "T0GREENLT"},
        "user": {"id": fdp.PickValueInList(USERS)},
        "trigger_id": fdp.ConsumeUnicodeNoSurrogates(10),
    }
    if fdp.ConsumeBool():
        payload["actions"] = [{"action_id": fdp.PickValueInList(ACTIONS), "value": value}]
    if fdp.ConsumeBool():
        payload["container"] = {
            "channel_id": fixtures.CHANNEL_ID,
            "message_ts": fdp.ConsumeUnicodeNoSurrogates(20),
        }
    if fdp.ConsumeBool():
        payload["view"] = {
            "private_metadata": value,
            "state": {"values": {}},
            "callback_id": fdp.ConsumeUnicodeNoSurrogates(12),
        }
    if fdp.ConsumeBool():  # a field replaced by something of the wrong type
        payload[fdp.PickValueInList(sorted(payload))] = json.loads(json.dumps(fdp.ConsumeInt(4)))
    return ("payload=" + urllib.parse.quote(json.dumps(payload))).encode()


def headers_for(signing: str, body: bytes) -> list[tuple[bytes, bytes]]:
    """Slack's signing over the raw bytes (any bytes: Slack signs what it sends)."""
    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    if signing == "none":
        return headers
    ts = str(int(time.time()) - (3600 if signing == "stale" else 0)).encode()
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts + b":" + body, hashlib.sha256)
    signature = b"v0=" + (b"0" * 64 if signing == "garbage" else digest.hexdigest().encode())
    return [*headers, (b"x-slack-request-timestamp", ts), (b"x-slack-signature", signature)]


async def call(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """One HTTP request through the ASGI app; its status."""
    sent: list[dict[str, Any]] = []
    scope = {
        "type": "http", "method": "POST", "path": "/slack/events", "headers": headers,
        "query_string": b"", "http_version": "1.1", "scheme": "http",
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def main() -> int:
    logging.disable(logging.WARNING)  # a refusal per input would drown libFuzzer's report
    app, log, ids = start()
    loop = asyncio.new_event_loop()

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        signing = fdp.PickValueInList(SIGNINGS)
        body = body_from(fdp, ids)
        before = len(log.sent())
        status = loop.run_until_complete(call(app, headers_for(signing, body), body))
        if status >= 500:
            raise AssertionError(f"{status} for {signing} {body[:200]!r}")
        if signing != "valid" and len(log.sent()) != before:
            raise AssertionError(f"a callback for an unsigned request: {body[:200]!r}")

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
