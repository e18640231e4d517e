"""On the running local stack, every Web API call the product makes is one Slack documents, and
a rate limit from Slack is waited out as its Retry-After says, not turned into a failure."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from localdev.click import click, store_for
from localdev.demo import approval_for, demo_order, start_order, wait_for
from tests.contract.slack_api.reference import methods

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def calls(config: StackConfig) -> list[dict[str, Any]]:
    with urllib.request.urlopen(config.url("slack") + "/_state", timeout=5) as response:
        found: list[dict[str, Any]] = json.loads(response.read())["calls"]
        return found


def inject(config: StackConfig, fault: dict[str, Any]) -> None:
    request = urllib.request.Request(
        config.url("slack") + "/_faults", data=json.dumps(fault).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def test_every_call_the_stack_makes_is_documented_and_accepted(local_stack: StackConfig) -> None:
    # Given an approval posted by the workflow
    before = len(calls(local_stack))
    order = demo_order(300_000)
    start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")

    # When someone who may not decide clicks, then an approver rejects through the modal
    click(local_stack, "approve", approval_id, "U0EVE")
    click(local_stack, "reject", approval_id, "U0DAVE", reason="over <budget> & late")
    wait_for(lambda: store_for(local_stack).get(approval_id).status.is_final, 30, "decision")

    # Then every call Slack received (this test's and those before it) is documented,
    # and this flow's calls were all accepted
    made = calls(local_stack)
    assert [p for c in made for p in methods()[c["method"]].problems(set(c["args"]))] == []
    ours = made[before:]
    assert {c["method"] for c in ours} >= {"chat.postMessage", "chat.postEphemeral", "views.open"}
    assert [c for c in ours if c["error"]] == []


def test_a_rate_limited_redraw_never_holds_the_click_and_the_relay_redraws(
    local_stack: StackConfig,
) -> None:
    # Given an approval, and Slack rate-limiting the next redraw for 1 s
    order = demo_order(310_000)
    start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")
    inject(local_stack, {"method": "chat.update", "error": "ratelimited", "retry_after": 1})
    before = len(calls(local_stack))

    # When Bob approves
    clicked = click(local_stack, "approve", approval_id, "U0BOB")

    # Then the click is answered without waiting out Slack's Retry-After (Slack gives a click
    # 3 s, and Retry-After can be longer), and the decision's message is redrawn all the same,
    # by the relay, once Slack lets it
    assert clicked.status == 200
    assert clicked.seconds < 1

    def redrawn() -> bool:
        updates = [c for c in calls(local_stack)[before:] if c["method"] == "chat.update"]
        return any(c["error"] is None for c in updates)

    wait_for(redrawn, 10, "the relay's redraw")
    record = store_for(local_stack).get(approval_id)
    assert record.status.value == "approved"
