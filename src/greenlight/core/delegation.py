"""Delegation while someone is away: `/approvals delegate @carol until 2026-12-24`.

While it lasts, carol may decide what bob could, on requests whose policy allows delegates
(`Policy.allow_delegation`); her vote is bob's vote (`Vote.cast_by`), shown and audited as
"carol for bob". The rules, all checked here on the two people's stored entries:
- one delegate per person at a time (to change it, `/approvals undelegate` first);
- no one delegates to themselves, and a date already past is no delegation;
- no chains and no cycles: a delegate cannot delegate on (what they hold is not theirs to pass),
  and no one delegates to someone who has delegated themselves (carol → dave, or carol → bob
  while bob → carol). So a delegate only ever acts for people who are not delegates, and
  "carol may decide for bob" is one hop, read from carol's entry alone.
A delegation ends at the end of its `until` day (UTC) or at `/approvals undelegate`; an entry
past its date counts as absent everywhere.

Each person has one entry (`DelegationEntry`): whom they delegated to, and whom they decide
for. A delegation changes two entries (the delegator's and the delegate's) in one transaction,
conditional on both versions read (the store's), so two delegations that would form a chain or
a cycle cannot both be written, however they race.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from greenlight.core.errors import InvalidRequestError

MAX_DAYS = 366  # a delegation is for an absence, not for ever
# Slack sends a mention in a slash command's text as `<@U123|name>` (or `<@U123>`) when the
# command escapes users (docs.slack.dev/interactivity/implementing-slash-commands: "Escape
# channels, users, and links sent to your app"; the manifest sets `should_escape: true`).
_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,20})(?:\|[^>]*)?>$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Action(StrEnum):
    """What an `/approvals` command asks."""

    DELEGATE = "delegate"
    UNDELEGATE = "undelegate"


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed `/approvals delegate …` or `/approvals undelegate`."""

    action: Action
    delegate_id: str | None = None
    until: str | None = None  # ISO-8601 UTC, the end of the day given


def is_delegation_command(text: str) -> bool:
    """Whether `/approvals <text>` is about delegation (its first word)."""
    words = text.split()
    return bool(words) and words[0].lower() in {a.value for a in Action}


def parse_command(text: str, today: date) -> Command:
    """Read `delegate <@U…> until YYYY-MM-DD` or `undelegate`.

    Raises:
        InvalidRequestError: anything else, with what to type instead.
    """
    words = text.split()
    if not words or words[0].lower() not in {a.value for a in Action}:
        raise InvalidRequestError("text", USAGE)
    if words[0].lower() == Action.UNDELEGATE:
        if len(words) != 1:
            raise InvalidRequestError("text", "`undelegate` takes nothing after it")
        return Command(Action.UNDELEGATE)
    if len(words) != 4 or words[2].lower() != "until":  # delegate @x until d
        raise InvalidRequestError("text", USAGE)
    mention = _MENTION.match(words[1])
    if not mention:
        raise InvalidRequestError(
            "text", f"mention the person to delegate to, like `@carol` (got `{words[1][:40]}`)"
        )
    return Command(Action.DELEGATE, mention.group(1), end_of_day(words[3], today))


USAGE = "use `/approvals delegate @someone until YYYY-MM-DD` or `/approvals undelegate`"


def end_of_day(text: str, today: date) -> str:
    """The end of day `text` (YYYY-MM-DD) in UTC, ISO-8601.

    Raises:
        InvalidRequestError: not a date, in the past, or more than `MAX_DAYS` away.
    """
    if not _DATE.match(text):
        raise InvalidRequestError("until", f"write the last day as YYYY-MM-DD, not `{text[:20]}`")
    try:
        day = date.fromisoformat(text)
    except ValueError as err:
        raise InvalidRequestError("until", f"{text} is not a day of the calendar") from err
    if day < today:
        raise InvalidRequestError("until", f"{text} has already passed")
    if day > today + timedelta(days=MAX_DAYS):
        raise InvalidRequestError("until", f"a delegation lasts at most {MAX_DAYS} days")
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC).isoformat()


