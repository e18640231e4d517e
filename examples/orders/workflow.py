"""The order workflow: validate, reserve, get approval, charge, await review, notify — a saga.

Every step with an outside effect registers its undo before it runs; a rejection, an expiry or
a permanent failure undoes them newest first (refund, release shipping, release inventory), and
each undo first settles what really happened (the provider is asked by idempotency key), so a
charge whose answer was lost is refunded, never guessed away. Step names are stable literals:
renaming or reordering them breaks executions in flight.

The approval is Greenlight's public API only: `Tiers.choose` picks the policy for the amount
(or an automatic approval), and `require_approval` asks in the order channel and returns a
typed `Decision`, a rejection included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import (
    BatchItemStatus,
    ChildContextError,
    StepError,
    durable_execution,
)
from aws_durable_execution_sdk_python.config import CompletionConfig, ParallelConfig
from aws_durable_execution_sdk_python.lambda_service import ErrorObject
from aws_lambda_powertools import Logger

from examples.orders import retries
from examples.orders.dynamo_conditions import CLEARED
from examples.orders.order import Order, parse_order
from examples.orders.review import REVIEW_ENDS, await_review
from examples.orders.saga import Saga
from greenlight.core import ApprovalError, Status, mention

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext

    from examples.orders.ports import Dependencies
    from examples.orders.settings import Settings
    from greenlight.core import Decision, SlackMessage

STEP_VALIDATE = "validate order"
PARALLEL_RESERVE = "reserve"
STEP_RESERVE_INVENTORY = "reserve inventory"
STEP_RELEASE_INVENTORY = "release inventory"
STEP_RESERVE_SHIPPING = "reserve shipping"
STEP_RELEASE_SHIPPING = "release shipping"
STEP_CHARGE = "charge payment"
STEP_REFUND = "refund payment"
STEP_NOTIFY = "notify requester"
STEP_ALERT = "alert operators"
GATE_APPROVAL = "approval"
INVENTORY = "inventory"
SHIPPING = "shipping"

logger = Logger()


def make_handler(deps: Dependencies, settings: Settings) -> Callable[[Any, Any], Any]:
    """The durable Lambda handler over the given dependencies (tests pass in-memory ones)."""

    @durable_execution
    def handle(event: Any, context: DurableContext) -> dict[str, Any]:
        context.set_logger(logger)
        return process_order(event, context, deps, settings)

    return handle


def process_order(
    event: Any, ctx: DurableContext, deps: Dependencies, settings: Settings
) -> dict[str, Any]:
    """Run one order to its end and say what was done and what was undone."""
    # An order the tiers cannot price (another currency) is invalid here, before any hold
    order_data = ctx.step(
        lambda _: parse_order(event, settings.tiers).to_dict(),
        name=STEP_VALIDATE,
        config=retries.NO_RETRY,
    )
    order = parse_order(order_data)
    run = _Run(ctx, deps, order, settings)
    failed = _reserve(ctx, deps, order, order_data["items"], run.saga)
    if failed is not None:
        return run.fail(
            "reservation_failed", f"could not be reserved ({failed.message})", alert=True
        ) | {"error": {"type": failed.type, "message": failed.message}}
    try:
        decision = deps.approvals.require_approval(
            ctx,
            order.approval_request(),
            policy=settings.tiers.choose(order.amount, sensitive=order.sensitive),
            route=settings.route,
            name=GATE_APPROVAL,
        )
    except (ChildContextError, ApprovalError) as err:
        # Never asked: a true error (ChildContextError: the request never reached anyone), or
        # refused before any durable operation (InvalidRequestError: the request, the policy,
        # a tier needing more approvers than are named, or a ladder the execution would not
        # outlive; the same on every replay; an amount in another currency than the tiers'
        # never gets here: the validate step refuses it). Either way the holds are released
        # and operators told, never left to a failed execution.
        kind, text = (
            (err.error_type, err.message)
            if isinstance(err, ChildContextError)
            else (type(err).__name__, str(err))
        )
        return run.fail(
            "approval_failed", f"could not be put to approvers ({text})", alert=True
        ) | {"error": {"type": kind, "message": text}}
    run.thread, run.decision = decision.message, decision
    if not decision.approved:
        return run.fail(decision.status.value, f"was {_verdict(decision)}")

    try:
        # The refund is guarded before the charge runs: if the last attempt's answer is lost,
        # the step fails, yet the money may have moved; the refund asks the provider first.
        charge = run.saga.step(
            STEP_CHARGE,
            lambda _: _charge(order, deps),
            retries.PAYMENT,
            STEP_REFUND,
            lambda: _refund_if_charged(order, deps),
            undo_config=retries.REFUND,
        )
    except StepError as err:
        return run.fail("payment_failed", f"could not be paid ({err.message})", err, alert=True)

    if order.review:
        verdict = await_review(ctx, deps, order, settings.review_wait)
        if verdict != CLEARED:
            status, why = REVIEW_ENDS.get(verdict, REVIEW_ENDS[None])
            return run.fail(status, why, alert=True)

    run.notify(
        f"order {order.order_id} was {_verdict(decision)} and charged ({charge['charge_id']})."
    )
    return run.result("completed") | {"charge": charge}


class _Run:
    """One order's saga, decision and thread, and how it ends."""

    def __init__(
        self, ctx: DurableContext, deps: Dependencies, order: Order, settings: Settings
    ) -> None:
        self.ctx = ctx
        self.deps = deps
        self.order = order
        self.settings = settings
        self.saga = Saga(ctx)
        self.thread: SlackMessage | None = None
        self.decision: Decision | None = None

    def fail(
        self, status: str, why: str, error: StepError | None = None, *, alert: bool = False
    ) -> dict[str, Any]:
        """Undo everything, tell the requester (and operators), and say what happened."""
        done = list(self.saga.done)
        undone = self.saga.compensate()
        summary = (
            f"order {self.order.order_id} {why}; undone: {', '.join(undone.undone) or 'nothing'}"
        )
        if undone.nothing_to_undo:
            summary += f"; nothing to undo for: {', '.join(undone.nothing_to_undo)}"
        if undone.failed:
            summary += f"; NOT undone: {', '.join(undone.failed)}"
        self.notify(summary + ".")
        if alert or undone.failed:
            self._alert(f"Greenlight: order {self.order.order_id} {status}", summary)
        result = self.result(status) | {"done": done, "undone": undone.undone}
        if undone.nothing_to_undo:
            result["nothing_to_undo"] = undone.nothing_to_undo
        if undone.failed:
            result["undo_failed"] = undone.failed
        if error is not None:
            result["error"] = {"type": error.error_type, "message": error.message}
        return result

    def result(self, status: str) -> dict[str, Any]:
        """The execution's result: the status, the order, the approval and what was done."""
        return {
            "status": status,
            "order_id": self.order.order_id,
            "approval": self.decision.to_dict() if self.decision else None,
            "done": list(self.saga.done),
            "undone": [],
        }

    def notify(self, text: str) -> None:
        """Tell the requester; a Slack outage must not undo an order that is otherwise done."""
        order, where = self.order, self.thread or self.settings.route
        try:
            self.ctx.step(
                lambda _: self.deps.approvals.notify(order.requester_id, text, where=where),
                name=STEP_NOTIFY,
                config=retries.SLACK_POST,
            )
        except StepError as err:
            self.ctx.logger.warning("requester not notified", extra={"error": err.error_type})

    def _alert(self, subject: str, message: str) -> None:
        try:
            self.ctx.step(
                lambda _: self.deps.alerts.publish(subject, message),
                name=STEP_ALERT,
                config=retries.STORE,
            )
        except StepError as err:
            self.ctx.logger.error("operators not alerted", extra={"error": err.error_type})


