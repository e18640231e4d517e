"""The approval message and the clicker's private answers, over the Slack Web API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError, SlackClientError

from greenlight.core.blocks import reject_modal
from greenlight.slack.client import redraw_copy

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from greenlight.core.record import ApprovalRecord, SlackMessage

logger = logging.getLogger(__name__)


class SlackMessageBoard:
    """Redraws approval messages, answers ephemerally, opens the reject and approve modals."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def redraw_copy(self, record: ApprovalRecord, message: SlackMessage) -> None:
        """Update one copy of the posted message: progress, or the verdict with the buttons
        gone.

        Best effort: by now the vote is stored (and a decision's workflow resumed). A message
        Slack will not update (deleted, rate-limited, Slack down) is logged, not turned into
        an error answer to a click that counted; the relay draws it again on the next change.
        """
        try:
            redraw_copy(self._client, record, message)
        except (SlackClientError, OSError) as err:
            _log_failure("redraw", err, record.approval_id)

    def tell(self, channel: str, user_id: str, text: str) -> None:
        """An ephemeral message only `user_id` sees; best effort, like `redraw`."""
        try:
            self._client.chat_postEphemeral(channel=channel, user=user_id, text=text)
        except (SlackClientError, OSError) as err:
            _log_failure("ephemeral answer", err)

    def ask_reason(self, trigger_id: str, record: ApprovalRecord) -> bool:
        """Open the reject-reason modal (the trigger id is valid for 3 s); False when Slack
        would not (down, rate-limited, trigger expired): the caller tells the clicker."""
        return self.open_form(
            trigger_id, reject_modal(record.approval_id, record.request.title), record
        )

    def open_form(self, trigger_id: str, view: dict[str, Any], record: ApprovalRecord) -> bool:
        """Open a modal about `record` (the trigger id is valid for 3 s); False when Slack would
        not: the caller tells the clicker."""
        try:
            self._client.views_open(trigger_id=trigger_id, view=view)
        except (SlackClientError, OSError) as err:
            _log_failure("form", err, record.approval_id)
            return False
        return True


def _log_failure(what: str, err: Exception, approval_id: str | None = None) -> None:
    """Slack's error code or the exception type; never the request (it carries the token)."""
    code = err.response.get("error") if isinstance(err, SlackApiError) else type(err).__name__
    logger.warning(
        "Slack refused the %s", what, extra={"slack_error": code, "approval_id": approval_id}
    )
