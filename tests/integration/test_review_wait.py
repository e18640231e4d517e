"""The fraud review's wait over real DynamoDB wire traffic (moto server), with a throttle that
outlasts botocore's own retries injected where DynamoDB would send it: on the wire.

The throttle is DynamoDB's JSON 1.0 error as botocore's service model names it
(botocore/data/dynamodb/2012-08-10/service-2.json: `ProvisionedThroughputExceededException`, an
error of GetItem), returned from botocore's `before-send` event, so botocore parses it and
retries it (standard mode) exactly as it would a real one.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.config import Config

from examples.orders.dynamo_conditions import DynamoConditions
from examples.orders.dynamo_reservations import DynamoReservations
from examples.orders.workflow import make_handler
from localdev import provision
from tests.fakes.workflow import FakeWorld
from tests.unit.examples.orders.conftest import SETTINGS, order

if TYPE_CHECKING:
    from collections.abc import Iterator

BOTOCORE_ATTEMPTS = 3  # standard mode's default: the first try and two retries
THROTTLE = json.dumps(
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "message": "The level of configured provisioned throughput for the table was exceeded.",
    }
).encode()


class _Raw:
    """The body botocore's AWSResponse reads from (the `raw` of an HTTP response)."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class Throttle:
    """Answers the next `left` GetItem calls with a throttle, as DynamoDB would."""

    def __init__(self) -> None:
        self.left = 0
        self.sent = 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        if self.left <= 0:
            return None
        self.left -= 1
        self.sent += 1
        headers = HTTPHeaders()
        headers["Content-Type"] = "application/x-amz-json-1.0"
        return AWSResponse(request.url, 400, headers, _Raw(THROTTLE))


@pytest.fixture
def tables(aws_env: dict[str, str]) -> tuple[Any, Any, Throttle]:
    client = boto3.client("dynamodb")
    names = provision.create_tables(client, prefix="review-")
    resource = boto3.resource(
        "dynamodb",
        config=Config(retries={"mode": "standard", "total_max_attempts": BOTOCORE_ATTEMPTS}),
    )
    throttle = Throttle()
    # botocore's stubs type handlers as returning None; a `before-send` handler may answer.
    events = resource.meta.client.meta.events
    events.register("before-send.dynamodb.GetItem", throttle)  # type: ignore[arg-type]  # see above
    return resource.Table(names["conditions"]), resource.Table(names["reservations"]), throttle


def run(world: FakeWorld, conditions: Any, reservations: Any, event: str) -> dict[str, Any]:
    deps = replace(
        world.dependencies(),
        conditions=DynamoConditions(conditions),
        reservations=DynamoReservations(reservations),
    )
    with DurableFunctionTestRunner(
        handler=make_handler(deps, SETTINGS), poll_interval=0.01, skip_time=True
    ) as runner:
        result = runner.run(input=event, execution_timeout=60)
    data: dict[str, Any] = json.loads(result.result)
    return data


def test_a_throttle_past_botocores_retries_does_not_end_a_cleared_review(
    tables: tuple[Any, Any, Throttle],
) -> None:
    # Given a review already cleared, and a first poll throttled through all botocore's tries
    conditions, reservations, throttle = tables
    conditions.put_item(Item={"order_id": "ord-t1", "kind": "fraud_review", "status": "cleared"})
    throttle.left = BOTOCORE_ATTEMPTS

    # When the order waits for its review
    result = run(
        FakeWorld(),
        conditions,
        reservations,
        order(order_id="ord-t1", amount_cents=500, review=True),
    )

    # Then the failed poll was tried again inside the wait, and the cleared order completes
    assert throttle.sent == BOTOCORE_ATTEMPTS
    assert result["status"] == "completed"
    assert result["undone"] == []


def test_a_review_that_gives_up_is_closed_as_expired(tables: tuple[Any, Any, Throttle]) -> None:
    conditions, reservations, _ = tables
    world = FakeWorld()

    result = run(
        world, conditions, reservations, order(order_id="ord-t2", amount_cents=500, review=True)
    )

    assert result["status"] == "review_timed_out"
    item = conditions.get_item(Key={"order_id": "ord-t2"}, ConsistentRead=True)["Item"]
    assert (item["status"], item["outcome"]) == ("expired", "review_timed_out")
    assert item["closed_at"]
    assert world.payments.refunds == {"refund-ord-t2": "re_ch_1"}
    held = reservations.get_item(Key={"reservation_id": "inventory#ord-t2"})["Item"]
    assert held["status"] == "released"
