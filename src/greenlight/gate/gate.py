"""The approval gate: one durable child context that asks people in Slack and waits.

Built the way the SDK builds `wait_for_callback`: a child context (its own CONTEXT operation,
sub-type `GreenlightApproval`) holding a callback and the step that hands the callback on, so
its operations are namespaced under the context and one workflow can ask for several
approvals, one after another or in parallel branches. The context's result is the typed
`Decision`, so a replay after the gate returned reads one checkpoint.

When the first ask is answered, the gate runs two operations inside its context: the callback,
and one step that derives the approval id from the callback id, resolves usergroups, stores the
record and posts the message (`greenlight.gate.post`; a copy posted but not remembered is
carried to a next post step). Replay rules: every I/O act is inside a step, so a replay reads
checkpoints instead of acting again; each wait is a durable callback, so nothing runs (or is
billed) while people think. The ladder has at most three rungs, so the loop is bounded.

Rotation: each later round waits on a fresh callback. The record's callback id is swapped with
a conditional write that also moves its version, so a vote that read the old id re-reads and
resumes the new one; a vote that won before the swap makes the swap fail, and the gate returns
that decision.

Failures: Slack's side of a rung is best effort (`greenlight.gate.rungs.climb`); a step that
fails for good otherwise (the store down past its retries) tries to withdraw the request before
the error is raised (`rungs.Guarded`), and so does a true error sent on the callback
(`ApprovalFailedError`: nothing of Greenlight's sends one, only a 0.1 webhook or whoever holds
the callback id), so a pending record with live buttons outlives its workflow only when the
store is down past the withdrawal's retries too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python.config import CallbackConfig, ChildConfig, Duration
from aws_durable_execution_sdk_python.exceptions import (
    CallbackExternalError,
    CallbackTimeoutError,
)
from aws_durable_execution_sdk_python.serdes import JsonSerDes

from greenlight.core.buttons import approval_id_for
from greenlight.core.errors import ApprovalFailedError, InvalidRequestError
from greenlight.core.outcome import Decision, decision_from_failure, decision_from_success
from greenlight.core.policy import AutoApprove, Policy
from greenlight.core.votes import Status
from greenlight.gate import checkpoints, ladder_steps, retries
from greenlight.gate.automatic import approve_automatically
from greenlight.gate.post import post_request
from greenlight.gate.refusals import check_call, check_fits
from greenlight.gate.rungs import Guarded, climb, maybe_deciding

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.context import Callback

    from greenlight.core.record import SlackMessage
    from greenlight.core.request import ApprovalRequest
    from greenlight.core.route import Route
    from greenlight.gate.checkpoints import Posted
    from greenlight.gate.ports import GateServices

SUB_TYPE = "GreenlightApproval"
CALLBACK_DECISION = "decision"
STEP_POST = "post request"
STEP_ROTATE = "rotate callback"
MALFORMED = "malformed approval result"  # garbage sent as a success on the callback


def require_approval(
    ctx: DurableContext,
    services: GateServices,
    request: ApprovalRequest,
    *,
    policy: Policy | AutoApprove,
    route: Route,
    name: str = "approval",
    execution_timeout: int | None = None,
) -> Decision:
    """Ask for a decision on `request` in a child context named `name`; return it, typed.

    An `AutoApprove` policy decides at once (`greenlight.gate.automatic`: audited once); a
    `Policy` posts the request where `route` says and waits, up its ladder, for people to
    decide.

    `execution_timeout` is the function's durable execution timeout in seconds, when known
    (`GREENLIGHT_EXECUTION_TIMEOUT`, set by the CDK construct's grant).

    Raises:
        InvalidRequestError: `request`, `policy` or `route` is not what the gate takes, or the
            policy's ladder expires only after the execution would have timed out (checked
            before any durable operation, so nothing is recorded).
        ChildContextError: a true error (Slack or the store unavailable past the retries).
    """
    check_call(request, policy, route)
    if isinstance(policy, Policy) and execution_timeout is not None:
        check_fits(policy, execution_timeout)

    def run(child: DurableContext) -> Decision:
        if isinstance(policy, AutoApprove):
            return approve_automatically(child, services, request, policy.reason)
        return _Gate(child, services, request, route).ask(policy)

    config: ChildConfig[Decision] = ChildConfig(serdes=checkpoints.DECISION, sub_type=SUB_TYPE)
    return ctx.run_in_child_context(run, name=name, config=config)


class _Gate:
    """One approval's run through the gate: its context, collaborators, request and route."""

    def __init__(
        self, ctx: DurableContext, services: GateServices, request: ApprovalRequest, route: Route
    ) -> None:
        self.ctx = ctx
        self.services = services
        self.request = request
        self.route = route
        self.guarded = Guarded(ctx, services)

    def ask(self, policy: Policy) -> Decision:
        """Post the request, then wait round by round up the ladder until it is decided."""
        waits = policy.ladder.waits()
        callback = self.ctx.create_callback(
            name=CALLBACK_DECISION, config=round_config(waits[0][0])
        )
        posted = self._post(policy, callback.callback_id)
        if posted.refused is not None:  # no one could decide it: rejected automatically, as
            # the record, its audit line and its copies say (`ladder_steps.refuse`)
            return Decision(
                Status.REJECTED,
                posted.approval_id,
                reason=posted.refused,
                decided_at=posted.refused_at,
                automatic=True,
                context=self.request.context,
                message=posted.message,
            )
        self.ctx.logger.info("approval requested", extra={"approval_id": posted.approval_id})
        for number, (_, stage) in enumerate(waits, start=1):
            try:
                decision = _await_decision(callback, posted.approval_id)
            except ApprovalFailedError:
                # A true error sent on the callback (only a 0.1 webhook, or whoever holds the id):
                # the gate fails, but closes the request first, as every fatal path does
                self.guarded.withdraw(posted.approval_id, ladder_steps.NOT_FOLLOWED)
                raise
            except InvalidRequestError as err:
                # Garbage sent as a success (only holders of the callback id can): no one's
                # decision, so a true error like a failure that is none, after the request is
                # closed (no click counts on it any more)
                self.guarded.withdraw(posted.approval_id, MALFORMED)
                raise ApprovalFailedError(posted.approval_id, MALFORMED, str(err)) from None
            if decision is None:
                decision = climb(self.guarded, self.route, stage, posted)
            if decision is None:
                callback, decision = self._rotate(posted.approval_id, number + 1, waits[number][0])
            if decision is not None:
                return decision.with_request(self.request.context, posted.message)
        msg = "unreachable: the ladder always ends with expiry"
        raise AssertionError(msg)

    def _post(self, policy: Policy, callback_id: str) -> Posted:
        """Store and post the request in the step `post request`; a true error, past the
        retries, closes what was stored, then fails the gate.

        When a step posted a copy the store did not remember (`Posted.unremembered`), the
        next step ("post request 2", ...) remembers it from that checkpoint and posts what
        is still missing (`post_request`). Each such step posted a copy not held before, so
        there are at most as many as there are copies. Only an execution whose attach failed
        runs them, so executions in flight from before replay unchanged.
        """
        services, carried, number = self.services, None, 1
        arn = self.ctx.execution_context.durable_execution_arn
        while True:

            def post(step: StepContext, carried: SlackMessage | None = carried) -> Posted:
                return post_request(
                    step,
                    services,
                    request=self.request,
                    route=self.route,
                    policy=policy,
                    callback_id=callback_id,
                    execution_arn=arn,
                    carried=carried,
                )

            posted = self.guarded.step(
                post,
                name=STEP_POST if number == 1 else f"{STEP_POST} {number}",
                config=retries.with_serdes(retries.SLACK_POST, checkpoints.POSTED),
                approval_id=approval_id_for(callback_id, services.requester),
                reason=ladder_steps.NOT_POSTED,
            )
            if posted.unremembered is None:
                return posted
            carried, number = posted.unremembered, number + 1

    def _rotate(
        self, approval_id: str, number: int, seconds: int
    ) -> tuple[Callback[Any], Decision | None]:
        """Wait on a fresh callback from now on; a decision that beat the swap wins instead."""
        callback = self.ctx.create_callback(
            name=f"{CALLBACK_DECISION} {number}", config=round_config(seconds)
        )
        callback_id, approvals = callback.callback_id, self.services.approvals

        def swap(_: StepContext) -> Decision | None:
            record = approvals.update(approval_id, lambda r: (r.with_callback(callback_id), []))
            return ladder_steps.decided(record)

        decision = self.guarded.step(
            swap,
            name=f"{STEP_ROTATE} {number}",
            config=maybe_deciding(retries.STORE),
            approval_id=approval_id,
        )
        return callback, decision


def round_config(seconds: int) -> CallbackConfig:
    """A round's callback: JSON back, and a timeout of at least one second.

    Never 0: the SDK reads a zero timeout as none at all (`CallbackConfig.timeout`), so the
    round would never end and the ladder never climb. `Ladder` refuses rungs that would make
    one; this is the second line.
    """
    return CallbackConfig(timeout=Duration.from_seconds(max(seconds, 1)), serdes=JsonSerDes())


def _await_decision(callback: Callback[Any], approval_id: str) -> Decision | None:
    """The decision the callback carried, or None when this round timed out.

    Raises:
        InvalidRequestError: the success carried no decision (garbage).
        ApprovalFailedError: a failure that is not a version 1 webhook's decision.
    """
    try:
        return decision_from_success(callback.result())
    except CallbackExternalError as err:
        # A version 1 webhook's rejection or expiry; anything else is a true error, raised (the
        # failure callback is kept for those): never guessed into a person's "no".
        try:
            return decision_from_failure(err.data)
        except InvalidRequestError:
            raise ApprovalFailedError(approval_id, err.error_type, err.message) from err
    except CallbackTimeoutError:
        return None