@dataclass(frozen=True, slots=True)
class DelegationEntry:
    """One person's delegations: to whom (until when), and for whom they decide (until when).

    `version` is the store's: a write is conditional on the version read. `commanded_at` is
    when Slack sent the command that last changed this person's own delegation (its signed
    `X-Slack-Request-Timestamp`): a command sent earlier is a replay, or stale, and changes
    nothing (`is_stale`).
    """

    user_id: str
    delegate_id: str | None = None
    until: str | None = None
    decides_for: dict[str, str] = field(default_factory=dict)  # delegator -> until
    version: int = 0
    commanded_at: int | None = None  # Unix seconds, as Slack signs them

    def is_stale(self, sent_at: int | None) -> bool:
        """Whether a command Slack sent at `sent_at` comes too late to change this entry: sent
        before the one that last did. A signed request may be resent by anyone who captured it
        for 5 minutes (docs.slack.dev, verifying requests from Slack); a delegation command,
        unlike a vote, is not idempotent (a replayed `delegate` undoes a later `undelegate`).
        Seconds are Slack's unit: two commands sent within one second both count, and a replay
        of the latest command sets what it set already."""
        last = self.commanded_at
        return sent_at is not None and last is not None and sent_at < last

    def delegate_at(self, now: str) -> str | None:
        """Whom this person has delegated to, if that still lasts at `now`."""
        if self.delegate_id and self.until and self.until >= now:
            return self.delegate_id
        return None

    def delegators_at(self, now: str) -> list[str]:
        """Whom this person decides for at `now`, sorted."""
        return sorted(u for u, until in self.decides_for.items() if until >= now)

    def to_item(self) -> dict[str, Any]:
        """The stored item; `None` fields left out."""
        item: dict[str, Any] = {
            "user_id": self.user_id,
            "decides_for": dict(self.decides_for),
            "version": self.version,
        }
        if self.delegate_id and self.until:
            item |= {"delegate_id": self.delegate_id, "until": self.until}
        if self.commanded_at is not None:
            item["commanded_at"] = self.commanded_at
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> DelegationEntry:
        """Rebuild from `to_item` output."""
        return cls(
            user_id=str(item["user_id"]),
            delegate_id=item.get("delegate_id"),
            until=item.get("until"),
            decides_for={str(k): str(v) for k, v in (item.get("decides_for") or {}).items()},
            version=int(item.get("version", 0)),
            commanded_at=int(item["commanded_at"]) if "commanded_at" in item else None,
        )


class DelegationRefusedError(InvalidRequestError):
    """A delegation the rules refuse; the message says why and what to do."""

    def __init__(self, why: str) -> None:
        super().__init__("delegation", why)


def delegate(
    delegator: DelegationEntry, delegate_entry: DelegationEntry, until: str, now: str
) -> tuple[DelegationEntry, DelegationEntry]:
    """Both entries after `delegator` delegates to `delegate_entry`'s person until `until`.

    Raises:
        DelegationRefusedError: to oneself; a delegation already to someone else; the delegator
            decides for someone (a chain); the delegate has delegated (a chain, or a cycle).
    """
    me, them = delegator.user_id, delegate_entry.user_id
    if me == them:
        raise DelegationRefusedError("you cannot delegate to yourself")
    current = delegator.delegate_at(now)
    if current and current != them:
        raise DelegationRefusedError(
            f"you have delegated to <@{current}> until {_day(delegator.until)}; "
            "`/approvals undelegate` first"
        )
    if held := delegator.delegators_at(now):
        raise DelegationRefusedError(
            f"you decide for <@{held[0]}> as their delegate; a delegate cannot pass that on"
        )
    onward = delegate_entry.delegate_at(now)
    if onward == me:
        raise DelegationRefusedError(
            f"<@{them}> has delegated to you; a delegation cannot go back (a cycle)"
        )
    if onward:
        raise DelegationRefusedError(
            f"<@{them}> is away and has delegated to <@{onward}>; delegations do not chain"
        )
    return (
        replace(delegator, delegate_id=them, until=until, version=delegator.version + 1),
        replace(
            delegate_entry,
            decides_for=_active(delegate_entry.decides_for, now) | {me: until},
            version=delegate_entry.version + 1,
        ),
    )


def undelegate(
    delegator: DelegationEntry, delegate_entry: DelegationEntry
) -> tuple[DelegationEntry, DelegationEntry]:
    """Both entries after `delegator` ends their delegation (to `delegate_entry`'s person)."""
    after = dict(delegate_entry.decides_for)
    after.pop(delegator.user_id, None)
    return (
        replace(delegator, delegate_id=None, until=None, version=delegator.version + 1),
        replace(delegate_entry, decides_for=after, version=delegate_entry.version + 1),
    )


def _active(decides_for: dict[str, str], now: str) -> dict[str, str]:
    return {u: until for u, until in decides_for.items() if until >= now}


def _day(until: str | None) -> str:
    return until[:10] if until else "?"
