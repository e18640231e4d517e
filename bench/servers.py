"""The servers a benchmark run needs, each started as its own process.

`python -m bench.servers support --dir D` runs DynamoDB (moto), the fake Slack and a recorder of
Lambda's callback API, and writes their URLs to D/support.json. `python -m bench.servers
ours|floor|bolt|secure --dir D --port P` serves one webhook variant under uvicorn:
- ours: the product's webhook (signature, record, authorization, vote, callback, redraw);
- floor: the most direct handler making the same outside calls (stdlib HMAC check, one
  conditional write, one callback call, one message update), no framework;
- bolt: a bare Bolt app that verifies the signature and acks, nothing else;
- secure: a lower bound, the floor's calls in a Bolt listener with ours' vote write (whose
  condition is the authorization) instead of the blind one: what no webhook that uses Bolt and
  lets DynamoDB authorize can beat, with nothing of ours around them.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

SECRET_NAME = "bench/slack"  # noqa: S105  # a name
SECRETS = (SECRET_NAME, "bench/slack-signing")  # the bot token's, the signing secret's
TOKEN = "xoxb-bench-not-real"  # noqa: S105  # a dummy for the fake Slack
CLICK_VARIANTS = ("ours", "floor", "bolt", "secure")
CLICK_LEVELS = {1: 150, 10: 400, 50: 600}  # concurrency: clicks per round (p99: 450+ pooled)
CLICK_ROUNDS = 3


def click_tables(variant: str, level: int, round_: int) -> str:
    """Table prefix of one click run: fresh tables each, as moto's writes slow as a table grows."""
    return f"bench-{variant}{level}r{round_}-"


SIGNING_SECRET = "b" * 32


def support(folder: Path) -> None:
    """Moto, fake Slack and the callback recorder, until SIGTERM; no full garbage collection
    (`bench.common.no_full_collections`)."""
    import boto3  # noqa: PLC0415

    from bench.common import no_full_collections  # noqa: PLC0415

    no_full_collections()

    from localdev import fake_slack, provision  # noqa: PLC0415
    from localdev.dynamodb_server import DynamoDBServer  # noqa: PLC0415
    from tests.fakes import lambda_api  # noqa: PLC0415

    dynamodb = DynamoDBServer().start()
    slack = fake_slack.serve("127.0.0.1", 0, TOKEN)
    threading.Thread(target=slack.serve_forever, daemon=True).start()
    callbacks = lambda_api.serve(lambda_api.CallbackLog())
    session = boto3.session.Session("bench", "bench", region_name="us-east-1")
    client = session.client("dynamodb", endpoint_url=dynamodb.url)
    for variant in CLICK_VARIANTS:
        for level in CLICK_LEVELS:
            for round_ in range(CLICK_ROUNDS):
                provision.create_tables(client, click_tables(variant, level, round_))
    provision.put_slack_secrets(
        session.client("secretsmanager", endpoint_url=dynamodb.url),
        SECRETS,
        TOKEN,
        SIGNING_SECRET,
    )
    urls = {
        "dynamodb": dynamodb.url,
        "slack": f"http://127.0.0.1:{slack.server_port}",
        "lambda": f"http://127.0.0.1:{callbacks.server_port}",
    }
    (folder / "support.json").write_text(json.dumps(urls))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    stopped.wait()


def env_for(urls: dict[str, str]) -> dict[str, str]:
    """What every variant's process needs in its environment."""
    return {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",  # dummy, for SigV4 on loopback
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": urls["dynamodb"],
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": urls["dynamodb"],
        "AWS_ENDPOINT_URL_LAMBDA": urls["lambda"],
        "APPROVALS_TABLE": f"{click_tables('ours', 1, 0)}approvals",
        "AUDIT_TABLE": f"{click_tables('ours', 1, 0)}audit",
        "SLACK_SECRET_NAME": SECRET_NAME,
        "SLACK_SIGNING_SECRET_NAME": SECRETS[1],
        "SLACK_API_URL": urls["slack"] + "/api/",
        "SLACK_APP_ID": "A0GREENLT",
        "SLACK_TEAM_ID": "T0GREENLT",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }


def floor_update(user: str) -> dict[str, Any]:
    """The floor's `UpdateItem` (without table and key): anyone may approve anything pending."""
    return {
        "UpdateExpression": "SET #s = :approved, decided_by = :by",
        "ConditionExpression": "#s = :pending",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {
            ":approved": {"S": "approved"},
            ":pending": {"S": "pending"},
            ":by": {"L": [{"S": user}]},
        },
        "ReturnValues": "ALL_NEW",
    }


