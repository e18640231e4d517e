"""What the gate refuses, and why: pure checks over the request, the policy and what the post
reached, kept apart from the durable flow in `greenlight.gate.gate` that runs them.

`check_call` and `check_fits` run before any durable operation (a refusal records nothing and
posts nothing, the same on every replay); `unreached` judges a stored, posted request by the
copies Slack let the app send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.core.errors import InvalidRequestError
from greenlight.core.policy import AutoApprove, Policy
from greenlight.core.request import ApprovalRequest
from greenlight.core.route import ROUTES, check_reached
from greenlight.core.votes import Status
from greenlight.gate import ladder_steps

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from greenlight.core.route import Route


def check_call(request: object, policy: object, route: object) -> None:
    if not isinstance(request, ApprovalRequest):
        raise InvalidRequestError("request", "must be an ApprovalRequest")
    if not isinstance(policy, Policy | AutoApprove):
        raise InvalidRequestError("policy", "must be a Policy or AutoApprove(reason)")
    if isinstance(policy, AutoApprove) and request.sensitive:
        # `sensitive` asks for a person's deliberate confirmation; no one would be asked at all
        raise InvalidRequestError(
            "policy", "a sensitive request is confirmed by a person: AutoApprove cannot approve it"
        )
    if not isinstance(route, ROUTES):
        raise InvalidRequestError(
            "route",
            "must be Channel('C0123'), DirectMessages() or ChannelAndDirectMessages('C0123')",
        )


def check_fits(policy: Policy, execution_timeout: int) -> None:
    """Refuse a ladder whose expiry the execution would not live to see.

    An execution that times out first ends with the request still pending: its buttons live,
    people "approve" what no workflow waits on, and the expire step never closes it. Only the
    ladder is compared with the timeout, so the refusal is the same on every replay: a gate
    started late in a long execution can still be cut short (the workflow's own budget).
    """
    expiry = policy.ladder.expire_after
    if expiry >= execution_timeout:
        raise InvalidRequestError(
            "policy.ladder",
            f"it expires after {expiry} seconds, but the function's durable executions time "
            f"out after {execution_timeout} seconds (GREENLIGHT_EXECUTION_TIMEOUT): expire "
            "sooner, or give the function a longer execution timeout",
        )


def unreached(route: Route, posted: ApprovalRecord, unreachable: dict[str, str]) -> str | None:
    """Why the request cannot stand with the copies it got (`check_reached`), else None.

    A decision people already took while the copies went out stands (their first copy is
    clickable at once); a refused record (`ApprovalRecord.is_refused`) is one an earlier
    attempt of the step refused (it failed after that, e.g. the store's answer was lost), and
    stays refused though Slack may answer otherwise now. So does an expired one, as earlier
    releases closed a refusal (kept as a guard: every attempt of an execution runs one
    release's code, so this one never finds one)."""
    if posted.is_refused or posted.status is Status.EXPIRED:
        return posted.reason or ladder_steps.NOT_POSTED
    if posted.status.is_final:
        return None
    try:
        check_reached(
            route,
            posted.slack is not None,
            posted.policy.eligible_for(posted.request),
            posted.policy.quorum,
            unreachable,
        )
    except InvalidRequestError as err:
        return err.problem
    return None
