"""Physical names and ARNs shared by the CDK stack, its policies and the operator scripts.

Policies name resources by ARN built from these names (never `*`, never a grant helper that
adds actions we do not use), so a test can read them with REGION and ACCOUNT_ID placeholders.
"""

from __future__ import annotations

PREFIX = "greenlight"
ORDERS_FUNCTION = f"{PREFIX}-orders"
WEBHOOK_FUNCTION = f"{PREFIX}-webhook"
RELAY_FUNCTION = f"{PREFIX}-decision-relay"
STARTER_FUNCTION = f"{PREFIX}-order-starter"
EVENT_BUS = f"{PREFIX}-orders"
EVENTS_DLQ = f"{PREFIX}-order-events-dlq"
RELAY_DLQ = f"{PREFIX}-decision-relay-dlq"
ALIAS = "live"
TABLES = {role: f"{PREFIX}-{role}" for role in ("approvals", "audit", "reservations", "conditions")}
SECRET = f"{PREFIX}/slack"
ALERT_TOPIC = f"{PREFIX}-alerts"


def lambda_arn(region: str, account: str, function: str) -> str:
    """A function's ARN (unqualified)."""
    return f"arn:aws:lambda:{region}:{account}:function:{function}"


def table_arn(region: str, account: str, role: str) -> str:
    """One of our tables' ARN."""
    return f"arn:aws:dynamodb:{region}:{account}:table/{TABLES[role]}"


def stream_arn(region: str, account: str, role: str) -> str:
    """Any stream of one of our tables (a stream's ARN ends in its creation time)."""
    return f"{table_arn(region, account, role)}/stream/*"


def log_group_arn(region: str, account: str, function: str) -> str:
    """The streams of a function's log group."""
    return f"arn:aws:logs:{region}:{account}:log-group:/aws/lambda/{function}:*"


def secret_arn(region: str, account: str) -> str:
    """The Slack secret (Secrets Manager appends six random characters)."""
    return f"arn:aws:secretsmanager:{region}:{account}:secret:{SECRET}-??????"


def queue_arn(region: str, account: str, queue: str = EVENTS_DLQ) -> str:
    """One of our queues (by default the dead-letter queue for order events)."""
    return f"arn:aws:sqs:{region}:{account}:{queue}"


def topic_arn(region: str, account: str) -> str:
    """The operators' alert topic."""
    return f"arn:aws:sns:{region}:{account}:{ALERT_TOPIC}"
