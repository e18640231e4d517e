"""The order example's own policy statements, as plain data over ARNs.

Greenlight's statements (the requester grant, the webhook's and the relay's) are in
`greenlight.cdk.permissions`; `POLICIES` renders both for the order stack's names, so a test
compares each synthesized role with what it should hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.cdk import permissions as greenlight
from greenlight.cdk.permissions import Statement, allow
from iac import names

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.cdk.names import Arns


def durable_checkpoint(arns: Arns) -> list[Statement]:
    """The durable function checkpoints and reads its own executions, nobody else's (`:*`:
    `Arns.executions`)."""
    return [
        allow(
            "CheckpointOwnExecutions",
            ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
            [arns.executions(names.ORDERS_FUNCTION)],
        )
    ]


def orders_access(arns: Arns) -> list[Statement]:
    """The order tables it writes and the alert topic (saga failures). Its approvals, their
    audit lines and the Slack secret come from `Greenlight.grant_requester`."""

    def table(role: str) -> str:
        return arns.table(names.TABLES[role])

    return [
        allow(
            "Reservations",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            [table("reservations")],
        ),
        allow("Conditions", ["dynamodb:GetItem", "dynamodb:PutItem"], [table("conditions")]),
        allow("Alerts", ["sns:Publish"], [arns.topic(names.ALERT_TOPIC)]),
    ]


def starter_access(arns: Arns) -> list[Statement]:
    """The order-event starter invokes the workflow's live alias and dead-letters failures."""
    return [
        allow(
            "StartOrders",
            ["lambda:InvokeFunction"],
            [arns.function(names.ORDERS_FUNCTION, names.ALIAS)],
        ),
        allow("DeadLetters", ["sqs:SendMessage"], [arns.queue(names.EVENTS_DLQ)]),
    ]


def _secret(arns: Arns) -> str:
    return arns.secret(names.SECRET)


# Every role of the order stack, statement by statement (each function's `Logs` included).
POLICIES: dict[str, Callable[[Arns], list[Statement]]] = {
    "orders": lambda arns: [
        greenlight.logs(arns, names.ORDERS_FUNCTION),
        *durable_checkpoint(arns),
        *orders_access(arns),
        *greenlight.requester_access(
            arns, names.GREENLIGHT, _secret(arns), names.ORDERS_LABEL, unlabelled=True
        ),
    ],
    "webhook": lambda arns: [
        greenlight.logs(arns, names.WEBHOOK_FUNCTION),
        *greenlight.resume(arns, [names.ORDERS_FUNCTION]),
        *greenlight.webhook_access(
            arns, names.GREENLIGHT, _secret(arns), arns.secret(names.SIGNING_SECRET)
        ),
    ],
    "relay": lambda arns: [
        greenlight.logs(arns, names.RELAY_FUNCTION),
        *greenlight.resume(arns, [names.ORDERS_FUNCTION]),
        *greenlight.relay_access(arns, names.GREENLIGHT, _secret(arns)),
    ],
    "starter": lambda arns: [
        greenlight.logs(arns, names.STARTER_FUNCTION),
        *starter_access(arns),
    ],
}
