"""A saga over durable steps: each completed step registers how to undo it.

`compensate` runs the registered undos newest first, each as its own retried step (and each
undo is idempotent at its target), and keeps going past one that fails, so one stuck refund
does not leave the inventory held. Registration happens in code order, so replays rebuild the
same list from checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from aws_durable_execution_sdk_python import StepError

from durable_fn import retries

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.config import StepConfig

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Undone:
    """What compensation achieved: undone steps, and undos that failed after their retries."""

    undone: list[str]
    failed: list[str]


@dataclass
class Saga:
    """The steps done so far in one execution and how to undo each."""

    ctx: DurableContext
    done: list[str] = field(default_factory=list)
    _undos: list[tuple[str, Callable[[StepContext], Any]]] = field(default_factory=list)

    def step(
        self,
        name: str,
        action: Callable[[StepContext], T],
        config: StepConfig,
        undo_name: str,
        undo: Callable[[T], Any],
    ) -> T:
        """Run `action` as a step; once it succeeded, remember `undo(result)` as `undo_name`."""
        result: T = self.ctx.step(action, name=name, config=config)
        self.done.append(name)
        self._undos.append((undo_name, lambda _: undo(result)))
        return result

    def register(self, name: str, undo_name: str, undo: Callable[[], Any]) -> None:
        """Record a step done elsewhere (a parallel branch) and how to undo it."""
        self.done.append(name)
        self._undos.append((undo_name, lambda _: undo()))

    def compensate(self) -> Undone:
        """Undo every completed step, newest first."""
        undone: list[str] = []
        failed: list[str] = []
        for name, undo in reversed(self._undos):
            try:
                self.ctx.step(undo, name=name, config=retries.COMPENSATION)
            except StepError as err:
                self.ctx.logger.error(
                    "compensation failed", extra={"step": name, "error": err.error_type}
                )
                failed.append(name)
            else:
                undone.append(name)
        self._undos.clear()
        return Undone(undone, failed)
