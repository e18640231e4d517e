"""Creates what the deployed stack would have: the tables and the Slack secret (idempotent)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from greenlight.aws.approval_store import STATUS_INDEX

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sns import SNSClient


def _string_keys(*names: str) -> list[dict[str, Any]]:
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


TABLES: dict[str, dict[str, Any]] = {
    "approvals": {
        "KeySchema": [{"AttributeName": "approval_id", "KeyType": "HASH"}],
        "AttributeDefinitions": _string_keys("approval_id", "status", "created_at"),
        "GlobalSecondaryIndexes": [
            {
                "IndexName": STATUS_INDEX,
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        # The outbox of decisions: the relay delivers each one (greenlight/webhook/relay.py)
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    },
    "audit": {
        "KeySchema": [
            {"AttributeName": "approval_id", "KeyType": "HASH"},
            {"AttributeName": "seq", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": _string_keys("approval_id", "seq"),
    },
    # One item per person: whom they delegated to, and for whom they decide
    # (greenlight/aws/delegation_store.py)
    "delegations": {
        "KeySchema": [{"AttributeName": "user_id", "KeyType": "HASH"}],
        "AttributeDefinitions": _string_keys("user_id"),
    },
    "reservations": {
        "KeySchema": [{"AttributeName": "reservation_id", "KeyType": "HASH"}],
        "AttributeDefinitions": _string_keys("reservation_id"),
    },
    "conditions": {
        "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}],
        "AttributeDefinitions": _string_keys("order_id"),
    },
}


def create_tables(client: DynamoDBClient, prefix: str) -> dict[str, str]:
    """Create the tables (`{prefix}approvals`, `…audit`, `…delegations`, `…reservations`,
    `…conditions`)."""
    names = {}
    for role, shape in TABLES.items():
        name = f"{prefix}{role}"
        names[role] = name
        try:
            client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **shape)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise
        client.get_waiter("table_exists").wait(TableName=name)
    return names


def create_alert_topic(client: SNSClient, name: str) -> str:
    """The operators' SNS topic (create_topic is idempotent); returns its ARN."""
    return client.create_topic(Name=name)["TopicArn"]


def put_slack_secrets(
    client: SecretsManagerClient,
    names: tuple[str, str],
    bot_token: str,
    signing_secret: str,
) -> None:
    """Store the Slack credentials as the two JSON secrets the Lambdas read: `names` is the bot
    token's secret (every function reads it) and the signing secret's (the webhook's alone).
    The signing secret first, as scripts/set-slack-secret.sh does."""
    bot_name, signing_name = names
    put_json_secret(client, signing_name, {"signing_secret": signing_secret})
    put_json_secret(client, bot_name, {"bot_token": bot_token})


def put_json_secret(client: SecretsManagerClient, name: str, value: dict[str, str]) -> None:
    """Create the secret holding `value` as JSON, or store `value` as its new version."""
    put_string_secret(client, name, json.dumps(value))


def put_string_secret(client: SecretsManagerClient, name: str, value: str) -> None:
    """Create the secret holding `value`, or store `value` as its new version."""
    try:
        client.create_secret(Name=name, SecretString=value)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceExistsException":
            raise
        client.put_secret_value(SecretId=name, SecretString=value)
