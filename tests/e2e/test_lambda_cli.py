"""The seeds' walkthrough with the real AWS CLI: one Lambda endpoint, set once, does it all.

Only `AWS_ENDPOINT_URL_LAMBDA` points the CLI at the local stack (the host), as on AWS one
regional endpoint serves Invoke and the durable APIs alike; the CLI parses each reply with
botocore's Lambda model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from localdev.config import FUNCTION_NAME
from localdev.demo import demo_order, wait_for
from localdev.lambda_model import pattern

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
AWS = str(Path(sys.executable).parent / "aws")


def aws(config: StackConfig, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
        "HOME": str(home),  # no profile, no config: only what is set here
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",  # dummy, for SigV4 on loopback
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_LAMBDA": config.url("host"),
    }
    return subprocess.run(
        [AWS, "lambda", *args, "--output", "json"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )


def ok(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_invoke_list_get_and_history_on_the_one_endpoint(
    local_stack: StackConfig, tmp_path: Path
) -> None:
    order = demo_order(300_000)  # needs a person: it waits on its callback
    (tmp_path / "order.json").write_text(json.dumps(order))
    name = order["order_id"]

    # When an order is started by name with the CLI
    started = ok(
        aws(
            local_stack,
            tmp_path,
            *("invoke", "--function-name", f"{FUNCTION_NAME}:live"),
            *("--invocation-type", "Event", "--durable-execution-name", name),
            *("--payload", f"file://{tmp_path / 'order.json'}", str(tmp_path / "out.json")),
        )
    )

    # Then Lambda's ARN comes back, and every durable API on the same endpoint takes it
    arn = started["DurableExecutionArn"]
    assert (started["StatusCode"], started["ExecutedVersion"]) == (202, "$LATEST")
    assert pattern("DurableExecutionArn").fullmatch(arn)
    assert f":function:{FUNCTION_NAME}:$LATEST/durable-execution/{name}/" in arn
    listed = ok(
        aws(
            local_stack,
            tmp_path,
            *("list-durable-executions-by-function", "--function-name", FUNCTION_NAME),
            *("--durable-execution-name", name),
        )
    )
    assert [e["DurableExecutionArn"] for e in listed["DurableExecutions"]] == [arn]
    got = ok(aws(local_stack, tmp_path, "get-durable-execution", "--durable-execution-arn", arn))
    assert (got["DurableExecutionName"], got["Status"]) == (name, "RUNNING")

    def waiting() -> list[str]:
        history = ok(
            aws(
                local_stack,
                tmp_path,
                "get-durable-execution-history",
                "--durable-execution-arn",
                arn,
            )
        )
        types = [e["EventType"] for e in history["Events"]]
        return types if "CallbackStarted" in types else []

    assert wait_for(waiting, 30, "the approval callback")[0] == "ExecutionStarted"


def test_the_cli_reads_the_hosts_errors_as_lambdas(
    local_stack: StackConfig, tmp_path: Path
) -> None:
    # The runner's own ARN form is not Lambda's: refused with a modeled error, not a 500
    bad = aws(local_stack, tmp_path, "get-durable-execution", "--durable-execution-arn", "a/b")
    assert bad.returncode != 0
    assert "(InvalidParameterValueException)" in bad.stderr

    missing = aws(local_stack, tmp_path, "invoke", "--function-name", "nope", str(tmp_path / "o"))
    assert missing.returncode != 0
    assert "(ResourceNotFoundException)" in missing.stderr
    assert "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" in (
        missing.stderr
    )
