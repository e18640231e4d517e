"""The contract between the message the gate posts and the clicks the webhook receives.

Buttons carry only the opaque `approval_id`; the callback id never leaves the record.

An approval id is 22 url-safe characters (128 bits), led by its requester's label when the
deployment gave the function one (`<label>.<22 characters>`, `requester_env.ENV_REQUESTER`):
the approvals and audit tables are keyed by it, so IAM can hold each requester to the items
whose key starts with its own label (`dynamodb:LeadingKeys`, `greenlight.cdk.permissions`).
The label is a name, not a secret, and grants nothing: only the signed click decides.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from greenlight.core.errors import InvalidRequestError
from greenlight.core.requester_env import LABEL

ACTION_APPROVE = "approve"  # one click; refused for a sensitive request
ACTION_REJECT = "reject"
ACTION_APPROVE_WITH_COMMENT = "approve_comment"  # opens the comment modal
ACTION_CONFIRM_APPROVE = "approve_confirm"  # a sensitive request's Approve: opens the confirmation
DECISION_BLOCK_ID = "decision"
REJECT_MODAL_CALLBACK_ID = "reject_reason"
REASON_BLOCK_ID = "reason"
REASON_ACTION_ID = "reason"
COMMENT_MODAL_CALLBACK_ID = "approve_comment"
CONFIRM_MODAL_CALLBACK_ID = "approve_confirm"
COMMENT_BLOCK_ID = "comment"
COMMENT_ACTION_ID = "comment"

_APPROVAL_ID = re.compile(rf"(?:{LABEL.pattern}\.)?[A-Za-z0-9_-]{{22}}")


def new_approval_id() -> str:
    """A fresh opaque id with 128 bits of randomness (22 url-safe characters)."""
    return secrets.token_urlsafe(16)


def labelled(requester: str | None, approval_id: str) -> str:
    """`approval_id` led by the requester's label, if it has one.

    Raises:
        InvalidRequestError: the label is not one `grant_requester` gives.
    """
    if requester is None:
        return approval_id
    return f"{check_label(requester)}.{approval_id}"


def check_label(requester: str) -> str:
    """`requester`, if it is a label `grant_requester` gives.

    Raises:
        InvalidRequestError: it is not.
    """
    if not LABEL.fullmatch(requester):
        raise InvalidRequestError("requester", f"{requester!r} is not a requester label")
    return requester


def parse_approval_id(value: object) -> str:
    """Accept a button value or modal metadata only if it has the shape of our ids.

    Raises:
        InvalidRequestError: anything else; nothing is looked up for it.
    """
    if isinstance(value, str) and _APPROVAL_ID.fullmatch(value):
        return value
    raise InvalidRequestError("approval_id", "not an approval id issued by Greenlight")


def approval_id_for(callback_id: str, requester: str | None = None) -> str:
    """The approval id of a request waiting on `callback_id`: the same on every retry and replay
    (so a retried post finds its record instead of posting twice), 128 bits, and one-way: the
    id on the buttons reveals nothing of the callback id, a bearer capability. Led by the
    `requester`'s label when it has one (a replay runs the version, so the label, it began with).

    Raises:
        InvalidRequestError: the label is not one `grant_requester` gives.
    """
    digest = hashlib.sha256(b"greenlight approval id v1\x00" + callback_id.encode()).digest()
    return labelled(requester, base64.urlsafe_b64encode(digest[:16]).decode().rstrip("="))
