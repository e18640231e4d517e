"""The reusable approval gate: decide the tier, ask people in Slack, suspend until they answer.

Replay rules: ids, records, posts and ladder actions happen inside steps, so a replay reads
their checkpoints instead of acting again; each wait is a durable callback, so nothing runs (or
is billed) while people think. The ladder has at most three rungs, so the loop is bounded.

Rotation: each round waits on a fresh callback. The record's callback id is swapped with a
conditional write that also moves its version, so a vote that read the old id re-reads and
resumes the new one; a vote that won before the swap makes the swap fail, and the gate returns
that decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackExternalError, CallbackTimeoutError
from aws_durable_execution_sdk_python.serdes import JsonSerDes

from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.errors import InvalidRequestError
from greenlight.core.ladder import Stage
from greenlight.core.outcome import Outcome, outcome_from_failure, outcome_from_success
from greenlight.core.policy import Tier, is_usergroup_id
from greenlight.core.record import RETENTION_SECONDS, ApprovalRecord, SlackMessage
from greenlight.core.votes import Status
from greenlight.gate import ladder_steps, retries
from greenlight.gate import metrics as approval_metrics

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext, StepContext
    from aws_durable_execution_sdk_python.context import Callback

    from greenlight.core.policy import ApproverPolicy, TierDecision, TierRules
    from greenlight.core.request import ApprovalRequest
    from greenlight.gate.ports import Directory
    from greenlight.gate.ports import GateServices as Dependencies

STEP_NEW_ID = "new approval id"
STEP_AUTO_APPROVE = "auto-approve"
STEP_RESOLVE = "resolve approvers"
STEP_REFUSE = "refuse approval"
CALLBACK_DECISION = "approval decision"
STEP_POST_REQUEST = "post approval request"
STEP_REMIND = "remind approvers"
STEP_ESCALATE = "escalate approval"
STEP_EXPIRE = "expire approval"
STEP_ROTATE = "rotate callback"


@dataclass(frozen=True, slots=True)
class GateResult:
    """How the approval ended, and where it was discussed (for follow-ups in the thread)."""

    outcome: Outcome
    message: SlackMessage | None


def request_approval(
    ctx: DurableContext,
    request: ApprovalRequest,
    rules: TierRules,
    deps: Dependencies,
    escalation_channel: str | None = None,
) -> GateResult:
    """Get a decision on `request`: automatically below the threshold, else from people."""
    decision = rules.classify(request)
    approval_id: str = ctx.step(lambda _: deps.new_id(), name=STEP_NEW_ID, config=retries.NO_RETRY)
    gate = _Gate(ctx, deps, approval_id, escalation_channel)
    if decision.tier is Tier.AUTO:
        return GateResult(gate.settle(request, AuditKind.AUTO_APPROVED, decision.reason), None)
    people = ctx.step(
        lambda _: resolve(rules.approvers, rules.escalation_approvers, deps.directory),
        name=STEP_RESOLVE,
        config=retries.STORE,
    )
    try:
        policy = rules.policy_for(decision, request, frozenset(people["approvers"]))
    except InvalidRequestError as err:
        return GateResult(gate.settle(request, AuditKind.REFUSED, err.problem), None)
    return gate.ask(request, policy, decision, frozenset(people["escalation"]))


def resolve(
    approvers: frozenset[str], escalation: frozenset[str], directory: Directory
) -> dict[str, list[str]]:
    """Usergroups to their members, each group looked up once in this invocation."""
    cache: dict[str, frozenset[str]] = {}

    def users(ids: frozenset[str]) -> list[str]:
        found: set[str] = set()
        for entry in ids:
            if is_usergroup_id(entry):
                if entry not in cache:
                    cache[entry] = directory.members(entry)
                found |= cache[entry]
            else:
                found.add(entry)
        return sorted(found)

    return {"approvers": users(approvers), "escalation": users(escalation)}


class _Gate:
    """One approval's run through the gate: its context, collaborators and id."""

    def __init__(
        self, ctx: DurableContext, deps: Dependencies, approval_id: str, channel: str | None
    ) -> None:
        self.ctx = ctx
        self.deps = deps
        self.approval_id = approval_id
        self.escalation_channel = channel

    def settle(self, request: ApprovalRequest, kind: AuditKind, reason: str) -> Outcome:
        """End without asking anyone (auto-approved, or impossible to decide); audit it."""

        def write(_: StepContext) -> None:
            at = self.deps.clock().isoformat()
            detail = f"{request.reference}, {request.amount_text}"
            event = AuditEvent(
                self.approval_id, kind, at, request.requester_id, reason, detail=detail
            )
            self.deps.approvals.note(event)

        name = STEP_AUTO_APPROVE if kind is AuditKind.AUTO_APPROVED else STEP_REFUSE
        self.ctx.step(write, name=name, config=retries.STORE)
        self.ctx.logger.info("approval settled without people", extra={"kind": kind.value})
        status = Status.APPROVED if kind is AuditKind.AUTO_APPROVED else Status.REJECTED
        return Outcome(self.approval_id, status, reason=reason, automatic=True)

    def ask(
        self,
        request: ApprovalRequest,
        policy: ApproverPolicy,
        decision: TierDecision,
        escalation: frozenset[str],
    ) -> GateResult:
        """Post the request, then wait round by round up the ladder until it is decided."""
        waits = decision.ladder.waits()
        callback = self.ctx.create_callback(name=CALLBACK_DECISION, config=_timeout(waits[0][0]))
        expire_after = decision.ladder.expire_after

        def post(step: StepContext) -> dict[str, str]:
            record = self._new_record(callback.callback_id, request, policy, expire_after)
            return _post_once(record, self.deps, step)

        posted = self.ctx.step(post, name=STEP_POST_REQUEST, config=retries.SLACK_POST)
        message = SlackMessage(posted["channel"], posted["ts"])
        self.ctx.logger.info("approval requested", extra={"approval_id": self.approval_id})
        for number, (_, stage) in enumerate(waits, start=1):
            outcome = _await_decision(callback, self.approval_id)
            if outcome is None:
                outcome = self._climb(stage, message, escalation)
            if outcome is None:
                callback, outcome = self._rotate(number + 1, waits[number][0])
            if outcome is not None:
                return GateResult(outcome, message)
        msg = "unreachable: the ladder always ends with expiry"
        raise AssertionError(msg)

    def _climb(
        self, stage: Stage, message: SlackMessage, escalation: frozenset[str]
    ) -> Outcome | None:
        """Act on a rung as a step; the outcome if the approval is (or became) final."""
        deps, approval_id = self.deps, self.approval_id
        data: dict[str, Any] | None
        if stage is Stage.EXPIRE:
            data = self.ctx.step(
                lambda _: ladder_steps.expire(deps, approval_id),
                name=STEP_EXPIRE,
                config=retries.STORE,
            )
            if data and data["decision"] == Status.EXPIRED.value:
                # The ExpiredApprovals alarm counts this exact message.
                self.ctx.logger.warning("approval expired", extra={"approval_id": approval_id})
        elif stage is Stage.REMIND:
            data = self.ctx.step(
                lambda _: ladder_steps.remind(deps, approval_id, message),
                name=STEP_REMIND,
                config=retries.SLACK_POST,
            )
        else:
            channel = self.escalation_channel
            data = self.ctx.step(
                lambda _: ladder_steps.escalate(deps, approval_id, message, escalation, channel),
                name=STEP_ESCALATE,
                config=retries.SLACK_POST,
            )
        return Outcome.from_dict(data) if data else None

    def _rotate(self, number: int, seconds: int) -> tuple[Callback[Any], Outcome | None]:
        """Wait on a fresh callback from now on; a decision that beat the swap wins instead."""
        callback = self.ctx.create_callback(
            name=f"{CALLBACK_DECISION} {number}", config=_timeout(seconds)
        )
        callback_id, approvals = callback.callback_id, self.deps.approvals

        def swap(_: StepContext) -> dict[str, Any] | None:
            record = approvals.update(
                self.approval_id, lambda r: (r.with_callback(callback_id), [])
            )
            return ladder_steps.decided(record)

        data = self.ctx.step(swap, name=f"{STEP_ROTATE} {number}", config=retries.STORE)
        return callback, Outcome.from_dict(data) if data else None

    def _new_record(
        self,
        callback_id: str,
        request: ApprovalRequest,
        policy: ApproverPolicy,
        expire_after: int,
    ) -> ApprovalRecord:
        now = self.deps.clock()
        return ApprovalRecord(
            approval_id=self.approval_id,
            callback_id=callback_id,
            execution_arn=self.ctx.execution_context.durable_execution_arn,
            request=request,
            policy=policy,
            created_at=now.isoformat(),
            expires_at=(now + timedelta(seconds=expire_after)).isoformat(),
            ttl=int(now.timestamp()) + RETENTION_SECONDS,
        )


