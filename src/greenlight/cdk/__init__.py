"""The CDK construct (`pip install greenlight[cdk]`): Greenlight's tables and webhook in any stack.

    greenlight = Greenlight(self, "Greenlight", webhook_code=lambda_.Code.from_asset(
        "build/webhook.zip"), slack_app_id="A0…", slack_team_id="T0…",
        alert_subscriptions=[AlertSubscription("email", "oncall@example.com")])
    greenlight.grant_requester(deploy_fn)   # for each durable function that asks for approvals

Imports only aws-cdk-lib, constructs and Greenlight's own pure modules: never the durable SDK,
Bolt or Powertools.
"""

from greenlight.cdk.alarms import AlarmSpec
from greenlight.cdk.alerts import AlertSubscription
from greenlight.cdk.construct import Greenlight
from greenlight.cdk.names import (
    ENV_APPROVALS_TABLE,
    ENV_AUDIT_TABLE,
    ENV_EXECUTION_TIMEOUT,
    ENV_REQUESTER,
    ENV_SLACK_API_URL,
    ENV_SLACK_SECRET_NAME,
    Names,
)

__all__ = [
    "ENV_APPROVALS_TABLE",
    "ENV_AUDIT_TABLE",
    "ENV_EXECUTION_TIMEOUT",
    "ENV_REQUESTER",
    "ENV_SLACK_API_URL",
    "ENV_SLACK_SECRET_NAME",
    "AlarmSpec",
    "AlertSubscription",
    "Greenlight",
    "Names",
]
