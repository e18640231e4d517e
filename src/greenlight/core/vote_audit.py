"""The audit lines a vote's write stands for, read from the record before and after it.

A vote is one conditional write to the approval record (`vote_write.py`); its audit lines are
not written with it but derived from the change, by the consumer of the table's stream
(`greenlight/webhook/relay.py`). Derived from the two images, they are the same however often the
stream delivers the change, and their keys (`AuditEvent.seq`: time, kind, actor) are too, so a
conditional put writes each line exactly once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord

DECISIONS = {Status.APPROVED: AuditKind.APPROVED, Status.REJECTED: AuditKind.REJECTED}


def vote_lines(old: ApprovalRecord | None, new: ApprovalRecord) -> list[AuditEvent]:
    """The `voted` line of each vote `new` holds and `old` did not and, if one of them decided
    the approval, the decision's line. Changes that counted no vote (the gate's and the
    operator's, which write their own lines) give none.

    A vote line's `reason` is what the voter wrote: a rejection's reason, or an approval's
    comment (its `detail` says which verdict it was)."""
    before = {v.user_id for v in old.votes} if old else set()
    cast = [v for v in new.votes if v.user_id not in before]
    slack = new.slack
    where = {"channel": slack.channel, "message_ts": slack.ts} if slack else {}
    events = [
        AuditEvent(
            new.approval_id,
            AuditKind.VOTED,
            v.at,
            v.user_id,
            v.reason if v.reason is not None else v.comment,  # what the voter wrote
            # a delegate's vote is the delegator's (the actor), cast by the delegate: both kept
            detail=f"{v.verdict.value} cast by {v.cast_by}" if v.cast_by else v.verdict.value,
            **where,
        )
        for v in cast
    ]
    decided = old is not None and old.status is Status.PENDING and new.status in DECISIONS
    if cast and decided:
        last = cast[-1]
        events.append(
            AuditEvent(
                new.approval_id,
                DECISIONS[new.status],
                new.decided_at or last.at,
                last.user_id,
                new.reason,
                detail=f"decided by {', '.join(_decider(new, u) for u in new.decided_by)}",
                **where,
            )
        )
    return events


def _decider(record: ApprovalRecord, user_id: str) -> str:
    """A decider as the audit names them: `U0CAROL for U0BOB` when a delegate cast the vote."""
    vote = record.vote_of(user_id)
    return f"{vote.cast_by} for {user_id}" if vote and vote.cast_by else user_id
