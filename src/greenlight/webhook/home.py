"""The App Home inbox: published when a person opens the Home tab, refreshed by the relay.

Slack sends `app_home_opened` (an Events API `event_callback`, signed like every request, and
verified once before Bolt sees it: asgi.py) each time someone opens the app's Home tab; the
answer is `views.publish` of that person's inbox (`greenlight.core.home`). The inbox's buttons
are the message's buttons: a click in the Home tab arrives as `block_actions` from a view
(`container.type == "view"`, no channel), is authorized and counted by the same decision
service, and is answered by publishing the Home tab again with a line on top, since there is
no channel for an ephemeral answer. Reject, Approve with comment and a sensitive request's
Approve (`approve_confirm`) open the same modals as on the message, through the same flow
(`comments.act_on_click`); their submissions are handled by the message's listeners (app.py,
comments.py), and the relay redraws the Home tab. A Home tab click redraws no message itself:
the relay redraws every copy of it from the stream (`relay.py`).

A delegate's Home tab also lists what they may decide for the people who delegated to them
("you decide for @bob"), read when they open it or click in it; the relay redraws the Home tabs
of the people an approval names, not their delegates (that would cost a read of each
approver's delegations on every change).

Reading "pending for user X" has no index of its own: the inbox reads every pending approval
(the `by_status` index, one query, paged) and filters in memory, plus three bounded queries for
the recently decided ones (`DynamoApprovalStore.recently_created_final`). Its cost grows with
the number of pending approvals in the installation (tens to hundreds: fine); an index keyed by
approver would be the next step if that grows to thousands.
"""

from __future__ import annotations

import logging
import math
import time
from typing import TYPE_CHECKING, Any, Protocol

from slack_sdk.errors import SlackApiError, SlackClientError

from greenlight.core.errors import ApprovalError, InvalidRequestError
from greenlight.core.home import concerned, decided_for, delegated_to, home_view, pending_for
from greenlight.webhook.comments import act_on_click
from greenlight.webhook.payloads import BUTTONS, to_home_click, user_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from slack_bolt import App
    from slack_sdk import WebClient

    from greenlight.core.record import ApprovalRecord
    from greenlight.webhook.decisions import DecisionService, Delegators
    from greenlight.webhook.payloads import HomeClick
    from greenlight.webhook.ports import MessageBoard
    from greenlight.webhook.slack_board import SlackMessageBoard

logger = logging.getLogger(__name__)
APP_HOME_OPENED = "app_home_opened"
HOME_TAB = "home"
RECENT_READ = 50  # final approvals read per status for "recently decided"
MAX_HOMES_PER_CHANGE = 25  # the relay publishes at most this many Home tabs per change


class HomeSource(Protocol):
    """The approvals table, as the inbox reads it."""

    def pending(self) -> list[ApprovalRecord]:
        """Every pending approval."""
        ...

    def recently_created_final(self, limit: int) -> list[ApprovalRecord]:
        """Up to `limit` final approvals per final status, newest first."""
        ...


class Inbox:
    """Builds people's Home tab views from the approvals table (and, given the delegations,
    what a delegate may decide for the people away)."""

    def __init__(self, source: HomeSource, delegations: Delegators | None = None) -> None:
        self._source = source
        self._delegations = delegations

    def view_for(self, user_id: str, notice: str | None = None) -> dict[str, Any]:
        """One person's Home tab."""
        return self.views_for([user_id], notice)[user_id]

    def views_for(
        self, user_ids: Iterable[str], notice: str | None = None
    ) -> dict[str, dict[str, Any]]:
        """Several people's Home tabs from one read of the table."""
        pending = self._source.pending()
        final = self._source.recently_created_final(RECENT_READ)
        views = {}
        for user in user_ids:
            mine = pending_for(pending, user)
            delegators = self._delegations.delegators_of(user) if self._delegations else []
            for_others = delegated_to(pending, user, delegators) if delegators else {}
            theirs = [r for r in pending if r.approval_id in for_others]
            views[user] = home_view(
                mine + theirs, decided_for(final, user), notice, for_others, user_id=user
            )
        return views


