"""The approval message and the clicker's private answers, over the Slack Web API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.slack_client import redraw
from approvals.blocks import reject_modal

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from approvals.record import ApprovalRecord


class SlackMessageBoard:
    """Redraws approval messages, answers ephemerally, opens the reject modal."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def redraw(self, record: ApprovalRecord) -> None:
        """Update the posted message: progress, or the verdict with the buttons gone."""
        redraw(self._client, record)

    def tell(self, channel: str, user_id: str, text: str) -> None:
        """An ephemeral message only `user_id` sees."""
        self._client.chat_postEphemeral(channel=channel, user=user_id, text=text)

    def ask_reason(self, trigger_id: str, record: ApprovalRecord) -> None:
        """Open the reject-reason modal (the trigger id is valid for 3 s)."""
        self._client.views_open(
            trigger_id=trigger_id, view=reject_modal(record.approval_id, record.request.title)
        )
