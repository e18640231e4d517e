"""Approving through a modal: "Approve with comment", and a sensitive request's confirmation.

Two buttons open a modal (`views.open` with the click's trigger id, like Reject's), and the
modal's `view_submission` casts the approve, with the comment typed in. The button only opens
the form: like a click it is verified (before Bolt) and authorized (`DecisionService.check`)
before anything is shown. The submission is the vote, counted by the same one conditional write
as a click, marked `confirmed`: the only kind of approve the write accepts for a sensitive
request, so a forged one-click `approve` changes nothing (greenlight.core.vote_write).

`register` adds the listeners to the app `build_app` made; it keeps to the app's conventions
(errors answered through `reply_for`, Slack reached through Bolt's per-request client).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from greenlight.core import messages
from greenlight.core.approve_views import approve_modal
from greenlight.core.buttons import (
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_CONFIRM_APPROVE,
    COMMENT_BLOCK_ID,
    COMMENT_MODAL_CALLBACK_ID,
    CONFIRM_MODAL_CALLBACK_ID,
)
from greenlight.core.errors import ApprovalError
from greenlight.core.votes import Verdict
from greenlight.webhook.decisions import Click
from greenlight.webhook.payloads import read_button_click, to_comment_submission

if TYPE_CHECKING:
    from collections.abc import Callable

    from slack_bolt import App
    from slack_sdk import WebClient

    from greenlight.webhook.decisions import DecisionService
    from greenlight.webhook.ports import MessageBoard
    from greenlight.webhook.slack_board import SlackMessageBoard

    Decisions = Callable[[MessageBoard], DecisionService]
    Reply = Callable[[ApprovalError, DecisionService], str]

logger = logging.getLogger(__name__)
# Bolt matches a pattern with `search`, hence the anchors.
OPENERS = re.compile(
    rf"\A(?:{re.escape(ACTION_APPROVE_WITH_COMMENT)}|{re.escape(ACTION_CONFIRM_APPROVE)})\Z"
)
COMMENT_NEEDED = "Please write a comment, or use Approve."


def register(
    app: App,
    decisions: Decisions,
    board_over: Callable[[WebClient], SlackMessageBoard],
    reply_for: Reply,
) -> None:
    """Add the approve-modal listeners: the two buttons that open it, its two submissions."""

    @app.action({"type": "block_actions", "action_id": OPENERS})
    def on_open(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        board = board_over(client)
        open_approve_form(body, decisions(board), board, reply_for)

    @app.view(COMMENT_MODAL_CALLBACK_ID)
    def on_comment(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        submit_approval(ack, body, decisions(board_over(client)), reply_for, needs_comment=True)

    @app.view(CONFIRM_MODAL_CALLBACK_ID)
    def on_confirm(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        submit_approval(ack, body, decisions(board_over(client)), reply_for, needs_comment=False)

    @app.view_closed(
        re.compile(rf"\A(?:{COMMENT_MODAL_CALLBACK_ID}|{CONFIRM_MODAL_CALLBACK_ID})\Z")
    )
    def on_dismissed(ack: Callable[..., None]) -> None:
        ack()  # closed without approving: nothing was decided, nothing to do


def open_approve_form(
    body: dict[str, Any], service: DecisionService, board: SlackMessageBoard, reply_for: Reply
) -> None:
    """Open the approve modal for a clicker who may still decide; tell anyone else why not."""
    click = read_button_click(body)
    if click is None:
        return
    try:
        record = service.check(click.approval_id, click.user_id)
    except ApprovalError as err:
        logger.info(
            "click changed nothing",
            extra={"approval_id": click.approval_id, "error": type(err).__name__},
        )
        board.tell(click.channel_id, click.user_id, reply_for(err, service))
        return
    view = approve_modal(record, with_comment=click.action_id == ACTION_APPROVE_WITH_COMMENT)
    if not board.open_form(click.trigger_id, view, record):
        board.tell(click.channel_id, click.user_id, messages.form_unavailable())


def submit_approval(
    ack: Callable[..., None],
    body: dict[str, Any],
    service: DecisionService,
    reply_for: Reply,
    *,
    needs_comment: bool,
) -> None:
    """Count the modal's approve (confirmed, with its comment); errors stay in the form."""
    try:
        submission = to_comment_submission(body)
        if needs_comment and submission.comment is None:
            ack(response_action="errors", errors={COMMENT_BLOCK_ID: COMMENT_NEEDED})
            return
        click = Click(
            submission.approval_id,
            submission.user_id,
            Verdict.APPROVE,
            comment=submission.comment,
            confirmed=True,
        )
        service.decide(click)
    except ApprovalError as err:
        ack(response_action="errors", errors={COMMENT_BLOCK_ID: reply_for(err, service)})
        return
    ack()
