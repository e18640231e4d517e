"""An approval store in memory that keeps the DynamoDB store's contract, for users' own tests.

It holds the same plain items the DynamoDB store writes (`ApprovalRecord.to_item`) and changes
them by the same rules, taken from the core rather than restated: a vote is the core's
`ConditionalUpdate` (`greenlight/core/vote_write.py`) evaluated on the item, sent by the same
loop (`count_vote`) the DynamoDB store uses; every other change is the core's version-conditional
replace (`greenlight/core/record_write.py`). Its audit trail is the one production ends with:
the `requested` line with the record and each change's lines with it (the DynamoDB
transaction's), and every vote's lines derived from the record before and after each change
by `greenlight/core/vote_audit.py`, written once per key, as the stream relay writes them.
Lines share DynamoDB's key (approval id, `seq`): a line written twice is one line.

Every operation holds one lock, so threads racing on it see the one-write-at-a-time
atomicity DynamoDB gives a conditional write. `tests/contract/store/` runs one suite against
this store and the DynamoDB one.
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING, Any

from greenlight.core.audit import AuditEvent, requested_event
from greenlight.core.errors import NotFoundError
from greenlight.core.record import ApprovalRecord
from greenlight.core.record_write import replace_update, update_pending
from greenlight.core.vote_audit import vote_lines
from greenlight.core.vote_write import WriteAnswer, count_vote
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.conditional_write import ConditionalUpdate
    from greenlight.core.record import SlackMessage
    from greenlight.core.votes import Vote, VoteEffect


class InMemoryApprovalStore:
    """Approval records and their audit trail, with the DynamoDB store's semantics."""

    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._audit: dict[tuple[str, str], AuditEvent] = {}
        self._lock = threading.Lock()

    def create(self, record: ApprovalRecord) -> ApprovalRecord:
        """Store a new record and its `requested` audit line, once; return what is stored."""
        with self._lock:
            stored = self._items.get(record.approval_id)
            if stored is not None:
                return ApprovalRecord.from_item(copy.deepcopy(stored))
            self._write(record.approval_id, None, record.to_item())
            self._put(requested_event(record))
            return record

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        """Record one more message the request was posted as (the version does not move).

        Raises:
            NotFoundError: no record has this id.
        """
        with self._lock:
            stored = self._existing(approval_id)
            record = ApprovalRecord.from_item(copy.deepcopy(stored)).with_message(message)
            after = copy.deepcopy(stored)
            after["slack"] = record.to_item()["slack"]
            after["copies"] = record.to_item()["copies"]
            self._write(approval_id, stored, after)

    def get(self, approval_id: str) -> ApprovalRecord:
        """The stored record.

        Raises:
            NotFoundError: no record has this id.
        """
        with self._lock:
            return ApprovalRecord.from_item(copy.deepcopy(self._existing(approval_id)))

    def _existing(self, approval_id: str) -> dict[str, Any]:
        """The stored item (the caller holds the lock).

        Raises:
            NotFoundError: no record has this id.
        """
        stored = self._items.get(approval_id)
        if stored is None:
            raise NotFoundError(approval_id)
        return stored

    def record_vote(self, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
        """Count `vote` by the core's rules, deciding the approval if it settles it.

        Raises:
            NotFoundError, NotAuthorizedError, ConflictError: nothing was written.
        """
        return count_vote(self, approval_id, vote)

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        """Apply `update` to the stored item if its conditions hold (one `UpdateItem`)."""
        with self._lock:
            stored = self._items.get(approval_id)
            after = update.apply(stored, {"approval_id": approval_id})
            if after is None:
                return WriteAnswer(written=False, item=copy.deepcopy(stored))
            self._write(approval_id, stored, after)
            return WriteAnswer(written=True, item=copy.deepcopy(after))

    def update(
        self,
        approval_id: str,
        change: Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None],
    ) -> ApprovalRecord:
        """Apply `change` to the pending record until it sticks; return the record as it stands.

        Raises:
            NotFoundError: no record has this id.
        """
        return update_pending(self, approval_id, change)

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        """Write `after` and `events` if the stored record is still pending at `before`'s
        version (one transaction); False if it is not.

        Raises:
            ValueError: `after` does not move the version.
        """
        update = replace_update(before, after)
        with self._lock:
            stored = self._items.get(before.approval_id)
            written = update.apply(stored, {"approval_id": before.approval_id})
            if written is None:
                return False
            self._write(before.approval_id, stored, written)
            for event in events:
                self._put(event)
            return True

    def note(self, event: AuditEvent) -> None:
        """Append an audit line that changes no state; the same line twice is one line."""
        with self._lock:
            self._put(event)

    def audit_trail(self, approval_id: str) -> list[AuditEvent]:
        """Every audit line of an approval, in key order (`seq`: oldest first)."""
        with self._lock:
            return [e for (a, _), e in sorted(self._audit.items()) if a == approval_id]

    def pending(self) -> list[ApprovalRecord]:
        """Every pending approval, oldest first."""
        with self._lock:
            items = [i for i in self._items.values() if i.get("status") == Status.PENDING.value]
            items.sort(key=lambda i: (str(i["created_at"]), str(i["approval_id"])))
            return [ApprovalRecord.from_item(copy.deepcopy(i)) for i in items]

    def recently_created_final(self, limit: int) -> list[ApprovalRecord]:
        """Up to `limit` final approvals of each final status, newest created first (what the
        DynamoDB store reads from its `by_status` index)."""
        with self._lock:
            final = [i for i in self._items.values() if i.get("status") != Status.PENDING.value]
        found: list[ApprovalRecord] = []
        for status in (s for s in Status if s.is_final):
            items = [i for i in final if i.get("status") == status.value]
            items.sort(key=lambda i: (str(i["created_at"]), str(i["approval_id"])), reverse=True)
            found += [ApprovalRecord.from_item(copy.deepcopy(i)) for i in items[:limit]]
        return found

    @property
    def records(self) -> dict[str, ApprovalRecord]:
        """Every stored record by id (for assertions)."""
        with self._lock:
            return {k: ApprovalRecord.from_item(copy.deepcopy(v)) for k, v in self._items.items()}

    @property
    def audit(self) -> list[AuditEvent]:
        """Every audit line of every approval, by approval id, then oldest first."""
        with self._lock:
            return [e for _, e in sorted(self._audit.items())]

    def only(self) -> ApprovalRecord:
        """The single record a one-approval test created.

        Raises:
            ValueError: there is not exactly one.
        """
        (record,) = self.records.values()
        return record

    def _write(
        self, approval_id: str, before: dict[str, Any] | None, after: dict[str, Any]
    ) -> None:
        """Store `after` and write the audit lines the stream relay derives from the change."""
        self._items[approval_id] = after
        old = ApprovalRecord.from_item(copy.deepcopy(before)) if before is not None else None
        for event in vote_lines(old, ApprovalRecord.from_item(copy.deepcopy(after))):
            self._audit.setdefault((event.approval_id, event.seq), event)  # append once

    def _put(self, event: AuditEvent) -> None:
        """A put on the line's key: a second write of the same line replaces it."""
        self._audit[(event.approval_id, event.seq)] = event
