"""Builds the workflow's dependencies once per container, from settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import boto3

from examples.orders.dynamo_conditions import DynamoConditions
from examples.orders.dynamo_reservations import DynamoReservations
from examples.orders.http_payments import HttpPaymentGateway
from examples.orders.ports import Dependencies
from examples.orders.sns_alerts import SnsAlerts
from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.aws.secrets import load_slack_credentials
from greenlight.core.buttons import new_approval_id
from greenlight.slack.client import build_web_client
from greenlight.slack.notifier import SlackApprovalNotifier, SlackDirectory

if TYPE_CHECKING:
    from examples.orders.settings import Settings


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
