"""What the gate needs from the outside: a store, Slack, a directory, a clock and ids."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.route import Route


class ApprovalStore(Protocol):
    """Where approval records and their audit trail live (DynamoDB)."""

    def create(self, record: ApprovalRecord) -> ApprovalRecord:
        """Store a new record; if it exists already (a retried step), return the stored one."""
        ...

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        """Remember one more message the request was posted as (the first is the main one)."""
        ...

    def get(self, approval_id: str) -> ApprovalRecord:
        """Read a record (strongly consistent); raises NotFoundError."""
        ...

    def update(
        self,
        approval_id: str,
        change: Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None],
    ) -> ApprovalRecord:
        """Apply `change` to the record while it is pending; return the record as it stands."""
        ...

    def note(self, event: AuditEvent) -> None:
        """Append an audit line that changes no state."""
        ...


class ApprovalNotifier(Protocol):
    """Where people see requests and outcomes (Slack)."""

    def post_request(self, record: ApprovalRecord, route: Route) -> SlackMessage:
        """Post the request with its buttons where `route` says."""
        ...

    def post_direct(self, record: ApprovalRecord, user_id: str) -> SlackMessage:
        """Send `user_id` a copy of the request, with its buttons, in a direct message."""
        ...

    def update_request(self, record: ApprovalRecord) -> None:
        """Redraw every copy of the posted request to match the record."""
        ...

    def reply(self, thread: SlackMessage, text: str) -> None:
        """Reply in the request's thread."""
        ...

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        """Tell a person something, in the request's thread (or the default channel, if the
        notifier has one, when there is no thread)."""
        ...

    def announce(self, channel: str, text: str) -> None:
        """Post a notice to another channel (e.g. the escalation channel)."""
        ...

    def message_directly(self, user_id: str, text: str) -> None:
        """Tell `user_id` something in a direct message."""
        ...


class Directory(Protocol):
    """Who is in a Slack usergroup."""

    def members(self, usergroup_id: str) -> frozenset[str]:
        """The group's user ids; raises if the group does not exist."""
        ...


class GateServices(Protocol):
    """The collaborators one gate run uses (read-only attributes)."""

    @property
    def approvals(self) -> ApprovalStore: ...
    @property
    def notifier(self) -> ApprovalNotifier: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def new_id(self) -> Callable[[], str]:
        """Fresh approval ids for requests decided without asking (an automatic approval);
        a posted request's id is derived from its callback (`approval_id_for`)."""
        ...

    @property
    def requester(self) -> str | None:
        """The function's requester label, which leads each approval id (`labelled`)."""
        ...
