"""The order the workflow processes, parsed and validated from the start event."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from greenlight.core import Amount, ApprovalRequest, InvalidRequestError

if TYPE_CHECKING:
    from greenlight.core import Tiers

# 58 at most: `execution_name` adds "order-" and Lambda allows 64 (DurableExecutionName)
_ORDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,57}$")
_CARD = re.compile(r"^tok_[a-z0-9_]{1,40}$")
MAX_ITEMS = 50
_EVENT_FIELDS = {"amount.cents": "amount_cents", "amount.currency": "currency"}


@dataclass(frozen=True, slots=True)
class LineItem:
    """One product and how many of it."""

    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Order:
    """An order that may need a human's approval before it is charged.

    `card` is a payment provider token (`tok_…`), never a card number.
    """

    order_id: str
    requester_id: str
    customer: str
    amount_cents: int
    currency: str
    card: str
    items: tuple[LineItem, ...]
    review: bool = False
    sensitive: bool = False  # approvers must confirm in a form (greenlight: sensitive requests)

    @property
    def amount(self) -> Amount:
        """What the order costs."""
        return Amount(self.amount_cents, self.currency)

    def approval_request(self) -> ApprovalRequest:
        """What approvers are asked about this order (its id comes back as the context)."""
        items = ", ".join(f"{i.quantity} x {i.sku}" for i in self.items)
        return ApprovalRequest(
            title=f"Order {self.order_id} for {self.customer}"[:150],
            requester_id=self.requester_id,
            fields=(("Customer", self.customer), ("Items", items[:150])),
            amount=self.amount,
            reference=self.order_id,
            context={"order_id": self.order_id},
            sensitive=self.sensitive,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form, for checkpoints."""
        return {
            "order_id": self.order_id,
            "requester_id": self.requester_id,
            "customer": self.customer,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "card": self.card,
            "items": [{"sku": i.sku, "quantity": i.quantity} for i in self.items],
            "review": self.review,
            "sensitive": self.sensitive,
        }


def parse_order(event: Any, tiers: Tiers | None = None) -> Order:
    """Validate a start event into an Order, naming the first field that is wrong.

    With `tiers`, an order in another currency than theirs is invalid too: its amount cannot
    be compared with their thresholds (`Tiers.tier`), so no approval could ever be chosen for
    it, and refusing it here, before anything is reserved, leaves nothing to undo.

    Raises:
        InvalidRequestError: the event is not a valid order (or not one `tiers` can price).
    """
    if not isinstance(event, dict):
        raise InvalidRequestError("order", "must be a JSON object")
    order_id = _text(event, "order_id")
    if not _ORDER_ID.match(order_id):
        raise InvalidRequestError("order_id", "1-58 letters, digits, '-' or '_'")
    card = _text(event, "card")
    if not _CARD.match(card):
        raise InvalidRequestError("card", "must be a payment token like tok_visa")
    raw_items = event.get("items")
    if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= MAX_ITEMS:
        raise InvalidRequestError("items", f"must be a list of 1 to {MAX_ITEMS} items")
    items = tuple(_item(i, raw) for i, raw in enumerate(raw_items))
    review = event.get("review", False)
    if not isinstance(review, bool):
        raise InvalidRequestError("review", "must be true or false")
    sensitive = event.get("sensitive", False)
    if not isinstance(sensitive, bool):
        raise InvalidRequestError("sensitive", "must be true or false")
    order = Order(
        order_id=order_id,
        requester_id=_text(event, "requester_id"),
        customer=_text(event, "customer"),
        amount_cents=_whole(event, "amount_cents"),
        currency=_text(event, "currency"),
        card=card,
        items=items,
        review=review,
        sensitive=sensitive,
    )
    try:
        order.approval_request()  # validates requester, currency and amount as approvers see them
        if tiers is not None:
            tiers.tier(order.amount, sensitive=order.sensitive)  # refuses another currency
    except InvalidRequestError as err:  # named as the order event names them
        field = _EVENT_FIELDS.get(err.field, err.field)
        raise InvalidRequestError(field, err.problem) from err
    return order


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequestError(key, "is required and must be text")
    return value.strip()


def _whole(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestError(key, "is required and must be a whole number")
    return value


def _item(index: int, raw: Any) -> LineItem:
    if not isinstance(raw, dict):
        raise InvalidRequestError(f"items[{index}]", "must be an object")
    quantity = raw.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidRequestError(f"items[{index}].quantity", "must be a positive whole number")
    return LineItem(sku=_text(raw, "sku"), quantity=quantity)


def execution_name(order_id: str) -> str:
    """The one durable execution an order gets, however it is started (an `OrderCreated` event
    through the starter, `scripts/start-approval.sh`, the local demo): Lambda starts a name once,
    so an order started twice, or both ways, runs once."""
    return f"order-{order_id}"
