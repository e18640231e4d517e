"""What happens at each rung of the timeout ladder: bodies of durable steps, one I/O act each.

Each returns the decision when the approval is, or just became, final (a vote may have landed
while the round timed out), and None while it is still pending.

Each rung has a store side (the reminder's audit line, the escalation approvers added, the
flip to expired) and a Slack side (thread replies, notices, redraws). Given `SlackTries` that
are not strict, a rung tries each Slack call once and goes on past a failure (logged;
`SlackTries.failed`): the gate runs a rung that way, in a step of its own, when the rung's
step failed past its retries,
whatever failed (Slack, or the store for a while), so an outage in Slack never stops the
ladder, and a store blip does not cost the rung its Slack side (`gate._Gate._climb`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from greenlight.core import messages
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import NotFoundError
from greenlight.core.outcome import Decision
from greenlight.core.route import RecipientUnreachableError
from greenlight.core.votes import Status
from greenlight.gate import metrics as approval_metrics

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.route import Route
    from greenlight.gate.ports import GateServices

logger = logging.getLogger(__name__)
T = TypeVar("T")

NOT_POSTED = "the request could not be posted"
REFUSAL_DETAIL = "rejected automatically"  # on a refusal's audit line: what the workflow is told
NOT_FOLLOWED = "the approval could not be followed up"  # a rung or a swap failed for good
NOT_SENT = "Slack failed: some or all replies not sent"  # on the reminder's audit line
# On the escalation's audit line when its approvers (an empty usergroup, people who already
# decide) add no one: nothing is announced, since no one new can decide.
NO_ONE_NEW = "no one new to add: the escalation approvers are empty or already decide"


class SlackTries:
    """Slack calls made for one approval: with `strict`, as they are (a failure fails the
    step, which retries); without, each tried once, a failure logged (never its text: the
    error's type and Slack's code) and counted in `failed`, so the store side still gets done."""

    def __init__(self, approval_id: str, *, strict: bool) -> None:
        self.approval_id = approval_id
        self.strict = strict
        self.failed = 0

    def __call__(self, what: str, call: Callable[[], T]) -> T | None:
        """Run `call` (`what` names it in the log); its result, or None when it failed."""
        if self.strict:
            return call()
        try:
            return call()
        except Exception as err:  # noqa: BLE001  # best effort: the step goes on without it
            self.failed += 1
            response: Any = getattr(err, "response", None)  # slack_sdk's SlackApiError
            code = response.get("error") if callable(getattr(response, "get", None)) else None
            logger.warning(
                "Slack call failed; going on without it",
                extra={
                    "approval_id": self.approval_id,
                    "call": what,
                    "error": code or type(err).__name__,
                },
            )
            return None


def decided(record: ApprovalRecord) -> Decision | None:
    """The decision of a final record, else None."""
    return Decision.from_record(record) if record.status.is_final else None


def expire(
    deps: GateServices, approval_id: str, *, tries: SlackTries | None = None
) -> Decision | None:
    """Flip pending → expired (with its audit line) and redraw; a decision that won stands.

    Counts the expiry when the record stands expired and the step gets through: a failed
    attempt never counted, so a retry (or the best-effort run after the retries) counts it
    once.
    """
    tries = tries or SlackTries(approval_id, strict=True)
    at = deps.clock().isoformat()
    record = deps.approvals.update(
        approval_id,
        lambda r: (
            r.expired(at),
            [AuditEvent(r.approval_id, AuditKind.EXPIRED, at, reason="no decision in time")],
        ),
    )
    if record.status is Status.EXPIRED:
        tries("redraw", lambda: deps.notifier.update_request(record))
        approval_metrics.count(approval_metrics.EXPIRED)
    return decided(record)


def withdraw(deps: GateServices, approval_id: str, reason: str = NOT_POSTED) -> None:
    """Close a record the gate failed on for good (pending → expired with `reason`, and its
    audit line), so no pending approval nobody waits on is left for `/approvals`, the
    operators' lists or a click. Nothing to do when the record was never stored.

    Copies already posted are redrawn (buttons gone), best effort: the record is closed
    either way, and a click on a copy still drawn as pending changes nothing.
    """
    at = deps.clock().isoformat()
    try:  # the update's first read finds whether it was stored; nothing is written before
        record = deps.approvals.update(
            approval_id,
            lambda r: (
                r.expired(at, reason),
                [AuditEvent(r.approval_id, AuditKind.EXPIRED, at, reason=reason)],
            ),
        )
    except NotFoundError:
        return
    if record.posted_as():  # closed in the store; the redraw is a courtesy
        SlackTries(approval_id, strict=False)(
            "redraw", lambda: deps.notifier.update_request(record)
        )


def refuse(deps: GateServices, approval_id: str, reason: str) -> ApprovalRecord:
    """Reject a stored request on Greenlight's own account, no person deciding: too few of its
    approvers can be reached (`greenlight.gate.refusals.unreached`). One conditional write
    moves pending → rejected by no one (`ApprovalRecord.refused`) with its `refused` audit line;
    then every copy posted is redrawn (best effort: "Rejected automatically", buttons gone)
    and the refusal counted. Returns the record as it stands: a decision people took while
    the copies went out stands instead (their first copy is clickable at once), untouched.

    Counted when the record stands refused and the step gets through, as an expiry is: a
    retry after a lost answer finds it refused and counts it once.
    """
    at = deps.clock().isoformat()
    record = deps.approvals.update(
        approval_id,
        lambda r: (r.refused(at, reason), [refusal_event(approval_id, at, reason)]),
    )
    if record.is_refused:
        if record.posted_as():
            SlackTries(approval_id, strict=False)(
                "redraw", lambda: deps.notifier.update_request(record)
            )
        approval_metrics.count(approval_metrics.REFUSED)
    return record


def refusal_event(
    approval_id: str, at: str, reason: str, requester: str | None = None
) -> AuditEvent:
    """The audit line of a refusal: Greenlight's (no person's), with why; it says what the
    workflow is told (a `Decision` rejected, automatically). `requester` is named when the
    request was never stored, so no `requested` line says who asked."""
    detail = f"{REFUSAL_DETAIL}; requested by {requester}" if requester else REFUSAL_DETAIL
    return AuditEvent(approval_id, AuditKind.REFUSED, at, reason=reason, detail=detail)


def post_copies(
    deps: GateServices, record: ApprovalRecord, route: Route, recipients: Iterable[str]
) -> ApprovalRecord:
    """`post_reaching`, for callers that only need the record (escalation copies: one
    escalation approver Slack will not let the app message is skipped and logged)."""
    return post_reaching(deps, record, route, recipients).record


@dataclass(frozen=True, slots=True)
class Reached:
    """The record after its copies went out, and who got none: user id -> Slack's error."""

    record: ApprovalRecord
    unreachable: dict[str, str]


