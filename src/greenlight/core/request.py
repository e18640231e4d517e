"""What a workflow asks people to decide, validated once at the boundary.

A request is generic: a title, an mrkdwn description, label/value fields, links, an optional
amount, and any JSON-safe `context` the workflow wants handed back with the decision. The
limits are Slack's Block Kit limits (see `greenlight.core.blocks`), so whatever a request
holds renders: Slack refuses a whole message for one text that is too long.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from greenlight.core.errors import InvalidRequestError
from greenlight.core.minor_units import decimals

_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
_URL = re.compile(r"^https?://[^\s<>|]+$")
MAX_TITLE = 150  # header block text
MAX_DESCRIPTION = 2900  # one section's text is 3000; room for the ellipsis and quoting
MAX_FIELDS = 10
MAX_FIELD_TEXT = 200
MAX_LINKS = 5
MAX_LINK_LABEL = 75
MAX_URL = 500  # five links and their labels fit one section (3000)
MAX_REFERENCE = 128
MAX_CONTEXT_BYTES = 32 * 1024  # checkpointed with the decision; a checkpoint is at most 256 KB


def format_amount(amount_cents: int, currency: str) -> str:
    """An amount in `currency`'s minor unit as people read it: `1,250.00 EUR`, `125,000 JPY`,
    `1,250.500 KWD` (ISO 4217 decimals: `greenlight.core.minor_units`)."""
    places = decimals(currency)
    if places == 0:
        return f"{amount_cents:,} {currency}"
    whole, minor = divmod(amount_cents, 10**places)
    return f"{whole:,}.{minor:0{places}d} {currency}"


def is_currency_code(value: object) -> bool:
    """An ISO 4217 alphabetic code's shape: three upper-case letters (`EUR`, `JPY`, `KWD`)."""
    return isinstance(value, str) and bool(_CURRENCY.fullmatch(value))


def is_slack_user_id(value: str) -> bool:
    """Slack user ids start with U (or W on Enterprise Grid) and are upper alphanumerics."""
    return bool(_SLACK_USER.match(value))


@dataclass(frozen=True, slots=True)
class Amount:
    """Money, in the currency's minor unit (`cents`: a cent of EUR, a yen, a fils of KWD) and
    its ISO 4217 code."""

    cents: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.cents, bool) or not isinstance(self.cents, int):
            raise InvalidRequestError("amount.cents", "must be a whole number")
        if self.cents < 0:
            raise InvalidRequestError("amount.cents", "must not be negative")
        if not is_currency_code(self.currency):
            raise InvalidRequestError("amount.currency", "must be a three-letter ISO code like EUR")

    @property
    def text(self) -> str:
        """The amount as people read it: `1,250.00 EUR`, `125,000 JPY` (`format_amount`)."""
        return format_amount(self.cents, self.currency)


