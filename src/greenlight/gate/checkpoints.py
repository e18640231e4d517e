"""The gate's checkpoints as typed dataclasses, written and read by one SerDes each.

Each step returns a dataclass; the SDK writes it through `TypedSerDes` (the SDK's `serdes`
extension point) and hands the same type back on replay, so no checkpoint is read back as a
`dict[str, Any]` anywhere else. The JSON stays small and readable in the execution's history.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, Self, TypeVar

from aws_durable_execution_sdk_python.serdes import SerDes, SerDesContext

from greenlight.core.outcome import Decision
from greenlight.core.record import SlackMessage

if TYPE_CHECKING:
    from collections.abc import Callable


class Checkpointed(Protocol):
    """A value with a JSON-safe dict form."""

    def to_dict(self) -> dict[str, Any]: ...


C = TypeVar("C", bound=Checkpointed)


class TypedSerDes(SerDes[C], Generic[C]):
    """JSON for one checkpoint dataclass (`to_dict` out, `load` back in)."""

    def __init__(self, load: Callable[[dict[str, Any]], C]) -> None:
        self._load = load

    def serialize(self, value: C, serdes_context: SerDesContext) -> str:
        return json.dumps(value.to_dict(), separators=(",", ":"))

    def deserialize(self, data: str, serdes_context: SerDesContext) -> C:
        return self._load(json.loads(data))


class OptionalSerDes(SerDes[C | None], Generic[C]):
    """A checkpoint that may be None (`null`), e.g. a rung that did not end the approval."""

    def __init__(self, load: Callable[[dict[str, Any]], C]) -> None:
        self._inner = TypedSerDes(load)

    def serialize(self, value: C | None, serdes_context: SerDesContext) -> str:
        return "null" if value is None else self._inner.serialize(value, serdes_context)

    def deserialize(self, data: str, serdes_context: SerDesContext) -> C | None:
        return None if data == "null" else self._inner.deserialize(data, serdes_context)


@dataclass(frozen=True, slots=True)
class Posted:
    """What the post step did: the approval's id, and either the message it posted (with the
    escalation approvers resolved to user ids, for the ladder), or why it refused the request
    (`refused`, when: `refused_at`; with the main copy as `message` when copies went out before
    too few approvers proved reachable), or (`unremembered`) a copy Slack took that the store
    did not remember: the next post step remembers it from this checkpoint instead of posting
    it again. (A refusal an earlier release checkpointed has neither time nor message.)"""

    approval_id: str
    message: SlackMessage | None = None
    escalation_ids: tuple[str, ...] = ()
    refused: str | None = None
    unremembered: SlackMessage | None = None
    refused_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"approval_id": self.approval_id}
        if self.message is not None:
            data["message"] = {"channel": self.message.channel, "ts": self.message.ts}
        if self.escalation_ids:
            data["escalation_ids"] = list(self.escalation_ids)
        if self.refused is not None:
            data["refused"] = self.refused
        if self.unremembered is not None:
            data["unremembered"] = self.unremembered.to_dict()
        if self.refused_at is not None:
            data["refused_at"] = self.refused_at
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        message = data.get("message")
        return cls(
            approval_id=str(data["approval_id"]),
            message=SlackMessage(str(message["channel"]), str(message["ts"])) if message else None,
            escalation_ids=tuple(str(u) for u in data.get("escalation_ids", ())),
            refused=data.get("refused"),
            unremembered=SlackMessage.from_dict(data["unremembered"])
            if data.get("unremembered")
            else None,
            refused_at=data.get("refused_at"),
        )


@dataclass(frozen=True, slots=True)
class Minted:
    """An automatic approval's id and time, minted once so a retried audit write reuses them."""

    approval_id: str
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"approval_id": self.approval_id, "at": self.at}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(str(data["approval_id"]), str(data["at"]))


POSTED = TypedSerDes(Posted.from_dict)
MINTED = TypedSerDes(Minted.from_dict)
DECISION = TypedSerDes(Decision.from_dict)
MAYBE_DECISION = OptionalSerDes(Decision.from_dict)
