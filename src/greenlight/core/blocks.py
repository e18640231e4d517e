"""Block Kit for the approval message and the reject modal: pure functions of the record.

Everything rendered stays inside Slack's documented Block Kit limits whatever the record holds
(the longest title, ten fields at their longest, hundreds of approvers from a usergroup, a long
reason), because Slack refuses a whole message (`invalid_blocks`) or modal (`invalid_arguments`)
for one text that is too long. Sources, docs.slack.dev/reference/block-kit/...:
`blocks` (50 blocks a message), `blocks/section-block` (text 3000, 10 fields of 2000 each),
`blocks/header-block` (150, plain_text), `blocks/context-block` (10 elements),
`composition-objects/text-object` (1 to 3000), `block-elements/button-element` (text 75).

A message's texts together are bounded too: chat.postMessage refuses `msg_blocks_too_long`
("Blocks submitted with this message are too long": tests/contract/slack_api/slack_api_ref/
chat.postMessage.json) at an undocumented total that Slack's maintainers gave as "12,000 text
characters with a buffer for block containers" (slackapi/bolt-js#2509, refused at ~13,200;
slackapi/bolt-js#2867 saw a refusal at 11,341 counted as here). So `request_blocks` keeps every
`text` of a message within `BLOCK_TEXT_BUDGET`, below 12,000 by a margin for the containers.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from greenlight.core.buttons import (
    ACTION_APPROVE,
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_CONFIRM_APPROVE,
    ACTION_REJECT,
    DECISION_BLOCK_ID,
    REASON_ACTION_ID,
    REASON_BLOCK_ID,
    REJECT_MODAL_CALLBACK_ID,
)
from greenlight.core.votes import MAX_REASON, Status, Verdict, approvals_counted

if TYPE_CHECKING:
    from collections.abc import Iterable

    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote
from greenlight.core.request import is_slack_user_id

Block = dict[str, Any]

SECTION_TEXT_MAX = 3000
SECTION_FIELDS_MAX = 10
FIELD_TEXT_MAX = 2000
HEADER_TEXT_MAX = 150
MESSAGE_TEXT_MAX = 4000  # chat.update answers msg_too_long above it; chat.postMessage advises it
MENTIONS_SHOWN = 20  # a usergroup may have hundreds of members; name a few, count the rest
ELLIPSIS = "…"
CONTEXT_ELEMENTS_MAX = 10
COMMENT_TEXT_MAX = 1000  # ten of them fit the 3000 of a context block's mrkdwn and then some
BLOCK_TEXT_MAX = 12_000  # every text of a message together (bolt-js#2509, #2867: see above)
BLOCK_TEXT_BUDGET = 11_000  # what a message of ours holds: 1,000 left for the block containers
SENSITIVE_WARNING = (
    ":warning: *Sensitive request*: approving it needs a confirmation in a form; read it carefully."
)


# Slack's special mentions page many people at once: `<!here>`, `<!channel>`, `<!everyone>`
# (`<!group>`, an old synonym of channel) and a user group's `<!subteam^ID>`, each optionally
# `|label` (docs.slack.dev/messaging/formatting-message-text, "Special mentions" and
# "Mentioning groups"). Every `<!…>` is one but a date (`<!date^…>`), which only formats.
_SPECIAL_MENTION = re.compile(r"<(!(?!date\^)[^<>]*)>")


def without_special_mentions(mrkdwn: str) -> str:
    """`mrkdwn` with each special mention shown as the text it was (`<!channel>` becomes
    `&lt;!channel&gt;`: Slack shows "<!channel>" and pages nobody); the rest kept as written."""
    return _SPECIAL_MENTION.sub(lambda m: f"&lt;{m.group(1)}&gt;", mrkdwn)


def escape(text: str) -> str:
    """Escape user text for mrkdwn so it cannot forge mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shorten(text: str, limit: int, *, mrkdwn: bool = True) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut.

    In mrkdwn the cut never splits an entity (`&amp;`) or a `<…>` mention or link: half of one
    would show as garbage, or as an open `<` that swallows what follows. Plain text has neither
    (a `&` or `<` there is just a character), so it is cut where the limit falls.
    """
    if len(text) <= limit:
        return text
    kept = text[: limit - len(ELLIPSIS)]
    if not mrkdwn:
        return kept + ELLIPSIS
    if kept.rfind("<") > kept.rfind(">"):
        kept = kept[: kept.rfind("<")]
    if kept.rfind("&") > kept.rfind(";"):
        kept = kept[: kept.rfind("&")]
    return kept + ELLIPSIS


def mention(user_id: str) -> str:
    """A Slack user mention, or the name itself for a non-user (an operator)."""
    return f"<@{user_id}>" if is_slack_user_id(user_id) else escape(user_id)


def mentions(user_ids: Iterable[str], shown: int = MENTIONS_SHOWN) -> str:
    """People as mentions, the first `shown` of them named and the others counted."""
    people = list(user_ids)
    named = ", ".join(mention(u) for u in people[:shown])
    rest = len(people) - shown
    return f"{named} and {rest} more" if rest > 0 else named


def slack_date(iso: str) -> str:
    """A date Slack renders in the reader's time zone, with a UTC fallback."""
    moment = datetime.fromisoformat(iso)
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def summary_text(record: ApprovalRecord) -> str:
    """The notification text (shown in push notifications and to screen readers)."""
    request = record.request
    head = f"Approval needed: {escape(request.title)}"
    if request.amount:
        head += f" ({request.amount.text})"
    if record.status is not Status.PENDING:
        head = f"{head} - {record.status.value}"
    return shorten(head, MESSAGE_TEXT_MAX)


