"""The timeout ladder: remind, then escalate, then expire, at offsets from the request."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from greenlight.core.errors import ConfigError

MAX_SECONDS = 365 * 24 * 3600  # a durable execution lives at most 366 days


class Stage(StrEnum):
    """What happens when a rung of the ladder is reached with no decision."""

    REMIND = "remind"
    ESCALATE = "escalate"
    EXPIRE = "expire"


@dataclass(frozen=True, slots=True)
class Ladder:
    """Seconds after the request at which to remind, escalate and expire (None: skip the rung).

    Three rungs at most, so the gate's loop is bounded: each rung costs one callback and two
    steps, far below a durable execution's ~3,000 operations.
    """

    expire_after: int
    remind_after: int | None = None
    escalate_after: int | None = None

    def __post_init__(self) -> None:
        times = [t for t in (self.remind_after, self.escalate_after) if t is not None]
        problems = []
        if not 1 <= self.expire_after <= MAX_SECONDS:
            problems.append(f"expire_after must be 1..{MAX_SECONDS} seconds")
        if any(t < 1 for t in times):
            problems.append("remind_after and escalate_after must be at least 1 second")
        if times != sorted(times) or any(t >= self.expire_after for t in times):
            problems.append("the ladder must go remind < escalate < expire")
        if problems:
            raise ConfigError(problems)

    def rungs(self) -> list[tuple[int, Stage]]:
        """(seconds after the request, stage), earliest first, ending with EXPIRE."""
        rungs = [(self.remind_after, Stage.REMIND), (self.escalate_after, Stage.ESCALATE)]
        present = [(t, s) for t, s in rungs if t is not None]
        return [*present, (self.expire_after, Stage.EXPIRE)]

    def waits(self) -> list[tuple[int, Stage]]:
        """How long each round waits before its rung fires (differences of `rungs`)."""
        previous = 0
        waits = []
        for at, stage in self.rungs():
            waits.append((at - previous, stage))
            previous = at
        return waits

    @classmethod
    def parse(cls, text: str) -> Ladder:
        """Read `remind,escalate,expire` seconds, with `-` for a rung to skip (e.g. `-,-,86400`).

        Raises:
            ConfigError: not three entries, or not whole numbers.
        """
        parts = [p.strip() for p in text.split(",")]
        if len(parts) != 3:
            raise ConfigError([f"ladder {text!r} must be 'remind,escalate,expire' seconds"])
        try:
            remind, escalate, expire = (None if p in ("", "-") else int(p) for p in parts)
        except ValueError as err:
            raise ConfigError([f"ladder {text!r} must hold whole seconds or '-'"]) from err
        if expire is None:
            raise ConfigError([f"ladder {text!r} needs an expiry"])
        return cls(expire_after=expire, remind_after=remind, escalate_after=escalate)
