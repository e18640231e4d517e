"""Where a request is asked: per call, as data (like HumanLayer's `ContactChannel`).

`Route` is the union the gate accepts:
- `Channel(id)`: one message in a channel; every approver sees it there.
- `DirectMessages()`: one copy of the request in a direct message to each approver who is
  pinged (quiet approvers get none), opened with `conversations.open`.
- `ChannelAndDirectMessages(id)`: both; the channel's message is the main one.

Every copy carries the same buttons and is redrawn on every change (a vote, a decision
through the webhook or the stream relay, escalation, expiry), so a decision taken in any copy
shows in all of them; the record keeps every copy (`ApprovalRecord.copies`). Thread replies:
a reminder goes to the thread of each channel copy and of each DM whose reader is still
needed (a reply in a DM notifies its reader; people who voted are left alone); the
escalation notice goes to the main message's thread. On escalation, a route with direct
messages sends the escalation approvers a copy each as well; `escalation_channel`, when set,
is told either way. Quiet approvers (`Policy.quiet_approvers`) get no copy and no mention.

Someone Slack will not let the app message, for good (`RecipientUnreachableError`: their
account is deactivated, unknown, or hidden from the app), gets no copy: the others' copies
go out, and the request stands while the people who can still decide can meet its quorum
(`check_reached`); otherwise it is refused, as a request no one can decide is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greenlight.core.errors import ApprovalError, InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import Mapping

_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,20}$")


def is_channel_id(value: str) -> bool:
    """Slack conversation ids of channels start with C (public) or G (private, legacy)."""
    return bool(_CHANNEL.match(value))


def is_direct_message_id(value: str) -> bool:
    """Slack conversation ids of direct messages start with D."""
    return value.startswith("D")


def _check_channel(label: str, value: object, optional: bool) -> None:
    if optional and value is None:
        return
    if not isinstance(value, str) or not is_channel_id(value):
        raise InvalidRequestError(label, f"{value!r} is not a Slack channel id like C0123")


@dataclass(frozen=True, slots=True)
class _ToChannel:
    """What the routes that post to channel `id` share (the main message goes there)."""

    id: str
    escalation_channel: str | None = None

    def __post_init__(self) -> None:
        _check_channel("route", self.id, optional=False)
        _check_channel("route.escalation_channel", self.escalation_channel, optional=True)

    @property
    def channel_id(self) -> str | None:
        """The channel the main message goes to."""
        return self.id


@dataclass(frozen=True, slots=True)
class Channel(_ToChannel):
    """Post the request to a Slack channel (the app must be a member of it).

    `escalation_channel`, when set, is told (with a link to the request) when the ladder
    escalates; the escalation approvers themselves are named in the request's thread.
    """

    @property
    def direct(self) -> bool:
        """Whether each approver gets a copy in a direct message."""
        return False


@dataclass(frozen=True, slots=True)
class DirectMessages:
    """Send each pinged approver the request in a direct message (the app needs `im:write`).

    The first copy is the request's main message (its thread holds the escalation notice).
    """

    escalation_channel: str | None = None

    def __post_init__(self) -> None:
        _check_channel("route.escalation_channel", self.escalation_channel, optional=True)

    @property
    def channel_id(self) -> str | None:
        """No channel: only direct messages."""
        return None

    @property
    def direct(self) -> bool:
        """Whether each approver gets a copy in a direct message."""
        return True


@dataclass(frozen=True, slots=True)
class ChannelAndDirectMessages(_ToChannel):
    """Post to channel `id` (the main message) and send each pinged approver a copy too."""

    @property
    def direct(self) -> bool:
        """Whether each approver gets a copy in a direct message."""
        return True


Route = Channel | DirectMessages | ChannelAndDirectMessages
"""Every kind of route the gate accepts."""

ROUTES = (Channel, DirectMessages, ChannelAndDirectMessages)
"""The route classes, for `isinstance` checks at the edge."""

DIRECT_MESSAGES_MAX = 10
"""The most approvers (escalation approvers included) a route with direct messages reaches.

Each copy costs a `conversations.open` and a `chat.postMessage` when posted, and a
`chat.update` on every redraw: the stream relay redraws every copy, one after another, for
every vote that counts (the click itself redraws only the copy clicked, inside the 3 s Slack
gives it to answer), and chat.update is a Tier 3 method (about 50 a minute;
docs.slack.dev/apis/web-api/rate-limits). More people than this belong in a channel."""


def check_direct_reach(route: Route, pinged: frozenset[str], escalation: frozenset[str]) -> None:
    """Refuse a route whose direct messages would reach no one, or too many people.

    Args:
        route: where the request goes.
        pinged: who may decide and is not quiet (the requester left out unless self-approval).
        escalation: the escalation approvers, who get a copy each if the ladder escalates.

    Raises:
        InvalidRequestError: direct messages only, and no approver may be messaged; or more
            than `DIRECT_MESSAGES_MAX` people would be.
    """
    if not route.direct:
        return
    if route.channel_id is None and not pinged:
        raise InvalidRequestError(
            "route", "direct messages go to approvers who are pinged, and every one is quiet"
        )
    reach = len(pinged | escalation)
    if reach > DIRECT_MESSAGES_MAX:
        raise InvalidRequestError(
            "route",
            f"direct messages would go to {reach} people (at most {DIRECT_MESSAGES_MAX}): "
            "route the request to a channel",
        )


class RecipientUnreachableError(ApprovalError):
    """Slack refused, for good, to let the app message `user_id` directly; `code` is Slack's
    error (e.g. `user_disabled`). Only that person is affected: the gate skips their copy.
    An `ApprovalError`, so the steps' retry strategy never retries it."""

    def __init__(self, user_id: str, code: str) -> None:
        self.user_id = user_id
        self.code = code
        super().__init__(f"{user_id} cannot be sent a direct message ({code})")


def check_reached(
    route: Route,
    posted: bool,
    may_decide: frozenset[str],
    quorum: int,
    unreachable: Mapping[str, str],
) -> None:
    """Refuse a request whose direct messages left too few people able to decide it.

    Someone Slack will not let the app message (`unreachable`: user id -> Slack's error) is
    counted out: their account is deactivated, unknown, or hidden from the app, so they cannot
    open the request from any copy, the channel's included.

    Args:
        route: where the request went.
        posted: whether any copy was posted (a route of direct messages only posts none when
            no one could be messaged).
        may_decide: who may decide (eligible, quiet approvers included).
        quorum: how many approvals decide it.
        unreachable: who could not be messaged, and Slack's error for each.

    Raises:
        InvalidRequestError: nothing was posted, or the people left cannot meet the quorum.
    """
    if not unreachable and posted:
        return
    skipped = ", ".join(f"{user} ({code})" for user, code in sorted(unreachable.items()))
    if not posted:
        kind = "direct messages" if route.channel_id is None else "messages"
        raise InvalidRequestError("route", f"no {kind} could be sent: {skipped or 'no one'}")
    left = len(may_decide - unreachable.keys())
    if left < quorum:
        raise InvalidRequestError(
            "route",
            f"needs {quorum} approvers but only {left} can be reached; "
            f"Slack refused direct messages to {skipped}",
        )
