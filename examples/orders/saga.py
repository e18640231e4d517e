"""A saga over durable steps: each step with an outside effect registers how to undo it first.

The undo is registered *before* the step runs, not after it succeeds: a step whose last attempt
ended with an unknown outcome (the provider charged, the answer was lost) has failed as far as
the workflow knows, yet its effect may be real. So every undo settles what happened itself
(asks the provider by idempotency key, reads the reservation) and undoes only what it finds;
it returns something truthy when it undid something, falsy when there was nothing to undo.

`compensate` runs the registered undos newest first, each as its own retried step (and each
undo is idempotent at its target), and keeps going past one that fails, so one stuck refund
does not leave the inventory held. Registration happens in code order, so replays rebuild the
same list from checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from aws_durable_execution_sdk_python import StepError

from examples.orders import retries

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.config import StepConfig

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Undone:
    """What compensation achieved: undone steps, undos that found nothing to undo, and undos
    that failed after their retries (their effect may still stand: operators must look)."""

    undone: list[str]
    failed: list[str]
    nothing_to_undo: list[str] = field(default_factory=list)


@dataclass
class Saga:
    """The steps done so far in one execution and how to undo each."""

    ctx: DurableContext
    done: list[str] = field(default_factory=list)
    _undos: list[tuple[str, Callable[[StepContext], Any], StepConfig]] = field(default_factory=list)

    def guard(
        self, undo_name: str, undo: Callable[[], Any], config: StepConfig = retries.COMPENSATION
    ) -> None:
        """Register `undo` before the effect it undoes can happen; it must settle for itself."""
        self._undos.append((undo_name, lambda _: undo(), config))

    def step(
        self,
        name: str,
        action: Callable[[StepContext], T],
        config: StepConfig,
        undo_name: str,
        undo: Callable[[], Any],
        *,
        undo_config: StepConfig = retries.COMPENSATION,
    ) -> T:
        """Guard with `undo`, then run `action` as a step (a StepError leaves the guard set)."""
        self.guard(undo_name, undo, undo_config)
        result: T = self.ctx.step(action, name=name, config=config)
        self.done.append(name)
        return result

    def compensate(self) -> Undone:
        """Undo every guarded step, newest first."""
        undone: list[str] = []
        failed: list[str] = []
        nothing: list[str] = []
        for name, undo, config in reversed(self._undos):
            try:
                did = self.ctx.step(undo, name=name, config=config)
            except StepError as err:
                self.ctx.logger.error(
                    "compensation failed", extra={"step": name, "error": err.error_type}
                )
                failed.append(name)
            else:
                (undone if did else nothing).append(name)
        self._undos.clear()
        return Undone(undone, failed, nothing)