def request_blocks(record: ApprovalRecord) -> list[Block]:
    """The message: the request, its progress, and buttons while it is pending.

    The description is the requester's own mrkdwn: their formatting, links, dates and named
    people (`<@U…>`, which notifies that one person, as meant) are kept, but a special mention
    (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`) is shown as text and pages nobody:
    descriptions are often built from outside input (a deploy's summary, a commit message).
    It is posted `verbatim`, so Slack does not parse bare names or URLs in it either (Slack's
    text object: "won't modify any plain-text content"; formatting and `<…>` still work).
    Labels, values and link labels are escaped, so they cannot forge mentions or links.

    Every text is kept within `BLOCK_TEXT_BUDGET` together. The header, the links, the progress
    line and the buttons are drawn whole (each bounded on its own: a link cut is no link, and
    the progress already names a few and counts the rest); what people typed (description,
    fields, comments, the verdict's reason) is cut (`shorten`: never inside an entity or a
    `<…>`) only when together it would not fit, the shortest texts kept whole first and the
    others given equal shares of what is left. Only a request near every limit at once, in
    characters that grow when escaped, is cut.
    """
    request = record.request
    head: list[Block] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": shorten(request.title, HEADER_TEXT_MAX, mrkdwn=False),
            },
        },
    ]
    if request.sensitive:
        head.append(warning_section())
    tail = [decision_buttons(record)] if record.status is Status.PENDING else []

    description = without_special_mentions(request.description)
    links = " · ".join(f"<{link.url}|{escape(link.label)}>" for link in request.links)
    fields = _field_texts(record)
    linked = shorten(links, SECTION_TEXT_MAX)
    progress = shorten(_progress(record), SECTION_TEXT_MAX)
    shared = [
        shorten(description, SECTION_TEXT_MAX) if description.strip() else "",
        *(shorten(text, FIELD_TEXT_MAX) for text in fields),
        *_comment_texts(record),
        "" if tail else shorten(_verdict(record), SECTION_TEXT_MAX),
    ]
    room = BLOCK_TEXT_BUDGET - text_length([*head, *tail]) - len(linked) - len(progress)
    cut = [shorten(text, share) for text, share in zip(shared, _shares(shared, room), strict=True)]
    described, cut_fields = cut[0], cut[1 : 1 + len(fields)]
    *comments, verdict = cut[1 + len(fields) :]

    blocks = head
    if described:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": described, "verbatim": True}}
        )
    blocks += [
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": text}
                for text in cut_fields[start : start + SECTION_FIELDS_MAX]
            ],
        }
        for start in range(0, len(cut_fields), SECTION_FIELDS_MAX)
    ]
    if linked:
        blocks.append(_section(linked))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": progress}]})
    if comments:
        elements = [{"type": "mrkdwn", "text": text} for text in comments]
        blocks.append({"type": "context", "elements": elements})
    if verdict:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": verdict}})
    return blocks + tail


def _field_texts(record: ApprovalRecord) -> list[str]:
    """The request's facts, each a section field's mrkdwn."""
    request = record.request
    fields = [f"*Amount*\n{request.amount.text}"] if request.amount else []
    fields.append(f"*Requested by*\n{mention(request.requester_id)}")
    fields += [f"*{escape(label)}*\n{escape(value)}" for label, value in request.fields]
    return fields


def text_length(node: object) -> int:
    """The characters of every `text` in a block tree: what Slack's total bound counts."""
    if isinstance(node, list):
        return sum(text_length(item) for item in node)
    if isinstance(node, dict):
        own = len(node["text"]) if isinstance(node.get("text"), str) else 0
        return own + sum(text_length(v) for v in node.values() if isinstance(v, dict | list))
    return 0


def _shares(texts: list[str], room: int) -> list[int]:
    """How many characters each text may keep so that together they fit `room`: the shortest
    whole, the rest an equal share of what is left (each at least one ellipsis' worth)."""
    shares = [len(t) for t in texts]
    left = max(room, 0)
    waiting = sorted(range(len(texts)), key=lambda i: shares[i])
    while waiting:
        fair = left // len(waiting)
        if shares[waiting[0]] > fair:
            for i in waiting:
                shares[i] = max(fair, len(ELLIPSIS))
            break
        left -= shares[waiting.pop(0)]
    return shares


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, SECTION_TEXT_MAX)}}


