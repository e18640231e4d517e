"""A decision's wire form on the durable callback: what the webhook, the relay and the
operator's `decide.sh` send; the gate reads it back (`greenlight.core.outcome`).

A decision is an answer, never an error: approved, rejected and expired all travel as the
success `Result` of SendDurableExecutionCallbackSuccess, JSON of this shape (version 2):

    {"decision": "approved|rejected|expired", "approval_id": "…",
     "approvers": [{"user_id", "at"}],                       # the deciders (version 1 readers)
     "version": 2, "deciders": [{"user_id", "at"}],
     "votes": [{"user_id", "verdict", "at", "reason"?, "comment"?, "cast_by"?}],
     "reason"?: "…", "decided_at"?: "…"}

A vote a delegate cast carries `cast_by` (the delegate); `user_id` is whose vote it is.
A vote's `comment` (an approval's, from "Approve with comment") is only present when given, so
payloads without it (every one sent before comments existed) read as before.
`decision`, `approvers` and `approval_id` keep version 1's meaning, so a gate of the previous
release (executions in flight on a retained version) still reads a rejection as a rejection.
The failure callback is kept for true errors; a failure carrying a version 1 rejection
(`ErrorType` Rejected|Expired, the outcome as JSON in `ErrorData`) is still understood.

Built straight from the decided record: the webhook sends it on the click that decides, and
so needs neither `Decision` nor its module at cold start.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from greenlight.core.errors import InvalidRequestError

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote

PAYLOAD_VERSION = 2


def vote_dict(vote: Vote) -> dict[str, Any]:
    """One vote as the payload (and `Decision.to_dict`) carries it: optional keys only when set."""
    data: dict[str, Any] = {"user_id": vote.user_id, "verdict": vote.verdict.value, "at": vote.at}
    data |= {"reason": vote.reason} if vote.reason is not None else {}
    data |= {"comment": vote.comment} if vote.comment is not None else {}
    return data | ({"cast_by": vote.cast_by} if vote.cast_by is not None else {})


def decided_by(record: ApprovalRecord) -> list[tuple[str, str]]:
    """(user id, when) of each vote that decided a record; the decision's time for a decider
    without a vote of their own.

    Raises:
        InvalidRequestError: the record is not decided.
    """
    if not record.status.is_final:
        raise InvalidRequestError("decision", "a decision must be final")
    at = {v.user_id: v.at for v in record.votes}
    return [(u, at.get(u, record.decided_at or "")) for u in record.decided_by]


def decision_payload(record: ApprovalRecord) -> bytes:
    """The `Result` for SendDurableExecutionCallbackSuccess of a decided record (any verdict).

    Raises:
        InvalidRequestError: the record is not decided.
    """
    deciders = [{"user_id": u, "at": at} for u, at in decided_by(record)]
    body: dict[str, Any] = {
        "decision": record.status.value,
        "approvers": deciders,
        "approval_id": record.approval_id,
        "version": PAYLOAD_VERSION,
        "deciders": deciders,
        "votes": [vote_dict(v) for v in record.votes],
    }
    if record.reason is not None:
        body["reason"] = record.reason
    if record.decided_at is not None:
        body["decided_at"] = record.decided_at
    return json.dumps(body, separators=(",", ":")).encode()


success_payload = decision_payload
"""The name of the previous release (it sent only approvals as success)."""
