"""`/approvals delegate @carol until 2026-12-24` and `/approvals undelegate`, and who a delegate
decides for.

The command arrives as every request does: signed (verified once, before Bolt: asgi.py), from
our app and workspace (app.py's middleware), so a forged or foreign command changes nothing.
The rules are the core's (`greenlight.core.delegation`); this module reads the two people's
entries, applies the rules and writes both entries in one conditional transaction, reading
again when another delegation got there first.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from greenlight.core import messages
from greenlight.core.delegation import (
    Action,
    DelegationEntry,
    delegate,
    parse_command,
    undelegate,
)
from greenlight.core.errors import InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8  # two people's entries; a few concurrent delegations at most


class DelegationTable(Protocol):
    """The delegations table (`greenlight.aws.delegation_store`)."""

    def get(self, user_id: str) -> DelegationEntry:
        """A person's entry; an empty one if they have none."""
        ...

    def replace_both(
        self,
        before: tuple[DelegationEntry, DelegationEntry],
        after: tuple[DelegationEntry, DelegationEntry],
    ) -> bool:
        """Write both entries if both are still at `before`'s versions."""
        ...


class Delegations:
    """Answers the delegation commands; tells who a delegate decides for."""

    def __init__(self, table: DelegationTable, clock: Callable[[], datetime]) -> None:
        self._table = table
        self._clock = clock

    def delegators_of(self, user_id: str) -> list[str]:
        """Whom `user_id` decides for now, as their delegate (one strongly consistent read)."""
        return self._table.get(user_id).delegators_at(self._clock().isoformat())

    def answer(self, user_id: str, text: str, sent_at: int | None = None) -> str:
        """Carry out `/approvals <text>` for `user_id`; the reply (what changed, or why not).

        `sent_at` is when Slack sent the command (its signed request timestamp, Unix seconds):
        a command sent before the one that last changed the person's delegation is refused,
        so a captured request resent within Slack's 5 minutes cannot undo a later one.
        """
        now = self._clock()
        try:
            command = parse_command(text, now.date())
            if command.action is Action.UNDELEGATE:
                return self._undelegate(user_id, sent_at)
            assert command.delegate_id is not None  # parse_command sets both
            assert command.until is not None
            return self._delegate(
                user_id, command.delegate_id, command.until, now.isoformat(), sent_at
            )
        except InvalidRequestError as err:
            logger.info("delegation refused", extra={"field": err.field})
            return messages.delegation_refused(err.problem)

    def _delegate(
        self, user_id: str, delegate_id: str, until: str, now: str, sent_at: int | None
    ) -> str:
        for _ in range(MAX_ATTEMPTS):
            before = (self._table.get(user_id), self._table.get(delegate_id))
            _refuse_stale(before[0], sent_at)
            mine, theirs = delegate(*before, until, now)
            after = (_commanded(mine, sent_at), theirs)
            if self._table.replace_both(before, after):
                logger.info("delegation recorded")
                return messages.delegated(delegate_id, until)
        return messages.delegation_refused("others changed delegations at the same time; try again")

    def _undelegate(self, user_id: str, sent_at: int | None) -> str:
        for _ in range(MAX_ATTEMPTS):
            mine = self._table.get(user_id)
            _refuse_stale(mine, sent_at)
            if mine.delegate_id is None:
                return messages.no_delegation()
            before = (mine, self._table.get(mine.delegate_id))
            ended, theirs = undelegate(*before)
            if self._table.replace_both(before, (_commanded(ended, sent_at), theirs)):
                logger.info("delegation ended")
                return messages.undelegated(mine.delegate_id)
        return messages.delegation_refused("others changed delegations at the same time; try again")


def _refuse_stale(entry: DelegationEntry, sent_at: int | None) -> None:
    """Refuse a command sent before the one that last changed `entry` (a replay).

    Raises:
        InvalidRequestError: the command is stale.
    """
    if entry.is_stale(sent_at):
        raise InvalidRequestError(
            "delegation", "a later command changed your delegation already; nothing was changed"
        )


def _commanded(entry: DelegationEntry, sent_at: int | None) -> DelegationEntry:
    """`entry`, remembering when Slack sent the command that changed it."""
    return replace(entry, commanded_at=sent_at) if sent_at is not None else entry