def _reserve(
    ctx: DurableContext, deps: Dependencies, order: Order, items: list[Any], saga: Saga
) -> ErrorObject | None:
    """Inventory and shipping are independent: hold both at once, as parallel branches.

    Both releases are guarded first; the first failure is returned, and the caller's
    compensation then releases whatever either branch holds.
    """
    holds: list[tuple[str, str, str, dict[str, Any]]] = [
        (INVENTORY, STEP_RESERVE_INVENTORY, STEP_RELEASE_INVENTORY, {"items": items}),
        (SHIPPING, STEP_RESERVE_SHIPPING, STEP_RELEASE_SHIPPING, {"parcels": len(items)}),
    ]
    # Guarded before they run: a branch that failed may still hold (its write landed, the
    # answer was lost); the release reads the reservation and releases only what is held.
    for kind, _, undo_name, _ in holds:
        saga.guard(undo_name, _releaser(deps, kind, order.order_id))

    def branch(kind: str, name: str, details: dict[str, Any]) -> Callable[[DurableContext], Any]:
        def run(child: DurableContext) -> Any:
            return child.step(
                lambda _: deps.reservations.reserve(kind, order.order_id, details),
                name=name,
                config=retries.STORE,
            )

        return run

    # Every branch runs to its end (not fail-fast): a branch abandoned while running may still
    # hold its reservation, and only a finished branch can be undone. All must succeed to go on.
    result = ctx.parallel(
        [branch(kind, name, details) for kind, name, _, details in holds],
        name=PARALLEL_RESERVE,
        # = CompletionConfig.all_completed(), which the SDK leaves untyped
        config=ParallelConfig(completion_config=CompletionConfig(tolerated_failure_percentage=100)),
    )
    failure: ErrorObject | None = None
    for item, (_, name, _, _) in zip(result.all, holds, strict=True):
        if item.status is BatchItemStatus.SUCCEEDED:
            saga.done.append(name)
        elif failure is None:
            failure = item.error or ErrorObject(
                f"{name} did not finish", "ReservationError", None, None
            )
    return failure


def _releaser(deps: Dependencies, kind: str, order_id: str) -> Callable[[], bool]:
    return lambda: deps.reservations.release(kind, order_id)


def _charge(order: Order, deps: Dependencies) -> dict[str, Any]:
    charge = deps.payments.charge(order.order_id, order.amount_cents, order.currency, order.card)
    return {"charge_id": charge.charge_id, "amount_cents": charge.amount_cents}


def _refund_if_charged(order: Order, deps: Dependencies) -> dict[str, str] | None:
    """Settle the charge by its key, then refund what was charged (None: nothing was)."""
    charge = deps.payments.find_charge(order.order_id)
    if charge is None:
        return None
    refund_id = deps.payments.refund(f"refund-{order.order_id}", charge.charge_id)
    return {"charge_id": charge.charge_id, "refund_id": refund_id}


def _verdict(decision: Decision) -> str:
    if decision.automatic:
        kind = "approved" if decision.approved else "refused"
        return f"{kind} automatically ({decision.reason})"
    who = ", ".join(mention(d.user_id) for d in decision.deciders)
    if decision.status is Status.EXPIRED:
        return "not decided in time"
    if decision.status is Status.REJECTED:
        return f"rejected by {who or 'an approver'}: {decision.reason}"
    return f"approved by {who}"
