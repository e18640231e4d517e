"""Reservations (inventory, later shipping slots) as conditional writes keyed by order id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from greenlight.aws.approval_store import is_condition_failure, plain

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table


class DynamoReservations:
    """The Reservations port over the `reservations` table (key `reservation_id`)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def reserve(self, kind: str, order_id: str, details: dict[str, Any]) -> dict[str, Any]:
        """Hold `kind` for the order once; a retried or replayed step gets the first hold back."""
        item: dict[str, Any] = {
            "reservation_id": f"{kind}#{order_id}",
            "kind": kind,
            "order_id": order_id,
            "status": "held",
            "details": details,
        }
        try:
            self._table.put_item(
                Item=item, ConditionExpression="attribute_not_exists(reservation_id)"
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise
            stored = self._table.get_item(Key={"reservation_id": item["reservation_id"]})
            return dict(plain(stored["Item"]))
        return item

    def release(self, kind: str, order_id: str) -> bool:
        """Release the hold once; True if it is released (by this call or an earlier one, as
        when a retry follows a release whose answer was lost), False if it was never held."""
        key = {"reservation_id": f"{kind}#{order_id}"}
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression="SET #s = :released",
                ConditionExpression="#s = :held",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":released": "released", ":held": "held"},
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise
            stored = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
            return stored is not None and stored.get("status") == "released"
        return True