class HomeBoard:
    """Publishes Home tabs (`views.publish`); best effort, like the message board."""

    def __init__(self, client: WebClient) -> None:
        # Bolt gives its per-request client the workspace as a default `team_id` (for org-wide
        # tokens); views.publish documents no `team_id` (tests/contract/slack_api), so it is
        # dropped, as app.py's `board_over` drops it for the message board.
        client.default_params.pop("team_id", None)
        self._client = client

    def publish(self, user_id: str, view: dict[str, Any]) -> bool:
        """Publish `view` as `user_id`'s Home tab; False (logged) when Slack would not."""
        try:
            self._client.views_publish(user_id=user_id, view=view)
        except (SlackClientError, OSError) as err:
            code = err.response.get("error") if isinstance(err, SlackApiError) else None
            logger.warning(
                "Slack refused the Home tab",
                extra={"slack_error": code or type(err).__name__},
            )
            return False
        return True


class HomeRefresher:
    """What the relay does on every change of an approval: publish the Home tab of each
    person concerned (at most `MAX_HOMES_PER_CHANGE`, the approvers first)."""

    def __init__(self, inbox: Inbox, board: HomeBoard, limit: int = MAX_HOMES_PER_CHANGE) -> None:
        self._inbox = inbox
        self._board = board
        self._limit = limit

    def refresh(self, record: ApprovalRecord, until: float = math.inf) -> int:
        """Publish the concerned people's Home tabs, none once `time.monotonic()` reaches
        `until` (the relay's time for Slack); returns how many Slack accepted.

        Raises whatever reading the table raises; the relay logs it and goes on (a Home tab
        is a view of the table, never a reason to hold back a decision).
        """
        people = people_to_refresh(record, self._limit)
        views = self._inbox.views_for(people)
        published = 0
        for user in people:
            if time.monotonic() >= until:
                break  # the rest are drawn by the next change, or when they open the tab
            published += self._board.publish(user, views[user])
        return published


def people_to_refresh(record: ApprovalRecord, limit: int) -> list[str]:
    """Whose Home tab a change of `record` redraws: approvers first, then voters, viewers
    and the requester, each group sorted; at most `limit` people."""
    first = sorted(record.policy.approver_ids)
    rest = sorted(concerned(record) - set(first))
    return [*first, *rest][:limit]


def is_home_click(body: dict[str, Any]) -> bool:
    """Whether a `block_actions` came from a Home tab (a view of type home, no channel)."""
    container, view = body.get("container"), body.get("view")
    return (
        isinstance(container, dict)
        and container.get("type") == "view"
        and isinstance(view, dict)
        and view.get("type") == HOME_TAB
    )


def register(
    app: App,
    *,
    inbox: Inbox,
    decisions: Callable[[MessageBoard], DecisionService],
    board_over: Callable[[WebClient], SlackMessageBoard],
    reply: Callable[[ApprovalError, DecisionService], str],
) -> None:
    """Add the Home tab's listeners to `app`: before its catch-all event listener, which Bolt
    would otherwise match first, and after the message buttons' listener, whose middleware
    passes Home tab clicks on (app.py)."""

    @app.event(APP_HOME_OPENED)
    def on_home_opened(ack: Callable[..., None], event: dict[str, Any], client: WebClient) -> None:
        ack()
        user = event.get("user")
        if event.get("tab") != HOME_TAB or not isinstance(user, str):
            return  # the Messages tab, or nothing we can read: nothing to show
        try:
            user_id = user_of({"user": {"id": user}})
        except InvalidRequestError:
            return
        HomeBoard(client).publish(user_id, inbox.view_for(user_id))

    @app.action({"type": "block_actions", "action_id": BUTTONS}, matchers=[is_home_click])
    def on_home_button(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        board = board_over(client)
        service = decisions(board)
        try:
            click = to_home_click(body)
        except InvalidRequestError as err:
            logger.warning("unreadable Home tab click", extra={"field": err.field})
            return
        notice = _decide(click, service, board, reply)
        if notice is not None:
            HomeBoard(client).publish(click.user_id, inbox.view_for(click.user_id, notice))


def _decide(
    click: HomeClick,
    service: DecisionService,
    board: SlackMessageBoard,
    reply: Callable[[ApprovalError, DecisionService], str],
) -> str | None:
    """Act on a Home tab click (`comments.act_on_click`); the line to show on top of the Home
    tab (None: a form opened, the tab is redrawn once it is submitted)."""
    return act_on_click(click, service, board, reply, home_tab=True)
