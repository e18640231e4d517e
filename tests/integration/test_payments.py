"""The workflow against the real local payment provider over HTTP: retries, declines, refunds,
unknown outcomes settled by lookup, and faults on charges, refunds and lookups."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from http.server import ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.http_payments import HttpPaymentGateway
from examples.orders.ports import PaymentRefusedError, PaymentUnavailableError
from examples.orders.workflow import make_handler
from greenlight.core.votes import Verdict
from localdev import payments
from localdev.http import JsonHandler
from tests.fakes.workflow import FakeWorld
from tests.unit.examples.orders.conftest import SETTINGS, Harness, order

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


def faults(url: str, **settings: Any) -> None:
    request = urllib.request.Request(
        url + "/_faults", data=json.dumps(settings).encode(), method="POST"
    )
    urllib.request.urlopen(request).close()


def run_approved(
    url: str,
    event: str,
    world: FakeWorld | None = None,
    *,
    timeout_seconds: float = 10,
) -> tuple[dict[str, Any], Any, str]:
    """Run one order to its end; orders below the auto-approve threshold need no vote."""
    world = world or FakeWorld()
    deps = replace(world.dependencies(), payments=HttpPaymentGateway(url, timeout_seconds))
    handler = make_handler(deps, replace(SETTINGS, payment_url=url))
    with DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True) as runner:
        harness = Harness(runner, world)
        arn = harness.start(event)
        if json.loads(event)["amount_cents"] >= SETTINGS.tiers.auto_approve_below_cents:
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


def test_the_issues_reproduction_a_lost_last_answer_ends_refunded(provider: str) -> None:
    # Given four 503s, then a charge that goes through but answers only after 12 s, past the
    # gateway's 10 s timeout (issue 20's reproduction), on a 50.00 EUR order
    faults(provider, fail_next=4, hang_next=1, hang_seconds=12)

    result, _, _ = run_approved(provider, order(amount_cents=5_000))

    # Then the order failed, and the provider's ledger shows the charge refunded
    assert result["status"] == "payment_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    book = ledger(provider)
    assert book["attempts"] == 5
    charge = book["charges"]["ord-1001"]
    assert charge["amount_cents"] == 5_000
    assert book["refunds"] == {
        "refund-ord-1001": {
            "refund_id": book["refunds"]["refund-ord-1001"]["refund_id"],
            "charge_id": charge["charge_id"],
        }
    }


def test_lookups_that_fail_and_hang_are_retried_until_they_settle(provider: str) -> None:
    # Given the last charge attempt's answer is lost, and the lookups 503 twice, then hang once
    faults(
        provider,
        fail_next=4,
        hang_next=1,
        hang_seconds=2,
        lookups={"fail_next": 2, "hang_next": 1, "hang_seconds": 2},
    )

    result, events, _ = run_approved(provider, order(amount_cents=5_000), timeout_seconds=1)

    # Then the refund step asked until the provider answered, and refunded once
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    assert len(ledger(provider)["refunds"]) == 1
    starts = [e for e in events if e.name == "refund payment" and e.event_type == "StepStarted"]
    assert len(starts) == 4  # 503, 503, lost answer, then the lookup and the refund


def test_a_refund_whose_answer_is_lost_is_retried_and_refunds_once(provider: str) -> None:
    world = FakeWorld()
    world.conditions.verdict = "failed"
    faults(provider, refunds={"fail_next": 1, "hang_next": 1, "hang_seconds": 2})

    result, events, _ = run_approved(provider, order(review=True), world, timeout_seconds=1)

    assert result["status"] == "review_failed"
    assert result["undone"] == ["refund payment", "release shipping", "release inventory"]
    assert len(ledger(provider)["refunds"]) == 1
    starts = [e for e in events if e.name == "refund payment" and e.event_type == "StepStarted"]
    assert len(starts) == 3  # 503, lost answer, then the stored refund


def test_a_late_settling_charge_is_in_progress_until_it_settles(provider: str) -> None:
    # Given a charge the provider holds in progress for 2 s before doing it
    faults(provider, settle_late_next=1, hang_seconds=2)
    gateway = HttpPaymentGateway(provider, timeout_seconds=0.5)
    with pytest.raises(PaymentUnavailableError):
        gateway.charge("ord-late", 5_000, "EUR", "tok_visa")  # the caller gives up

    # When the caller asks by key meanwhile, the provider cannot say yet; never "not charged"
    with pytest.raises(PaymentUnavailableError, match="in progress"):
        gateway.find_charge("ord-late")
    with pytest.raises(PaymentUnavailableError, match="in progress"):
        gateway.charge("ord-late", 5_000, "EUR", "tok_visa")  # nor a second charge

    # Then, once settled, the lookup finds the one charge
    deadline = time.monotonic() + 10
    while "ord-late" not in ledger(provider)["charges"]:
        assert time.monotonic() < deadline, "the late charge never settled"
        time.sleep(0.1)
    found = gateway.find_charge("ord-late")
    assert found is not None
    assert found.charge_id == ledger(provider)["charges"]["ord-late"]["charge_id"]
    assert gateway.find_charge("ord-never") is None
    assert ledger(provider)["attempts"] == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"fail_next": "four"}, "charges.fail_next must be a whole number from 0 to 100"),
        ({"hang_seconds": 500}, "charges.hang_seconds must be 0 to 120"),
        ({"refunds": {"explode": 1}}, "refunds: unknown fault 'explode'"),
        ({"lookups": {"settle_late_next": 1}}, "settle_late_next applies to charges and refunds"),
        ([1, 2], "faults must be a JSON object"),
    ],
)
def test_bad_faults_are_refused_with_a_clear_error_and_change_nothing(
    provider: str, body: Any, message: str
) -> None:
    faults(provider, fail_next=1)
    request = urllib.request.Request(
        provider + "/_faults", data=json.dumps(body).encode(), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 400
    assert message in json.loads(refused.value.read())["message"]
    with pytest.raises(PaymentUnavailableError, match="503"):  # the earlier fault still stands
        HttpPaymentGateway(provider).charge("k", 100, "EUR", "tok_visa")


def test_a_lookup_without_a_key_is_refused(provider: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(provider + "/charges")
    assert refused.value.code == 400


@pytest.fixture
def canned() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A provider that answers every lookup with the charges the test puts in the list."""
    charges: list[dict[str, Any]] = []

    class Handler(JsonHandler):
        def do_GET(self) -> None:
            self.send_json(200, {"object": "list", "data": charges, "has_more": False})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", charges
    server.shutdown()


def test_a_failed_charge_took_nothing_and_a_pending_one_is_not_settled(
    canned: tuple[str, list[dict[str, Any]]],
) -> None:
    url, charges = canned
    gateway = HttpPaymentGateway(url)
    charge = {"charge_id": "ch_1", "amount_cents": 5_000, "currency": "EUR"}

    charges[:] = [charge | {"status": "failed"}]
    assert gateway.find_charge("ord-1") is None
    charges[:] = [charge | {"status": "pending"}]
    with pytest.raises(PaymentUnavailableError, match="not settled"):
        gateway.find_charge("ord-1")
    charges[:] = [charge | {"status": "succeeded"}]
    found = gateway.find_charge("ord-1")
    assert found is not None
    assert (found.charge_id, found.amount_cents) == ("ch_1", 5_000)


def test_a_request_the_provider_refuses_is_not_retried_for_hours(provider: str) -> None:
    # A refund of a charge the provider never made is a 404: no retry budget can change it, so
    # it must not be retried like an outage (the refund's budget is hours)
    gateway = HttpPaymentGateway(provider, timeout_seconds=5)

    with pytest.raises(PaymentRefusedError, match="404"):
        gateway.refund("refund-never-charged", "ch_never_made")
