"""Slack in memory, for users' own tests: what was posted, redrawn, replied and sent, recorded.

`InMemorySlack` stands where the gate's notifier (`post_request`, `post_direct`,
`update_request`, `reply`, `notify`, `announce`, `message_directly`) and the webhook's message
board (`redraw`) talk to Slack; each call is
kept, in order, with the Block Kit and text the real notifier would send (built by the same
core functions), so a test asserts on what people would see. `InMemoryDirectory` answers
usergroup lookups from a dict and counts them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greenlight.core.blocks import request_blocks, summary_text
from greenlight.core.record import SlackMessage

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from greenlight.core.route import Route


@dataclass(frozen=True, slots=True)
class Post:
    """A request as posted: where, the record it showed, what Slack was sent, the route asked
    (None for a copy sent in a direct message: `message.recipient` says to whom)."""

    message: SlackMessage
    record: ApprovalRecord
    text: str
    blocks: list[dict[str, Any]]
    route: Route | None


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply in a request's thread."""

    thread: SlackMessage
    text: str


@dataclass(frozen=True, slots=True)
class Notice:
    """Something told to one person, in the request's thread when there was one."""

    user_id: str
    text: str
    thread: SlackMessage | None


@dataclass(frozen=True, slots=True)
class Announcement:
    """A notice posted to another channel (e.g. the escalation channel)."""

    channel: str
    text: str


class SlackUnavailableError(ConnectionError):
    """What `InMemorySlack` raises for a post it was told to fail (Slack unreachable)."""


@dataclass
class InMemorySlack:
    """Records every call in order; `fail_posts` makes the next N posts fail."""

    channel: str = "C0APPROVALS"
    fail_posts: int = 0
    posts: list[Post] = field(default_factory=list)
    redraws: list[ApprovalRecord] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    announcements: list[Announcement] = field(default_factory=list)
    direct_messages: list[Notice] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def post_request(self, record: ApprovalRecord, route: Route) -> SlackMessage:
        """Post the request where `route` says; its `ts` counts up from 1700000000.000001.

        Raises:
            SlackUnavailableError: while `fail_posts` is above zero (it counts down).
        """
        if route.channel_id is None:
            msg = "this route posts to no channel"
            raise ValueError(msg)
        return self._post(record, route.channel_id, route, None)

    def post_direct(self, record: ApprovalRecord, user_id: str) -> SlackMessage:
        """Send `user_id` a copy in a direct message (channel `D` + the id's tail), as
        `post_request` does, `fail_posts` included."""
        return self._post(record, "D" + user_id[1:], None, user_id)

    def _post(
        self, record: ApprovalRecord, channel: str, route: Route | None, recipient: str | None
    ) -> SlackMessage:
        with self._lock:
            if self.fail_posts > 0:
                self.fail_posts -= 1
                raise SlackUnavailableError("slack unreachable")
            ts = f"1700000000.{len(self.posts) + 1:06d}"
            message = SlackMessage(channel, ts, recipient)
            post = Post(message, record, summary_text(record), request_blocks(record), route)
            self.posts.append(post)
            return message

    def direct_posts(self) -> list[Post]:
        """The copies sent in direct messages, in order."""
        with self._lock:
            return [p for p in self.posts if p.message.recipient is not None]

    def update_request(self, record: ApprovalRecord) -> None:
        """Redraw the posted request (the gate's notifier)."""
        with self._lock:
            self.redraws.append(record)

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        """Redraw one copy of the posted request (the webhook's and the relay's message
        board): kept in `redraws` like a whole redraw, once per copy."""
        self.update_request(record)

    def reply(self, thread: SlackMessage, text: str) -> None:
        """Reply in the request's thread."""
        with self._lock:
            self.replies.append(Reply(thread, text))

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        """Tell one person something."""
        with self._lock:
            self.notices.append(Notice(user_id, text, thread))

    def announce(self, channel: str, text: str) -> None:
        """Post a notice to another channel."""
        with self._lock:
            self.announcements.append(Announcement(channel, text))

    def message_directly(self, user_id: str, text: str) -> None:
        """Tell `user_id` something in a direct message (kept as a notice with no thread,
        in `direct_messages`)."""
        with self._lock:
            self.direct_messages.append(Notice(user_id, text, None))


class UnknownUsergroupError(LookupError):
    """The directory has no such usergroup (Slack answers `no_such_subteam`)."""

    def __init__(self, usergroup_id: str) -> None:
        self.usergroup_id = usergroup_id
        super().__init__(f"no usergroup {usergroup_id} in the in-memory directory")


@dataclass
class InMemoryDirectory:
    """Usergroups with fixed members; `lookups` counts calls, to prove caching."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    lookups: int = 0

    def members(self, usergroup_id: str) -> frozenset[str]:
        """The group's user ids.

        Raises:
            UnknownUsergroupError: no such group.
        """
        self.lookups += 1
        if usergroup_id not in self.groups:
            raise UnknownUsergroupError(usergroup_id)
        return self.groups[usergroup_id]
