"""Keeps the webhook's Slack-facing parts in step with rotated Slack secrets.

A container reads its two secrets (the bot token's, the signing secret's: `load` reads both)
once, when it starts. After an operator rotates the signing secret (`scripts/set-slack-secret.sh`),
Slack signs with the new one at once while warm containers still hold the old: every click would
be refused until Lambda happened to replace them. So a request that fails verification makes the
webhook read the secrets again and, if either changed, rebuild what is built from them (the
signature verifier) and hand out the new bot token from then on (Bolt's `authorize` asks for it
on every request). Reads are rate-limited: a stream of unsigned requests costs at most one
`load` (two Secrets Manager reads) per `MIN_SECONDS_BETWEEN_READS`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.aws.secrets import SlackCredentials

MIN_SECONDS_BETWEEN_READS = 30.0
Wired = TypeVar("Wired")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _State(Generic[Wired]):
    credentials: SlackCredentials
    wired: Wired


class RotatingCredentials(Generic[Wired]):
    """What `wire` built from the current credentials; `refresh()` picks up a rotated secret."""

    def __init__(
        self,
        load: Callable[[], SlackCredentials],
        wire: Callable[[SlackCredentials], Wired],
        min_seconds_between_reads: float = MIN_SECONDS_BETWEEN_READS,
        clock: Callable[[], float] = time.monotonic,
        *,
        first: SlackCredentials | None = None,
    ) -> None:
        """`first`: credentials the caller has just read with `load` (none: read them now)."""
        self._load = load
        self._wire = wire
        self._min_seconds = min_seconds_between_reads
        self._clock = clock
        self._lock = threading.Lock()
        self._last_read: float | None = None  # the first refresh may read at once
        credentials = load() if first is None else first
        self._state = _State(credentials, wire(credentials))

    @property
    def current(self) -> Wired:
        """What is wired to the credentials read last."""
        return self._state.wired

    @property
    def credentials(self) -> SlackCredentials:
        """The credentials read last (the state is swapped whole: never one half of each)."""
        return self._state.credentials

    def refresh(self) -> bool:
        """Read the secret again unless read recently; True when it changed and was rewired.

        A failed read keeps what is wired (logged, never raised): a Secrets Manager outage must
        not turn into 500s for requests that the current secret would still verify.
        """
        with self._lock:
            now = self._clock()
            if self._last_read is not None and now - self._last_read < self._min_seconds:
                return False
            self._last_read = now
            try:
                fresh = self._load()
            except Exception as err:  # noqa: BLE001  # any failure: keep serving with what we have
                # The type only: an error about a secret must not risk quoting it.
                logger.warning(
                    "re-reading the Slack secret failed", extra={"error": type(err).__name__}
                )
                return False
            if fresh == self._state.credentials:
                return False
            self._state = _State(fresh, self._wire(fresh))
            logger.warning("the Slack secret changed; webhook rewired to the new one")
            return True
