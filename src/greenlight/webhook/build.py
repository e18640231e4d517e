"""Builds the webhook once per container: settings, secrets, clients, service, ASGI app."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import boto3
from slack_sdk.signature import SignatureVerifier

from greenlight.aws.approval_store import DynamoApprovalStore, DynamoAuditLog
from greenlight.aws.config import (
    CALLBACK_FAST_PATH_CONFIG,
    RELAY_CLIENT_CONFIG,
    WEBHOOK_CLIENT_CONFIG,
)
from greenlight.aws.delegation_store import DynamoDelegationStore
from greenlight.aws.secrets import load_bot_token, load_slack_credentials
from greenlight.core.clock import utc_now
from greenlight.slack.client import build_web_client
from greenlight.webhook.app import build_app
from greenlight.webhook.asgi import SlackWebhook, Wiring
from greenlight.webhook.decisions import DecisionService
from greenlight.webhook.delegation import Delegations
from greenlight.webhook.home import HomeBoard, HomeRefresher, Inbox
from greenlight.webhook.lambda_callbacks import LambdaCallbackSender
from greenlight.webhook.rotation import RotatingCredentials
from greenlight.webhook.settings import signing_secret_name
from greenlight.webhook.slack_board import SlackMessageBoard

if TYPE_CHECKING:
    from greenlight.aws.secrets import SlackCredentials
    from greenlight.core.secret import Secret
    from greenlight.webhook.ports import MessageBoard
    from greenlight.webhook.relay import DecisionRelay
    from greenlight.webhook.settings import Settings


def build_webhook(settings: Settings) -> SlackWebhook:
    """The ASGI app over real adapters: DynamoDB, Lambda's callback API, Slack.

    Everything is built once. What the Slack secrets feed is read where it is used: the signing
    secret (its own secret, which only the webhook may read) by the ASGI front's verifier
    (rebuilt when either secret rotates, `RotatingCredentials`), the bot token by Bolt's
    `authorize` on each request (the listeners use the client Bolt builds with it).

    Raises:
        ConfigError: no signing secret is named, or a secret lacks its key.

    The secrets' first read is a network round trip (on Lambda a new TLS connection to Secrets
    Manager): it runs on a worker thread while this thread builds the DynamoDB and Lambda
    clients and the Bolt app, and is waited for before the webhook is returned, so the first
    click finds everything ready. A failed read fails the build, as before.
    """
    signing_name = signing_secret_name(settings)  # before anything is built or read
    secrets = boto3.client("secretsmanager", config=WEBHOOK_CLIENT_CONFIG)

    def read_secret() -> SlackCredentials:
        return load_slack_credentials(settings.slack_secret_name, signing_name, secrets)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="slack-secret") as reader:
        first_read = reader.submit(read_secret)
        dynamodb = boto3.client("dynamodb", config=WEBHOOK_CLIENT_CONFIG)
        store = DynamoApprovalStore(dynamodb, settings.approvals_table, settings.audit_table)
        callbacks = LambdaCallbackSender(boto3.client("lambda", config=CALLBACK_FAST_PATH_CONFIG))
        delegations = (
            Delegations(DynamoDelegationStore(dynamodb, settings.delegations_table), utc_now)
            if settings.delegations_table
            else None
        )

        def decisions(board: MessageBoard) -> DecisionService:
            return DecisionService(
                store=store,
                callbacks=callbacks,
                board=board,
                clock=utc_now,
                delegations=delegations,
            )

        def bot_token() -> Secret:
            return slack_secret.credentials.bot_token

        app = build_app(settings, bot_token, decisions, Inbox(store, delegations), delegations)
        first = first_read.result()
    slack_secret = RotatingCredentials(
        read_secret,
        lambda credentials: Wiring(app, SignatureVerifier(credentials.signing_secret.reveal())),
        first=first,
    )
    return SlackWebhook(slack_secret, settings.base_path)


def build_relay(settings: Settings) -> DecisionRelay:
    """The stream relay over real adapters: Lambda's callback API and Slack.

    It reads the bot token once per container, as the durable function does (bot tokens do not
    expire); it has no signing secret (neither its name nor the grant to read it). It redraws
    every copy of the message for each counted vote (the click redraws only the copy clicked),
    and the App Home of everyone a change concerns (`greenlight.webhook.home`).
    """
    # Imported here: the webhook builds from this module, and its cold start should not pay
    # for the relay (nor the audit lines it writes).
    from greenlight.webhook.relay import DecisionRelay  # noqa: PLC0415

    secrets = boto3.client("secretsmanager", config=RELAY_CLIENT_CONFIG)
    bot_token = load_bot_token(settings.slack_secret_name, secrets)
    client = build_web_client(bot_token, settings.slack_api_url)
    board = SlackMessageBoard(client)
    callbacks = LambdaCallbackSender(boto3.client("lambda", config=RELAY_CLIENT_CONFIG))
    dynamodb = boto3.client("dynamodb", config=RELAY_CLIENT_CONFIG)
    audit = DynamoAuditLog(dynamodb, settings.audit_table)
    # The Home tabs read the approvals table (its by_status index) and publish over Slack
    store = DynamoApprovalStore(dynamodb, settings.approvals_table, settings.audit_table)
    homes = HomeRefresher(Inbox(store), HomeBoard(client))
    return DecisionRelay(callbacks, board, audit, homes)
