"""Review (adversarial): which version an execution holds, as AWS's model says it is written.

Sources:
- botocore's lambda model (botocore/data/lambda/2015-03-31/service-2.json, as installed):
  `Execution.DurableExecutionArn` has the pattern
  `...:function:NAME:($LATEST(.PUBLISHED)?|[0-9]+)/durable-execution/...` (always the version),
  while `Execution.FunctionArn` is a `NameSpacedFunctionArn`, whose qualifier may be an alias
  (`[a-zA-Z0-9-_]+`) or absent altogether.
- Lambda developer guide, durable-security.html: "The qualifier in a durable execution ARN is
  always $LATEST or a version number" and "You can invoke a durable function through an alias,
  but the resulting execution's ARN contains the resolved version number".
- the same model, `GetDurableExecutionResponse.FunctionArn` (the same shape for the same
  execution): "The Amazon Resource Name (ARN) of the Lambda function that was invoked to start
  this durable execution" - the `live` alias, for every order the starter or
  start-approval.sh starts.

`greenlight.ops.versions` reads the version from `FunctionArn`; these tests fail until it reads
it from `DurableExecutionArn`, the one field the model guarantees carries it.
"""

from __future__ import annotations

from typing import Any

from greenlight.ops.versions import plan

FN = "arn:aws:lambda:eu-west-1:111122223333:function:greenlight-orders"


def listing(function_arn: str, version: str, status: str = "RUNNING") -> dict[str, Any]:
    """One ListDurableExecutionsByFunction page holding one execution (botocore's shape)."""
    return {
        "DurableExecutions": [
            {
                "DurableExecutionArn": f"{FN}:{version}/durable-execution/order-1/abc-123",
                "DurableExecutionName": "order-1",
                "FunctionArn": function_arn,
                "Status": status,
                "StartTimestamp": "2026-11-29T10:00:00Z",
            }
        ]
    }


VERSIONS = {"Versions": [{"Version": "$LATEST"}, {"Version": "3"}, {"Version": "4"}]}
# A deploy moved `live` from 3 to 4; an order started on 3 (through `live`) still waits.
ALIASES = {"Aliases": [{"Name": "live", "FunctionVersion": "4"}]}


def test_an_execution_started_through_the_alias_keeps_the_version_it_runs_on() -> None:
    states = plan(VERSIONS, ALIASES, [listing(f"{FN}:live", "3")])

    by_version = {s.version: s for s in states}
    # Version 3 holds a running execution: retire-versions.sh --delete must never delete it
    assert not by_version["3"].is_retirable
    assert by_version["3"].unfinished == 1


def test_an_unqualified_function_arn_still_finds_the_version_in_the_execution_arn() -> None:
    # NameSpacedFunctionArn allows no qualifier at all; the execution ARN still names version 3
    states = plan(VERSIONS, ALIASES, [listing(FN, "3")])

    assert {s.version: s.unfinished for s in states} == {"3": 1, "4": 0}
