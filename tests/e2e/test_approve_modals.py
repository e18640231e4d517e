"""Approve with a comment and a sensitive order end to end on the local stack: the durable
workflow, its gate, the webhook and the fake Slack, driven by `click.sh`'s signed requests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from greenlight.core.votes import Status
from localdev.click import click, main, store_for
from localdev.demo import approval_for, demo_order, start_order, wait_for
from tests.e2e.test_local_stack import finished, slack_message

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def new_order(config: StackConfig, *, sensitive: bool) -> tuple[str, str]:
    order = demo_order(125_000, sensitive=sensitive)
    arn = start_order(config, order)
    approval_id: str = wait_for(lambda: approval_for(config, order["order_id"]), 30, "approval")
    return arn, approval_id


def test_an_order_approved_with_a_comment_returns_it_to_the_workflow(
    local_stack: StackConfig,
) -> None:
    arn, approval_id = new_order(local_stack, sensitive=False)

    clicked = click(local_stack, "approve", approval_id, "U0DAVE", comment="known customer")

    assert (clicked.status, clicked.told) == (200, [])
    execution = finished(local_stack, arn)
    assert execution["Status"] == "SUCCEEDED"
    (vote,) = json.loads(execution["Result"])["approval"]["votes"]
    assert (vote["user_id"], vote["verdict"], vote["comment"]) == (
        "U0DAVE",
        "approve",
        "known customer",
    )
    blocks = json.dumps(slack_message(local_stack, approval_id)["blocks"])
    assert "<@U0DAVE>: known customer" in blocks


def test_a_sensitive_order_is_approved_only_through_its_confirmation(
    local_stack: StackConfig,
) -> None:
    # Given a sensitive order: its message warns, and Approve opens the confirmation
    arn, approval_id = new_order(local_stack, sensitive=True)
    blocks = json.dumps(slack_message(local_stack, approval_id)["blocks"])
    assert "*Sensitive request*" in blocks

    # When Bob confirms (click.sh clicks the button the message carries, then submits the form)
    assert main(["approve", approval_id, "--as", "bob", "--root", str(local_stack.root)]) == 0

    # Then the order is approved and goes on
    assert store_for(local_stack).get(approval_id).status is Status.APPROVED
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"


def test_click_refuses_a_blank_comment_or_a_comment_on_reject(local_stack: StackConfig) -> None:
    _, approval_id = new_order(local_stack, sensitive=False)
    root = str(local_stack.root)

    assert main(["approve", approval_id, "--as", "bob", "--comment", " ", "--root", root]) == 2
    assert (
        main(
            [
                "reject",
                approval_id,
                "--as",
                "bob",
                "--reason",
                "x",
                "--comment",
                "y",
                "--root",
                root,
            ]
        )
        == 2
    )
    assert store_for(local_stack).get(approval_id).status is Status.PENDING
