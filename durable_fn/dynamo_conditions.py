"""Conditions an outside process settles, as items in the `conditions` table (key order_id)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from adapters.dynamo_approvals import is_condition_failure

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

PENDING = "pending"
CLEARED = "cleared"
FAILED = "failed"


class DynamoConditions:
    """The Conditions port: `open` writes `pending` once; someone else writes the verdict."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def open(self, order_id: str, kind: str) -> None:
        """Create the pending item unless it exists (a retried step, or already settled)."""
        try:
            self._table.put_item(
                Item={"order_id": order_id, "kind": kind, "status": PENDING},
                ConditionExpression="attribute_not_exists(order_id)",
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise

    def status(self, order_id: str) -> str:
        """The current verdict (strongly consistent); a missing item counts as pending."""
        item = self._table.get_item(Key={"order_id": order_id}, ConsistentRead=True).get("Item")
        return str(item["status"]) if item else PENDING
