"""Approval records in DynamoDB, shared by the workflow and the webhook.

Every write that changes state is conditional: on the status (only pending may change) and, for
votes, on the record's version, so two votes that read the same record cannot both count as
the last one needed; the loser re-reads and tries again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from approvals.errors import ConflictError, NotFoundError
from approvals.record import ApprovalRecord, SlackMessage
from approvals.votes import Status

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

    from approvals.votes import Vote

MAX_VOTE_ATTEMPTS = 64  # far above any realistic approver count; bounds the optimistic loop


class DynamoApprovalStore:
    """The `approvals` table (key `approval_id`)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, record: ApprovalRecord) -> ApprovalRecord:
        """Put the record unless one with this id exists; return what is stored."""
        try:
            self._table.put_item(
                Item=record.to_item(), ConditionExpression="attribute_not_exists(approval_id)"
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise
            return self.get(record.approval_id)
        return record

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        """Record the message's channel and ts on an existing record."""
        self._table.update_item(
            Key={"approval_id": approval_id},
            UpdateExpression="SET slack = :slack",
            ConditionExpression="attribute_exists(approval_id)",
            ExpressionAttributeValues={":slack": {"channel": message.channel, "ts": message.ts}},
        )

    def get(self, approval_id: str) -> ApprovalRecord:
        """Strongly consistent read.

        Raises:
            NotFoundError: no record has this id.
        """
        item = self._table.get_item(Key={"approval_id": approval_id}, ConsistentRead=True)
        if "Item" not in item:
            raise NotFoundError(approval_id)
        return ApprovalRecord.from_item(plain(item["Item"]))

    def record_vote(self, record: ApprovalRecord, vote: Vote) -> tuple[ApprovalRecord, bool]:
        """Add `vote` to the record, deciding it if the vote settles it.

        Returns the record as stored after the vote, and whether this call decided it.

        Raises:
            ConflictError: the approval was decided or expired before this vote counted.
        """
        current = record
        for _ in range(MAX_VOTE_ATTEMPTS):
            if current.status.is_final:
                raise ConflictError(current.approval_id, current.status.value)
            if current.vote_of(vote.user_id):
                return current, False  # a double click or a Slack retry: already counted
            after = current.with_vote(vote)
            if self._write_vote(current, after, vote):
                return after, after.status.is_final
            current = self.get(record.approval_id)
        raise ConflictError(record.approval_id, "contended")

    def expire(self, approval_id: str, at: str) -> ApprovalRecord:
        """Flip pending → expired; if someone decided first, their decision stands."""
        try:
            result = self._table.update_item(
                Key={"approval_id": approval_id},
                UpdateExpression="SET #s = :expired, decided_at = :at, reason = :why",
                ConditionExpression="#s = :pending",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":expired": Status.EXPIRED.value,
                    ":pending": Status.PENDING.value,
                    ":at": at,
                    ":why": "no decision in time",
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as err:
            if not is_condition_failure(err):
                raise
            return self.get(approval_id)
        return ApprovalRecord.from_item(plain(result["Attributes"]))

    def _write_vote(self, before: ApprovalRecord, after: ApprovalRecord, vote: Vote) -> bool:
        updates = ["votes.#u = :vote", "version = :next"]
        values: dict[str, Any] = {
            ":vote": after.to_item()["votes"][vote.user_id],
            ":next": after.version,
            ":seen": before.version,
            ":pending": Status.PENDING.value,
        }
        if after.status.is_final:
            updates += ["#s = :status", "decided_by = :by", "decided_at = :at"]
            values |= {
                ":status": after.status.value,
                ":by": list(after.decided_by),
                ":at": after.decided_at,
            }
            if after.reason:
                updates.append("reason = :reason")
                values[":reason"] = after.reason
        try:
            self._table.update_item(
                Key={"approval_id": before.approval_id},
                UpdateExpression="SET " + ", ".join(updates),
                ConditionExpression="#s = :pending AND version = :seen",
                ExpressionAttributeNames={"#s": "status", "#u": vote.user_id},
                ExpressionAttributeValues=values,
            )
        except ClientError as err:
            if is_condition_failure(err):
                return False
            raise
        return True


def is_condition_failure(err: ClientError) -> bool:
    """True when a conditional write lost to another writer."""
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def plain(item: Any) -> Any:
    """DynamoDB numbers arrive as Decimal; the domain wants plain ints."""
    if isinstance(item, dict):
        return {k: plain(v) for k, v in item.items()}
    if isinstance(item, list):
        return [plain(v) for v in item]
    if isinstance(item, Decimal):
        return int(item)
    return item
