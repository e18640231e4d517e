"""The store's typed values (it speaks to the low-level client): written as boto3's resource
layer wrote them, read back as `plain` made of boto3's `TypeDeserializer`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from greenlight.aws.approval_store import plain, typed, typed_transaction, untyped
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest, Link
from greenlight.core.votes import Status

RECORD = ApprovalRecord(
    approval_id="a" * 22,
    callback_id="cb-1",
    execution_arn="arn:exec",
    request=ApprovalRequest(
        "Order ord-1",
        "U0ALICE",
        amount=Amount(125_000, "EUR"),
        reference="ord-1",
        fields=(("Service", "api"),),
        links=(Link("Diff", "https://example.com/diff"),),
        context={"version": "v2.3", "n": -3, "ok": True, "none": None},
    ),
    policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=2),
    created_at="2026-11-22T12:00:00+00:00",
    expires_at="2026-11-23T12:00:00+00:00",
    ttl=1_800_000_000,
    slack=SlackMessage("C0APPROVALS", "1700000000.000001"),
    version=3,
)

VALUES: list[Any] = [
    "text",
    "",
    0,
    -12,
    10**20,
    True,
    False,
    None,
    [1, "a", [None, {"x": 2}]],
    {"nested": {"deeper": [True, "s"]}},
    {"a", "b"},
    {1, 2},
]


def _reference(item: dict[str, Any]) -> dict[str, Any]:
    deserialize = TypeDeserializer().deserialize
    read: dict[str, Any] = plain({k: deserialize(v) for k, v in item.items()})
    return read


@pytest.mark.parametrize(
    "value", [*VALUES, ("t", 1), Decimal("1.5"), Status.PENDING, b"\x00"], ids=repr
)
def test_typed_is_what_boto3s_serializer_makes(value: Any) -> None:
    assert typed({"v": value, "nested": {"in": [value]}}) == {
        "v": TypeSerializer().serialize(value),
        "nested": TypeSerializer().serialize({"in": [value]}),
    }


def test_a_float_is_refused_as_boto3_refuses_it() -> None:
    with pytest.raises(TypeError, match="Float types are not supported"):
        typed({"v": 1.5})


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_is_typed_as_boto3_types_it_and_read_back_as_before(value: Any) -> None:
    item = typed({"v": value})
    assert item == {"v": TypeSerializer().serialize(value)}
    assert untyped(item) == {"v": value}
    if not isinstance(value, set) or not all(isinstance(v, int) for v in value):
        assert untyped(item) == _reference(item)


def test_a_record_round_trips_through_typed_values() -> None:
    item = typed(RECORD.to_item())
    assert untyped(item) == _reference(item)
    assert ApprovalRecord.from_item(untyped(item)) == ApprovalRecord.from_item(RECORD.to_item())


def test_numbers_that_are_not_whole_read_as_plain_read_them() -> None:
    item = {"n": {"N": "1.5"}, "e": {"N": "1E+2"}, "big": {"N": "12345678901234567890.5"}}
    # (DynamoDB keeps 38 digits: a number past a float's 15 must not be read through a float)
    assert untyped(item) == _reference(item) == {"n": 1, "e": 100, "big": 12345678901234567890}


def test_binary_reads_as_boto3_reads_it() -> None:
    assert untyped({"b": {"B": b"\x00\x01"}}) == {"b": Binary(b"\x00\x01")}


def test_a_transaction_is_typed_in_its_key_item_and_values_only() -> None:
    items = [
        {"Put": {"TableName": "t", "Item": {"k": "v"}, "ConditionExpression": "c"}},
        {
            "Update": {
                "TableName": "t",
                "Key": {"k": "v"},
                "UpdateExpression": "SET #n = :v",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":v": 1},
            }
        },
    ]
    assert typed_transaction(items) == [
        {"Put": {"TableName": "t", "Item": {"k": {"S": "v"}}, "ConditionExpression": "c"}},
        {
            "Update": {
                "TableName": "t",
                "Key": {"k": {"S": "v"}},
                "UpdateExpression": "SET #n = :v",
                "ExpressionAttributeNames": {"#n": "n"},
                "ExpressionAttributeValues": {":v": {"N": "1"}},
            }
        },
    ]
    assert items[1]["Update"]["ExpressionAttributeValues"] == {":v": 1}  # not modified