def post_reaching(
    deps: GateServices, record: ApprovalRecord, route: Route, recipients: Iterable[str]
) -> Reached:
    """Post every copy `route` asks for that the record does not hold yet (the channel
    message, a direct message to each of `recipients`), remembering each as soon as it is
    posted: a retried step posts only what is missing.

    Someone Slack will not let the app message, for good (`RecipientUnreachableError`), gets
    no copy: logged with their id and Slack's error, returned in `unreachable`, and the
    others' copies go out; any other failure raises, for the step to retry. A copy posted
    whose reference the store then fails to take raises `UnrememberedPostError` with it.

    A vote may land while the copies go out (the first is clickable at once); the later
    copies were drawn from the record as it was, so when it moved meanwhile, every copy is
    redrawn from the record as it stands. Returns that record.
    """
    drawn, before = record, len(record.posted_as())
    unreachable: dict[str, str] = {}
    channel_posted = any(m.recipient is None for m in record.posted_as())
    if route.channel_id is not None and not channel_posted:
        record = _attach(deps, record, deps.notifier.post_request(drawn, route))
    if route.direct:
        for user_id in sorted(recipients):
            if user_id in record.dm_recipients():
                continue
            try:
                message = deps.notifier.post_direct(drawn, user_id)
            except RecipientUnreachableError as err:
                logger.warning(
                    "no direct message to %s: Slack answered %s; their copy is skipped",
                    err.user_id,
                    err.code,
                    extra={"approval_id": drawn.approval_id},
                )
                unreachable[err.user_id] = err.code
                continue
            record = _attach(deps, record, message)
    if len(record.posted_as()) == before:
        return Reached(record, unreachable)
    current = deps.approvals.get(record.approval_id)
    if current.version != drawn.version:
        deps.notifier.update_request(current)
    return Reached(current, unreachable)


class UnrememberedPostError(Exception):
    """Slack took a copy of the request, but the store did not take its reference (the
    attach failed): raised with the copy, so the post step can carry it in its checkpoint
    instead of failing and posting it again on the retry (`greenlight.gate.post`)."""

    def __init__(self, approval_id: str, message: SlackMessage) -> None:
        super().__init__(f"approval {approval_id}: a copy was posted but not remembered")
        self.approval_id = approval_id
        self.message = message


