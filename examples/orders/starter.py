"""The order-event starter: EventBridge's target, which starts the durable workflow by name.

EventBridge's Lambda target cannot pass `DurableExecutionName`, so this thin function maps the
event (`order_events.to_start`) and invokes the workflow's alias with the name derived from
the order id. A malformed event raises: Lambda retries it, then its on-failure destination
(the dead-letter queue) keeps it; nothing is half-started. The local stack runs the same
`start` (`localdev.put_event`, behind `scripts/put-order-event.sh --local`).
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import boto3

from examples.orders.order_events import to_start

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

ENV_ORDERS_FUNCTION = "ORDERS_FUNCTION"
ENV_EVENT_SOURCE = "ORDER_EVENT_SOURCE"
ENV_EVENT_DETAIL_TYPE = "ORDER_EVENT_DETAIL_TYPE"
DEFAULT_SOURCE = "greenlight.orders"
DEFAULT_DETAIL_TYPE = "OrderCreated"


def start(
    event: Any, client: LambdaClient, function: str, source: str, detail_type: str
) -> dict[str, str]:
    """Start (or find, for a redelivery) the execution an order event asks for."""
    request = to_start(event, source, detail_type)
    response = client.invoke(
        FunctionName=function,
        InvocationType="Event",
        DurableExecutionName=request.execution_name,
        Payload=json.dumps(request.order).encode(),
    )
    return {"execution_name": request.execution_name, "arn": response["DurableExecutionArn"]}


def handler(event: Any, _context: Any) -> dict[str, str]:
    """Lambda entry point (`examples.orders.starter.handler`)."""
    return start(
        event,
        boto3.client("lambda"),
        os.environ[ENV_ORDERS_FUNCTION],
        os.environ.get(ENV_EVENT_SOURCE, DEFAULT_SOURCE),
        os.environ.get(ENV_EVENT_DETAIL_TYPE, DEFAULT_DETAIL_TYPE),
    )
