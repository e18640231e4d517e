"""The timeout ladder: remind, then escalate, then expire, at offsets from the request."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import StrEnum

from greenlight.core.errors import ConfigError, InvalidRequestError

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
    steps (three when Slack fails it), far below a durable execution's ~3,000 operations.

    Raises:
        InvalidRequestError: (field `ladder`) a rung out of range, or rungs that do not go
            strictly remind < escalate < expire; every problem at once.
    """

    expire_after: int
    remind_after: int | None = None
    escalate_after: int | None = None

    def __post_init__(self) -> None:
        problems = _problems(self.expire_after, self.remind_after, self.escalate_after)
        if problems:
            raise InvalidRequestError("ladder", "; ".join(problems))

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
            ConfigError: not three entries, not whole numbers, or rungs that do not climb
                (every problem of the ladder, for settings to report with their own).
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
        problems = _problems(expire, remind, escalate)
        if problems:
            raise ConfigError(problems)
        return cls(expire_after=expire, remind_after=remind, escalate_after=escalate)


def _problems(expire: int, remind: int | None, escalate: int | None) -> list[str]:
    """What is wrong with these rungs: each must come strictly after the one before.

    Strictly, because two rungs at the same second make a round that waits 0 seconds, and a
    durable callback's timeout of 0 means no timeout at all: the gate would wait forever.
    """
    given = [t for t in (remind, expire, escalate) if t is not None]
    if not all(isinstance(t, int) and not isinstance(t, bool) for t in given):
        # A callback's timeout is whole seconds; "3600" or 1.5 from a config is a caller's slip
        return ["remind_after, escalate_after and expire_after must be whole seconds (int)"]
    times = [t for t in (remind, escalate) if t is not None]
    problems = []
    if not 1 <= expire <= MAX_SECONDS:
        problems.append(f"expire_after must be 1..{MAX_SECONDS} seconds")
    if any(t < 1 for t in times):
        problems.append("remind_after and escalate_after must be at least 1 second")
    climb = [*times, expire]
    if any(earlier >= later for earlier, later in itertools.pairwise(climb)):
        problems.append("the ladder must go remind < escalate < expire")
    return problems
