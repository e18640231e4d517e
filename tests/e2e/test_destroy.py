"""`scripts/destroy.sh --delete-data` with the real AWS CLI, against a DynamoDB of its own.

The tables it deletes are deletion-protected as `retain_data` deploys them, and it asks on a
terminal: `script` gives it one, and types the two confirmations. It runs against a moto server
of its own (CloudFormation and DynamoDB) in a process of its own: moto keeps its tables per
process, so the tables of the other tests' servers are out of its reach.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from tests.conftest import free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.e2e
DESTROY = Path(__file__).resolve().parents[2] / "scripts" / "destroy.sh"
# What scripts/lib/common.sh `table` names, as iac/ deploys them (the order tables included)
TABLES = [f"greenlight-{role}" for role in ("approvals", "audit", "delegations", "reservations")]


@pytest.fixture
def aws() -> Iterator[tuple[str, DynamoDBClient]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # our own module, on loopback
        [sys.executable, "-m", "localdev.dynamodb_server", "--port", str(port)],
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)  # loopback
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                assert time.monotonic() < deadline, "the moto server did not start"
                time.sleep(0.1)
        client = boto3.client(
            "dynamodb",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",  # dummy, for SigV4 on loopback
        )
        yield url, client
    finally:
        server.terminate()
        server.wait(timeout=10)


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
