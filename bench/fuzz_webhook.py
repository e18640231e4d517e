"""Coverage-guided fuzzing of the webhook with atheris (libFuzzer), beside CI's hypothesis tests.

`scripts/fuzz.sh [-runs=N] [-max_total_time=S]` (installs atheris into .venv on first use).
Each input becomes one request to the real ASGI app (`build_webhook`, Bolt, the DynamoDB store on
an in-process moto, the fake Slack, a recorder of Lambda's callback API): raw bytes, form
fields, or one of Slack's recorded requests (`localdev/slack_corpus`) with fuzzed fields that may
name a real pending approval; under any content type and any signature and timestamp header
values (valid, absent, wrong, non-ASCII, hundreds of digits, stale). A finding is any 5xx, any
exception escaping the app, or any callback sent for a request without a valid signature.
Loopback only, bounded by the runs or time given.
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

with atheris.instrument_imports(include=["greenlight", "slack_bolt"]):
    from greenlight.webhook.build import build_webhook
    from greenlight.webhook.settings import Settings

import boto3
from slack_sdk import WebClient

from bench.common import asgi_post
from bench.servers import SECRETS, SIGNING_SECRET, TOKEN, env_for
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from localdev import fake_slack, fixtures, provision, slack_corpus
from localdev.dynamodb_server import DynamoDBServer
from tests.fakes import lambda_api

ACTIONS = ["approve", "reject", "other", ""]
USERS = ["U0BOB", "U0CAROL", "U0ALICE", "U0EVE", ""]
CONTENT_TYPES = [
    b"application/x-www-form-urlencoded",
    b"application/json",
    b"text/plain; charset=utf-8",
    b"\xff",
]
RECORDED = slack_corpus.entries()
INTERACTIVE = [e for e in RECORDED if "form_payload" in e.request]
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
    provision.put_slack_secrets(boto3.client("secretsmanager"), SECRETS, TOKEN, SIGNING_SECRET)
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
            request=ApprovalRequest(
                "Fuzz order", "U0ALICE", amount=Amount(125_000, "EUR"), reference=f"o-fuzz-{n}"
            ),
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
    """Raw bytes, a form, or a recorded Slack request with fuzzed fields."""
    mode = fdp.ConsumeIntInRange(0, 3)
    if mode == 0:
        raw: bytes = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 512))
        return raw
    if mode == 1:
        return ("payload=" + urllib.parse.quote(fdp.ConsumeUnicodeNoSurrogates(256))).encode()
    if mode == 2:
        entry: slack_corpus.CorpusEntry = fdp.PickValueInList(RECORDED)
        return entry.body().encode()
    value = (
        ids[fdp.ConsumeIntInRange(0, len(ids) - 1)]
        if fdp.ConsumeBool()
        else fdp.ConsumeUnicodeNoSurrogates(30)
    )
    recorded: slack_corpus.CorpusEntry = fdp.PickValueInList(INTERACTIVE)
    payload = recorded.payload
    if isinstance(payload.get("actions"), list) and payload["actions"]:
        payload["actions"][0] |= {"action_id": fdp.PickValueInList(ACTIONS), "value": value}
    if isinstance(payload.get("view"), dict):
        payload["view"]["private_metadata"] = value
    if isinstance(payload.get("user"), dict):
        payload["user"]["id"] = fdp.PickValueInList(USERS)
    for _ in range(fdp.ConsumeIntInRange(0, 3)):  # fields replaced by something else
        replacement = fdp.PickValueInList([None, 0, "", [], {}, [1], {"id": 5}])
        payload[fdp.PickValueInList(sorted(payload))] = replacement
    text = json.dumps(payload)
    return (text if fdp.ConsumeBool() else slack_corpus.form(payload)).encode()


def headers_for(fdp: atheris.FuzzedDataProvider, body: bytes) -> tuple[bool, list[Any]]:
    """Whether the request is validly signed, and its headers: Slack's signing over the raw
    bytes, or fuzzed header values."""
    headers: list[tuple[bytes, bytes]] = []
    if fdp.ConsumeBool():
        headers.append((b"content-type", fdp.PickValueInList(CONTENT_TYPES)))
    timestamp = fdp.PickValueInList(["now", "stale", "digits", "fuzzed", "none"])
    ts = {
        "now": str(int(time.time())).encode(),
        "stale": str(int(time.time()) - 3600).encode(),
        "digits": b"9" * fdp.ConsumeIntInRange(1, 500),
        "fuzzed": fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 30)),
        "none": b"",
    }[timestamp]
    digest = hmac.new(SIGNING_SECRET.encode(), b"v0:" + ts + b":" + body, hashlib.sha256)
    signing = fdp.PickValueInList(["valid", "garbage", "fuzzed", "none"])
    signature = {
        "valid": b"v0=" + digest.hexdigest().encode(),
        "garbage": b"v0=" + b"0" * 64,
        "fuzzed": fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 80)),
        "none": b"",
    }[signing]
    if timestamp != "none":
        headers.append((b"x-slack-request-timestamp", ts))
    if signing != "none":
        headers.append((b"x-slack-signature", signature))
    return signing == "valid" and timestamp == "now", headers


async def call(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    """One HTTP request through the ASGI app; its status."""
    scope = {
        "type": "http", "method": "POST", "path": "/slack/events", "headers": headers,
        "query_string": b"", "http_version": "1.1", "scheme": "http",
    }  # fmt: skip
    return await asgi_post(app, scope, body)


def main() -> int:
    logging.disable(logging.WARNING)  # a refusal per input would drown libFuzzer's report
    app, log, ids = start()
    loop = asyncio.new_event_loop()

    def one_input(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        body = body_from(fdp, ids)
        signed, headers = headers_for(fdp, body)
        before = len(log.sent())
        status = loop.run_until_complete(call(app, headers, body))
        if status >= 500:
            raise AssertionError(f"{status} for {headers!r} {body[:200]!r}")
        if not signed and len(log.sent()) != before:
            raise AssertionError(f"a callback for an unsigned request: {body[:200]!r}")

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
