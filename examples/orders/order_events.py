"""From an order event (EventBridge's envelope) to the execution it starts: pure, no I/O.

The execution name comes from the order id, so a redelivered event names the same execution
and never starts a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from examples.orders.order import execution_name, parse_order
from greenlight.core import InvalidRequestError


@dataclass(frozen=True, slots=True)
class StartRequest:
    """What to start: the execution's name and its input (the validated order)."""

    execution_name: str
    order: dict[str, Any]


def to_start(event: Any, source: str, detail_type: str) -> StartRequest:
    """Validate the envelope and the order inside it.

    Raises:
        InvalidRequestError: not our event, or not a valid order; nothing is started.
    """
    if not isinstance(event, dict):
        raise InvalidRequestError("event", "must be a JSON object")
    if event.get("source") != source:
        raise InvalidRequestError("source", f"expected {source!r}")
    if event.get("detail-type") != detail_type:
        raise InvalidRequestError("detail-type", f"expected {detail_type!r}")
    order = parse_order(event.get("detail"))
    return StartRequest(execution_name=execution_name(order.order_id), order=order.to_dict())
