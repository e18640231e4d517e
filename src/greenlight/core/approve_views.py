"""The modals that approve (with a comment; a sensitive request's confirmation): pure functions.

Two ways to approve besides one click, both a modal whose `view_submission` casts the vote:
"Approve with comment" (the comment is required there) and, for a request marked sensitive,
the confirmation its Approve button opens (a comment is optional). Only a submission approves a
sensitive request: Slack's `confirm` object on a button is drawn by the client, and a forged
`block_actions` skips it, so the vote's write itself refuses a one-click approve
(`greenlight.core.vote_write`).

Why a third button and not an overflow menu: an overflow always shows as "…" (no text of ours),
needs 2 to 5 options, and is meant for "less visually important actions" (docs.slack.dev/
reference/block-kit/block-elements/overflow-menu-element); a button shows what it does and its
click is the `block_actions` payload the approve and reject buttons already send. An actions
block holds up to 25 elements (docs.slack.dev/reference/block-kit/blocks/actions-block).
Limits as in `greenlight.core.blocks`: modal title, submit and close at most 24 characters,
button text 75, a plain_text_input's max_length 1-3000 (docs.slack.dev/reference/surfaces/views,
.../block-elements/plain-text-input-element).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.core.blocks import SECTION_TEXT_MAX, Block, escape, shorten, warning_section
from greenlight.core.buttons import (
    COMMENT_ACTION_ID,
    COMMENT_BLOCK_ID,
    COMMENT_MODAL_CALLBACK_ID,
    CONFIRM_MODAL_CALLBACK_ID,
)
from greenlight.core.votes import MAX_COMMENT

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord


def approve_modal(record: ApprovalRecord, *, with_comment: bool) -> dict[str, Any]:
    """The modal that approves: with a required comment, or (sensitive) a confirmation with an
    optional one. Its submission carries the approval id in `private_metadata`."""
    title = escape(record.request.title)
    blocks: list[Block] = []
    if record.request.sensitive:
        blocks.append(warning_section())
    blocks += [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": shorten(f"Approving *{title}*", SECTION_TEXT_MAX)},
        },
        {
            "type": "input",
            "block_id": COMMENT_BLOCK_ID,
            "optional": not with_comment,
            "label": {"type": "plain_text", "text": "Comment"},
            "element": {
                "type": "plain_text_input",
                "action_id": COMMENT_ACTION_ID,
                "multiline": True,
                "max_length": MAX_COMMENT,
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": COMMENT_MODAL_CALLBACK_ID if with_comment else CONFIRM_MODAL_CALLBACK_ID,
        "private_metadata": record.approval_id,
        "title": {
            "type": "plain_text",
            "text": "Approve request" if with_comment else "Confirm approval",
        },
        "submit": {"type": "plain_text", "text": "Approve"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
