"""The approval gate: one durable child context that asks people in Slack and waits.

Built the way the SDK builds `wait_for_callback`: a child context (its own CONTEXT operation,
sub-type `GreenlightApproval`) holding a callback and the step that hands the callback on, so
its operations are namespaced under the context and one workflow can ask for several
approvals, one after another or in parallel branches. The context's result is the typed
`Decision`, so a replay after the gate returned reads one checkpoint.

When the first ask is answered, the gate runs two operations inside its context: the callback,
and one step that derives the approval id from the callback id, resolves usergroups, stores the
record and posts the message (`greenlight.gate.post`). Replay rules: every I/O act is inside a
step, so a replay reads checkpoints instead of acting again; each wait is a durable callback,
so nothing runs (or is billed) while people think. The ladder has at most three rungs, so the
loop is bounded.

Rotation: each later round waits on a fresh callback. The record's callback id is swapped with
a conditional write that also moves its version, so a vote that read the old id re-reads and
resumes the new one; a vote that won before the swap makes the swap fail, and the gate returns
that decision.

Failures: Slack's side of a rung is best effort (`_climb`); a step that fails for good
otherwise (the store down past its retries) tries to withdraw the request before the error is
raised (`_step_or_withdraw`), and so does a true error sent on the callback
(`ApprovalFailedError`: nothing of Greenlight's sends one, only a 0.1 webhook or whoever holds
the callback id), so a pending record with live buttons outlives its workflow only when the
store is down past the withdrawal's retries too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from aws_durable_execution_sdk_python.config import CallbackConfig, ChildConfig, Duration
from aws_durable_execution_sdk_python.exceptions import (
    CallbackExternalError,
    CallbackTimeoutError,
    StepError,
)
from aws_durable_execution_sdk_python.serdes import JsonSerDes

from greenlight.core.buttons import approval_id_for
from greenlight.core.errors import ApprovalFailedError, InvalidRequestError
from greenlight.core.ladder import Stage
from greenlight.core.outcome import Decision, decision_from_failure, decision_from_success
from greenlight.core.policy import AutoApprove, Policy
from greenlight.core.votes import Status
from greenlight.gate import checkpoints, ladder_steps, retries
from greenlight.gate import metrics as approval_metrics
from greenlight.gate.automatic import approve_automatically
from greenlight.gate.checkpoints import MAYBE_DECISION, Posted
from greenlight.gate.post import post_request
from greenlight.gate.refusals import check_call, check_fits

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.config import StepConfig
    from aws_durable_execution_sdk_python.context import Callback
    from aws_durable_execution_sdk_python.serdes import SerDes

    from greenlight.core.record import SlackMessage
    from greenlight.core.request import ApprovalRequest
    from greenlight.core.route import Route
    from greenlight.gate.ports import GateServices

SUB_TYPE = "GreenlightApproval"
CALLBACK_DECISION = "decision"
STEP_POST = "post request"
STEP_REMIND = "remind"
STEP_ESCALATE = "escalate"
STEP_EXPIRE = "expire"
STEP_ROTATE = "rotate callback"
STEP_WITHDRAW = "withdraw request"
MALFORMED = "malformed approval result"  # garbage sent as a success on the callback
# Each rung: its step, the step of its second try (run when the first failed for good, Slack
# calls then tried once each: `ladder_steps.SlackTries`), and the first one's retries. Names
# are stable: replays find operations by position, and the history shows these names.
RUNG_STEPS: dict[Stage, tuple[str, str, StepConfig]] = {
    Stage.REMIND: (STEP_REMIND, "remind without Slack", retries.SLACK_POST),
    Stage.ESCALATE: (STEP_ESCALATE, "escalate without Slack", retries.SLACK_POST),
    Stage.EXPIRE: (STEP_EXPIRE, "expire without Slack", retries.STORE),
}
T = TypeVar("T")


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

    def ask(self, policy: Policy) -> Decision:
        """Post the request, then wait round by round up the ladder until it is decided."""
        waits = policy.ladder.waits()
        callback = self.ctx.create_callback(
            name=CALLBACK_DECISION, config=round_config(waits[0][0])
        )
        posted = self._post(policy, callback.callback_id)
        if posted.message is None:  # no one could decide it: refused, and audited as such
            return Decision(
                Status.REJECTED,
                posted.approval_id,
                reason=posted.refused,
                automatic=True,
                context=self.request.context,
            )
        self.ctx.logger.info("approval requested", extra={"approval_id": posted.approval_id})
        for number, (_, stage) in enumerate(waits, start=1):
            try:
                decision = _await_decision(callback, posted.approval_id)
            except ApprovalFailedError:
                # A true error sent on the callback (only a 0.1 webhook, or whoever holds the id):
                # the gate fails, but closes the request first, as every fatal path does
                self._withdraw(posted.approval_id, ladder_steps.NOT_FOLLOWED)
                raise
            except InvalidRequestError as err:
                # Garbage sent as a success (only holders of the callback id can): no one's
                # decision, so a true error like a failure that is none, after the request is
                # closed (no click counts on it any more)
                self._withdraw(posted.approval_id, MALFORMED)
                raise ApprovalFailedError(posted.approval_id, MALFORMED, str(err)) from None
            if decision is None:
                decision = self._climb(stage, posted)
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

            posted = self._step_or_withdraw(
                post,
                name=STEP_POST if number == 1 else f"{STEP_POST} {number}",
                config=_with_serdes(retries.SLACK_POST, checkpoints.POSTED),
                approval_id=approval_id_for(callback_id, services.requester),
                reason=ladder_steps.NOT_POSTED,
            )
            if posted.unremembered is None:
                return posted
            carried, number = posted.unremembered, number + 1

    def _climb(self, stage: Stage, posted: Posted) -> Decision | None:
        """Act on a rung as a step; the decision if the approval is (or became) final.

        Slack's side of a rung is best effort. The rung's step retries as it always has (a
        short outage passes); if it still fails (Slack, or the store for a while), the rung
        runs again in a step of its own ("remind without Slack", ...: `RUNG_STEPS`) that
        tries each Slack call once and goes on past a failure (`ladder_steps.SlackTries`),
        counted for the operators' alarm (`RungsWithoutSlack`) when one failed, and the
        ladder climbs on: a reminder not sent is noted so, the escalation approvers may
        decide, an expiry is returned. Only if that fails too (the store down past its
        retries) does the gate fail, after trying to withdraw the request.

        Replay: a failed step's error is checkpointed, so a replay takes the same branch; the
        extra step exists only after a failure that used to end the workflow, so executions
        in flight from before replay unchanged.
        """
        approval_id, (name, without_slack, config) = posted.approval_id, RUNG_STEPS[stage]
        act = self._rung(stage, posted)
        try:
            decision = self.ctx.step(
                lambda _: act(ladder_steps.SlackTries(approval_id, strict=True)),
                name=name,
                config=_with_serdes(config, MAYBE_DECISION),
            )
        except StepError as err:
            self.ctx.logger.warning(
                "rung failed; once more, Slack at best effort",
                extra={"approval_id": approval_id, "rung": stage.value, "error": err.error_type},
            )

            def without(_: StepContext) -> Decision | None:
                tries = ladder_steps.SlackTries(approval_id, strict=False)
                done = act(tries)
                if tries.failed:
                    # Counted once the store side is done: a failed attempt never counted, so
                    # a retry counts it once, and a replay (the step checkpointed) not at all
                    approval_metrics.count(approval_metrics.RUNGS_WITHOUT_SLACK)
                return done

            decision = self._step_or_withdraw(
                without,
                name=without_slack,
                config=_with_serdes(retries.STORE, MAYBE_DECISION),
                approval_id=approval_id,
            )
        if stage is Stage.EXPIRE and decision is not None and decision.status is Status.EXPIRED:
            # The ExpiredApprovals alarm counts this exact message.
            self.ctx.logger.warning("approval expired", extra={"approval_id": approval_id})
        return decision

    def _rung(
        self, stage: Stage, posted: Posted
    ) -> Callable[[ladder_steps.SlackTries], Decision | None]:
        """What the rung does, given how its Slack calls are made (a step's body)."""
        services, approval_id, route = self.services, posted.approval_id, self.route
        message = posted.message
        if message is None:
            msg = "a request on the ladder has been posted"
            raise AssertionError(msg)
        if stage is Stage.EXPIRE:
            return lambda tries: ladder_steps.expire(services, approval_id, tries=tries)
        if stage is Stage.REMIND:
            return lambda tries: ladder_steps.remind(services, approval_id, message, tries=tries)
        escalation, channel = frozenset(posted.escalation_ids), route.escalation_channel
        return lambda tries: ladder_steps.escalate(
            services, approval_id, message, escalation, channel, route=route, tries=tries
        )

    def _step_or_withdraw(
        self,
        func: Callable[[StepContext], T],
        *,
        name: str,
        config: StepConfig,
        approval_id: str,
        reason: str = ladder_steps.NOT_FOLLOWED,
    ) -> T:
        """`ctx.step(func)`; if it fails for good, withdraw the request, then raise: a true
        error fails the gate, but tries not to leave a pending record (with live buttons)
        that no workflow waits on (the withdrawal is a store write too)."""
        try:
            return self.ctx.step(func, name=name, config=config)
        except StepError as err:
            self.ctx.logger.error(
                "step failed for good; withdrawing the approval",
                extra={"approval_id": approval_id, "step": name, "error": err.error_type},
            )
            self._withdraw(approval_id, reason)
            raise

    def _withdraw(self, approval_id: str, reason: str) -> None:
        """Close the request for good in a step (`ladder_steps.withdraw`): the gate is about
        to fail, and no pending record with live buttons may outlive the wait on it."""
        services = self.services
        self.ctx.step(
            lambda _: ladder_steps.withdraw(services, approval_id, reason),
            name=STEP_WITHDRAW,
            config=retries.STORE,
        )

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

        decision = self._step_or_withdraw(
            swap,
            name=f"{STEP_ROTATE} {number}",
            config=_with_serdes(retries.STORE, MAYBE_DECISION),
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


def _with_serdes(config: StepConfig, serdes: SerDes[Any]) -> StepConfig:
    """`config` writing its checkpoint with `serdes` (typed, instead of the SDK's default)."""
    return replace(config, serdes=serdes)


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