def _timeout(seconds: int) -> CallbackConfig:
    return CallbackConfig(timeout=Duration.from_seconds(seconds), serdes=JsonSerDes())


def _await_decision(callback: Callback[Any], approval_id: str) -> Outcome | None:
    """The decision the callback carried, or None when this round timed out."""
    try:
        return outcome_from_success(callback.result())
    except InvalidRequestError:
        # Only holders of the callback id can resume us; still, never approve on garbage.
        return Outcome(approval_id, Status.REJECTED, reason="malformed approval result")
    except CallbackExternalError as err:
        try:
            return outcome_from_failure(err.data)
        except InvalidRequestError:
            return Outcome(approval_id, Status.REJECTED, reason=err.message or "rejected")
    except CallbackTimeoutError:
        return None


def _post_once(record: ApprovalRecord, deps: Dependencies, step: StepContext) -> dict[str, str]:
    """Store the record, then post unless a previous attempt already did."""
    stored = deps.approvals.create(record)
    if stored.slack is not None:
        step.logger.info("approval already posted", extra={"approval_id": record.approval_id})
        message = stored.slack
    else:
        message = deps.notifier.post_request(stored)
        deps.approvals.attach_message(record.approval_id, message)
        approval_metrics.count(approval_metrics.REQUESTED)
    return {"channel": message.channel, "ts": message.ts}
