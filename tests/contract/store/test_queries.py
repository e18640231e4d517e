"""The store's reads of many items: every pending approval, an approval's whole audit trail
(however many pages DynamoDB answers them in), and the recently decided ones of each final
status; and the audit log's "written once" for the relay.

DynamoDB answers a query in pages of at most 1 MB ("A single Query operation will read up to
the maximum number of items set (if using the Limit parameter) or a maximum of 1 MB of data",
Query API reference) and says there is more with `LastEvaluatedKey`. A test cannot store 1 MB
cheaply, so the local DynamoDB (moto, in this process) is given a smaller page for these tests:
moto's own `RESULT_SIZE_LIMIT`, the constant it pages by.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest
from moto.dynamodb.models import table as moto_table

from greenlight.aws.approval_store import DynamoAuditLog
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.votes import Status, Verdict, Vote
from tests.contract.store.conftest import DynamoSubject, _session, new_record

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.contract.store.conftest import Subject

VOTED = "2026-11-22T13:00:00+00:00"
PAGE = 4000  # bytes: a few records, a few dozen audit lines


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_table, "RESULT_SIZE_LIMIT", PAGE)


def created(subject: Subject, n: int, status: Status = Status.PENDING) -> ApprovalRecord:
    """An approval created at minute `n` of the hour, then decided as `status` says."""
    record = new_record(created_at=f"2026-11-22T12:{n:02d}:00+00:00")
    subject.store.create(record)
    if status is Status.APPROVED:
        return subject.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, VOTED))[
            0
        ]
    if status is Status.REJECTED:
        reject = Vote("U0BOB", Verdict.REJECT, VOTED, "no budget")
        return subject.store.record_vote(record.approval_id, reject)[0]
    if status is Status.EXPIRED:
        return subject.store.update(record.approval_id, lambda r: (r.expired(VOTED), []))
    return record


def test_every_pending_approval_is_read_whatever_the_pages(
    subject: Subject, local_dynamodb: str
) -> None:
    # Given more pending approvals than one page holds, and a decided one
    waiting = [created(subject, n) for n in (5, 1, 4, 2, 3, 7, 6, 8)]
    created(subject, 9, Status.APPROVED)
    if isinstance(subject, DynamoSubject):  # the pages are real: DynamoDB says there is more
        client = _session().client("dynamodb", endpoint_url=local_dynamodb)
        page = client.query(  # the store's query, its first page
            TableName=subject.tables["approvals"],
            IndexName="by_status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "pending"}},
        )
        assert "LastEvaluatedKey" in page

    # Then all of them are read, oldest first, and only they
    assert subject.store.pending() == sorted(waiting, key=lambda r: r.created_at)


def test_an_approvals_whole_audit_trail_is_read_whatever_the_pages(subject: Subject) -> None:
    # Given an approval with more audit lines than one page holds
    record = created(subject, 0)
    for minute in range(40):
        at = f"2026-11-22T12:{minute:02d}:30+00:00"
        subject.store.note(AuditEvent(record.approval_id, AuditKind.REMINDED, at))

    trail = subject.store.audit_trail(record.approval_id)

    # Then every line is read, in order
    assert [e.kind for e in trail] == [AuditKind.REQUESTED] + [AuditKind.REMINDED] * 40
    assert [e.at for e in trail] == sorted(e.at for e in trail)


def test_the_recently_decided_are_the_newest_created_of_each_final_status(
    subject: Subject,
) -> None:
    # Given two approvals of each final status, created at distinct minutes, and one pending
    minutes = itertools.count(1)
    final = {
        s: [created(subject, next(minutes), s) for _ in range(2)] for s in Status if s.is_final
    }
    created(subject, next(minutes))

    # Then a limit of one reads the newest created of each final status, and a larger limit
    # every final approval, never the pending one
    newest = subject.store.recently_created_final(1)
    assert sorted(r.approval_id for r in newest) == sorted(f[1].approval_id for f in final.values())
    everything = subject.store.recently_created_final(5)
    assert sorted(r.approval_id for r in everything) == sorted(
        r.approval_id for records in final.values() for r in records
    )
    assert {r.status for r in everything} == {Status.APPROVED, Status.REJECTED, Status.EXPIRED}


def test_an_audit_line_is_written_once_and_never_overwritten(local_dynamodb: str) -> None:
    # Given the relay's audit log, and a line it appended
    subject = DynamoSubject(local_dynamodb)
    log = DynamoAuditLog(
        _session().client("dynamodb", endpoint_url=local_dynamodb), subject.tables["audit"]
    )
    line = AuditEvent("contract-audit-once", AuditKind.VOTED, VOTED, "U0BOB", detail="approve")
    assert log.append_once(line)

    # When the same line (its key: approval, seq) comes again, even with other content
    assert not log.append_once(line)
    assert not log.append_once(replace(line, detail="changed"))

    # Then the first stays as written
    assert subject.store.audit_trail("contract-audit-once") == [line]
