"""Writes DynamoDB refuses for contention or throttling wrote nothing: the DynamoDB store sends
them again, a bounded number of times, and an error that is not contention is never taken for
a refusal.

Only the DynamoDB store meets these (the in-memory one has no contention). The local DynamoDB
refuses the next writes on request (`POST /_faults`, `localdev/dynamodb_server.py`) with the
errors botocore's DynamoDB model lists: a single `UpdateItem` (a vote) with
`TransactionConflictException` ("Operation was rejected because there is an ongoing
transaction for the item"), a `TransactWriteItems` (every other change) with
`TransactionCanceledException` whose reason is `TransactionConflict` or `ThrottlingError`.
botocore retries throttling itself, not a conflict, so conflicts are what these tests send.
"""

from __future__ import annotations

import json
import types
import urllib.request
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from greenlight.aws import approval_store
from greenlight.aws.approval_store import MAX_TRANSIENT_RETRIES
from greenlight.core.conditional_write import Add, ConditionalUpdate
from greenlight.core.errors import NotFoundError
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from localdev.dynamodb_server import FAULTS
from tests.contract.store.conftest import DynamoSubject, new_record, posted

if TYPE_CHECKING:
    from collections.abc import Iterator

AT = "2026-11-22T12:01:00+00:00"


def faults(endpoint: str, **counts: int) -> dict[str, int]:
    """Queue refusals of the next writes (none: just read what is still queued)."""
    request = urllib.request.Request(  # the loopback local DynamoDB
        f"{endpoint}/_faults",
        data=json.dumps(counts).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # loopback
        pending: dict[str, int] = json.loads(answer.read())["pending"]
        return pending


@pytest.fixture
def dynamo(local_dynamodb: str) -> Iterator[DynamoSubject]:
    subject = DynamoSubject(local_dynamodb)
    yield subject
    # Every queued refusal was met by the test's own writes; if a test failed before, the
    # rest are dropped (the server runs in this process) so none leaks into the next test
    left = faults(local_dynamodb)
    FAULTS.pending = dict.fromkeys(FAULTS.pending, 0)
    assert left == {"transaction_conflicts": 0, "throttles": 0}


def test_a_vote_refused_for_a_conflicting_transaction_is_sent_again_and_counted(
    dynamo: DynamoSubject, local_dynamodb: str
) -> None:
    # Given a 1-of-3 approval, and DynamoDB about to refuse the next vote writes as it does
    # while a transaction holds the item
    record = posted(dynamo.store)
    faults(local_dynamodb, transaction_conflicts=3)

    # When Bob approves
    after, effect = dynamo.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))

    # Then his vote is counted once and decides, as without the refusals
    assert (effect, after.status, after.decided_by) == (
        VoteEffect.DECIDED,
        Status.APPROVED,
        ("U0BOB",),
    )
    stored = dynamo.store.get(record.approval_id)
    assert [v.user_id for v in stored.votes] == ["U0BOB"]
    assert stored.version == record.version + 1


def test_a_vote_refused_more_often_than_the_retries_is_an_error_and_writes_nothing(
    dynamo: DynamoSubject, local_dynamodb: str
) -> None:
    # Given DynamoDB refusing every attempt of the next vote (the first and every retry)
    record = posted(dynamo.store)
    faults(local_dynamodb, transaction_conflicts=MAX_TRANSIENT_RETRIES + 1)

    # When Bob approves, the store gives up with DynamoDB's own error: not "no such approval",
    # not a refusal read as "already voted", and not an endless loop
    with pytest.raises(ClientError) as refused:
        dynamo.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))
    assert refused.value.response["Error"]["Code"] == "TransactionConflictException"

    # And nothing was written: his next click counts
    assert dynamo.store.get(record.approval_id) == record
    _, effect = dynamo.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))
    assert effect is VoteEffect.DECIDED


def test_a_write_dynamodb_finds_invalid_is_an_error_not_a_refusal(dynamo: DynamoSubject) -> None:
    # Given a stored approval, and an update DynamoDB cannot apply (adding to a string)
    record = posted(dynamo.store)
    invalid = ConditionalUpdate((), (Add(("status",), 1),))

    # Then the store raises DynamoDB's ValidationException, never answers "refused"
    with pytest.raises(ClientError) as refused:
        dynamo.store.write_if(record.approval_id, invalid)
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert dynamo.store.get(record.approval_id) == record


@pytest.mark.parametrize("fault", ["transaction_conflicts", "throttles"])
def test_a_change_cancelled_for_contention_or_throttling_is_sent_again(
    dynamo: DynamoSubject, local_dynamodb: str, fault: str
) -> None:
    # Given a new approval, and DynamoDB about to cancel the next transactions
    record = new_record()
    faults(local_dynamodb, **{fault: 2})

    # When the gate stores it, then expires it (both are transactions)
    dynamo.store.create(record)
    faults(local_dynamodb, **{fault: 2})
    expired = dynamo.store.update(record.approval_id, lambda r: (r.expired(AT), []))

    # Then both were written, once
    assert expired.status is Status.EXPIRED
    assert dynamo.store.get(record.approval_id) == expired
    assert [e.kind.value for e in dynamo.store.audit_trail(record.approval_id)] == ["requested"]


def test_a_change_cancelled_more_often_than_the_retries_is_an_error_and_writes_nothing(
    dynamo: DynamoSubject, local_dynamodb: str
) -> None:
    # Given DynamoDB cancelling every attempt of the next transaction
    record = new_record()
    faults(local_dynamodb, transaction_conflicts=MAX_TRANSIENT_RETRIES + 1)

    # When the gate stores the approval, the store gives up with DynamoDB's error
    with pytest.raises(ClientError) as cancelled:
        dynamo.store.create(record)
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"

    # And nothing was written, neither the record nor its audit line
    with pytest.raises(NotFoundError):
        dynamo.store.get(record.approval_id)
    assert dynamo.store.audit_trail(record.approval_id) == []


def test_the_retries_wait_a_jittered_while_at_most_about_two_seconds_in_all(
    dynamo: DynamoSubject, local_dynamodb: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given every wait the store takes recorded (and each the longest its jitter allows)
    waits: list[float] = []
    monkeypatch.setattr(approval_store, "time", types.SimpleNamespace(sleep=waits.append))
    monkeypatch.setattr(approval_store, "random", types.SimpleNamespace(uniform=lambda _, b: b))
    record = posted(dynamo.store)
    faults(local_dynamodb, transaction_conflicts=MAX_TRANSIENT_RETRIES)

    # When a vote is refused on every attempt but its last
    dynamo.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))

    # Then it waited before each retry, longer each time up to a cap, about 2 s in all at most
    assert len(waits) == MAX_TRANSIENT_RETRIES
    assert all(0 < w <= 0.5 for w in waits)
    assert waits == sorted(waits)
    assert sum(waits) <= 2.2
