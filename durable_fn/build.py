"""Builds the workflow's dependencies once per container, from settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from adapters.dynamo_approvals import DynamoApprovalStore
from adapters.secrets import load_slack_credentials
from adapters.slack_client import build_web_client
from approvals.buttons import new_approval_id
from durable_fn.dynamo_conditions import DynamoConditions
from durable_fn.dynamo_reservations import DynamoReservations
from durable_fn.http_payments import HttpPaymentGateway
from durable_fn.ports import Dependencies
from durable_fn.slack_notifier import SlackApprovalNotifier, SlackDirectory
from durable_fn.sns_alerts import SnsAlerts

if TYPE_CHECKING:
    from durable_fn.settings import Settings


def utc_now() -> datetime:
    """The wall clock, in UTC; the core only ever sees it through `Dependencies.clock`."""
    return datetime.now(UTC)


def build_dependencies(settings: Settings) -> Dependencies:
    """Real adapters: DynamoDB, Slack (token from Secrets Manager) and the payment provider."""
    dynamodb = boto3.resource("dynamodb")
    credentials = load_slack_credentials(settings.slack_secret_name)
    client = build_web_client(credentials.bot_token, settings.slack_api_url)
    return Dependencies(
        approvals=DynamoApprovalStore(
            dynamodb.Table(settings.approvals_table), dynamodb.Table(settings.audit_table)
        ),
        notifier=SlackApprovalNotifier(client, settings.slack_channel),
        directory=SlackDirectory(client),
        reservations=DynamoReservations(dynamodb.Table(settings.reservations_table)),
        payments=HttpPaymentGateway(settings.payment_url),
        conditions=DynamoConditions(dynamodb.Table(settings.conditions_table), utc_now),
        alerts=SnsAlerts(boto3.client("sns"), settings.alert_topic_arn),
        clock=utc_now,
        new_id=new_approval_id,
    )
