"""The workflow against the real local payment provider over HTTP: retries, declines, refunds."""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from approvals.votes import Verdict
from durable_fn.http_payments import HttpPaymentGateway
from durable_fn.workflow import make_handler
from localdev import payments
from tests.fakes.workflow import FakeWorld
from tests.unit.durable_fn.conftest import SETTINGS, Harness, order

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def provider() -> Iterator[str]:
    server = payments.serve("127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def ledger(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/_charges") as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


def faults(url: str, **settings: float) -> None:
    request = urllib.request.Request(
        url + "/_faults", data=json.dumps(settings).encode(), method="POST"
    )
    urllib.request.urlopen(request).close()


def run_approved(
    url: str, event: str, world: FakeWorld | None = None
) -> tuple[dict[str, Any], Any, str]:
    world = world or FakeWorld()
    deps = replace(world.dependencies(), payments=HttpPaymentGateway(url))
    handler = make_handler(deps, replace(SETTINGS, payment_url=url))
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        harness = Harness(runner, world)
        arn = harness.start(event)
        harness.wait_for_request(arn)
        harness.vote("U0BOB", Verdict.APPROVE)
        result = json.loads(harness.result(arn).result)
        return result, runner.get_execution_history(arn).events, arn


def test_three_failures_then_success_charge_exactly_once_with_growing_delays(provider: str) -> None:
    faults(provider, fail_next=3)

    result, events, _ = run_approved(provider, order())

    assert result["status"] == "completed"
    book = ledger(provider)
    assert book["attempts"] == 4
    assert list(book["charges"]) == ["ord-1001"]
    delays = [
        e.step_failed_details.retry_details.next_attempt_delay_seconds
        for e in events
        if e.name == "charge payment"
        and e.event_type == "StepFailed"
        and e.step_failed_details
        and e.step_failed_details.retry_details
    ]
    assert len(delays) == 3
    assert delays == sorted(delays)
    assert delays[-1] > delays[0]


def test_a_declined_card_is_charged_never_and_tried_once(provider: str) -> None:
    world = FakeWorld()

    result, _, _ = run_approved(provider, order(card="tok_declined"), world)

    assert result["status"] == "payment_failed"
    assert ledger(provider)["attempts"] == 1
    assert ledger(provider)["charges"] == {}
    assert result["undone"] == ["release shipping", "release inventory"]


def test_a_failed_review_refunds_the_charge_at_the_provider(provider: str) -> None:
    world = FakeWorld()
    world.conditions.verdict = "failed"

    result, _, _ = run_approved(provider, order(review=True), world)

    assert result["status"] == "review_failed"
    book = ledger(provider)
    (charge,) = book["charges"].values()
    assert [r["charge_id"] for r in book["refunds"].values()] == [charge["charge_id"]]
