"""The outside systems the order workflow talks to, as capabilities it can be handed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from greenlight.gate import Greenlight


class Reservations(Protocol):
    """Holds that must be released if the order does not go through."""

    def reserve(self, kind: str, order_id: str, details: dict[str, Any]) -> dict[str, Any]:
        """Hold `kind` for the order, once; a repeat returns the first hold."""
        ...

    def release(self, kind: str, order_id: str) -> bool:
        """Release the hold, once; True if it is released (now or before), False if never held.

        A retried release whose first try landed must still answer True: the answer is what
        the saga reports as undone, so it must be settled, not read from one attempt.
        """
        ...


@dataclass(frozen=True, slots=True)
class Charge:
    """A successful charge at the payment provider."""

    charge_id: str
    amount_cents: int
    currency: str


class PaymentGateway(Protocol):
    """Takes money (and gives it back), once per idempotency key."""

    def charge(self, idempotency_key: str, amount_cents: int, currency: str, card: str) -> Charge:
        """Charge the card; raises PaymentDeclinedError or PaymentUnavailableError."""
        ...

    def refund(self, idempotency_key: str, charge_id: str) -> str:
        """Refund a charge in full, once; returns the refund id."""
        ...

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """Ask what a charge with this key did: the charge, or None if none was made.

        Raises PaymentUnavailableError while the provider cannot say (down, or the key still in
        progress): an unknown outcome is never read as "not charged".
        """
        ...


class Conditions(Protocol):
    """Facts an outside process settles (a fraud review, stock arriving)."""

    def open(self, order_id: str, kind: str) -> None:
        """Start waiting on `kind` for the order (status `pending`); idempotent."""
        ...

    def status(self, order_id: str) -> str:
        """`pending`, `cleared`, `failed` or `expired`.

        Raises ConditionUnavailableError when the store failed in a way a later try may not
        (throttling, timeouts, 5xx); any other error is permanent.
        """
        ...

    def close(self, order_id: str, outcome: str) -> str:
        """Stop waiting: turn a `pending` item to `expired`, noting `outcome` (what happens to
        the order) and when; return the status the item ends with (a verdict that got there
        first wins, and is returned instead of `expired`)."""
        ...


class Alerts(Protocol):
    """Tells operators something needs a human (SNS)."""

    def publish(self, subject: str, message: str) -> None:
        """Send one notice."""
        ...


class PaymentDeclinedError(Exception):
    """The provider refused the card: retrying cannot help."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"card declined ({code})")


class PaymentUnavailableError(Exception):
    """The provider could not be reached or failed: retrying may help."""


class PaymentRefusedError(Exception):
    """The provider refused the request itself (a 4xx other than a decline, an in-progress
    conflict or a rate limit: unknown charge, invalid request): sending it again cannot help."""


class ConditionUnavailableError(Exception):
    """The conditions store failed transiently (throttled, timed out, 5xx): poll again."""


@dataclass(frozen=True, slots=True)
class Dependencies:
    """Everything the workflow touches, built once per container: the approval gate
    (Greenlight's public API) and the order's own outside systems."""

    approvals: Greenlight
    reservations: Reservations
    payments: PaymentGateway
    conditions: Conditions
    alerts: Alerts