def _attach(deps: GateServices, record: ApprovalRecord, message: SlackMessage) -> ApprovalRecord:
    """Remember a copy just posted; a failure raises `UnrememberedPostError` with the copy."""
    try:
        deps.approvals.attach_message(record.approval_id, message)
    except Exception as err:
        raise UnrememberedPostError(record.approval_id, message) from err
    return record.with_message(message)


def reminder_threads(record: ApprovalRecord) -> list[SlackMessage]:
    """Where a reminder goes: the thread of every channel copy (it mentions who is still
    needed), and of each direct message whose recipient is still needed (a reply in a DM
    notifies its reader); nowhere when everyone still needed is quiet."""
    needed = set(record.to_ping())
    if not needed:
        return []
    return [m for m in record.posted_as() if m.recipient is None or m.recipient in needed]


def remind(
    deps: GateServices,
    approval_id: str,
    message: SlackMessage,
    *,
    tries: SlackTries | None = None,
) -> Decision | None:
    """Reply in the threads of the copies people still needed see, mentioning who they are
    (`message`, the main one, is where the audit line points). The audit line is written
    after the replies (a retried step does not note twice); when a best-effort reply failed,
    it says some were not sent."""
    tries = tries or SlackTries(approval_id, strict=True)
    record = deps.approvals.get(approval_id)
    if record.status.is_final:
        return decided(record)
    detail = "waiting on " + ", ".join(record.waiting_on())
    text, failed = messages.reminder(record), tries.failed
    for thread in reminder_threads(record):
        tries("reply", partial(deps.notifier.reply, thread, text))
    if tries.failed > failed:
        detail += f" ({NOT_SENT})"
    deps.approvals.note(
        AuditEvent(
            approval_id,
            AuditKind.REMINDED,
            deps.clock().isoformat(),
            detail=detail,
            channel=message.channel,
            message_ts=message.ts,
        )
    )
    return None


def escalate(
    deps: GateServices,
    approval_id: str,
    message: SlackMessage,
    escalation: frozenset[str],
    escalation_channel: str | None,
    *,
    route: Route | None = None,
    tries: SlackTries | None = None,
) -> Decision | None:
    """Let the escalation approvers decide too; say so on every copy, in the main thread and
    the escalation channel; on a route with direct messages, send each (pinged) escalation
    approver a copy of their own. With best-effort `tries`, each of those Slack calls is tried once:
    the escalation approvers may decide whatever Slack answers (the request they see, or told
    by hand).

    When the escalation adds no one (its usergroup was empty when the request was posted, or
    everyone in it already decides), nothing is announced, on Slack or anywhere: a notice
    would claim that someone can now decide when no one new can. The audit line says so
    (`NO_ONE_NEW`) and the ladder climbs on; the request stays with its approvers.
    """
    tries = tries or SlackTries(approval_id, strict=True)
    at = deps.clock().isoformat()

    def add(record: ApprovalRecord) -> tuple[ApprovalRecord, list[AuditEvent]] | None:
        if escalation <= record.policy.approver_ids:
            return None  # a retried step: already escalated
        after = record.escalated(escalation)
        added = ", ".join(sorted(after.policy.escalated_ids))
        event = AuditEvent(
            approval_id,
            AuditKind.ESCALATED,
            at,
            detail=f"added {added}",
            channel=message.channel,
            message_ts=message.ts,
        )
        return after, [event]

    record = deps.approvals.update(approval_id, add)
    if record.status.is_final:
        return decided(record)
    if not record.policy.escalated_ids:  # nobody was added, by this attempt or an earlier one
        logger.warning("escalation found no one new", extra={"approval_id": approval_id})
        deps.approvals.note(  # the step's last act: a retry notes again only if this failed
            AuditEvent(
                approval_id,
                AuditKind.ESCALATED,
                at,
                detail=NO_ONE_NEW,
                channel=message.channel,
                message_ts=message.ts,
            )
        )
        return None
    if route is not None and route.direct:
        recipients = escalation & set(record.to_ping())
        sent = tries("escalation copies", lambda: post_copies(deps, record, route, recipients))
        record = sent or record
    notice = messages.escalation(record)
    tries("redraw", lambda: deps.notifier.update_request(record))
    tries("reply", lambda: deps.notifier.reply(message, notice))
    if escalation_channel:
        link = messages.permalink(message)
        text = f"{notice} <{link}|Open the request>"
        tries("announce", lambda: deps.notifier.announce(escalation_channel, text))
    return None
