"""Approval records and their audit trail in DynamoDB, shared by the workflow and the webhook.

A vote is one conditional `UpdateItem` (`record_vote`): its condition is the authorization and
the count, so the click path reads nothing first, and a refusal returns the record that
refused it (`ReturnValuesOnConditionCheckFailure`) to say why without another read. A vote's
audit lines are written from the table's stream by the relay (`greenlight/webhook/relay.py`),
idempotently, so every counted vote gets its line exactly once even if the webhook dies.

Every other state change (the gate's reminders, escalation, callback rotation, expiry; the
operator's decision) is one transaction: the record's update, conditional on its status (only
pending may change) and version (so two writers that read the same record cannot both win),
together with the audit lines it produces. Nothing is half-written; a loser re-reads and tries
again.

The store speaks to DynamoDB's low-level client with typed values (`{"S": ...}`), serialized
and read here, not through boto3's resource layer: the resource layer is a second object model
over the same calls (boto3 loads its resource definitions when it is built, about 10 ms of a
cold start, and runs its transformation hooks on every call), and the click path needs none of
it. Values are typed as boto3's `TypeSerializer` types them (`typed`, tested against it), so
what is stored is what the resource layer stored.
"""

from __future__ import annotations

import random
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from greenlight.core.errors import NotFoundError
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.record_write import replace_update, update_pending
from greenlight.core.vote_write import WriteAnswer, count_vote
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_dynamodb import DynamoDBClient

    from greenlight.core.audit import AuditEvent
    from greenlight.core.conditional_write import ConditionalUpdate
    from greenlight.core.votes import Vote, VoteEffect

# Cancellation reasons that mean "nothing written, try again" (botocore's DynamoDB model,
# TransactionCanceledException); 8 retries with full jitter wait at most about 2 s in all.
TRANSIENT_CANCELLATIONS = {
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
}
MAX_TRANSIENT_RETRIES = 8
# A single write (a vote) refused for the same causes; botocore retries the throttles itself
# (standard mode, a few attempts) but not a conflict with a transaction on the item.
TRANSIENT_REFUSALS = {
    "TransactionConflictException",
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
}
STATUS_INDEX = "by_status"
_DESERIALIZE = TypeDeserializer()
_SERIALIZE = TypeSerializer()