def voters(record: ApprovalRecord, user_ids: Iterable[str], shown: int = MENTIONS_SHOWN) -> str:
    """People as `mentions` does, a vote a delegate cast shown as "@carol for @bob"."""
    people = list(user_ids)
    named = []
    for user_id in people[:shown]:
        vote = record.vote_of(user_id)
        named.append(_author(vote) if vote else mention(user_id))
    rest = len(people) - shown
    return ", ".join(named) + (f" and {rest} more" if rest > 0 else "")


def _progress(record: ApprovalRecord) -> str:
    quorum = record.policy.quorum
    approvals = [v.user_id for v in record.votes if v.verdict is Verdict.APPROVE]
    # Counted as the quorum counts them (one per person: `approvals_counted`), named as cast
    line = f"{approvals_counted(record.votes)} of {quorum} approval{'s' if quorum > 1 else ''}"
    if approvals:
        line += f": {voters(record, approvals)}"
    if record.status is Status.PENDING:
        line += f" · waiting on {_waiting(record)}"
        line += f" · expires {slack_date(record.expires_at)}"
    if record.policy.escalated_ids:
        line += " · escalated to " + mentions(record.escalation_to_ping())
    return line


def _waiting(record: ApprovalRecord) -> str:
    """Who may still decide: the pinged ones mentioned, quiet approvers only counted."""
    pinged = record.to_ping()
    quiet = len(record.waiting_on()) - len(pinged)
    if not quiet:
        return mentions(pinged)
    others = f"{quiet} quiet approver{'s' if quiet > 1 else ''}"
    return f"{mentions(pinged)} and {others}" if pinged else others


def _verdict(record: ApprovalRecord) -> str:
    when = slack_date(record.decided_at) if record.decided_at else ""
    who = voters(record, record.decided_by)
    if record.status is Status.APPROVED:
        return f":white_check_mark: *Approved* by {who} · {when}"
    if record.status is Status.REJECTED:
        # Every line quoted: a reason of several lines stays one quote. Rejected by no one:
        # Greenlight refused it (too few approvers reachable), as the workflow is told.
        reason = "\n".join(f">{line}" for line in escape(record.reason or "").splitlines())
        by = "automatically" if record.is_refused else f"by {who}"
        return f":x: *Rejected* {by} · {when}\n{reason or '>'}"
    # The record's own reason: time ran out ("no decision in time"), or the gate withdrew the
    # request ("the request could not be posted", ...: `gate.ladder_steps.withdraw`). One line.
    why = " ".join(escape(record.reason or "no decision in time").split())
    return f":hourglass: *Expired* · {when}: {why}"


def warning_section() -> Block:
    """The warning a sensitive request shows, in its message and in its approve modals."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": SENSITIVE_WARNING}}


def _comment_texts(record: ApprovalRecord) -> list[str]:
    """The approvers' comments, one context element each, escaped and cut (none: no block)."""
    commented = [v for v in record.votes if v.verdict is Verdict.APPROVE and v.comment]
    return [
        shorten(f":speech_balloon: {_author(v)}: {escape(v.comment or '')}", COMMENT_TEXT_MAX)
        for v in commented[:CONTEXT_ELEMENTS_MAX]
    ]


def _author(vote: Vote) -> str:
    """Who wrote a vote's comment: the voter, or the delegate who cast it for them."""
    who = mention(vote.user_id)
    return f"{mention(vote.cast_by)} for {who}" if vote.cast_by else who


def decision_buttons(record: ApprovalRecord) -> Block:
    """Approve, Approve with comment, Reject, as the message shows them (the App Home shows the
    same buttons, so a click there is the same click). A sensitive request's Approve opens its
    confirmation (`approve_views.approve_modal`) there too instead of approving in one click."""
    approval_id = record.approval_id
    return {
        "type": "actions",
        "block_id": DECISION_BLOCK_ID,
        "elements": [
            {
                "type": "button",
                "action_id": ACTION_CONFIRM_APPROVE if record.request.sensitive else ACTION_APPROVE,
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": approval_id,
            },
            {
                "type": "button",
                "action_id": ACTION_APPROVE_WITH_COMMENT,
                "text": {"type": "plain_text", "text": "Approve with comment"},
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
    """The modal that asks why; its submission carries the approval id in private_metadata.

    Slack's modal limits (docs.slack.dev/reference/surfaces/views): title, submit and close
    at most 24 characters, private_metadata at most 3000; the reason input's max_length 1-3000.
    """
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
                "text": {
                    "type": "mrkdwn",
                    "text": shorten(f"Rejecting *{escape(title)}*", SECTION_TEXT_MAX),
                },
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
