"""The reusable approval gate: decide the tier, ask people in Slack, suspend until they answer.

Replay rules: the id, the record and the post happen inside steps, so a replay reads their
checkpoints instead of posting again; the wait itself is a durable callback, so nothing runs
(or is billed) while people think.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python.config import CallbackConfig, Duration
from aws_durable_execution_sdk_python.exceptions import CallbackExternalError, CallbackTimeoutError
from aws_durable_execution_sdk_python.serdes import JsonSerDes

from approvals.errors import InvalidRequestError
from approvals.outcome import Outcome, outcome_from_failure, outcome_from_success
from approvals.record import RETENTION_SECONDS, ApprovalRecord, SlackMessage
from approvals.votes import Status
from durable_fn import retries

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext, StepContext

    from approvals.policy import ApproverPolicy, TierRules
    from approvals.request import ApprovalRequest
    from durable_fn.ports import Dependencies

STEP_AUTO_APPROVE = "auto-approve"
STEP_NEW_ID = "new approval id"
CALLBACK_DECISION = "approval decision"
STEP_POST_REQUEST = "post approval request"
STEP_EXPIRE = "expire approval"


@dataclass(frozen=True, slots=True)
class GateResult:
    """How the approval ended, and where it was discussed (for follow-ups in the thread)."""

    outcome: Outcome
    message: SlackMessage | None


def request_approval(
    ctx: DurableContext,
    request: ApprovalRequest,
    rules: TierRules,
    timeout_seconds: int,
    deps: Dependencies,
) -> GateResult:
    """Get a decision on `request`: automatically below the threshold, else from people.

    Raises:
        InvalidRequestError: the request can never be decided under the rules (e.g. the
            requester is the only approver); raised before anything is posted.
    """
    tier = rules.classify(request)
    if tier.policy is None:
        auto = Outcome(None, Status.APPROVED, reason=tier.reason, automatic=True).to_dict()
        checkpointed = ctx.step(lambda _: auto, name=STEP_AUTO_APPROVE, config=retries.NO_RETRY)
        ctx.logger.info("approval automatic", extra={"reason": tier.reason})
        return GateResult(Outcome.from_dict(checkpointed), None)

    approval_id: str = ctx.step(lambda _: deps.new_id(), name=STEP_NEW_ID, config=retries.NO_RETRY)
    callback = ctx.create_callback(
        name=CALLBACK_DECISION,
        config=CallbackConfig(timeout=Duration.from_seconds(timeout_seconds), serdes=JsonSerDes()),
    )
    execution_arn = ctx.execution_context.durable_execution_arn
    policy = tier.policy

    def post(step: StepContext) -> dict[str, str]:
        record = _new_record(
            approval_id=approval_id,
            callback_id=callback.callback_id,
            execution_arn=execution_arn,
            request=request,
            policy=policy,
            timeout_seconds=timeout_seconds,
            deps=deps,
        )
        return _post_once(record, deps, step)

    posted = ctx.step(post, name=STEP_POST_REQUEST, config=retries.SLACK_POST)
    message = SlackMessage(posted["channel"], posted["ts"])
    ctx.logger.info("approval requested", extra={"approval_id": approval_id})
    return GateResult(_await_decision(ctx, callback, approval_id, deps), message)


def _await_decision(
    ctx: DurableContext, callback: Any, approval_id: str, deps: Dependencies
) -> Outcome:
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

        def expire(_: StepContext) -> dict[str, Any]:
            record = deps.approvals.expire(approval_id, deps.clock().isoformat())
            if record.status is Status.EXPIRED:
                deps.notifier.update_request(record)
            return Outcome.from_record(record).to_dict()

        # A decision that landed just as the timer fired stands; otherwise it expires.
        return Outcome.from_dict(ctx.step(expire, name=STEP_EXPIRE, config=retries.STORE))


def _new_record(
    *,
    approval_id: str,
    callback_id: str,
    execution_arn: str,
    request: ApprovalRequest,
    policy: ApproverPolicy,
    timeout_seconds: int,
    deps: Dependencies,
) -> ApprovalRecord:
    now = deps.clock()
    return ApprovalRecord(
        approval_id=approval_id,
        callback_id=callback_id,
        execution_arn=execution_arn,
        request=request,
        policy=policy,
        created_at=now.isoformat(),
        expires_at=(now + timedelta(seconds=timeout_seconds)).isoformat(),
        ttl=int(now.timestamp()) + RETENTION_SECONDS,
    )


def _post_once(record: ApprovalRecord, deps: Dependencies, step: StepContext) -> dict[str, str]:
    """Store the record, then post unless a previous attempt already did."""
    stored = deps.approvals.create(record)
    if stored.slack is not None:
        step.logger.info("approval already posted", extra={"approval_id": record.approval_id})
        message = stored.slack
    else:
        message = deps.notifier.post_request(stored)
        deps.approvals.attach_message(record.approval_id, message)
    return {"channel": message.channel, "ts": message.ts}