class DynamoApprovalStore:
    """The `approvals` table (key approval_id, index by_status) and `audit` (approval_id, seq).

    `client` is a low-level DynamoDB client (`boto3.client("dynamodb")`), not a resource's
    `meta.client`: that one serializes values itself, and would serialize ours twice.
    """

    def __init__(self, client: DynamoDBClient, approvals_table: str, audit_table: str) -> None:
        self._client = client
        self._table = approvals_table
        self._audit = audit_table

    def create(self, record: ApprovalRecord) -> ApprovalRecord:
        """Store a new record and its `requested` audit line, once; return what is stored."""
        # The audit lines are built here (and in `audit_trail`), by the gate and the operator
        # tools: the webhook writes none (a vote's line comes from the table's stream), and its
        # cold start should not pay for their class.
        from greenlight.core.audit import requested_event  # noqa: PLC0415

        put = self._put(self._table, record.to_item(), "attribute_not_exists(approval_id)")
        if not self._transact([put, self._put(self._audit, requested_event(record).to_item())]):
            return self.get(record.approval_id)
        return record

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        """Record one more message the request was posted as: the first becomes the main one
        (`slack`), each is appended to `copies` (a record written before `copies` existed
        starts the list with its main message, as `ApprovalRecord.posted_as` reads it).

        Raises:
            NotFoundError: no record has this id.
        """
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_key(approval_id),
                UpdateExpression=(
                    "SET slack = if_not_exists(slack, :slack), "
                    "copies = list_append(if_not_exists(copies, :none), :copy)"
                ),
                ConditionExpression="attribute_exists(approval_id)",
                ExpressionAttributeValues=typed(
                    {
                        ":slack": message.to_dict(),
                        ":none": [],
                        ":copy": [message.to_dict()],
                    }
                ),
            )
        except ClientError as err:
            if is_condition_failure(err):
                raise NotFoundError(approval_id) from err
            raise

    def get(self, approval_id: str) -> ApprovalRecord:
        """Strongly consistent read.

        Raises:
            NotFoundError: no record has this id.
        """
        item = self._client.get_item(
            TableName=self._table, Key=_key(approval_id), ConsistentRead=True
        )
        if "Item" not in item:
            raise NotFoundError(approval_id)
        return ApprovalRecord.from_item(untyped(item["Item"]))

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        """Count `vote` with one conditional write, deciding the approval if it settles it.

        No read before: the write's condition is the authorization; the rules and the loop are
        the core's (`greenlight/core/vote_write.py`), this store sends the writes they build.

        Raises:
            NotFoundError, NotAuthorizedError, ConflictError: nothing was written.
        """
        return count_vote(self, approval_id, vote)

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        """Send one conditional `UpdateItem`; a refusal carries the item that refused it.

        A write DynamoDB refuses for contention or throttling wrote nothing: it is sent again
        after a short, jittered wait (botocore retries throttles a few times itself, but not a
        conflict with a transaction on the item).
        """
        for transient in range(MAX_TRANSIENT_RETRIES + 1):
            try:
                arguments = update.arguments()
                if "ExpressionAttributeValues" in arguments:  # left out when it names none
                    arguments["ExpressionAttributeValues"] = typed(
                        arguments["ExpressionAttributeValues"]
                    )
                answer = self._client.update_item(
                    TableName=self._table, Key=_key(approval_id), **arguments
                )
            except ClientError as err:
                code = err.response.get("Error", {}).get("Code")
                if code in TRANSIENT_REFUSALS and transient < MAX_TRANSIENT_RETRIES:
                    time.sleep(_backoff(transient))  # nothing was written: contention, not error
                    continue
                if not is_condition_failure(err):
                    raise
                return WriteAnswer(written=False, item=refused_item(err))
            return WriteAnswer(written=True, item=untyped(answer["Attributes"]))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def update(
        self,
        approval_id: str,
        change: Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None],
    ) -> ApprovalRecord:
        """Apply `change` to the pending record until it sticks; return the record as it stands.

        A record that is (or becomes) final is returned unchanged: whoever decided first wins.
        `change` returns None when there is nothing to do (`greenlight/core/record_write.py`).

        Raises:
            NotFoundError: no record has this id.
        """
        return update_pending(self, approval_id, change)

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        """Write `after` if the stored record is still pending at `before`'s version."""
        return self._transact(replace_items(self._table, self._audit, before, after, events))

    def note(self, event: AuditEvent) -> None:
        """Append an audit line that changes no state (e.g. a reminder); idempotent per seq."""
        self._client.put_item(TableName=self._audit, Item=typed(event.to_item()))

    def audit_trail(self, approval_id: str) -> list[AuditEvent]:
        """Every audit line of an approval, oldest first."""
        from greenlight.core.audit import AuditEvent  # noqa: PLC0415  # as in `create`

        events: list[AuditEvent] = []
        kwargs: dict[str, Any] = {
            "TableName": self._audit,
            "KeyConditionExpression": "approval_id = :id",
            "ExpressionAttributeValues": {":id": {"S": approval_id}},
        }
        while True:
            page = self._client.query(**kwargs)
            events.extend(AuditEvent.from_item(untyped(i)) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return events
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def pending(self) -> list[ApprovalRecord]:
        """Every pending approval, oldest first (the `by_status` index)."""
        records: list[ApprovalRecord] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},  # a reserved word
            "ExpressionAttributeValues": {":s": {"S": Status.PENDING.value}},
        }
        while True:
            page = self._client.query(**kwargs)
            records.extend(ApprovalRecord.from_item(untyped(i)) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                return records
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def recently_created_final(self, limit: int) -> list[ApprovalRecord]:
        """Up to `limit` final approvals of each final status, newest created first.

        One query of the `by_status` index per final status (approved, rejected, expired), each
        reading at most `limit` items: the App Home's "recently decided" costs three bounded
        queries however large the table grows. The index sorts by `created_at`, not by
        `decided_at`, so this is the most recently *created* final approvals; the caller sorts
        them by decision time.
        """
        records: list[ApprovalRecord] = []
        for status in (s for s in Status if s.is_final):
            page = self._client.query(
                TableName=self._table,
                IndexName=STATUS_INDEX,
                KeyConditionExpression="#s = :s",
                ExpressionAttributeNames={"#s": "status"},  # a reserved word
                ExpressionAttributeValues={":s": {"S": status.value}},
                ScanIndexForward=False,
                Limit=limit,
            )
            records.extend(ApprovalRecord.from_item(untyped(i)) for i in page["Items"])
        return records

    @staticmethod
    def _put(table: str, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": table, "Item": item}
        if condition:
            put["ConditionExpression"] = condition
        return {"Put": put}

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        """One all-or-nothing write; False if a condition failed (another writer won).

        DynamoDB also cancels a transaction that meets another on the same item
        (`TransactionConflict`) or is throttled; nothing was written, so it is sent again after
        a short, jittered wait: such a cancellation is contention, not an error, and must not
        cost a vote. `items` carry plain values; they are typed here.
        """
        typed_items = typed_transaction(items)
        for attempt in range(MAX_TRANSIENT_RETRIES + 1):
            try:
                self._client.transact_write_items(TransactItems=typed_items)  # type: ignore[arg-type]  # typed shapes built above
            except ClientError as err:
                codes = {r.get("Code") for r in err.response.get("CancellationReasons", [])}
                if "ConditionalCheckFailed" in codes:
                    return False
                if not codes & TRANSIENT_CANCELLATIONS or attempt == MAX_TRANSIENT_RETRIES:
                    raise
                time.sleep(_backoff(attempt))
            else:
                return True
        raise AssertionError("unreachable: the last attempt returns or raises")


def _backoff(attempt: int) -> float:
    """Full jitter, capped: 8 retries wait at most about 2 s in all."""
    return random.uniform(0, min(0.5, 0.02 * 2**attempt))  # noqa: S311  # jitter, not crypto


def replace_items(
    approvals_table: str,
    audit_table: str,
    before: ApprovalRecord,
    after: ApprovalRecord,
    events: list[AuditEvent],
) -> list[dict[str, Any]]:
    """The transaction that moves `before` to `after` with its audit lines (plain values).

    Conditional on the stored record being pending at `before`'s version, so the stored record
    is `before` and only what differs needs writing (a vote sends its votes and version, not the
    whole record). Shared with the operator's `decide.sh`, which sends the same transaction
    through the AWS CLI.
    """
    update = {
        "Update": {
            "TableName": approvals_table,
            "Key": {"approval_id": before.approval_id},
            **replace_update(before, after).arguments(in_transaction=True),
        }
    }
    puts = [{"Put": {"TableName": audit_table, "Item": e.to_item()}} for e in events]
    return [update, *puts]


class DynamoAuditLog:
    """The audit table as an append-only log: a line is written once and never overwritten."""

    def __init__(self, client: DynamoDBClient, audit_table: str) -> None:
        self._client = client
        self._audit = audit_table

    def append_once(self, event: AuditEvent) -> bool:
        """Put `event` unless its key (approval_id, seq) exists; False if it did."""
        try:
            self._client.put_item(
                TableName=self._audit,
                Item=typed(event.to_item()),
                ConditionExpression="attribute_not_exists(seq)",
            )
        except ClientError as err:
            if is_condition_failure(err):
                return False
            raise
        return True


def refused_item(err: ClientError) -> dict[str, Any] | None:
    """The item a conditional write was refused by (`ReturnValuesOnConditionCheckFailure`),
    as plain values; None when there was no item. Errors are not deserialized by boto3's
    resource layer, so this does it."""
    item: Any = err.response.get("Item")  # modeled on ConditionalCheckFailedException
    if not isinstance(item, dict) or not item:
        return None
    return untyped(item)


def _key(approval_id: str) -> dict[str, Any]:
    return {"approval_id": {"S": approval_id}}


def typed(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values to DynamoDB's typed ones, e.g. an item or `ExpressionAttributeValues`.

    What boto3's `TypeSerializer` (its resource layer's) makes of them: strings, whole numbers,
    booleans, None, lists and string-keyed dicts of them are typed in one pass here (that
    serializer's generic checks cost more than the rest of a vote's preparation); anything else
    (Decimal, bytes, sets, tuples, a float it refuses) goes to `TypeSerializer` itself.
    """
    return {k: _typed_value(v) for k, v in values.items()}


def _typed_value(value: Any) -> dict[str, Any]:
    write = _WRITERS.get(type(value))
    if write is None:
        typed_value: dict[str, Any] = _SERIALIZE.serialize(value)  # type: ignore[assignment]  # the same shape
        return typed_value
    return write(value)


def typed_transaction(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`TransactItems` with plain values (`replace_items`, `_put`) typed for the client."""
    out = []
    for item in items:
        ((kind, action),) = item.items()
        action = dict(action)
        for key in ("Key", "Item", "ExpressionAttributeValues"):
            if key in action:
                action[key] = typed(action[key])
        out.append({kind: action})
    return out


def untyped(item: dict[str, Any]) -> dict[str, Any]:
    """A typed item as the domain's plain values: what `plain` makes of boto3's
    `TypeDeserializer`, in one pass (numbers as ints, in number sets too)."""
    return {k: _untyped_value(v) for k, v in item.items()}


def _untyped_value(value: dict[str, Any]) -> Any:
    ((tag, inner),) = value.items()
    if tag == "S":  # the common case first
        return inner
    read = _READERS.get(tag)
    if read is None:  # binary: boto3's Binary, as `TypeDeserializer` gives it
        return plain(_DESERIALIZE.deserialize(value))  # type: ignore[arg-type]  # a typed value
    return read(inner)


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # "1.5", "1E+2": as `plain` makes of the Decimal
        return int(Decimal(text))


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


_READERS: dict[str, Callable[[Any], Any]] = {
    "M": lambda inner: {k: _untyped_value(v) for k, v in inner.items()},
    "L": lambda inner: [_untyped_value(v) for v in inner],
    "N": _number,
    "BOOL": bool,
    "NULL": lambda _: None,
    "SS": set,
    "NS": lambda inner: {_number(n) for n in inner},
}

_WRITERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    str: lambda v: {"S": v},
    int: lambda v: {"N": str(v)},
    bool: lambda v: {"BOOL": v},
    type(None): lambda _: {"NULL": True},
    dict: lambda v: {"M": {k: _typed_value(x) for k, x in v.items()}},
    list: lambda v: {"L": [_typed_value(x) for x in v]},
}