def secure_update(user: str) -> dict[str, Any]:
    """Ours' deciding `UpdateItem` for `user`'s approve (without table and key), as the store
    sends it (`greenlight.core.vote_write.vote_update`): the authorization is its condition."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from greenlight.aws.approval_store import typed  # noqa: PLC0415
    from greenlight.core.vote_write import VoteWrite, vote_update  # noqa: PLC0415
    from greenlight.core.votes import Verdict, Vote  # noqa: PLC0415

    vote = Vote(user, Verdict.APPROVE, datetime.now(UTC).isoformat())
    arguments = vote_update(vote, VoteWrite.DECIDING).arguments()
    arguments["ExpressionAttributeValues"] = typed(arguments["ExpressionAttributeValues"])
    return arguments


Write = Callable[[str], dict[str, Any]]  # a clicker's id -> `UpdateItem` arguments


def floor_calls(write: Write = floor_update) -> Callable[[str, str], None]:
    """The floor's three outside calls for one approve: `write`'s conditional `UpdateItem`,
    the callback, the message update.

    DynamoDB through the low-level client with typed values written by hand, the most direct
    way to call it (and what the cold-start floor, `bench.run.FLOOR_INIT`, builds): ours uses
    the same client, so neither pays for boto3's resource layer.
    """
    import boto3  # noqa: PLC0415
    from slack_sdk import WebClient  # noqa: PLC0415

    dynamodb = boto3.client("dynamodb")
    table_name = os.environ["APPROVALS_TABLE"]
    lambda_client = boto3.client("lambda")
    slack = WebClient(token=TOKEN, base_url=os.environ["SLACK_API_URL"])

    def decide(approval_id: str, user: str) -> None:
        record = dynamodb.update_item(
            TableName=table_name, Key={"approval_id": {"S": approval_id}}, **write(user)
        )["Attributes"]
        result = json.dumps({"decision": "approved", "approval_id": approval_id}).encode()
        lambda_client.send_durable_execution_callback_success(
            CallbackId=record["callback_id"]["S"], Result=result
        )
        slack_ref = record["slack"]["M"]
        slack.chat_update(
            channel=slack_ref["channel"]["S"], ts=slack_ref["ts"]["S"], text=f"Approved by {user}"
        )

    return decide


def floor_app(write: Write = floor_update) -> Any:
    """The floor: a raw ASGI app, a stdlib HMAC check, the three outside calls, nothing else."""
    decide = floor_calls(write)
    secret = SIGNING_SECRET.encode()

    def handle(headers: dict[bytes, bytes], body: bytes) -> tuple[int, bytes]:
        ts = headers.get(b"x-slack-request-timestamp", b"0").decode()
        expected = "v0=" + hmac.new(secret, f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
        if abs(time.time() - int(ts)) > 300 or not hmac.compare_digest(
            expected, headers.get(b"x-slack-signature", b"").decode()
        ):
            return 401, b""
        payload = json.loads(urllib.parse.parse_qs(body.decode())["payload"][0])
        decide(payload["actions"][0]["value"], payload["user"]["id"])
        return 200, b""

    return threaded(handle)


Handle = Callable[[dict[bytes, bytes], bytes], tuple[int, bytes]]  # headers, body -> status, body


def threaded(handle: Handle) -> Any:
    """A raw ASGI app that reads the whole body and runs `handle` on a worker thread, as ours
    runs Bolt's dispatch: the event loop takes the next request while one waits on a call."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        import asyncio  # noqa: PLC0415

        status, out = await asyncio.to_thread(handle, dict(scope["headers"]), body)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": out})

    return app


def bolt_app(decide: Callable[[str, str], None] | None = None) -> Any:
    """Bolt configured as ours (FaaS settings), one listener that acks (after `decide`, the
    floor's calls, if given: Bolt's verification and dispatch around them).

    Bare, it is served by Bolt's own ASGI adapter, which dispatches on the event loop: nothing
    to wait on. With calls to make, its dispatch runs on a worker thread as ours does
    (`threaded`): on the loop, each click's calls would hold every other click back.
    """
    from slack_bolt import App  # noqa: PLC0415
    from slack_bolt.adapter.asgi import SlackRequestHandler  # noqa: PLC0415
    from slack_bolt.authorization import AuthorizeResult  # noqa: PLC0415
    from slack_bolt.request import BoltRequest  # noqa: PLC0415

    authorized = AuthorizeResult(enterprise_id=None, team_id="T0GREENLT", bot_token=TOKEN)
    app = App(
        name="bare",
        process_before_response=True,
        token_verification_enabled=False,
        signing_secret=SIGNING_SECRET,
        authorize=lambda: authorized,
    )

    def approve(ack: Any, body: dict[str, Any]) -> None:
        if decide is not None:
            decide(body["actions"][0]["value"], body["user"]["id"])
        ack()

    app.action("approve")(approve)
    if decide is None:
        return SlackRequestHandler(app)

    def handle(headers: dict[bytes, bytes], body: bytes) -> tuple[int, bytes]:
        request = BoltRequest(
            body=body.decode(), headers={k.decode(): v.decode() for k, v in headers.items()}
        )
        response = app.dispatch(request)
        return response.status, response.body.encode()

    return threaded(handle)


def main() -> int:
    """Run one server in the foreground."""
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["support", *CLICK_VARIANTS])
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.role == "support":
        support(args.dir)
        return 0
    import uvicorn  # noqa: PLC0415

    if args.role == "ours":
        from greenlight.webhook.collector import collector_paused  # noqa: PLC0415

        with collector_paused():  # as `greenlight.webhook.handler` inits the deployed webhook
            from greenlight.webhook.build import build_webhook  # noqa: PLC0415
            from greenlight.webhook.settings import Settings  # noqa: PLC0415

            app = build_webhook(Settings.from_env())
    elif args.role == "secure":
        app = bolt_app(floor_calls(secure_update))
    else:
        app = floor_app() if args.role == "floor" else bolt_app()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", lifespan="off")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
