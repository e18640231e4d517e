"""An approval's buttons, wherever they are clicked, and the approve forms they open.

`act_on_click` is the one flow of a button click, on the message (app.py) and in the Home tab
(home.py) alike: Approve decides at once; Reject, "Approve with comment" and a sensitive
request's Approve open a modal (`views.open` with the click's trigger id). A button that opens a
form is, like a click, verified (before Bolt) and authorized (`DecisionService.check`) before
anything is shown. The approve modals' `view_submission` casts the approve, with the comment
typed in, counted by the same one conditional write as a click, marked `confirmed`: the only
kind of approve the write accepts for a sensitive request, so a forged one-click `approve`
changes nothing (greenlight.core.vote_write).

`register` adds the approve modals' listeners to the app `build_app` made; it keeps to the
app's conventions (a form's errors answered through `form_error_for`, in plain text as Slack
shows them; Slack reached through Bolt's per-request client).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from greenlight.core import messages
from greenlight.core.approve_views import approve_modal
from greenlight.core.buttons import (
    ACTION_APPROVE,
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_REJECT,
    COMMENT_BLOCK_ID,
    COMMENT_MODAL_CALLBACK_ID,
    CONFIRM_MODAL_CALLBACK_ID,
)
from greenlight.core.errors import ApprovalError
from greenlight.core.votes import Verdict
from greenlight.webhook.decisions import Click
from greenlight.webhook.payloads import to_comment_submission

if TYPE_CHECKING:
    from collections.abc import Callable

    from slack_bolt import App
    from slack_sdk import WebClient

    from greenlight.webhook.decisions import DecisionService
    from greenlight.webhook.payloads import ButtonClick, HomeClick
    from greenlight.webhook.ports import MessageBoard
    from greenlight.webhook.slack_board import SlackMessageBoard

    Decisions = Callable[[MessageBoard], DecisionService]
    Reply = Callable[[ApprovalError, DecisionService], str]

logger = logging.getLogger(__name__)
COMMENT_NEEDED = "Please write a comment, or use Approve."


def register(
    app: App,
    decisions: Decisions,
    board_over: Callable[[WebClient], SlackMessageBoard],
    form_error: Reply,
) -> None:
    """Add the approve modals' listeners: their submissions, and their dismissal. (Their buttons
    are the message's listener's, app.py, and the Home tab's, home.py.) `form_error` is what a
    refused submission shows in the form, in plain text."""

    @app.view(COMMENT_MODAL_CALLBACK_ID)
    def on_comment(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        submit_approval(ack, body, decisions(board_over(client)), form_error, needs_comment=True)

    @app.view(CONFIRM_MODAL_CALLBACK_ID)
    def on_confirm(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        submit_approval(ack, body, decisions(board_over(client)), form_error, needs_comment=False)

    @app.view_closed(
        re.compile(rf"\A(?:{COMMENT_MODAL_CALLBACK_ID}|{CONFIRM_MODAL_CALLBACK_ID})\Z")
    )
    def on_dismissed(ack: Callable[..., None]) -> None:
        ack()  # closed without approving: nothing was decided, nothing to do


def act_on_click(
    click: ButtonClick | HomeClick,
    service: DecisionService,
    board: SlackMessageBoard,
    reply_for: Reply,
    *,
    home_tab: bool,
) -> str | None:
    """Act on a button click: Approve decides at once; Reject, Approve with comment and a
    sensitive request's Approve (`approve_confirm`) open their form for a clicker who may still
    decide (`DecisionService.check`); the form's submission is the vote.

    A one-click Approve of a sensitive request is refused by the write (its button is
    `approve_confirm`), and the refusal is told like any other.

    Args:
        click: the click, read from the message or the Home tab.
        service: decides, and redraws the copy clicked when a vote changed it (the relay
            redraws the others, and the Home tabs).
        board: opens the forms.
        reply_for: what the clicker is told for a domain error.
        home_tab: the click came from the Home tab. Its answer is published on top of the tab,
            which shows no message, so a vote that decided is said there; on the message, the
            service's redraw of the copy clicked shows the decision and nothing more is said.

    Returns:
        The line to show the clicker, or None: a form opened, or a decision the redrawn
        message shows.
    """
    try:
        if click.action_id == ACTION_APPROVE:
            vote = Click(
                click.approval_id,
                click.user_id,
                Verdict.APPROVE,
                message=click.seen_in,
                on_home_tab=home_tab,
            )
            result = service.decide(vote)
            if result.decided:
                return messages.you_decided(result.record) if home_tab else None
            return messages.vote_counted(result.record)
        record = service.check(click.approval_id, click.user_id)
        if click.action_id == ACTION_REJECT:
            opened = board.ask_reason(click.trigger_id, record)
        else:
            with_comment = click.action_id == ACTION_APPROVE_WITH_COMMENT
            view = approve_modal(record, with_comment=with_comment)
            opened = board.open_form(click.trigger_id, view, record)
    except ApprovalError as err:
        logger.info(
            "Home tab click changed nothing" if home_tab else "click changed nothing",
            extra={"approval_id": click.approval_id, "error": type(err).__name__},
        )
        return reply_for(err, service)
    return None if opened else messages.form_unavailable()


def submit_approval(
    ack: Callable[..., None],
    body: dict[str, Any],
    service: DecisionService,
    form_error: Reply,
    *,
    needs_comment: bool,
) -> None:
    """Count the modal's approve (confirmed, with its comment); errors stay in the form, in
    plain text (`form_error`). The submission names no message: the service redraws the
    submitter's own copy, the relay the rest (`DecisionService.decide`)."""
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
        ack(response_action="errors", errors={COMMENT_BLOCK_ID: form_error(err, service)})
        return
    ack()
