"""Real HTTP on 127.0.0.1: moto (DynamoDB, Secrets Manager), fake Slack, the webhook (uvicorn)."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import boto3
import pytest
import uvicorn

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.aws.secrets import load_bot_token
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.route import Channel
from greenlight.slack.client import build_web_client
from greenlight.slack.notifier import SlackApprovalNotifier
from greenlight.webhook.build import build_relay, build_webhook
from greenlight.webhook.relay import make_stream_handler
from greenlight.webhook.settings import Settings
from localdev import fake_slack, fixtures, provision
from localdev.dynamodb_server import DynamoDBServer
from localdev.slack_requests import block_actions, form
from localdev.stream_relay import StreamPoller
from tests.fakes import lambda_api

if TYPE_CHECKING:
    from collections.abc import Iterator

SIGNING_SECRET = "local-signing-secret-not-real"
BOT_TOKEN = "xoxb-local-fake-token"
SECRET_NAME = "greenlight/slack"
SIGNING_SECRET_NAME = "greenlight/slack-signing"
SECRETS = (SECRET_NAME, SIGNING_SECRET_NAME)  # the bot token's, the webhook's alone


@dataclass
class Stack:
    """Addresses and handles of the running parts."""

    webhook_url: str
    slack_url: str
    slack: fake_slack.SlackState
    callbacks: lambda_api.CallbackLog
    store: DynamoApprovalStore
    notifier: SlackApprovalNotifier
    settings: Settings


@pytest.fixture(scope="session")
def callback_log() -> Iterator[tuple[lambda_api.CallbackLog, str]]:
    """The recorder standing in for Lambda's callback API, and its URL."""
    log = lambda_api.CallbackLog()
    server = lambda_api.serve(log)
    yield log, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def aws_env(callback_log: tuple[lambda_api.CallbackLog, str]) -> Iterator[dict[str, str]]:
    """Moto in server mode, and the environment that points boto3 at it."""
    moto = DynamoDBServer().start()
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # moto's dummy credentials
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": moto.url,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.url,
        "AWS_ENDPOINT_URL_LAMBDA": callback_log[1],
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    moto.stop()


@pytest.fixture(scope="session")
def stack(
    aws_env: dict[str, str], callback_log: tuple[lambda_api.CallbackLog, str]
) -> Iterator[Stack]:
    names = provision.create_tables(boto3.client("dynamodb"), prefix="it-")
    provision.put_slack_secrets(boto3.client("secretsmanager"), SECRETS, BOT_TOKEN, SIGNING_SECRET)
    slack_server = fake_slack.serve("127.0.0.1", 0, BOT_TOKEN)
    threading.Thread(target=slack_server.serve_forever, daemon=True).start()
    slack_url = f"http://127.0.0.1:{slack_server.server_port}"
    settings = Settings(
        approvals_table=names["approvals"],
        audit_table=names["audit"],
        slack_secret_name=SECRET_NAME,
        slack_api_url=f"{slack_url}/api/",
        slack_app_id=fixtures.APP_ID,
        slack_team_id=fixtures.TEAM_ID,
        base_path="",
        delegations_table=names["delegations"],
        slack_signing_secret_name=SIGNING_SECRET_NAME,
    )
    client = build_web_client(load_bot_token(SECRET_NAME), f"{slack_url}/api/")
    with served(build_webhook(settings)) as webhook_url:
        yield Stack(
            webhook_url=webhook_url,
            slack_url=slack_url,
            slack=slack_server.state,
            callbacks=callback_log[0],
            store=DynamoApprovalStore(boto3.client("dynamodb"), names["approvals"], names["audit"]),
            notifier=SlackApprovalNotifier(client, fixtures.CHANNEL_ID),
            settings=settings,
        )
    slack_server.shutdown()


@contextmanager
def served(app: Any) -> Iterator[str]:
    """An ASGI webhook under uvicorn on a free loopback port, in a thread; its request URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture
def relay(stack: Stack) -> StreamPoller:
    """Lambda's stream event source mapping over the approvals table, starting from now."""
    table = boto3.client("dynamodb").describe_table(TableName=stack.settings.approvals_table)
    streams = boto3.client("dynamodbstreams", endpoint_url=os.environ["AWS_ENDPOINT_URL_DYNAMODB"])
    poller = StreamPoller(
        streams,
        table["Table"]["LatestStreamArn"],
        make_stream_handler(build_relay(relay_settings(stack.settings))),
    )
    poller.skip_to_end()
    return poller


_counter = iter(range(10**6))


def post_pending(
    stack: Stack,
    *,
    quorum: int = 1,
    approvers: tuple[str, ...] = fixtures.APPROVER_IDS,
    sensitive: bool = False,
    open_for: timedelta = timedelta(hours=1),
) -> ApprovalRecord:
    """A pending approval as the gate leaves it: stored, posted, message attached; its deadline
    `open_for` from now (a negative one: past, though its gate has not closed it)."""
    n = next(_counter)
    now = datetime.now(UTC)
    record = ApprovalRecord(
        approval_id=f"it{n:020d}",
        callback_id=f"cb-{n}-opaque",
        execution_arn=f"arn:aws:lambda:us-east-1:123456789012:function:orders:live/durable-execution/e{n}",
        request=ApprovalRequest(
            f"Order ord-{n}",
            "U0ALICE",
            amount=Amount(125_000, "EUR"),
            reference=f"ord-{n}",
            sensitive=sensitive,
        ),
        policy=ApproverPolicy(frozenset(approvers), quorum=quorum),
        created_at=now.isoformat(),
        expires_at=(now + open_for).isoformat(),
        ttl=int(now.timestamp()) + 3600,
    )
    stack.store.create(record)
    message = stack.notifier.post_request(record, Channel(fixtures.CHANNEL_ID))
    stack.store.attach_message(record.approval_id, message)
    return stack.store.get(record.approval_id)


def click_payload(record: ApprovalRecord, user: str, action: str = "approve") -> dict[str, Any]:
    """The `block_actions` payload Slack sends when `user` clicks `action` on the record's
    message."""
    assert record.slack is not None
    return block_actions(
        action_id=action,
        approval_id=record.approval_id,
        user_id=user,
        channel_id=record.slack.channel,
        message_ts=record.slack.ts,
    )


def click_body(record: ApprovalRecord, user: str, action: str = "approve") -> str:
    """The form body Slack posts when `user` clicks `action` on the record's message."""
    return form(click_payload(record, user, action))


def relay_settings(settings: Settings) -> Settings:
    """The relay's settings as the construct deploys them: no signing secret's name."""
    return replace(settings, slack_signing_secret_name=None)
