"""Every change to an approval except a vote: conditional on pending and the version read.

The gate's reminders, escalation, callback rotation and expiry, and the operator's decision,
read the record, compute the record after (`change`) with its audit lines, and write both in
one all-or-nothing act that holds only if the stored record is still pending at the version
read; a writer that lost re-reads and tries again, and a record that became final is left as
it is (whoever decided first wins). Every store runs this loop (`update_pending`) over its own
two primitives (`RecordTable`), and the replace is one `ConditionalUpdate` (`replace_update`):
rendered into the DynamoDB transaction, evaluated by the in-memory store. It writes only what
differs, so a field another writer set without moving the version (the posted message) survives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from greenlight.core.conditional_write import Assign, ConditionalUpdate, Equals, Remove
from greenlight.core.errors import ConflictError
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.audit import AuditEvent
    from greenlight.core.conditional_write import Action
    from greenlight.core.record import ApprovalRecord

    Change = Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None]

MAX_ATTEMPTS = 64  # far above any realistic number of writers; bounds the optimistic loop


class RecordTable(Protocol):
    """The two acts a store offers for a change: a consistent read and a conditional replace."""

    def get(self, approval_id: str) -> ApprovalRecord:
        """The stored record; raises NotFoundError."""
        ...

    def replace(
        self, before: ApprovalRecord, after: ApprovalRecord, events: list[AuditEvent]
    ) -> bool:
        """Write `after`'s changes and `events` if the stored record is still pending at
        `before`'s version; False (nothing written) if it is not."""
        ...


def update_pending(table: RecordTable, approval_id: str, change: Change) -> ApprovalRecord:
    """Apply `change` to the pending record until it sticks; return the record as it stands.

    `change` returns None when there is nothing to do. A final record is returned unchanged.

    Raises:
        NotFoundError: no such approval.
        ConflictError: other writers won every one of `MAX_ATTEMPTS` rounds.
    """
    for _ in range(MAX_ATTEMPTS):
        current = table.get(approval_id)
        if current.status.is_final:
            return current
        changed = change(current)
        if changed is None:
            return current
        after, events = changed
        if table.replace(current, after, events):
            return after
    raise ConflictError(approval_id, "contended")


def changed_attributes(
    before: ApprovalRecord, after: ApprovalRecord
) -> tuple[dict[str, Any], list[str]]:
    """What moving `before` to `after` writes: the attributes to set (new or different) and the
    attributes to remove (gone), as the store's plain items.

    Raises:
        ValueError: `after` does not move the version (every change must, or two writers that
            read the same record could both win).
    """
    if after.version <= before.version:
        raise ValueError("every change to an approval moves its version")
    old, new = before.to_item(), after.to_item()
    sets = {k: v for k, v in new.items() if k != "approval_id" and old.get(k) != v}
    removes = [k for k in old if k not in new]
    return sets, removes


def replace_update(before: ApprovalRecord, after: ApprovalRecord) -> ConditionalUpdate:
    """The update that moves the stored `before` to `after`, if it is still pending at
    `before`'s version: the stored record is then `before`, so only what differs is written.

    Raises:
        ValueError: `after` does not move the version.
    """
    sets, removes = changed_attributes(before, after)
    actions: list[Action] = [Assign((k,), v) for k, v in sets.items()]
    actions += [Remove((k,)) for k in removes]
    conditions = (
        Equals(("status",), Status.PENDING.value),
        Equals(("version",), before.version),
    )
    return ConditionalUpdate(conditions, tuple(actions))
