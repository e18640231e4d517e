"""Order events on the local stack, through the same starter code EventBridge's target runs."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from localdev.config import FUNCTION_NAME
from localdev.dead_letters import dead_letters
from localdev.demo import demo_order, lambda_client
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "put-order-event.sh"


def put(config: StackConfig, order: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), "-", "--local"],
        input=json.dumps(order),
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(config.root)},
        timeout=120,
    )


def executions_named(config: StackConfig, name: str) -> list[str]:
    listed = lambda_client(config).list_durable_executions_by_function(FunctionName=FUNCTION_NAME)
    return [
        e["DurableExecutionArn"]
        for e in listed["DurableExecutions"]
        if e["DurableExecutionName"] == name
    ]


def test_the_same_event_delivered_twice_starts_one_execution(local_stack: StackConfig) -> None:
    order = demo_order(5_000)

    first, second = put(local_stack, order), put(local_stack, order)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)
    name = f"order-{order['order_id']}"
    (arn,) = executions_named(local_stack, name)
    assert finished(local_stack, arn)["Status"] == "SUCCEEDED"


def test_a_malformed_event_is_refused_dead_lettered_and_starts_nothing(
    local_stack: StackConfig,
) -> None:
    order = demo_order(5_000) | {"currency": "euros"}

    refused = put(local_stack, order)

    assert refused.returncode == 1
    assert "event refused (invalid currency" in refused.stderr
    assert executions_named(local_stack, f"order-{order['order_id']}") == []
    kept = [d for d in dead_letters(local_stack) if order["order_id"] in d["event"]]
    assert kept
    assert kept[0]["reason"].startswith("invalid currency")
