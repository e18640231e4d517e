"""Posts and redraws approval requests in Slack."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.slack_client import redraw
from approvals.blocks import mention, request_blocks, summary_text
from approvals.record import ApprovalRecord, SlackMessage

if TYPE_CHECKING:
    from slack_sdk import WebClient


class SlackApprovalNotifier:
    """The ApprovalNotifier port over the Slack Web API."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self._client = client
        self._channel = channel

    def post_request(self, record: ApprovalRecord) -> SlackMessage:
        """Post the request with its buttons to the configured channel."""
        response = self._client.chat_postMessage(
            channel=self._channel,
            text=summary_text(record),
            blocks=request_blocks(record),
            unfurl_links=False,
        )
        return SlackMessage(channel=str(response["channel"]), ts=str(response["ts"]))

    def update_request(self, record: ApprovalRecord) -> None:
        """Redraw the posted message to match the record (e.g. Expired, buttons gone)."""
        redraw(self._client, record)

    def reply(self, thread: SlackMessage, text: str) -> None:
        """A reply in the request's thread (reminders, escalations)."""
        self._client.chat_postMessage(channel=thread.channel, thread_ts=thread.ts, text=text)

    def announce(self, channel: str, text: str) -> None:
        """A message in another channel."""
        self._client.chat_postMessage(channel=channel, text=text, unfurl_links=False)

    def notify(self, user_id: str, text: str, thread: SlackMessage | None) -> None:
        """Reply in the request's thread, or post to the channel when there is none."""
        self._client.chat_postMessage(
            channel=thread.channel if thread else self._channel,
            thread_ts=thread.ts if thread else None,
            text=f"{mention(user_id)} {text}",
        )


class SlackDirectory:
    """The Directory port over `usergroups.users.list` (callers cache per invocation)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def members(self, usergroup_id: str) -> frozenset[str]:
        """The group's members (Slack answers `no_such_subteam` for an unknown group)."""
        response = self._client.usergroups_users_list(usergroup=usergroup_id)
        return frozenset(str(u) for u in response["users"])
