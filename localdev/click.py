"""Click Approve or Reject as a local user, through the real signed webhook path.

`python -m localdev.click approve|reject <approval_id> --as <user> [--reason TEXT]
[--comment TEXT]`. It sends exactly what Slack sends: a signed `block_actions` request and, when
the button opens a modal, the signed `view_submission` of the modal the webhook opened: Reject
(with the reason), Approve with `--comment` ("Approve with comment"), and Approve on a sensitive
request (its confirmation, as its Approve button does). Prints what the user was told.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.core.buttons import (
    ACTION_APPROVE,
    ACTION_APPROVE_WITH_COMMENT,
    ACTION_CONFIRM_APPROVE,
    ACTION_REJECT,
    parse_approval_id,
)
from greenlight.core.errors import InvalidRequestError, NotFoundError
from localdev import fixtures
from localdev.config import TABLE_PREFIX, StackConfig, default_root
from localdev.slack_requests import block_actions, send_signed, view_submission

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.service_resource import Table

    from greenlight.core.record import SlackMessage


@dataclass(frozen=True, slots=True)
class ClickResult:
    """What happened: HTTP status, seconds until the webhook answered, what the user saw."""

    status: int
    seconds: float
    told: list[str]


def _state(config: StackConfig) -> dict[str, Any]:
    with urllib.request.urlopen(config.url("slack") + "/_state", timeout=5) as response:
        state: dict[str, Any] = json.loads(response.read())
        return state


def table(config: StackConfig, role: str = "approvals") -> Table:
    """One of this local stack's tables (approvals, audit, reservations)."""
    env = config.aws_env()
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=config.url("dynamodb"),
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    return resource.Table(f"{TABLE_PREFIX}{role}")


def dynamodb_client(config: StackConfig) -> DynamoDBClient:
    """A DynamoDB client for this local stack, with its dummy credentials."""
    env = config.aws_env()
    return boto3.client(
        "dynamodb",
        endpoint_url=config.url("dynamodb"),
        region_name=env["AWS_DEFAULT_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def store_for(config: StackConfig) -> DynamoApprovalStore:
    """The approval store over this local stack's table."""
    client = dynamodb_client(config)
    return DynamoApprovalStore(client, f"{TABLE_PREFIX}approvals", f"{TABLE_PREFIX}audit")


def button_for(action: str, comment: str | None, sensitive: bool) -> str:
    """The button a person clicks for `action`: Approve with comment when commenting, and a
    sensitive request's Approve (its confirmation) rather than the one-click one."""
    if action != ACTION_APPROVE:
        return action
    if comment is not None:
        return ACTION_APPROVE_WITH_COMMENT
    return ACTION_CONFIRM_APPROVE if sensitive else ACTION_APPROVE


def click(
    config: StackConfig,
    action: str,
    approval_id: str,
    user_id: str,
    reason: str | None = None,
    *,
    comment: str | None = None,
    where: SlackMessage | None = None,
) -> ClickResult:
    """Send the click (and, when it opens a modal, its submission); report what the user was told.

    `where` is the copy clicked in (e.g. someone's direct message); the main message if None.

    Raises:
        NotFoundError: no such approval in this stack.
    """
    record = store_for(config).get(approval_id)
    message = where or record.slack
    if message is None:
        raise NotFoundError(approval_id)
    secret = config.credentials()["signing_secret"]
    before = _state(config)
    button = button_for(action, comment, record.request.sensitive)
    payload = block_actions(
        action_id=button,
        approval_id=approval_id,
        user_id=user_id,
        channel_id=message.channel,
        message_ts=message.ts,
    )
    started = time.perf_counter()
    status, body = send_signed(config.webhook_url, secret, payload)
    seconds = time.perf_counter() - started
    told: list[str] = []
    if button != ACTION_APPROVE and status == 200:
        views = _state(config)["views"][len(before["views"]) :]
        opened = [v["view"] for v in views if v["trigger_id"] == payload["trigger_id"]]
        if opened:
            typed = (
                {"reason": reason or ""} if button == ACTION_REJECT else {"comment": comment or ""}
            )
            submission = view_submission(view=opened[0], user_id=user_id, values=typed)
            started = time.perf_counter()
            status, body = send_signed(config.webhook_url, secret, submission)
            seconds = time.perf_counter() - started
            if body:
                errors = json.loads(body).get("errors", {})
                told.extend(errors.values())
    after = _state(config)["ephemerals"][len(before["ephemerals"]) :]
    told.extend(e["text"] for e in after if e["user"] == user_id)
    return ClickResult(status, seconds, told)


def main(argv: list[str] | None = None) -> int:
    """CLI; exit 0 when the webhook accepted the request, 2 on bad input, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=["approve", "reject"])
    parser.add_argument("approval_id")
    parser.add_argument(
        "--as",
        dest="user",
        required=True,
        help="local user: " + ", ".join(p.name for p in fixtures.PEOPLE),
    )
    parser.add_argument("--reason", help="why (Reject only)")
    parser.add_argument("--comment", help="approve with this comment (Approve only)")
    parser.add_argument("--root", type=Path, default=default_root())
    args = parser.parse_args(argv)
    try:
        approval_id = parse_approval_id(args.approval_id)
        user = fixtures.person(args.user)
        if args.action == "reject" and not (args.reason and args.reason.strip()):
            raise InvalidRequestError("--reason", "a rejection needs a reason")
        if args.comment is not None and (args.action != "approve" or not args.comment.strip()):
            raise InvalidRequestError("--comment", "a comment goes with approve and is not blank")
        result = click(
            StackConfig.load(args.root),
            args.action,
            approval_id,
            user.user_id,
            args.reason,
            comment=args.comment,
        )
    except (InvalidRequestError, NotFoundError, KeyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"{args.action} as {user.name}: HTTP {result.status} in {result.seconds * 1000:.0f} ms")
    for text in result.told:
        print(f"  {user.name} was told: {text}")
    return 0 if result.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
