"""The lower bounds `bench.profile_click` reports are webhooks that really decide, and the one
called secure really lets DynamoDB authorize: else they would bound nothing."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack, suppress
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.exceptions import ClientError

from bench import profile_click
from bench.common import asgi_post, signed_approve
from bench.run import seed
from bench.servers import SIGNING_SECRET, env_for
from localdev.slack_requests import block_actions, form, signed_headers

if TYPE_CHECKING:
    from collections.abc import Iterator

    from greenlight.core.record import ApprovalRecord

PREFIX = "lb-"


@pytest.fixture(scope="module")
def urls() -> Iterator[dict[str, str]]:
    """The three services `bench.profile_click` measures, each in its own process."""
    with ExitStack() as stack:
        found, _ = profile_click.start_parts(stack)
        profile_click.provision(found, [PREFIX])
        yield found


@pytest.fixture
def environment(urls: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for name, value in env_for(urls).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APPROVALS_TABLE", f"{PREFIX}approvals")
    monkeypatch.setenv("AUDIT_TABLE", f"{PREFIX}audit")
    return urls


def status_of(urls: dict[str, str], approval_id: str) -> str:
    client = boto3.client(
        "dynamodb", endpoint_url=urls["dynamodb"], region_name="us-east-1",
        aws_access_key_id="bench", aws_secret_access_key="bench",  # dummy
    )  # fmt: skip
    item = client.get_item(TableName=f"{PREFIX}approvals", Key={"approval_id": {"S": approval_id}})[
        "Item"
    ]
    return str(item["status"]["S"])


def click_by(record: ApprovalRecord, user_id: str) -> tuple[dict[str, object], bytes]:
    """A signed Approve click on `record` by `user_id`."""
    assert record.slack is not None
    body = form(
        block_actions(
            action_id="approve", approval_id=record.approval_id, user_id=user_id,
            channel_id=record.slack.channel, message_ts=record.slack.ts,
        )
    )  # fmt: skip
    scope, _ = signed_approve(record)
    headers = signed_headers(SIGNING_SECRET, body)
    scope = scope | {"headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    return scope, body.encode()


@pytest.mark.parametrize("variant", ["floor-write", "floor-bolt", "secure"])
def test_a_lower_bound_decides_an_approvers_click(
    environment: dict[str, str], variant: str
) -> None:
    app = profile_click.build(variant)
    (record,) = seed(environment, 1, f"{variant[-3:]}a", PREFIX)

    status = asyncio.run(asgi_post(app, *signed_approve(record)))  # U0BOB, an approver

    assert status == 200
    assert status_of(environment, record.approval_id) == "approved"


@pytest.mark.parametrize("variant", ["floor-write", "secure"])
def test_the_write_refuses_the_requesters_own_click(
    environment: dict[str, str], variant: str
) -> None:
    app = profile_click.build(variant)
    (record,) = seed(environment, 1, f"{variant[-3:]}r", PREFIX)

    # U0ALICE asked for it: only the condition of ours' write stands between her and approval
    with suppress(ClientError):  # the raw floor lets DynamoDB's refusal out; Bolt answers 500
        assert asyncio.run(asgi_post(app, *click_by(record, "U0ALICE"))) != 200

    assert status_of(environment, record.approval_id) == "pending"


def test_the_blind_floor_lets_the_requester_approve(environment: dict[str, str]) -> None:
    # What the lower bounds add: the floor itself authorizes nothing
    app = profile_click.build("floor")
    (record,) = seed(environment, 1, "flr", PREFIX)

    assert asyncio.run(asgi_post(app, *click_by(record, "U0ALICE"))) == 200
    assert status_of(environment, record.approval_id) == "approved"
