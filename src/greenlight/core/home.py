"""The App Home inbox: one person's approvals as a Home tab view, a pure function of records.

What a person sees: the pending approvals they may still decide (they are eligible and have not
voted; quiet approvers too: they are not paged, but their inbox lists what they may decide),
each with its buttons, and below them the approvals they took part
in or could see (approver, viewer, voter, requester) that were decided most recently. The view
stays inside Slack's limits whatever the queue holds: a Home tab holds at most 100 blocks
(docs.slack.dev/reference/views/home-tab-views), so a long queue is shown in part and counted.

The buttons are the message's buttons (same `action_id`s, the approval id as `value`), so a
click in the Home tab is authorized and counted exactly like a click on the message: Approve
with comment opens its modal, and a sensitive request's Approve opens its confirmation, never a
one-click approve. Each button row has its own `block_id`, since Slack wants block ids unique
within one view. Titles link to the copy of the message the person can open
(`ApprovalRecord.copy_for`: their own DM, else the channel's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.core.approvers import delegator_for
from greenlight.core.blocks import (
    SECTION_TEXT_MAX,
    decision_buttons,
    escape,
    mention,
    shorten,
    slack_date,
)
from greenlight.core.buttons import DECISION_BLOCK_ID
from greenlight.core.messages import permalink
from greenlight.core.votes import Status

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from greenlight.core.record import ApprovalRecord

HOME_CALLBACK_ID = "greenlight_home"
VIEW_BLOCKS_MAX = 100  # Slack's limit for a Home tab view
PENDING_SHOWN = 20  # three blocks each: 60 of the 100
DECIDED_SHOWN = 10  # one block each
HOME_BLOCK_PREFIX = f"{DECISION_BLOCK_ID}-"
VERDICT_MARK = {
    Status.APPROVED: ":white_check_mark: Approved",
    Status.REJECTED: ":x: Rejected",
    Status.EXPIRED: ":hourglass: Expired",
}


def may_decide(record: ApprovalRecord, user_id: str) -> bool:
    """Whether `user_id` may still decide `record`: pending, eligible, not voted yet (no vote
    of theirs counted, none cast by them for someone else: `ApprovalRecord.waiting_on`)."""
    return record.status is Status.PENDING and user_id in record.waiting_on()


def concerned(record: ApprovalRecord) -> frozenset[str]:
    """Everyone whose Home tab shows `record`: its approvers (escalated ones included), its
    viewers, whoever voted and the requester."""
    policy = record.policy
    voters = {v.user_id for v in record.votes}
    return frozenset(
        policy.approver_ids | policy.viewer_ids | voters | {record.request.requester_id}
    )


def pending_for(records: Iterable[ApprovalRecord], user_id: str) -> list[ApprovalRecord]:
    """The approvals `user_id` may still decide, oldest first."""
    return sorted(
        (r for r in records if may_decide(r, user_id)), key=lambda r: (r.created_at, r.approval_id)
    )


def delegated_to(
    records: Iterable[ApprovalRecord], delegate_id: str, delegators: Iterable[str]
) -> dict[str, str]:
    """What `delegate_id` may decide for someone else: approval id -> the delegator, for the
    pending approvals a delegator may still decide, whose vote the delegate would cast there
    (`delegator_for`: the request allows this delegate, and the first such delegator by id),
    and on which the delegate has cast no vote yet (one counted vote per person: a delegate of
    bob and dave who cast bob's vote casts no other, so dave's is not theirs to cast).
    """
    candidates = list(delegators)  # read once, for every record
    found: dict[str, str] = {}
    for record in records:
        if record.vote_cast_by(delegate_id):
            continue  # they cast their one vote on it (for someone, or as themself)
        delegator = delegator_for(record, delegate_id, candidates)
        if delegator is not None and may_decide(record, delegator):
            found[record.approval_id] = delegator
    return found


def decided_for(records: Iterable[ApprovalRecord], user_id: str) -> list[ApprovalRecord]:
    """The final approvals `user_id` is concerned with, most recently decided first."""
    mine = [r for r in records if r.status.is_final and user_id in concerned(r)]
    return sorted(mine, key=lambda r: r.decided_at or r.created_at, reverse=True)


def home_view(
    pending: list[ApprovalRecord],
    decided: list[ApprovalRecord],
    notice: str | None = None,
    on_behalf: Mapping[str, str] | None = None,
    user_id: str | None = None,
) -> dict[str, Any]:
    """The Home tab: a notice (the answer to the last click), what waits, what was decided.

    Args:
        pending: what the person may still decide, in the order to show.
        decided: what was decided recently, in the order to show.
        notice: a line shown on top (e.g. "Your approval is recorded"), mrkdwn.
        on_behalf: approval id -> the delegator the person would decide it for.
        user_id: whose Home tab it is; titles link to the copy they can open.
    """
    on_behalf = on_behalf or {}
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(_context(notice))
    blocks.append(_header(f"Waiting on you ({len(pending)})"))
    if not pending:
        blocks.append(_context("Nothing is waiting on you."))
    for record in pending[:PENDING_SHOWN]:
        blocks += _pending_item(record, on_behalf.get(record.approval_id), user_id)
    if len(pending) > PENDING_SHOWN:
        blocks.append(_context(f"…and {len(pending) - PENDING_SHOWN} more."))
    blocks.append({"type": "divider"})
    blocks.append(_header("Recently decided"))
    if not decided:
        blocks.append(_context("Nothing decided yet."))
    blocks += [_decided_item(r, user_id) for r in decided[:DECIDED_SHOWN]]
    assert len(blocks) <= VIEW_BLOCKS_MAX  # 3 + 3*PENDING_SHOWN + 1 + 3 + DECIDED_SHOWN
    return {"type": "home", "callback_id": HOME_CALLBACK_ID, "blocks": blocks}


def _pending_item(
    record: ApprovalRecord, delegator: str | None, user_id: str | None
) -> list[dict[str, Any]]:
    request = record.request
    line = f"*{permalink_or_title(record, user_id)}*"
    if request.amount:
        line += f" · {request.amount_text}"
    if request.sensitive:
        line += "\n:warning: *Sensitive*: Approve asks you to confirm in a form"
    line += f"\nRequested by {mention(request.requester_id)}"
    if delegator:
        line += f" · you decide for {mention(delegator)}, as their delegate"
    approvals = record.policy.quorum - record.approvals_needed()  # counted as `tally` counts
    progress = f"{approvals} of {record.policy.quorum} approvals · expires "
    progress += slack_date(record.expires_at)
    buttons = decision_buttons(record)
    buttons["block_id"] = f"{HOME_BLOCK_PREFIX}{record.approval_id}"
    return [_section(line), _context(progress), buttons]


def _decided_item(record: ApprovalRecord, user_id: str | None) -> dict[str, Any]:
    mark = VERDICT_MARK.get(record.status, record.status.value)
    if record.is_refused:  # rejected by no one: Greenlight refused it, as the message says
        mark += " automatically"
    line = f"{mark} · *{permalink_or_title(record, user_id)}*"
    if record.decided_by and record.status is not Status.EXPIRED:
        line += " by " + ", ".join(mention(u) for u in record.decided_by[:5])
    if record.decided_at:
        line += f" · {slack_date(record.decided_at)}"
    if record.status is Status.REJECTED and record.reason:
        line += f"\n>{escape(record.reason.splitlines()[0])}"
    return _section(line)


def permalink_or_title(record: ApprovalRecord, user_id: str | None = None) -> str:
    """The request's title (escaped, shortened), linked to the copy of its message `user_id`
    can open (their own DM, else the channel's) when it was posted."""
    title = escape(shorten(record.request.title, 200, mrkdwn=False))
    copy = record.copy_for(user_id)
    return f"<{permalink(copy)}|{title}>" if copy else title


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": shorten(text, SECTION_TEXT_MAX)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": shorten(text, 3000)}]}
