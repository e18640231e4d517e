"""The post step's body: store the request, post its copies, or refuse it (audited).

Kept apart from the durable flow (`greenlight.gate.gate`), which runs it as the step `post
request` with Slack's retries; it is plain I/O over the gate's services.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from greenlight.core.buttons import approval_id_for
from greenlight.core.errors import InvalidRequestError, NotFoundError
from greenlight.core.record import RETENTION_SECONDS, ApprovalRecord
from greenlight.core.route import check_direct_reach
from greenlight.gate import ladder_steps
from greenlight.gate import metrics as approval_metrics
from greenlight.gate.checkpoints import Posted
from greenlight.gate.refusals import unreached

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import StepContext

    from greenlight.core.policy import Policy
    from greenlight.core.record import SlackMessage
    from greenlight.core.request import ApprovalRequest
    from greenlight.core.route import Route
    from greenlight.gate.ports import GateServices


def post_request(
    step: StepContext,
    services: GateServices,
    *,
    request: ApprovalRequest,
    route: Route,
    policy: Policy,
    callback_id: str,
    execution_arn: str,
    carried: SlackMessage | None = None,
) -> Posted:
    """Resolve usergroups, store the record, post it unless a previous attempt did.

    The post step's body: run again on a retry, so it finds what an earlier attempt stored
    (the approval id is derived from the callback id) instead of storing or posting twice.
    Returns what the ladder needs, or the refusal (nobody may decide it, or too few can be
    reached), which is audited.

    A copy Slack took whose reference the store then failed to take (a lost attach) is not
    left to a retry, which would find no message in the store and post it again: the step
    returns it (`Posted.unremembered`), the SDK checkpoints it, and the gate's next post
    step passes it back as `carried`, remembered first (a failure fails that step, whose
    retries carry the same copy), then the copies still missing are posted. Why not ask
    Slack instead (message `metadata` on the post, then `conversations.history` on a retry)?
    That needs the `channels:history`, `groups:history` and `im:history` scopes, letting
    the bot read every message of every conversation it is in, and the method is limited to
    1 request a minute for apps distributed outside the Marketplace
    (docs.slack.dev/reference/methods/conversations.history). The checkpoint covers a lost
    attach; an attempt that dies between Slack's answer and the attach (a crash, a lost
    HTTP answer) may still post twice.
    """
    approval_id = approval_id_for(callback_id, services.requester)
    members = {group: services.directory.members(group) for group in policy.usergroups}
    try:
        resolved = policy.resolve(request, members)
        check_direct_reach(
            route,
            frozenset(resolved.eligible_for(request) - resolved.quiet_ids),
            policy.escalation_ids(members) - resolved.quiet_ids,
        )
    except InvalidRequestError as err:
        earlier = _stored(services, approval_id)
        if earlier is None:
            at = services.clock().isoformat()
            services.approvals.note(
                ladder_steps.refusal_event(approval_id, at, err.problem, request.requester_id)
            )
            approval_metrics.count(approval_metrics.REFUSED)  # after the line: once per step
            return Posted(approval_id, refused=err.problem, refused_at=at)
        # An earlier attempt of this step stored the request (and may have posted it) before
        # it failed; usergroups changed since. What was stored stands: never refuse a request
        # people may already be deciding.
        stored = earlier
    else:
        now = services.clock()
        record = ApprovalRecord(
            approval_id=approval_id,
            callback_id=callback_id,
            execution_arn=execution_arn,
            request=request,
            policy=resolved,
            created_at=now.isoformat(),
            expires_at=(now + timedelta(seconds=policy.ladder.expire_after)).isoformat(),
            ttl=int(now.timestamp()) + RETENTION_SECONDS,
        )
        stored = services.approvals.create(record)
    first_post = stored.slack is None and carried is None
    if carried is not None and carried not in stored.posted_as():
        services.approvals.attach_message(approval_id, carried)
    stored = stored.with_message(carried) if carried is not None else stored
    if not first_post:
        step.logger.info("approval already posted", extra={"approval_id": approval_id})
    try:
        reached = ladder_steps.post_reaching(services, stored, route, stored.to_ping())
    except ladder_steps.UnrememberedPostError as err:
        step.logger.warning(
            "posted, not remembered: carried on", extra={"approval_id": approval_id}
        )
        if first_post:
            approval_metrics.count(approval_metrics.REQUESTED)
        return Posted(approval_id, unremembered=err.message)
    posted = reached.record
    if refused := unreached(route, posted, reached.unreachable):
        # Too few left who can decide it: rejected automatically, like the above, in the
        # record too (with its audit line), and every copy redrawn so
        closed = ladder_steps.refuse(services, approval_id, refused)
        if closed.is_refused:
            return Posted(
                approval_id, closed.slack, refused=closed.reason, refused_at=closed.decided_at
            )
        posted = closed  # people decided it while the copies went out: that stands
    if first_post:
        approval_metrics.count(approval_metrics.REQUESTED)
    if posted.slack is None:
        msg = "a route posts at least one message"
        raise AssertionError(msg)
    escalation = tuple(sorted(policy.escalation_ids(members)))
    return Posted(approval_id, posted.slack, escalation)


def _stored(services: GateServices, approval_id: str) -> ApprovalRecord | None:
    """The record an earlier attempt of the post step stored, if any."""
    try:
        return services.approvals.get(approval_id)
    except NotFoundError:
        return None
