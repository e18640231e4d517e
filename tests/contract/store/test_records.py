"""The store's contract for records: create once, read back, change only while pending and only
over the version read, all or nothing; audit lines keyed so that a line is written once."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import NotFoundError
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Status, Verdict, Vote
from tests.contract.store.conftest import (
    AT,
    MESSAGE,
    DynamoSubject,
    _session,
    new_record,
    posted,
)

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.contract.store.conftest import Subject

LATER = "2026-11-22T12:05:00+00:00"
UNKNOWN = "contract" + "9" * 14


def test_a_created_record_reads_back_as_written_with_its_requested_line(
    subject: Subject,
) -> None:
    record = new_record(quorum=2)

    assert subject.store.create(record) == record

    assert subject.store.get(record.approval_id) == record
    assert subject.trail(record.approval_id) == [
        AuditEvent(
            record.approval_id,
            AuditKind.REQUESTED,
            AT,
            "U0ALICE",
            detail="1,250.00 EUR, quorum 2",
        )
    ]


def test_creating_again_keeps_the_first_record_and_its_one_line(subject: Subject) -> None:
    # Given a record stored and posted (a retried step would create it again)
    record = posted(subject.store)

    # When the same approval is created again, with another callback
    again = subject.store.create(replace(record, callback_id="cb-other", slack=None, version=0))

    # Then the stored record wins, message and all, and it was requested once
    assert again == record
    assert subject.store.get(record.approval_id) == record
    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_an_unknown_approval_is_not_found_and_nothing_is_created(subject: Subject) -> None:
    store = subject.store
    with pytest.raises(NotFoundError):
        store.get(UNKNOWN)
    with pytest.raises(NotFoundError):
        store.attach_message(UNKNOWN, MESSAGE)
    with pytest.raises(NotFoundError):
        store.update(UNKNOWN, lambda r: (r.with_callback("cb-2"), []))
    with pytest.raises(NotFoundError):
        store.record_vote(UNKNOWN, Vote("U0BOB", Verdict.APPROVE, AT))

    with pytest.raises(NotFoundError):
        store.get(UNKNOWN)
    assert store.pending() == []
    assert subject.trail(UNKNOWN) == []


def test_the_posted_message_is_attached_without_moving_the_version(subject: Subject) -> None:
    record = new_record()
    subject.store.create(record)

    subject.store.attach_message(record.approval_id, MESSAGE)

    stored = subject.store.get(record.approval_id)
    assert (stored.slack, stored.version) == (MESSAGE, record.version)


def test_every_copy_is_kept_in_the_order_posted_the_first_the_main_one(subject: Subject) -> None:
    record = new_record()
    subject.store.create(record)
    dm_bob = SlackMessage("D0BOB", "1700000000.000002", recipient="U0BOB")
    dm_carol = SlackMessage("D0CAROL", "1700000000.000003", recipient="U0CAROL")

    for message in (MESSAGE, dm_bob, dm_carol):
        subject.store.attach_message(record.approval_id, message)

    stored = subject.store.get(record.approval_id)
    assert stored.slack == MESSAGE
    assert stored.posted_as() == (MESSAGE, dm_bob, dm_carol)
    assert stored.dm_recipients() == {"U0BOB", "U0CAROL"}


def test_an_update_writes_the_change_and_its_lines_together(subject: Subject) -> None:
    record = posted(subject.store)
    line = AuditEvent(record.approval_id, AuditKind.ESCALATED, LATER, detail="added U0ZED")

    after = subject.store.update(
        record.approval_id, lambda r: (r.escalated(frozenset({"U0ZED"})), [line])
    )

    assert after == record.escalated(frozenset({"U0ZED"}))
    assert subject.store.get(record.approval_id) == after
    assert after.version == record.version + 1
    assert [e.kind for e in subject.trail(record.approval_id)] == [
        AuditKind.REQUESTED,
        AuditKind.ESCALATED,
    ]


def test_an_update_with_nothing_to_do_changes_nothing(subject: Subject) -> None:
    record = posted(subject.store)

    assert subject.store.update(record.approval_id, lambda r: None) == record

    assert subject.store.get(record.approval_id) == record
    assert len(subject.trail(record.approval_id)) == 1


def test_a_final_record_is_returned_as_it_stands_and_not_changed(subject: Subject) -> None:
    # Given an approval Bob decided
    record = posted(subject.store)
    decided, _ = subject.store.record_vote(
        record.approval_id, Vote("U0BOB", Verdict.APPROVE, LATER)
    )
    asked: list[ApprovalRecord] = []

    def expire(r: ApprovalRecord) -> tuple[ApprovalRecord, list[AuditEvent]]:
        asked.append(r)
        return r.expired(LATER), [AuditEvent(r.approval_id, AuditKind.EXPIRED, LATER)]

    # When the gate's expiry comes late, Then the decision stands and expiry is not even tried
    assert subject.store.update(record.approval_id, expire) == decided
    assert asked == []
    assert subject.store.get(record.approval_id) == decided
    assert AuditKind.EXPIRED not in [e.kind for e in subject.trail(record.approval_id)]


def test_a_change_that_does_not_move_the_version_is_refused(subject: Subject) -> None:
    record = posted(subject.store)

    with pytest.raises(ValueError, match="version"):
        subject.store.update(record.approval_id, lambda r: (replace(r, callback_id="cb-2"), []))

    assert subject.store.get(record.approval_id) == record


def test_a_replace_over_a_stale_version_writes_nothing_not_even_its_lines(
    subject: Subject,
) -> None:
    # Given a record read, then changed by someone else
    record = posted(subject.store)
    subject.store.update(record.approval_id, lambda r: (r.with_callback("cb-2"), []))
    line = AuditEvent(record.approval_id, AuditKind.EXPIRED, LATER)

    # When a writer replaces the record it read
    written = subject.store.replace(record, record.expired(LATER), [line])

    # Then nothing of it was written
    assert written is False
    stored = subject.store.get(record.approval_id)
    assert (stored.status, stored.callback_id) == (Status.PENDING, "cb-2")
    assert [e.kind for e in subject.trail(record.approval_id)] == [AuditKind.REQUESTED]


def test_a_replace_writes_only_what_changed_and_keeps_what_was_set_since(
    subject: Subject,
) -> None:
    # Given a record read before its message was attached (attaching moves no version)
    record = new_record()
    subject.store.create(record)
    subject.store.attach_message(record.approval_id, MESSAGE)

    # When a change made from the old read is written
    assert subject.store.replace(record, record.with_callback("cb-2"), [])

    # Then the message attached in between is still there
    stored = subject.store.get(record.approval_id)
    assert (stored.callback_id, stored.slack) == ("cb-2", MESSAGE)


def test_a_note_is_one_line_however_often_it_is_written(subject: Subject) -> None:
    # An approval that never had a record (decided without people) still has a trail
    line = AuditEvent(UNKNOWN, AuditKind.AUTO_APPROVED, AT, "U0ALICE", "below the threshold")

    subject.store.note(line)
    subject.store.note(line)

    assert subject.trail(UNKNOWN) == [line]


def test_the_trail_is_oldest_first_and_holds_only_its_approval(subject: Subject) -> None:
    record = posted(subject.store)
    other = posted(subject.store)
    late = AuditEvent(record.approval_id, AuditKind.REMINDED, "2026-11-22T13:00:00+00:00")
    early = AuditEvent(record.approval_id, AuditKind.REMINDED, "2026-11-22T12:30:00+00:00")
    subject.store.note(late)
    subject.store.note(early)
    subject.store.note(AuditEvent(other.approval_id, AuditKind.REMINDED, LATER))

    trail = subject.trail(record.approval_id)

    assert [e.at for e in trail] == [AT, early.at, late.at]
    assert {e.approval_id for e in trail} == {record.approval_id}


def test_pending_lists_undecided_approvals_oldest_first(subject: Subject) -> None:
    store = subject.store
    newest = posted(store, created_at="2026-11-22T12:03:00+00:00")
    oldest = posted(store, created_at="2026-11-22T12:01:00+00:00")
    decided = posted(store, created_at="2026-11-22T12:02:00+00:00")
    expired = posted(store, created_at="2026-11-22T12:00:30+00:00")
    store.record_vote(decided.approval_id, Vote("U0BOB", Verdict.APPROVE, LATER))
    store.update(expired.approval_id, lambda r: (r.expired(LATER), []))

    assert [r.approval_id for r in store.pending()] == [oldest.approval_id, newest.approval_id]


def test_the_dynamodb_store_reads_a_record_strongly_consistent(local_dynamodb: str) -> None:
    # A vote, a rotation or an expiry read the record they change: an eventually consistent
    # read may miss the last write (the local DynamoDB is always consistent, so the request
    # itself is looked at, as botocore's event system hands it over before it is sent)
    tables = DynamoSubject(local_dynamodb).tables
    client = _session().client("dynamodb", endpoint_url=local_dynamodb)
    store = DynamoApprovalStore(client, tables["approvals"], tables["audit"])
    record = posted(store)
    sent: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.dynamodb.GetItem", lambda params, **_: sent.append(dict(params))
    )

    store.get(record.approval_id)

    assert [p.get("ConsistentRead") for p in sent] == [True]
