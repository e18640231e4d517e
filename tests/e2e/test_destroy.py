"""`scripts/destroy.sh --delete-data` with the real AWS CLI, against a DynamoDB of its own.

The tables it deletes are deletion-protected as `retain_data` deploys them, and it asks on a
terminal: `script` gives it one, and types the two confirmations. It runs against a moto server
of its own (CloudFormation and DynamoDB), never the shared local stack's tables.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from localdev.dynamodb_server import DynamoDBServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.e2e
DESTROY = Path(__file__).resolve().parents[2] / "scripts" / "destroy.sh"
# What scripts/lib/common.sh `table` names, as iac/ deploys them (the order tables included)
TABLES = [f"greenlight-{role}" for role in ("approvals", "audit", "delegations", "reservations")]


@pytest.fixture
def aws() -> Iterator[tuple[str, DynamoDBClient]]:
    server = DynamoDBServer().start()
    client = boto3.client(
        "dynamodb",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # dummy, for SigV4 on loopback
    )
    try:
        yield server.url, client
    finally:
        server.stop()


def protected_tables(client: DynamoDBClient) -> None:
    for name in TABLES:
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            DeletionProtectionEnabled=True,
        )


def destroy(url: str, answers: str) -> subprocess.CompletedProcess[str]:
    """destroy.sh --delete-data on a terminal (`script`), typing `answers`."""
    env = os.environ | {
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
    }
    return subprocess.run(
        ["script", "-qec", f"{DESTROY} --delete-data", "/dev/null"],
        input=answers,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_delete_data_lifts_the_protection_and_deletes_every_table(
    aws: tuple[str, DynamoDBClient],
) -> None:
    url, client = aws
    protected_tables(client)

    done = destroy(url, "Greenlight\ndelete audit data\n")

    assert done.returncode == 0, done.stdout + done.stderr
    assert client.list_tables()["TableNames"] == []
    for name in TABLES:
        assert f"deleted {name}" in done.stdout
    assert "greenlight-conditions: not there" in done.stdout  # one already gone is no error


def test_without_the_second_confirmation_every_table_is_kept(
    aws: tuple[str, DynamoDBClient],
) -> None:
    url, client = aws
    protected_tables(client)

    done = destroy(url, "Greenlight\ndelete it\n")

    assert done.returncode != 0
    assert "not confirmed; tables kept" in done.stdout + done.stderr
    assert sorted(client.list_tables()["TableNames"]) == sorted(TABLES)
    for name in TABLES:
        assert client.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"]