@dataclass(frozen=True, slots=True)
class Link:
    """A link shown under the request (a diff, a runbook, the order in the shop's admin)."""

    label: str
    url: str

    def __post_init__(self) -> None:
        if not isinstance(self.label, str) or not 1 <= len(self.label.strip()) <= MAX_LINK_LABEL:
            raise InvalidRequestError("links", f"a label must be 1 to {MAX_LINK_LABEL} characters")
        if not isinstance(self.url, str) or len(self.url) > MAX_URL or not _URL.match(self.url):
            raise InvalidRequestError(
                "links", f"{self.label!r}: the url must be http(s), without spaces, < > or |"
            )


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """One decision to make: what, for whom, the facts shown to approvers, and what to give back.

    `fields` are label/value pairs rendered as the message's fields; `description` is mrkdwn
    (Slack's markup: *bold*, links); `reference` is the workflow's own id for the request (an
    order id), kept in the record and the audit trail. `context` never reaches Slack: it comes
    back, unchanged, in the decision. Nothing here should be secret. A `sensitive` request is
    marked with a warning in Slack and cannot be approved in one click: every approval of it is
    confirmed in a modal (`greenlight.core.vote_write` enforces it in the vote's write).

    Raises:
        InvalidRequestError: a field is missing, too long or malformed; it names the field.
    """

    title: str
    requester_id: str
    description: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    links: tuple[Link, ...] = ()
    amount: Amount | None = None
    context: Any = None
    reference: str | None = None
    sensitive: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip() or len(self.title) > MAX_TITLE:
            raise InvalidRequestError("title", f"must be 1 to {MAX_TITLE} characters")
        if not isinstance(self.requester_id, str) or not is_slack_user_id(self.requester_id):
            raise InvalidRequestError("requester_id", "must be a Slack user id like U0123ABCD")
        if not isinstance(self.description, str) or len(self.description) > MAX_DESCRIPTION:
            raise InvalidRequestError("description", f"at most {MAX_DESCRIPTION} characters")
        object.__setattr__(self, "fields", _fields(self.fields))
        object.__setattr__(self, "links", _links(self.links))
        if self.amount is not None and not isinstance(self.amount, Amount):
            raise InvalidRequestError("amount", "must be an Amount(cents, currency) or None")
        if self.reference is not None and not (
            isinstance(self.reference, str) and 1 <= len(self.reference) <= MAX_REFERENCE
        ):
            raise InvalidRequestError("reference", f"must be 1 to {MAX_REFERENCE} characters")
        _check_context(self.context)
        if not isinstance(self.sensitive, bool):
            raise InvalidRequestError("sensitive", "must be True or False")

    @property
    def amount_text(self) -> str:
        """The amount as people read it, or empty when the request has none."""
        return self.amount.text if self.amount else ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy for the approval record (the context stays with the workflow).

        The amount is stored flat (`amount_cents`, `currency`), as records have always held it.
        """
        data: dict[str, Any] = {
            "title": self.title,
            "requester_id": self.requester_id,
            "fields": [[label, value] for label, value in self.fields],
        }
        if self.description:
            data["description"] = self.description
        if self.links:
            data["links"] = [[link.label, link.url] for link in self.links]
        if self.amount:
            data["amount_cents"] = self.amount.cents
            data["currency"] = self.amount.currency
        if self.reference:
            data["reference"] = self.reference
        if self.sensitive:  # only when set: the vote's write tests the attribute's existence
            data["sensitive"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApprovalRequest:
        """Rebuild from `to_dict` output (numbers may come back as Decimal from DynamoDB)."""
        amount = None
        if data.get("amount_cents") is not None:
            amount = Amount(int(data["amount_cents"]), str(data["currency"]))
        return cls(
            title=str(data["title"]),
            requester_id=str(data["requester_id"]),
            description=str(data.get("description", "")),
            fields=tuple((str(k), str(v)) for k, v in data.get("fields", [])),
            links=tuple(Link(str(label), str(url)) for label, url in data.get("links", [])),
            amount=amount,
            reference=str(data["reference"]) if data.get("reference") else None,
            sensitive=data.get("sensitive") is True,
        )


def _fields(raw: Any) -> tuple[tuple[str, str], ...]:
    try:
        fields = tuple((label, value) for label, value in raw)
    except (TypeError, ValueError) as err:
        raise InvalidRequestError("fields", "must be (label, value) pairs") from err
    if len(fields) > MAX_FIELDS:
        raise InvalidRequestError("fields", f"at most {MAX_FIELDS} allowed")
    for label, value in fields:
        if not isinstance(label, str) or not isinstance(value, str):
            raise InvalidRequestError("fields", f"{label!r}: label and value must be text")
        if not label.strip() or len(label) + len(value) > MAX_FIELD_TEXT:
            raise InvalidRequestError("fields", f"{label!r} is empty or too long")
    return fields


def _links(raw: Any) -> tuple[Link, ...]:
    links = tuple(raw)
    if len(links) > MAX_LINKS:
        raise InvalidRequestError("links", f"at most {MAX_LINKS} allowed")
    if not all(isinstance(link, Link) for link in links):
        raise InvalidRequestError("links", "must be Link(label, url) values")
    return links


def _check_context(context: Any) -> None:
    """The context must survive a JSON round trip unchanged: it is checkpointed as JSON.

    None (no context, and every request rebuilt from a stored record: the context stays with
    the workflow) is JSON's null: nothing to encode, on every vote's rebuilt record.
    """
    if context is None:
        return
    try:
        text = json.dumps(context, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as err:
        raise InvalidRequestError("context", f"must be JSON-safe ({err})") from err
    if json.loads(text) != context:
        raise InvalidRequestError(
            "context", "must survive JSON unchanged (lists, not tuples; text keys)"
        )
    if len(text.encode()) > MAX_CONTEXT_BYTES:
        raise InvalidRequestError("context", f"at most {MAX_CONTEXT_BYTES} bytes as JSON")
