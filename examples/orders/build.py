"""Builds the workflow's dependencies once per container, from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from examples.orders.dynamo_conditions import DynamoConditions
from examples.orders.dynamo_reservations import DynamoReservations
from examples.orders.http_payments import HttpPaymentGateway
from examples.orders.ports import Dependencies
from examples.orders.sns_alerts import SnsAlerts
from greenlight.core import utc_now
from greenlight.gate import Greenlight

if TYPE_CHECKING:
    from examples.orders.settings import Settings


def build_dependencies(settings: Settings) -> Dependencies:
    """Real adapters: the approval gate from its `GREENLIGHT_*` settings, DynamoDB for the
    order's tables, SNS, and the payment provider."""
    dynamodb = boto3.resource("dynamodb")
    return Dependencies(
        approvals=Greenlight.from_env(),
        reservations=DynamoReservations(dynamodb.Table(settings.reservations_table)),
        payments=HttpPaymentGateway(settings.payment_url),
        conditions=DynamoConditions(dynamodb.Table(settings.conditions_table), utc_now),
        alerts=SnsAlerts(boto3.client("sns"), settings.alert_topic_arn),
    )
