"""A Slack Web API client set up the way both Lambdas need it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from greenlight.core.blocks import request_blocks, summary_text

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.secret import Secret

TIMEOUT_SECONDS = 5


def build_web_client(
    token: Secret, base_url: str | None = None, *, wait_out_rate_limits: bool = True
) -> WebClient:
    """A WebClient that can point at a local fake Slack and, unless told not to, honours 429
    Retry-After by waiting and sending again.

    The webhook is told not to: Slack's Retry-After can be seconds, and a click must be
    answered within 3 s; its one redraw (the copy clicked) is best effort, and the relay
    redraws every copy for every counted vote (within its invocation's time).
    """
    client = WebClient(
        token=token.reveal(),
        base_url=base_url or WebClient.BASE_URL,
        timeout=TIMEOUT_SECONDS,
    )
    if wait_out_rate_limits:
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return client


def redraw(client: WebClient, record: ApprovalRecord) -> None:
    """Update every copy of the posted request to match the record (progress, verdict,
    buttons gone): the channel message and each direct message, main one first."""
    for message in record.posted_as():
        redraw_copy(client, record, message)


def redraw_copy(client: WebClient, record: ApprovalRecord, message: SlackMessage) -> None:
    """Update one copy of the posted request to match the record."""
    client.chat_update(
        channel=message.channel,
        ts=message.ts,
        text=summary_text(record),
        blocks=request_blocks(record),
    )


def open_direct_message(client: WebClient, user_id: str) -> str:
    """The id (`D…`) of the app's direct message with `user_id`, opened if need be.

    `conversations.open` with `users=<one id>` opens (or resumes) a 1:1 DM and answers
    `{"ok": true, "channel": {"id": "D…"}}` (docs.slack.dev/reference/methods/conversations.open;
    needs the `im:write` scope).
    """
    response = client.conversations_open(users=user_id)
    return str(response["channel"]["id"])
