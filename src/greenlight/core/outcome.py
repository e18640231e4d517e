"""The decision as the workflow sees it, and its wire form on the durable callback.

Success carries `{"decision":"approved","approvers":[{"user_id","at"}],"approval_id"}`;
failure carries `ErrorType` Rejected|Expired with the details as JSON in `ErrorData`, because
the SDK reports its own class name as `error_type` and keeps only `message` and `data`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greenlight.core.errors import InvalidRequestError
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord


@dataclass(frozen=True, slots=True)
class Decider:
    """One person whose vote made the decision."""

    user_id: str
    at: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an approval ended: approved (by people or automatically), rejected, or expired."""

    approval_id: str | None
    decision: Status
    deciders: tuple[Decider, ...] = ()
    reason: str | None = None
    automatic: bool = False

    def __post_init__(self) -> None:
        if not self.decision.is_final:
            raise InvalidRequestError("decision", "an outcome must be final")

    @property
    def approved(self) -> bool:
        """True when the workflow may go on."""
        return self.decision is Status.APPROVED

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for checkpoints and the workflow result."""
        return {
            "approval_id": self.approval_id,
            "decision": self.decision.value,
            "deciders": [{"user_id": d.user_id, "at": d.at} for d in self.deciders],
            "reason": self.reason,
            "automatic": self.automatic,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        """Rebuild from `to_dict` output."""
        return cls(
            approval_id=data.get("approval_id"),
            decision=Status(data["decision"]),
            deciders=tuple(Decider(d["user_id"], d["at"]) for d in data.get("deciders", [])),
            reason=data.get("reason"),
            automatic=bool(data.get("automatic", False)),
        )

    @classmethod
    def from_record(cls, record: ApprovalRecord) -> Outcome:
        """The outcome a decided record stands for."""
        at = {v.user_id: v.at for v in record.votes}
        deciders = tuple(Decider(u, at.get(u, record.decided_at or "")) for u in record.decided_by)
        return cls(record.approval_id, record.status, deciders, record.reason)


def success_payload(record: ApprovalRecord) -> bytes:
    """The `Result` for SendDurableExecutionCallbackSuccess of an approved record."""
    outcome = Outcome.from_record(record)
    body = {
        "decision": outcome.decision.value,
        "approvers": [{"user_id": d.user_id, "at": d.at} for d in outcome.deciders],
        "approval_id": record.approval_id,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def failure_error(record: ApprovalRecord) -> dict[str, str]:
    """The `Error` for SendDurableExecutionCallbackFailure of a rejected or expired record."""
    outcome = Outcome.from_record(record)
    return {
        "ErrorType": outcome.decision.value.capitalize(),
        "ErrorMessage": outcome.reason or outcome.decision.value,
        "ErrorData": json.dumps(outcome.to_dict(), separators=(",", ":")),
    }


def outcome_from_success(payload: Any) -> Outcome:
    """Parse the callback's success result; anything malformed is refused, not guessed.

    Raises:
        InvalidRequestError: the payload is not the success shape above.
    """
    try:
        return Outcome(
            approval_id=str(payload["approval_id"]),
            decision=Status(payload["decision"]),
            deciders=tuple(Decider(str(a["user_id"]), str(a["at"])) for a in payload["approvers"]),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidRequestError("callback result", "not an approval decision") from err


def outcome_from_failure(data: str | None) -> Outcome:
    """Parse the callback failure's `ErrorData` back into the outcome it carries.

    Raises:
        InvalidRequestError: the data is missing or not an outcome.
    """
    try:
        return Outcome.from_dict(json.loads(data or ""))
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidRequestError("callback error", "not an approval decision") from err
