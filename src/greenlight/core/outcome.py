"""The decision as the workflow sees it.

A decision is an answer, never an error: approved, rejected and expired all travel as the
success `Result` of SendDurableExecutionCallbackSuccess, whose JSON `greenlight.core.
callback_result` builds from the decided record (`decision_payload`, re-exported here). This
module reads it back into a `Decision`, and keeps version 1's failure form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from greenlight.core.callback_result import (
    PAYLOAD_VERSION,
    decided_by,
    decision_payload,
    success_payload,
    vote_dict,
)
from greenlight.core.errors import InvalidRequestError
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Status, Verdict, Vote

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord

__all__ = [
    "PAYLOAD_VERSION",
    "Decider",
    "Decision",
    "decision_from_failure",
    "decision_from_success",
    "decision_payload",
    "failure_error",
    "success_payload",
]


@dataclass(frozen=True, slots=True)
class Decider:
    """One person whose vote made the decision, and when they cast it."""

    user_id: str
    at: str


@dataclass(frozen=True, slots=True)
class Decision:
    """How an approval ended: approved (by people or automatically), rejected, or expired.

    `votes` are every vote cast (who, verdict, when, why); `deciders` the votes that decided
    (the approvers who made the quorum, or the one veto); `automatic` is True when no person
    decided it: an automatic approval, or a request Greenlight refused, rejected with the
    reason, because no one may decide it or too few of its approvers can be reached (the
    record, its copies in Slack and the audit's `refused` line say the same). `context` is the
    request's context, handed back; `message` is where the request was posted (for replies in
    its thread), None when no message was posted.
    """

    status: Status
    approval_id: str | None = None
    votes: tuple[Vote, ...] = ()
    deciders: tuple[Decider, ...] = ()
    reason: str | None = None
    decided_at: str | None = None
    automatic: bool = False
    context: Any = None
    message: SlackMessage | None = None

    def __post_init__(self) -> None:
        if not self.status.is_final:
            raise InvalidRequestError("decision", "a decision must be final")

    @property
    def approved(self) -> bool:
        """True when the workflow may go on."""
        return self.status is Status.APPROVED

    def with_request(self, context: Any, message: SlackMessage | None) -> Decision:
        """This decision with the request's context and message filled in."""
        return replace(self, context=context, message=message)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for checkpoints and the workflow's result."""
        data: dict[str, Any] = {
            "status": self.status.value,
            "approval_id": self.approval_id,
            "approved": self.approved,
            "votes": [vote_dict(v) for v in self.votes],
            "deciders": [{"user_id": d.user_id, "at": d.at} for d in self.deciders],
            "reason": self.reason,
            "decided_at": self.decided_at,
            "automatic": self.automatic,
            "context": self.context,
            "message": (
                {"channel": self.message.channel, "ts": self.message.ts} if self.message else None
            ),
        }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """Rebuild from `to_dict` output.

        Raises:
            InvalidRequestError: not a decision.
        """
        try:
            message = data.get("message")
            return cls(
                status=Status(data.get("status") or data["decision"]),
                approval_id=data.get("approval_id"),
                votes=tuple(_vote(v) for v in data.get("votes") or ()),
                deciders=tuple(
                    Decider(str(d["user_id"]), str(d["at"])) for d in data.get("deciders") or ()
                ),
                reason=data.get("reason"),
                decided_at=data.get("decided_at"),
                automatic=bool(data.get("automatic", False)),
                context=data.get("context"),
                message=SlackMessage(str(message["channel"]), str(message["ts"]))
                if message
                else None,
            )
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidRequestError("decision", "not an approval decision") from err

    @classmethod
    def from_record(cls, record: ApprovalRecord) -> Decision:
        """The decision a final record stands for."""
        return cls(
            status=record.status,
            approval_id=record.approval_id,
            votes=record.votes,
            deciders=tuple(Decider(u, at) for u, at in decided_by(record)),
            reason=record.reason,
            decided_at=record.decided_at,
            automatic=record.is_refused,
            message=record.slack,
        )


def _vote(data: dict[str, Any]) -> Vote:
    return Vote(
        str(data["user_id"]),
        Verdict(data["verdict"]),
        str(data["at"]),
        data.get("reason"),
        data.get("cast_by"),
        comment=data.get("comment"),
    )


def failure_error(record: ApprovalRecord) -> dict[str, str]:
    """The version 1 `Error` of a rejected or expired record (SendDurableExecutionCallbackFailure).

    No longer sent: kept so tests can build what executions started before version 2 received.
    """
    decision = Decision.from_record(record)
    legacy = {
        "approval_id": decision.approval_id,
        "decision": decision.status.value,
        "deciders": [{"user_id": d.user_id, "at": d.at} for d in decision.deciders],
        "reason": decision.reason,
        "automatic": False,
    }
    return {
        "ErrorType": decision.status.value.capitalize(),
        "ErrorMessage": decision.reason or decision.status.value,
        "ErrorData": json.dumps(legacy, separators=(",", ":")),
    }


def decision_from_success(payload: Any) -> Decision:
    """Parse the callback's success result (version 2, or version 1's approvals).

    Raises:
        InvalidRequestError: the payload is not a decision; nothing is guessed.
    """
    try:
        approvers = tuple(Decider(str(a["user_id"]), str(a["at"])) for a in payload["approvers"])
        deciders = payload.get("deciders")
        return Decision(
            status=Status(payload["decision"]),
            approval_id=str(payload["approval_id"]),
            votes=tuple(_vote(v) for v in payload.get("votes") or ()),
            deciders=tuple(Decider(str(d["user_id"]), str(d["at"])) for d in deciders)
            if deciders is not None
            else approvers,
            reason=payload.get("reason"),
            decided_at=payload.get("decided_at"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise InvalidRequestError("callback result", "not an approval decision") from err


def decision_from_failure(data: str | None) -> Decision:
    """Parse a version 1 failure's `ErrorData` (a rejection or expiry) into its decision.

    Raises:
        InvalidRequestError: the data is missing or not a decision.
    """
    try:
        parsed = json.loads(data or "")
        if not isinstance(parsed, dict):
            raise TypeError(type(parsed).__name__)
        return Decision.from_dict(parsed)
    except (TypeError, ValueError) as err:
        raise InvalidRequestError("callback error", "not an approval decision") from err
