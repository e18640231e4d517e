"""Block Kit for the approval message and the reject modal: pure functions of the record."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from approvals.buttons import (
    ACTION_APPROVE,
    ACTION_REJECT,
    DECISION_BLOCK_ID,
    REASON_ACTION_ID,
    REASON_BLOCK_ID,
    REJECT_MODAL_CALLBACK_ID,
)
from approvals.votes import MAX_REASON, Status, Verdict

if TYPE_CHECKING:
    from approvals.record import ApprovalRecord
from approvals.request import is_slack_user_id

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot forge mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A Slack user mention, or the name itself for a non-user (an operator)."""
    return f"<@{user_id}>" if is_slack_user_id(user_id) else escape(user_id)


def slack_date(iso: str) -> str:
    """A date Slack renders in the reader's time zone, with a UTC fallback."""
    moment = datetime.fromisoformat(iso)
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def summary_text(record: ApprovalRecord) -> str:
    """The notification text (shown in push notifications and to screen readers)."""
    request = record.request
    head = f"Approval needed: {request.title} ({request.amount_text})"
    if record.status is Status.PENDING:
        return head
    return f"{head} - {record.status.value}"


def request_blocks(record: ApprovalRecord) -> list[Block]:
    """The message: the request, its progress, and buttons while it is pending."""
    request = record.request
    fields = [
        {"type": "mrkdwn", "text": f"*Amount*\n{request.amount_text}"},
        {"type": "mrkdwn", "text": f"*Requested by*\n{mention(request.requester_id)}"},
    ] + [
        {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)}"}
        for label, value in request.fields
    ]
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": request.title[:150]}},
        {"type": "section", "fields": fields[:10]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _progress(record)}]},
    ]
    if record.status is Status.PENDING:
        blocks.append(_buttons(record.approval_id))
    else:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _verdict(record)}})
    return blocks


def _progress(record: ApprovalRecord) -> str:
    quorum = record.policy.quorum
    approvals = [v for v in record.votes if v.verdict is Verdict.APPROVE]
    who = ", ".join(mention(v.user_id) for v in approvals)
    needed = ", ".join(mention(u) for u in record.waiting_on())
    line = f"{len(approvals)} of {quorum} approval{'s' if quorum > 1 else ''}"
    if who:
        line += f": {who}"
    if record.status is Status.PENDING:
        line += f" · waiting on {needed} · expires {slack_date(record.expires_at)}"
    if record.policy.escalated_ids:
        line += " · escalated to " + ", ".join(
            mention(u) for u in sorted(record.policy.escalated_ids)
        )
    return line


def _verdict(record: ApprovalRecord) -> str:
    when = slack_date(record.decided_at) if record.decided_at else ""
    who = ", ".join(mention(u) for u in record.decided_by)
    if record.status is Status.APPROVED:
        return f":white_check_mark: *Approved* by {who} · {when}"
    if record.status is Status.REJECTED:
        return f":x: *Rejected* by {who} · {when}\n>{escape(record.reason or '')}"
    return f":hourglass: *Expired* · {when}: no decision in time"


def _buttons(approval_id: str) -> Block:
    return {
        "type": "actions",
        "block_id": DECISION_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": ACTION_APPROVE,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": approval_id,
            },
            {
                "type": "button",
                "action_id": ACTION_REJECT,
                "style": "danger",
                "text": {"type": "plain_text", "text": "Reject"},
                "value": approval_id,
            },
        ],
    }


def reject_modal(approval_id: str, title: str) -> dict[str, Any]:
    """The modal that asks why; its submission carries the approval id in private_metadata."""
    return {
        "type": "modal",
        "callback_id": REJECT_MODAL_CALLBACK_ID,
        "private_metadata": approval_id,
        "title": {"type": "plain_text", "text": "Reject request"},
        "submit": {"type": "plain_text", "text": "Reject"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"Rejecting *{escape(title)}*"},
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK_ID,
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION_ID,
                    "multiline": True,
                    "max_length": MAX_REASON,
                },
            },
        ],
    }
