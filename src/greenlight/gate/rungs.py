"""The ladder's rungs as durable steps, and the guard every step that may fail the gate runs
under (kept apart from the gate's flow in `greenlight.gate.gate`).

`climb` runs one rung (remind, escalate, expire) with Slack's side at best effort after its
retries; `Guarded.step` runs a step and, when it fails for good, withdraws the request before
the error is raised, so no pending record with live buttons outlives the wait on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from aws_durable_execution_sdk_python.exceptions import StepError

from greenlight.core.ladder import Stage
from greenlight.core.votes import Status
from greenlight.gate import ladder_steps, retries
from greenlight.gate import metrics as approval_metrics
from greenlight.gate.checkpoints import MAYBE_DECISION

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.config import StepConfig

    from greenlight.core.outcome import Decision
    from greenlight.core.route import Route
    from greenlight.gate.checkpoints import Posted
    from greenlight.gate.ports import GateServices

STEP_REMIND = "remind"
STEP_ESCALATE = "escalate"
STEP_EXPIRE = "expire"
STEP_WITHDRAW = "withdraw request"
# Each rung: its step, the step of its second try (run when the first failed for good, Slack
# calls then tried once each: `ladder_steps.SlackTries`), and the first one's retries. Names
# are stable: replays find operations by position, and the history shows these names.
RUNG_STEPS: dict[Stage, tuple[str, str, StepConfig]] = {
    Stage.REMIND: (STEP_REMIND, "remind without Slack", retries.SLACK_POST),
    Stage.ESCALATE: (STEP_ESCALATE, "escalate without Slack", retries.SLACK_POST),
    Stage.EXPIRE: (STEP_EXPIRE, "expire without Slack", retries.STORE),
}
T = TypeVar("T")


class Guarded:
    """Steps of one gate run that withdraw its request when they fail for good."""

    def __init__(self, ctx: DurableContext, services: GateServices) -> None:
        self.ctx = ctx
        self.services = services

    def step(
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
            self.withdraw(approval_id, reason)
            raise

    def withdraw(self, approval_id: str, reason: str) -> None:
        """Close the request for good in a step (`ladder_steps.withdraw`): the gate is about
        to fail, and no pending record with live buttons may outlive the wait on it."""
        services = self.services
        self.ctx.step(
            lambda _: ladder_steps.withdraw(services, approval_id, reason),
            name=STEP_WITHDRAW,
            config=retries.STORE,
        )


def climb(guarded: Guarded, route: Route, stage: Stage, posted: Posted) -> Decision | None:
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
    act = _rung(guarded.services, route, stage, posted)
    try:
        decision = guarded.ctx.step(
            lambda _: act(ladder_steps.SlackTries(approval_id, strict=True)),
            name=name,
            config=maybe_deciding(config),
        )
    except StepError as err:
        guarded.ctx.logger.warning(
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

        decision = guarded.step(
            without,
            name=without_slack,
            config=maybe_deciding(retries.STORE),
            approval_id=approval_id,
        )
    if stage is Stage.EXPIRE and decision is not None and decision.status is Status.EXPIRED:
        # The ExpiredApprovals alarm counts this exact message.
        guarded.ctx.logger.warning("approval expired", extra={"approval_id": approval_id})
    return decision


def _rung(
    services: GateServices, route: Route, stage: Stage, posted: Posted
) -> Callable[[ladder_steps.SlackTries], Decision | None]:
    """What the rung does, given how its Slack calls are made (a step's body)."""
    approval_id = posted.approval_id
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


def maybe_deciding(config: StepConfig) -> StepConfig:
    """`config` for a step that returns the decision when the approval is (or became) final,
    else None: a rung, its second try, a callback's rotation."""
    return retries.with_serdes(config, MAYBE_DECISION)
