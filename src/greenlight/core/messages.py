"""What the clicker is told, ephemerally, when a click changes nothing or counts.

Every text stays under `MESSAGE_TEXT_MAX` (Slack's chat.update refuses more with
`msg_too_long`; chat.postMessage advises it) however many people or approvals it names.

A form's refusal (`form_*`) is shown by Slack as plain text: the `errors` of a
`response_action: errors` answer are "the plain text error message to be displayed to the user"
(docs.slack.dev/surfaces/modals, #displaying_errors). Those lines hold no mention, date or
entity (they would show as `<@U…>`, `<!date…>`, `&amp;`) and name nobody: a user id alone
tells the approver nothing, and the message itself, redrawn, says who decided.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from greenlight.core.blocks import (
    MESSAGE_TEXT_MAX,
    escape,
    mention,
    mentions,
    shorten,
    slack_date,
)
from greenlight.core.votes import Status, approvals_counted

if TYPE_CHECKING:
    from collections.abc import Sequence

    from greenlight.core.record import ApprovalRecord, SlackMessage

WHY_MAX = 300  # an error's own words; they never need more


def permalink(message: SlackMessage) -> str:
    """A link to a message that Slack resolves for any member of the workspace."""
    return f"https://slack.com/archives/{message.channel}/p{message.ts.replace('.', '')}"


def already_decided(record: ApprovalRecord) -> str:
    """For a click on an approval that is no longer pending."""
    return already_decided_as(record.status, record.decided_by, record.decided_at)


def already_decided_as(status: Status, decided_by: Sequence[str], decided_at: str | None) -> str:
    """For a click on an approval that is no longer pending, from what its refusal said."""
    when = slack_date(decided_at) if decided_at else "earlier"
    if status is Status.EXPIRED:
        return f"This request expired {when} without a decision; nothing was changed."
    if status is Status.REJECTED and not decided_by:  # refused by Greenlight: no one decided
        return f"Already rejected automatically {when}; nothing was changed."
    who = mentions(decided_by) or "someone"
    return f"Already {status.value} by {who} {when}; nothing was changed."


def form_already_decided(status: Status, decided_at: str | None) -> str:
    """For a form submitted on an approval that is no longer pending, in plain text (the time
    in UTC: a form cannot show a date in the reader's own zone)."""
    when = f" at {_utc(decided_at)}" if decided_at else ""
    if status is Status.EXPIRED:
        return f"This request expired{when} without a decision; nothing was changed."
    return f"Already {status.value}{when}; nothing was changed."


def form_refused(why: str) -> str:
    """For a form submitted by someone who may not decide, in plain text (`why` as written:
    plain text has no markup to escape)."""
    said = shorten(why, WHY_MAX, mrkdwn=False)
    return f"You can't decide this request: {said}. Nothing was changed."


def form_already_voted(
    as_delegate: bool, *, counted_for_them: bool = False, counted_by_delegate: bool = False
) -> str:
    """For a form submitted by someone who voted already (or, as a delegate, for an approver
    whose vote is counted; or whose delegate cast their vote), in plain text (no one is
    named: the message names them, as mentions)."""
    if counted_by_delegate:
        return form_refused("your delegate cast your vote already")
    if counted_for_them:
        return form_refused("the approver you act for has a vote counted already")
    voted = "you already voted, as a delegate" if as_delegate else "you already voted"
    return form_refused(voted)


def form_invalid(problem: str) -> str:
    """For a form submission we could not read, in plain text."""
    why = shorten(problem, WHY_MAX, mrkdwn=False)
    return f"That request could not be processed: {why}. Nothing was changed."


def _utc(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def not_authorized(why: str) -> str:
    """For a click by someone who may not decide; `why` is text, escaped (a reason someone
    typed may reach it), so it never mentions anyone."""
    return _refused(shorten(escape(why), WHY_MAX))


def already_voted(
    voted_for: str | None, counted_for: str | None = None, counted_by: str | None = None
) -> str:
    """For a click by someone who cast a vote on the request already (`AlreadyVotedError`):
    the approver they cast it for as a delegate is mentioned, as the app's other messages
    name people (`mention`: a user id becomes `<@U…>`, anything else is escaped text); or, for
    a delegate, the approver whose vote someone else cast (`counted_for`); or, for an
    approver, the delegate who cast their vote (`counted_by`)."""
    if counted_by is not None:
        return _refused(f"your delegate {mention(counted_by)} cast your vote already")
    if counted_for is not None:
        return _refused(f"{mention(counted_for)}'s vote is already counted")
    if voted_for is None:
        return _refused("you already voted")
    return _refused(f"you already voted (for {mention(voted_for)}, as their delegate)")


def _refused(why_mrkdwn: str) -> str:
    return f"You can't decide this request: {why_mrkdwn}. Nothing was changed."


def not_found() -> str:
    """For a click whose approval no longer exists."""
    return "This approval request no longer exists; nothing was changed."


def vote_counted(record: ApprovalRecord) -> str:
    """For a vote that counted without deciding yet."""
    counted = approvals_counted(record.votes)  # one per person, as the quorum counts
    return f"Your approval is recorded ({counted} of {record.policy.quorum})."


def you_decided(record: ApprovalRecord) -> str:
    """For a vote (from the App Home) that decided the request."""
    title = shorten(escape(record.request.title), WHY_MAX)
    return f"Your vote decided *{title}*: {record.status.value}."


def home_pointer(team_id: str, app_id: str) -> str:
    """Where every approval waiting on someone is, with its buttons: the app's Home tab
    (Slack's deep link `slack://app?team=…&id=…&tab=home`, api.slack.com/reference/deep-linking)."""
    home = f"slack://app?team={team_id}&id={app_id}&tab=home"
    return f"Your inbox, with every request's buttons, is <{home}|Greenlight's Home tab>."


def delegated(delegate_id: str, until: str) -> str:
    """For a delegation recorded."""
    return (
        f"Until the end of {until[:10]} (UTC), <@{delegate_id}> may decide for you on requests "
        "that allow delegates; each vote shows both names. `/approvals undelegate` ends it."
    )


def undelegated(delegate_id: str) -> str:
    """For a delegation ended."""
    return f"Your delegation to <@{delegate_id}> has ended; they no longer decide for you."


def no_delegation() -> str:
    """For `/approvals undelegate` with nothing to end."""
    return "You have no delegation to end; nothing was changed."


def delegation_refused(why: str) -> str:
    """For a delegation command the rules refuse, or one we could not read."""
    return f"No delegation: {shorten(why, WHY_MAX)}. Nothing was changed."


def invalid(problem: str) -> str:
    """For a click or submission we could not read."""
    return (
        f"That request could not be processed: {shorten(escape(problem), WHY_MAX)}. "
        "Nothing was changed."
    )


def reminder(record: ApprovalRecord) -> str:
    """The thread reply when a request is still waiting (quiet approvers are not named)."""
    who = mentions(record.to_ping())
    expires = slack_date(record.expires_at)
    return f"Reminder: this request is still waiting on {who}; it expires {expires}."


def escalation(record: ApprovalRecord) -> str:
    """The thread reply when a request is escalated."""
    who = mentions(record.escalation_to_ping())
    return f"Escalated: no decision yet, so {who} can now decide this request too."


def pending_list(records: list[ApprovalRecord], user_id: str | None = None) -> str:
    """The `/approvals` answer: the caller's pending approvals, each linked to its message
    (the copy in `user_id`'s own DM when they were sent one: another's DM is not theirs to
    open).

    As many as fit in one message; the rest are counted, so a long queue is still one answer.
    """
    if not records:
        return "Nothing is waiting on you."
    lines = [f"{len(records)} approval(s) waiting on you:"]
    room = MESSAGE_TEXT_MAX - len(lines[0]) - 40  # keeps space for the "and N more" line
    for shown, r in enumerate(records):
        title = escape(r.request.title)
        if shown_copy := r.copy_for(user_id):
            title = f"<{permalink(shown_copy)}|{title}>"
        amount = f" · {r.request.amount_text}" if r.request.amount else ""
        line = f"• {title}{amount} · expires {slack_date(r.expires_at)}"
        if len(line) + 1 > room:
            lines.append(f"…and {len(records) - shown} more.")
            break
        room -= len(line) + 1
        lines.append(line)
    return "\n".join(lines)


def form_unavailable() -> str:
    """Slack would not open a form (reject, approve with comment, confirm): nothing changed."""
    return "Slack could not open the form. Nothing has changed: please try again."
