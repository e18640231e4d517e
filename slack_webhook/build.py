"""Builds the webhook once per container: settings, secrets, clients, service, ASGI app."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3
from slack_sdk.signature import SignatureVerifier

from adapters.dynamo_approvals import DynamoApprovalStore
from adapters.secrets import load_slack_credentials
from adapters.slack_client import build_web_client
from slack_webhook.app import build_app
from slack_webhook.asgi import SlackWebhook
from slack_webhook.decisions import DecisionService
from slack_webhook.lambda_callbacks import LambdaCallbackSender
from slack_webhook.slack_board import SlackMessageBoard

if TYPE_CHECKING:
    from slack_webhook.settings import Settings


def build_webhook(settings: Settings) -> SlackWebhook:
    """The ASGI app over real adapters: DynamoDB, Lambda's callback API, Slack."""
    credentials = load_slack_credentials(settings.slack_secret_name)
    client = build_web_client(credentials.bot_token, settings.slack_api_url)
    board = SlackMessageBoard(client)
    dynamodb = boto3.resource("dynamodb")
    service = DecisionService(
        store=DynamoApprovalStore(
            dynamodb.Table(settings.approvals_table), dynamodb.Table(settings.audit_table)
        ),
        callbacks=LambdaCallbackSender(boto3.client("lambda")),
        board=board,
        clock=lambda: datetime.now(UTC),
    )
    app = build_app(settings, credentials, client, service, board)
    verifier = SignatureVerifier(credentials.signing_secret.reveal())
    return SlackWebhook(app, verifier, settings.base_path)
