"""What a workflow asks people to decide, validated once at the boundary."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from greenlight.core.errors import InvalidRequestError

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
MAX_TITLE = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 200


def format_amount(amount_cents: int, currency: str) -> str:
    """An amount as people read it: `1,250.00 EUR`."""
    whole, cents = divmod(amount_cents, 100)
    return f"{whole:,}.{cents:02d} {currency}"


def is_slack_user_id(value: str) -> bool:
    """Slack user ids start with U (or W on Enterprise Grid) and are upper alphanumerics."""
    return bool(_SLACK_USER.match(value))


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """One decision to make: what, for whom, how much, and the facts shown to approvers.

    `fields` are label/value pairs rendered as the message's fields; they are copies of the
    order's data, never anything secret.
    """

    reference: str
    title: str
    requester_id: str
    amount_cents: int
    currency: str
    fields: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.reference or len(self.reference) > 128:
            raise InvalidRequestError("reference", "must be 1 to 128 characters")
        if not self.title or len(self.title) > MAX_TITLE:
            raise InvalidRequestError("title", f"must be 1 to {MAX_TITLE} characters")
        if not is_slack_user_id(self.requester_id):
            raise InvalidRequestError("requester_id", "must be a Slack user id like U0123ABCD")
        if self.amount_cents < 0:
            raise InvalidRequestError("amount_cents", "must not be negative")
        if not _CURRENCY.match(self.currency):
            raise InvalidRequestError("currency", "must be a three-letter ISO code like EUR")
        if len(self.fields) > MAX_FIELDS:
            raise InvalidRequestError("fields", f"at most {MAX_FIELDS} allowed")
        for label, value in self.fields:
            if not label or len(label) + len(value) > MAX_FIELD_TEXT:
                raise InvalidRequestError("fields", f"{label!r} is empty or too long")

    @property
    def amount_text(self) -> str:
        """The amount as people read it: `1,250.00 EUR`."""
        return format_amount(self.amount_cents, self.currency)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for checkpoints and the approval record."""
        return {
            "reference": self.reference,
            "title": self.title,
            "requester_id": self.requester_id,
            "amount_cents": self.amount_cents,
            "currency": self.currency,
            "fields": [[label, value] for label, value in self.fields],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApprovalRequest:
        """Rebuild from `to_dict` output (numbers may come back as Decimal from DynamoDB)."""
        return cls(
            reference=str(data["reference"]),
            title=str(data["title"]),
            requester_id=str(data["requester_id"]),
            amount_cents=int(data["amount_cents"]),
            currency=str(data["currency"]),
            fields=tuple((str(k), str(v)) for k, v in data.get("fields", [])),
        )
