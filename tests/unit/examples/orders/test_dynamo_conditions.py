"""The conditions adapter over a real boto3 Table, its answers stubbed with botocore's Stubber
(errors shaped by botocore's DynamoDB service model): which failures are transient."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
from botocore.stub import Stubber

from examples.orders.dynamo_conditions import DynamoConditions, is_transient
from examples.orders.ports import ConditionUnavailableError

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY = {"order_id": "ord-1"}
AT = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)


@pytest.fixture
def table() -> Iterator[tuple[Any, Stubber]]:
    resource = boto3.resource(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # dummy, never sent: the stub answers
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )
    conditions_table = resource.Table("greenlight-conditions")
    with Stubber(resource.meta.client) as stubber:
        yield conditions_table, stubber
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ProvisionedThroughputExceededException", 400),
        ("ThrottlingException", 400),
        ("RequestLimitExceeded", 400),
        ("InternalServerError", 500),
        ("ServiceUnavailable", 503),
    ],
)
def test_throttling_and_server_errors_are_transient(
    table: tuple[Any, Stubber], code: str, status: int
) -> None:
    conditions_table, stubber = table
    stubber.add_client_error("get_item", service_error_code=code, http_status_code=status)

    with pytest.raises(ConditionUnavailableError, match=code):
        DynamoConditions(conditions_table).status("ord-1")


@pytest.mark.parametrize("code", ["AccessDeniedException", "ResourceNotFoundException"])
def test_permanent_errors_are_raised_as_they_are(table: tuple[Any, Stubber], code: str) -> None:
    conditions_table, stubber = table
    stubber.add_client_error("get_item", service_error_code=code, http_status_code=400)

    with pytest.raises(Exception, match=code) as raised:
        DynamoConditions(conditions_table).status("ord-1")
    assert not isinstance(raised.value, ConditionUnavailableError)


def test_timeouts_are_transient() -> None:
    assert is_transient(ReadTimeoutError(endpoint_url="http://127.0.0.1:9"))
    assert is_transient(ConnectTimeoutError(endpoint_url="http://127.0.0.1:9"))
    assert not is_transient(ValueError("bad"))


def _read(stubber: Stubber, status: str) -> None:
    stubber.add_response(
        "get_item",
        {
            "Item": {
                "order_id": {"S": "ord-1"},
                "kind": {"S": "fraud_review"},
                "status": {"S": status},
            }
        },
        {"TableName": "greenlight-conditions", "Key": KEY, "ConsistentRead": True},
    )


def test_close_turns_pending_to_expired_with_a_conditional_put(
    table: tuple[Any, Stubber],
) -> None:
    conditions_table, stubber = table
    _read(stubber, "pending")
    stubber.add_response(
        "put_item",
        {},
        {
            "TableName": "greenlight-conditions",
            "Item": {
                "order_id": "ord-1",
                "kind": "fraud_review",
                "status": "expired",
                "closed_at": "2026-11-29T23:00:00+00:00",
                "outcome": "review_timed_out",
            },
            "ConditionExpression": "attribute_not_exists(order_id) OR #s = :pending",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":pending": "pending"},
        },
    )
    conditions = DynamoConditions(conditions_table, lambda: AT)

    assert conditions.close("ord-1", "review_timed_out") == "expired"


def test_close_leaves_a_settled_review_as_it_is(table: tuple[Any, Stubber]) -> None:
    conditions_table, stubber = table
    _read(stubber, "failed")

    assert DynamoConditions(conditions_table).close("ord-1", "review_timed_out") == "failed"


def test_close_loses_to_a_verdict_that_got_there_first(table: tuple[Any, Stubber]) -> None:
    conditions_table, stubber = table
    _read(stubber, "pending")
    stubber.add_client_error(
        "put_item", service_error_code="ConditionalCheckFailedException", http_status_code=400
    )
    _read(stubber, "cleared")

    assert DynamoConditions(conditions_table).close("ord-1", "review_timed_out") == "cleared"
