"""Where a request is asked: per call, as data (like HumanLayer's `ContactChannel`).

`Route` is the union the gate accepts. Today it has one member, `Channel`; a direct-message
route (issue 17) becomes a second dataclass in the union, with no change to the gate's
signature: the gate hands the route to its notifier, which knows how to post to each kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from greenlight.core.errors import InvalidRequestError

_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,20}$")


def is_channel_id(value: str) -> bool:
    """Slack conversation ids of channels start with C (public) or G (private, legacy)."""
    return bool(_CHANNEL.match(value))


@dataclass(frozen=True, slots=True)
class Channel:
    """Post the request to a Slack channel (the app must be a member of it).

    `escalation_channel`, when set, is told (with a link to the request) when the ladder
    escalates; the escalation approvers themselves are named in the request's thread.
    """

    id: str
    escalation_channel: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not is_channel_id(self.id):
            raise InvalidRequestError("route", f"{self.id!r} is not a Slack channel id like C0123")
        if self.escalation_channel is not None and not is_channel_id(self.escalation_channel):
            raise InvalidRequestError(
                "route.escalation_channel",
                f"{self.escalation_channel!r} is not a Slack channel id like C0123",
            )


Route = Channel
"""Every kind of route the gate accepts (a union once direct messages arrive)."""
