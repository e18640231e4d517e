"""The durable function's log lines carry the execution ARN and the approval id (Powertools
Logger), read from the local Lambda host's log, where `examples.orders.handler` runs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from localdev.demo import wait_for
from tests.e2e.test_operator_scripts import run, started

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e


def json_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        start = line.find("{")
        if start < 0:
            continue
        try:
            found.append(json.loads(line[start:]))
        except ValueError:
            continue
    return found


def test_an_approval_request_is_logged_with_its_execution_and_approval(
    local_stack: StackConfig,
) -> None:
    # Given an order waiting for people
    arn, approval_id = started(local_stack, 300_000)
    log = local_stack.root / "logs" / "host.log"

    # Then the gate's "approval requested" line names both, with the Lambda request id
    def requested() -> dict[str, Any] | None:
        return next(
            (
                line
                for line in json_lines(log.read_text(errors="replace"))
                if line.get("message") == "approval requested"
                and line.get("approval_id") == approval_id
            ),
            None,
        )

    line = wait_for(requested, 20, "the 'approval requested' log line")
    assert line["durable_execution_arn"] == arn
    assert line["function_request_id"]

    # (settle it, leaving nothing pending)
    done = run(local_stack, "decide.sh", "reject", approval_id, "--reason", "test over", "--local")
    assert done.returncode == 0, done.stderr
