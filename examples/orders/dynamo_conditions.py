"""Conditions an outside process settles, as items in the `conditions` table (key order_id).

The item's life: `open` writes `pending`; the reviewer (scripts/set-condition.sh) turns it to
`cleared` or `failed`; a workflow that stops waiting turns it to `expired` with `close`. Every
change is conditional on `pending`, so exactly one of them wins and the others are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from botocore.retries.standard import (
    OrRetryChecker,
    RetryContext,
    ThrottledRetryableChecker,
    TransientRetryableChecker,
)

from examples.orders.ports import ConditionUnavailableError
from greenlight.aws.approval_store import is_condition_failure

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb.service_resource import Table

PENDING = "pending"
CLEARED = "cleared"
FAILED = "failed"
EXPIRED = "expired"

# botocore's own lists of throttling and transient errors (its "standard" retry mode), so a
# poll counts as failed-for-now exactly what botocore itself would have retried.
_TRANSIENT = OrRetryChecker([TransientRetryableChecker(), ThrottledRetryableChecker()])
_HTTP_TOO_MANY = 429
_HTTP_SERVER_ERROR = 500


def is_transient(error: Exception) -> bool:
    """Whether a later try of the same DynamoDB call may succeed (throttling, timeouts, 5xx)."""
    if isinstance(error, ClientError):
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        context = RetryContext(attempt_number=1, parsed_response=error.response)
        return (
            bool(_TRANSIENT.is_retryable(context))
            or status in (_HTTP_TOO_MANY,)
            or (status >= _HTTP_SERVER_ERROR)
        )
    return bool(_TRANSIENT.is_retryable(RetryContext(attempt_number=1, caught_exception=error)))


class DynamoConditions:
    """The Conditions port: `open` writes `pending` once; someone else writes the verdict."""

    def __init__(self, table: Table, clock: Callable[[], datetime] | None = None) -> None:
        self._table = table
        self._clock = clock or (lambda: datetime.now(UTC))

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
        """The current verdict (strongly consistent); a missing item counts as pending.

        Raises:
            ConditionUnavailableError: throttled, timed out or a 5xx, past botocore's retries.
        """
        try:
            item = self._table.get_item(Key={"order_id": order_id}, ConsistentRead=True).get("Item")
        except Exception as err:
            if is_transient(err):
                raise ConditionUnavailableError(_error_name(err)) from err
            raise
        return str(item["status"]) if item else PENDING

    def close(self, order_id: str, outcome: str) -> str:
        """Turn `pending` to `expired`; else return the verdict that won.

        A conditional PutItem of the item as read, so the function needs no more than the
        GetItem and PutItem it already has on this table (iac/permissions.py).
        """
        item = self._item(order_id) or {"order_id": order_id}
        if item.get("status", PENDING) != PENDING:
            return str(item["status"])
        closed = item | {
            "status": EXPIRED,
            "closed_at": self._clock().isoformat(timespec="seconds"),
            "outcome": outcome,
        }
        try:
            self._table.put_item(
                Item=closed,
                ConditionExpression="attribute_not_exists(order_id) OR #s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":pending": PENDING},
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise
            return str((self._item(order_id) or {}).get("status", PENDING))
        return EXPIRED

    def _item(self, order_id: str) -> dict[str, Any] | None:
        found = self._table.get_item(Key={"order_id": order_id}, ConsistentRead=True)
        return found.get("Item")


def _error_name(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "ClientError"))
    return type(error).__name__
