"""Time and ids a test controls: a settable clock and sequential approval ids."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime, timedelta

DEFAULT_START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class SettableClock:
    """A clock (`clock()` gives the time) that moves only when told, or by `step` per reading.

    Each reading returns the current time, then moves it on by `step` (zero: it stands still),
    so code that reads the time twice can see it pass without the test sleeping.
    """

    def __init__(self, start: datetime = DEFAULT_START, step: timedelta = timedelta()) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's start must be timezone-aware (e.g. UTC)")
        self._now = start
        self._step = step
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        """The current time (then moved on by `step`)."""
        with self._lock:
            now = self._now
            self._now = now + self._step
            return now

    @property
    def now(self) -> datetime:
        """The time the next reading returns, without moving it."""
        with self._lock:
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to `when`."""
        if when.tzinfo is None:
            raise ValueError("the clock's time must be timezone-aware (e.g. UTC)")
        with self._lock:
            self._now = when

    def advance(self, by: timedelta | float) -> None:
        """Move on by `by` (seconds, or a timedelta)."""
        delta = by if isinstance(by, timedelta) else timedelta(seconds=by)
        with self._lock:
            self._now += delta


class SequentialIds:
    """Ids `approval00000000000001`, `…002`, …: as long as real ones (22 characters), unique,
    and predictable in a test."""

    def __init__(self, prefix: str = "approval", width: int = 14) -> None:
        self._prefix = prefix
        self._width = width
        self._next = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self) -> str:
        """The next id."""
        with self._lock:
            return f"{self._prefix}{next(self._next):0{self._width}d}"
