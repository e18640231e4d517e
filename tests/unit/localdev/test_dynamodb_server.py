"""The local DynamoDB keeps DynamoDB's all-or-nothing transactions without copying whole tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from localdev.dynamodb_server import DynamoDBServer

if TYPE_CHECKING:
    from collections.abc import Iterator

REGION = "us-east-1"


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    server = DynamoDBServer().start()
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=server.url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",  # moto's dummies
    )  # fmt: skip
    dynamodb.create_table(
        TableName="votes",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName="trail",
        KeySchema=[
            {"AttributeName": "id", "KeyType": "HASH"},
            {"AttributeName": "at", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "at", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    yield dynamodb
    server.stop()


def everything(client: Any) -> dict[str, list[dict[str, Any]]]:
    return {
        name: sorted(client.scan(TableName=name)["Items"], key=repr) for name in ("votes", "trail")
    }


def vote(id_: str, expected_version: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": "votes",
            "Key": {"id": {"S": id_}},
            "UpdateExpression": "SET version = :next ADD voters :who",
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {
                ":next": {"N": str(expected_version + 1)},
                ":expected": {"N": str(expected_version)},
                ":who": {"SS": ["U0BOB"]},
            },
        }
    }


def trail(id_: str, at: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": "trail",
            "Item": {"id": {"S": id_}, "at": {"S": at}, "what": {"S": "vote"}},
            "ConditionExpression": "attribute_not_exists(id)",
        }
    }


def test_a_transaction_that_passes_writes_every_item(client: Any) -> None:
    client.put_item(TableName="votes", Item={"id": {"S": "a1"}, "version": {"N": "1"}})
    client.transact_write_items(TransactItems=[vote("a1", 1), trail("a1", "t1")])
    got = client.get_item(TableName="votes", Key={"id": {"S": "a1"}})["Item"]
    assert got["version"] == {"N": "2"}
    assert got["voters"] == {"SS": ["U0BOB"]}
    assert client.get_item(TableName="trail", Key={"id": {"S": "a1"}, "at": {"S": "t1"}})["Item"]


@pytest.mark.parametrize("failing", [0, 1, 2])
def test_a_failed_condition_anywhere_leaves_every_item_as_it_was(client: Any, failing: int) -> None:
    """moto applies the ops before and after the failing one: they must all be undone."""
    ids = [f"b{failing}-{n}" for n in range(3)]
    for id_ in ids:
        client.put_item(
            TableName="votes",
            Item={"id": {"S": id_}, "version": {"N": "4"}, "note": {"M": {"k": {"S": id_}}}},
        )
    client.put_item(
        TableName="trail", Item={"id": {"S": ids[0]}, "at": {"S": "old"}, "what": {"S": "kept"}}
    )
    before = everything(client)
    ops = [vote(id_, 9 if n == failing else 4) for n, id_ in enumerate(ids)]
    ops.append(trail(ids[0], "new"))  # a new item, which must vanish again
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=ops)
    error = refused.value.response
    assert error["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in error["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed" if n == failing else "None" for n in range(4)]
    assert everything(client) == before


def test_a_refused_transaction_shape_changes_nothing(client: Any) -> None:
    client.put_item(TableName="votes", Item={"id": {"S": "c1"}, "version": {"N": "1"}})
    before = everything(client)
    with pytest.raises(ClientError) as refused:
        client.transact_write_items(TransactItems=[vote("c1", 1), vote("c1", 2)])
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert everything(client) == before


def test_tables_are_not_copied_by_a_transaction(client: Any) -> None:
    """The cost of a vote must not grow with the table: the table objects stay the same."""
    client.put_item(TableName="votes", Item={"id": {"S": "d1"}, "version": {"N": "1"}})
    tables = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables
    votes, audit = tables["votes"], tables["trail"]
    client.transact_write_items(TransactItems=[vote("d1", 1), trail("d1", "t")])
    with pytest.raises(ClientError):
        client.transact_write_items(TransactItems=[vote("d1", 1), trail("d1", "t2")])
    assert tables["votes"] is votes
    assert tables["trail"] is audit
