"""Posts and redraws approval requests in Slack."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from greenlight.core.blocks import mention, request_blocks, summary_text
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.route import RecipientUnreachableError
from greenlight.slack.client import open_direct_message, redraw_copy

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from slack_sdk import WebClient

    from greenlight.core.route import Route

# Slack's answers that no retry changes: the message or channel is gone, or closed to the app.
GONE = frozenset(
    {
        "message_not_found",
        "thread_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cant_update_message",
    }
)
# Slack's answers that one person cannot be messaged, for good: no retry changes them, and
# they concern that person only. Exactly the per-user errors of conversations.open in Slack's
# method page (tests/contract/slack_api/slack_api_ref/conversations.open.json, from
# slack-ruby/slack-api-ref; also in slackapi/slack-api-specs): "A specified `user` has been
# disabled", "Value(s) passed for `users` was invalid", "The calling user is restricted from
# seeing the requested user". Not `is_bot`: there it means the caller is a legacy bot, which
# fails every call, not one person's.
UNREACHABLE = frozenset({"user_disabled", "user_not_found", "user_not_visible"})
logger = logging.getLogger(__name__)


class SlackApprovalNotifier:
    """The ApprovalNotifier port over the Slack Web API."""

    def __init__(self, client: WebClient, channel: str | None = None) -> None:
        self._client = client
        self._channel = channel  # where `notify` posts when there is no thread, if anywhere

    def post_request(self, record: ApprovalRecord, route: Route) -> SlackMessage:
        """Post the request with its buttons to the route's channel.

        Raises:
            ValueError: the route has no channel (direct messages go through `post_direct`).
        """
        if route.channel_id is None:
            msg = "this route posts to no channel"
            raise ValueError(msg)
        return self._post(record, route.channel_id, None)

    def post_direct(self, record: ApprovalRecord, user_id: str) -> SlackMessage:
        """Send `user_id` a copy of the request, with its buttons, in a direct message.

        Raises:
            RecipientUnreachableError: Slack will not let the app message `user_id`, for good
                (`UNREACHABLE`); anything else Slack answers is raised as it is, to retry.
        """
        with _reaching(user_id):
            channel = open_direct_message(self._client, user_id)
            return self._post(record, channel, user_id)

    def _post(self, record: ApprovalRecord, channel: str, recipient: str | None) -> SlackMessage:
        response = self._client.chat_postMessage(
            channel=channel,
            text=summary_text(record),
            blocks=request_blocks(record),
            unfurl_links=False,
        )
        return SlackMessage(str(response["channel"]), str(response["ts"]), recipient)

    def update_request(self, record: ApprovalRecord) -> None:
        """Redraw every copy of the posted message to match the record (e.g. Expired, buttons
        gone).

        Like `reply` and `announce`, it runs after the record changed: a message someone
        deleted (or a channel the app was removed from) is logged and skipped, and the other
        copies are still redrawn, since failing the step would retry in vain and then fail an
        order whose approval already settled. Anything else (Slack down, a bad token, a rate
        limit outlasting the client's bounded waits) raises, for the step to retry.
        """
        for message in record.posted_as():
            _unless_gone("redraw", partial(redraw_copy, self._client, record, message))

    def reply(self, thread: SlackMessage, text: str) -> None:
        """A reply in the request's thread (reminders, escalations)."""
        _unless_gone(
            "thread reply",
            lambda: self._client.chat_postMessage(
                channel=thread.channel, thread_ts=thread.ts, text=text
            ),
        )

    def announce(self, channel: str, text: str) -> None:
        """A message in another channel."""
        _unless_gone(
            "announcement",
            lambda: self._client.chat_postMessage(channel=channel, text=text, unfurl_links=False),
        )

    def message_directly(self, user_id: str, text: str) -> None:
        """Tell `user_id` something in the app's direct message with them.

        Raises:
            RecipientUnreachableError: as `post_direct`.
        """
        with _reaching(user_id):
            channel = open_direct_message(self._client, user_id)
            self._client.chat_postMessage(channel=channel, text=text, unfurl_links=False)

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        """Reply in the request's thread, or post to the default channel when there is none.

        Raises:
            ValueError: no thread and no default channel.
        """
        channel = thread.channel if thread else self._channel
        if channel is None:
            msg = "no thread to reply in and no default channel"
            raise ValueError(msg)
        self._client.chat_postMessage(
            channel=channel,
            thread_ts=thread.ts if thread else None,
            text=f"{mention(user_id)} {text}",
        )


@contextmanager
def _reaching(user_id: str) -> Iterator[None]:
    """Raise Slack's refusals that are `user_id`'s for good as `RecipientUnreachableError`."""
    try:
        yield
    except SlackApiError as err:
        code = err.response.get("error")
        if code not in UNREACHABLE:
            raise
        raise RecipientUnreachableError(user_id, str(code)) from err


def _unless_gone(what: str, call: Callable[[], object]) -> None:
    try:
        call()
    except SlackApiError as err:
        code = err.response.get("error")
        if code not in GONE:
            raise
        logger.warning("Slack %s skipped: %s", what, code)


class SlackDirectory:
    """The Directory port over `usergroups.users.list` (callers cache per invocation)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def members(self, usergroup_id: str) -> frozenset[str]:
        """The group's members (Slack answers `no_such_subteam` for an unknown group)."""
        response = self._client.usergroups_users_list(usergroup=usergroup_id)
        return frozenset(str(u) for u in response["users"])
