"""The order workflow: validate, reserve, get approval, charge, notify; undo on the way out.

Step names are stable literals: renaming or reordering them breaks executions in flight.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import StepError, durable_execution
from aws_lambda_powertools import Logger

from approvals.blocks import mention
from approvals.votes import Status
from durable_fn import retries
from durable_fn.approval_gate import request_approval
from durable_fn.order import Order, parse_order

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext

    from approvals.outcome import Outcome
    from approvals.record import SlackMessage
    from durable_fn.ports import Dependencies
    from durable_fn.settings import Settings

STEP_VALIDATE = "validate order"
STEP_RESERVE = "reserve inventory"
STEP_RELEASE = "release inventory"
STEP_CHARGE = "charge payment"
STEP_NOTIFY = "notify requester"
INVENTORY = "inventory"

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
    """Run one order to its end and say what happened, including what was undone."""
    order_data = ctx.step(
        lambda _: parse_order(event).to_dict(), name=STEP_VALIDATE, config=retries.NO_RETRY
    )
    order = parse_order(order_data)
    items = order_data["items"]
    ctx.step(
        lambda _: deps.reservations.reserve(INVENTORY, order.order_id, {"items": items}),
        name=STEP_RESERVE,
        config=retries.STORE,
    )
    gate = request_approval(
        ctx, order.approval_request(), settings.tiers, deps, settings.escalation_channel
    )
    outcome = gate.outcome
    if not outcome.approved:
        _release_inventory(ctx, order, deps)
        text = f"order {order.order_id} was {_verdict(outcome)}; the inventory hold was released."
        _notify(ctx, order, text, gate.message, deps)
        return _result(order, outcome.decision.value, outcome, compensated=[INVENTORY])

    try:
        charge = ctx.step(lambda _: _charge(order, deps), name=STEP_CHARGE, config=retries.PAYMENT)
    except StepError as err:
        _release_inventory(ctx, order, deps)
        text = f"order {order.order_id} could not be charged ({err.message}); inventory released."
        _notify(ctx, order, text, gate.message, deps)
        result = _result(order, "payment_failed", outcome, compensated=[INVENTORY])
        return result | {"error": {"type": err.error_type, "message": err.message}}

    text = f"order {order.order_id} was {_verdict(outcome)} and charged ({charge['charge_id']})."
    _notify(ctx, order, text, gate.message, deps)
    return _result(order, "completed", outcome, compensated=[]) | {"charge": charge}


def _charge(order: Order, deps: Dependencies) -> dict[str, Any]:
    charge = deps.payments.charge(order.order_id, order.amount_cents, order.currency, order.card)
    return {"charge_id": charge.charge_id, "amount_cents": charge.amount_cents}


def _release_inventory(ctx: DurableContext, order: Order, deps: Dependencies) -> None:
    ctx.step(
        lambda _: deps.reservations.release(INVENTORY, order.order_id),
        name=STEP_RELEASE,
        config=retries.STORE,
    )


def _notify(
    ctx: DurableContext, order: Order, text: str, thread: SlackMessage | None, deps: Dependencies
) -> None:
    """Tell the requester; a Slack outage must not undo an order that is otherwise done."""
    try:
        ctx.step(
            lambda _: deps.notifier.notify(order.requester_id, text, thread),
            name=STEP_NOTIFY,
            config=retries.SLACK_POST,
        )
    except StepError as err:
        ctx.logger.warning("requester not notified", extra={"error": err.error_type})


def _verdict(outcome: Outcome) -> str:
    if outcome.automatic:
        return "approved automatically"
    who = ", ".join(mention(d.user_id) for d in outcome.deciders)
    if outcome.decision is Status.EXPIRED:
        return "not decided in time"
    if outcome.decision is Status.REJECTED:
        return f"rejected by {who or 'an approver'}: {outcome.reason}"
    return f"approved by {who}"


def _result(order: Order, status: str, outcome: Outcome, compensated: list[str]) -> dict[str, Any]:
    return {
        "status": status,
        "order_id": order.order_id,
        "approval": outcome.to_dict(),
        "compensated": compensated,
    }
