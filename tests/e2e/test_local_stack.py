"""One approval end to end on the running local stack: real runner, host, webhook, Slack fake."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest

from examples.orders.order import execution_name
from localdev.click import click, dynamodb_client, store_for
from localdev.config import FUNCTION_NAME, TABLE_PREFIX
from localdev.demo import TERMINAL, approval_for, demo_order, lambda_client, start_order, wait_for

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def finished(config: StackConfig, arn: str) -> dict[str, Any]:
    runner = lambda_client(config)

    def check() -> Any:
        execution = runner.get_durable_execution(DurableExecutionArn=arn)
        return execution if execution["Status"] in TERMINAL else None

    result: dict[str, Any] = wait_for(check, 60, "the execution to finish")
    return result


def slack_message(config: StackConfig, approval_id: str) -> dict[str, Any]:
    record = store_for(config).get(approval_id)
    assert record.slack is not None
    with urllib.request.urlopen(config.url("slack") + "/_state") as response:
        messages = json.loads(response.read())["messages"]
    found: dict[str, Any] = next(m for m in messages if m["ts"] == record.slack.ts)
    return found


def test_approved_order_succeeds_with_the_approver_in_its_result(local_stack: StackConfig) -> None:
    # Given an order started the way an order system would (boto3 invoke with a name)
    order = demo_order(125_000)
    arn = start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")
    assert (
        lambda_client(local_stack).get_durable_execution(DurableExecutionArn=arn)["Status"]
        == "RUNNING"
    )

    # When Bob clicks Approve (signed, through the webhook)
    clicked = click(local_stack, "approve", approval_id, "U0BOB")

    # Then the execution succeeds with Bob as approver, and Slack shows it
    assert clicked.status == 200
    execution = finished(local_stack, arn)
    assert execution["Status"] == "SUCCEEDED"
    result = json.loads(execution["Result"])
    assert result["status"] == "completed"
    assert [d["user_id"] for d in result["approval"]["deciders"]] == ["U0BOB"]
    blocks = json.dumps(slack_message(local_stack, approval_id)["blocks"])
    assert "*Approved* by <@U0BOB>" in blocks
    assert '"type": "actions"' not in blocks


def test_rejected_order_ends_rejected_with_the_reason(local_stack: StackConfig) -> None:
    order = demo_order(250_000)
    arn = start_order(local_stack, order)
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")

    clicked = click(local_stack, "reject", approval_id, "U0CAROL", reason="duplicate order")

    assert clicked.status == 200
    result = json.loads(finished(local_stack, arn)["Result"])
    assert result["status"] == "rejected"
    assert result["approval"]["reason"] == "duplicate order"
    assert result["undone"] == ["release shipping", "release inventory"]
    assert "*Rejected* by <@U0CAROL>" in json.dumps(
        slack_message(local_stack, approval_id)["blocks"]
    )


def test_the_same_execution_name_starts_one_execution(local_stack: StackConfig) -> None:
    order = demo_order(5_000)  # auto-approved: finishes on its own

    first = start_order(local_stack, order)
    second = start_order(local_stack, order)

    assert first == second
    runner = lambda_client(local_stack)
    finished(local_stack, first)
    named = [
        e
        for e in runner.list_durable_executions_by_function(FunctionName=FUNCTION_NAME)[
            "DurableExecutions"
        ]
        if e["DurableExecutionName"] == execution_name(order["order_id"])
    ]
    assert len(named) == 1


def test_a_reused_name_with_other_input_is_refused(local_stack: StackConfig) -> None:
    order = demo_order(5_000)
    start_order(local_stack, order)

    # Lambda's answer for a reused name with another payload (Invoke's errors in botocore's model)
    with pytest.raises(Exception, match="DurableExecutionAlreadyStartedException"):
        start_order(local_stack, order | {"amount_cents": 6_000})


def test_an_order_in_another_currency_than_the_tiers_is_refused_as_invalid_before_any_hold(
    local_stack: StackConfig,
) -> None:
    # Given the local stack's tiers, stated in EUR (TIERS_CURRENCY), and an order of 5,000 JPY:
    # below the auto-approve number (10000), which once approved it automatically
    order = demo_order(5_000) | {"currency": "JPY"}

    execution = finished(local_stack, start_order(local_stack, order))

    # Then it is refused as an invalid order is, naming both currencies; nothing is held or asked
    assert execution["Status"] == "FAILED"
    assert execution["Error"]["ErrorMessage"].startswith(
        "invalid currency: 5,000 JPY is in JPY, but these tiers are stated in EUR"
    )
    held = dynamodb_client(local_stack).scan(
        TableName=f"{TABLE_PREFIX}reservations",
        FilterExpression="order_id = :id",
        ExpressionAttributeValues={":id": {"S": order["order_id"]}},
        ConsistentRead=True,
    )
    assert held["Items"] == []
    assert approval_for(local_stack, order["order_id"]) is None


def test_a_malformed_order_fails_with_a_clear_error(local_stack: StackConfig) -> None:
    order = demo_order(125_000) | {"currency": "euros"}

    execution = finished(local_stack, start_order(local_stack, order))

    assert execution["Status"] == "FAILED"
    assert (
        execution["Error"]["ErrorMessage"]
        == "invalid currency: must be a three-letter ISO code like EUR"
    )
