"""Delegations in DynamoDB: one item per person (key `user_id`), in a table of their own.

A table of its own, not the approvals table under a key prefix: the approvals table's stream
is the decisions' outbox, and every item in it is read as an approval (`relay.py`); its by_status
index and its TTL are the approvals'. Here an item is a person's `DelegationEntry`.

A delegation changes two people's items (the delegator's and the delegate's) in one
`TransactWriteItems`, each `Put` conditional on the version read (or on the item not existing
yet): two delegations that would form a chain or a cycle touch a common item, so one of them
fails its condition and is read again, where the rules refuse it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from greenlight.aws.approval_store import typed, typed_transaction, untyped
from greenlight.core.delegation import DelegationEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY = "user_id"


class DynamoDelegationStore:
    """The delegations table, over DynamoDB's low-level client (as the approval store: no
    boto3 resource layer at the webhook's cold start)."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def get(self, user_id: str) -> DelegationEntry:
        """A person's entry (strongly consistent); an empty one if they have none."""
        found = self._client.get_item(
            TableName=self._table, Key=typed({KEY: user_id}), ConsistentRead=True
        )
        if "Item" not in found:
            return DelegationEntry(user_id)
        return DelegationEntry.from_item(untyped(found["Item"]))

    def replace_both(
        self,
        before: tuple[DelegationEntry, DelegationEntry],
        after: tuple[DelegationEntry, DelegationEntry],
    ) -> bool:
        """Write both `after` entries if both stored entries are still at `before`'s versions;
        False (nothing written) if either moved."""
        items = [_put(self._table, old, new) for old, new in zip(before, after, strict=True)]
        try:
            self._client.transact_write_items(TransactItems=typed_transaction(items))  # type: ignore[arg-type]  # low-level shapes built above
        except ClientError as err:
            codes = {r.get("Code") for r in err.response.get("CancellationReasons", [])}
            if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
                return False
            raise
        return True


def _put(table: str, before: DelegationEntry, after: DelegationEntry) -> dict[str, Any]:
    # An entry never stored has version 0 and no item; a stored one, its version
    return {
        "Put": {
            "TableName": table,
            "Item": after.to_item(),
            "ConditionExpression": "attribute_not_exists(#k) OR #v = :v",
            "ExpressionAttributeNames": {"#k": KEY, "#v": "version"},
            "ExpressionAttributeValues": {":v": before.version},
        }
    }
