"""Builds the webhook once per container: settings, secrets, clients, service, ASGI app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3
from slack_sdk.signature import SignatureVerifier

from greenlight.aws.approval_store import DynamoApprovalStore, DynamoAuditLog
from greenlight.aws.config import (
    CALLBACK_FAST_PATH_CONFIG,
    RELAY_CLIENT_CONFIG,
    WEBHOOK_CLIENT_CONFIG,
)
from greenlight.aws.secrets import load_slack_credentials
from greenlight.slack.client import build_web_client
from greenlight.webhook.app import build_app
from greenlight.webhook.asgi import SlackWebhook, Wiring
from greenlight.webhook.decisions import DecisionService
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.relay import DecisionRelay
from greenlight.webhook.rotation import RotatingCredentials
from greenlight.webhook.slack_board import SlackMessageBoard

if TYPE_CHECKING:
    from greenlight.aws.secrets import SlackCredentials
    from greenlight.webhook.settings import Settings


def build_webhook(settings: Settings) -> SlackWebhook:
    """The ASGI app over real adapters: DynamoDB, Lambda's callback API, Slack.

    The store and the callback sender do not depend on the Slack secret and are built once;
    everything that does is rebuilt when the secret rotates (`RotatingCredentials`).
    """
    dynamodb = boto3.resource("dynamodb", config=WEBHOOK_CLIENT_CONFIG)
    store = DynamoApprovalStore(
        dynamodb.Table(settings.approvals_table), dynamodb.Table(settings.audit_table)
    )
    callbacks = LambdaCallbackSender(boto3.client("lambda", config=CALLBACK_FAST_PATH_CONFIG))

    def wire(credentials: SlackCredentials) -> Wiring:
        client = build_web_client(
            credentials.bot_token, settings.slack_api_url, wait_out_rate_limits=False
        )
        board = SlackMessageBoard(client)
        service = DecisionService(
            store=store, callbacks=callbacks, board=board, clock=lambda: datetime.now(UTC)
        )
        app = build_app(settings, credentials, client, service, board)
        return Wiring(app, SignatureVerifier(credentials.signing_secret.reveal()))

    secrets = boto3.client("secretsmanager", config=WEBHOOK_CLIENT_CONFIG)
    wiring = RotatingCredentials(
        lambda: load_slack_credentials(settings.slack_secret_name, secrets), wire
    )
    return SlackWebhook(wiring, settings.base_path)


def build_relay(settings: Settings) -> DecisionRelay:
    """The stream relay over real adapters: Lambda's callback API and Slack.

    It reads the bot token once per container, as the durable function does (bot tokens do not
    expire); it needs no signing secret.
    """
    secrets = boto3.client("secretsmanager", config=RELAY_CLIENT_CONFIG)
    credentials = load_slack_credentials(settings.slack_secret_name, secrets)
    board = SlackMessageBoard(build_web_client(credentials.bot_token, settings.slack_api_url))
    callbacks = LambdaCallbackSender(boto3.client("lambda", config=RELAY_CLIENT_CONFIG))
    dynamodb = boto3.resource("dynamodb", config=RELAY_CLIENT_CONFIG)
    audit = DynamoAuditLog(dynamodb.Table(settings.audit_table))
    return DecisionRelay(callbacks, board, audit)
