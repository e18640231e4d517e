"""Creates what the deployed stack would have: the tables and the Slack secret (idempotent)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

TABLE_KEYS = {"approvals": "approval_id", "reservations": "reservation_id"}


def create_tables(client: DynamoDBClient, prefix: str) -> dict[str, str]:
    """Create `{prefix}approvals` and `{prefix}reservations` if missing; return their names."""
    names = {}
    for role, key in TABLE_KEYS.items():
        name = f"{prefix}{role}"
        names[role] = name
        try:
            client.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != "ResourceInUseException":
                raise
        client.get_waiter("table_exists").wait(TableName=name)
    return names


def put_slack_secret(
    client: SecretsManagerClient, name: str, bot_token: str, signing_secret: str
) -> None:
    """Store the Slack credentials as the JSON secret the Lambdas read."""
    value = json.dumps({"bot_token": bot_token, "signing_secret": signing_secret})
    try:
        client.create_secret(Name=name, SecretString=value)
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceExistsException":
            raise
        client.put_secret_value(SecretId=name, SecretString=value)
