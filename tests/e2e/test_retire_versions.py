"""retire-versions.sh with the real AWS CLI: Lambda's control plane from moto (versions,
aliases, deletes, as moto implements the Lambda API), durable executions from AWS's runner."""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from localdev.demo import approval_for, demo_order, wait_for
from tests.e2e.test_operator_scripts import run

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
FUNCTION = "greenlight-orders"
DUMMY = {
    "region_name": "us-east-1",
    "aws_access_key_id": "local",
    "aws_secret_access_key": "local",  # dummy, for SigV4 on loopback
}


def client(config: StackConfig, service: str, part: str) -> Any:
    return boto3.client(service, endpoint_url=config.url(part), **DUMMY)  # type: ignore[call-overload]  # a service name chosen at run time


@pytest.fixture
def three_versions(local_stack: StackConfig) -> Any:
    """greenlight-orders in moto with versions 1, 2, 3 and the `live` alias on 3."""
    iam = client(local_stack, "iam", "dynamodb")
    control = client(local_stack, "lambda", "dynamodb")
    role = iam.create_role(
        RoleName="retire-versions-test",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    for number in (1, 2, 3):
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as bundle:
            bundle.writestr("handler.py", f"VERSION = {number}\n")
        if number == 1:
            control.create_function(
                FunctionName=FUNCTION,
                Runtime="python3.13",
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": code.getvalue()},
            )
        else:
            control.update_function_code(FunctionName=FUNCTION, ZipFile=code.getvalue())
        control.publish_version(FunctionName=FUNCTION)
    control.create_alias(FunctionName=FUNCTION, Name="live", FunctionVersion="3")
    yield control
    control.delete_function(FunctionName=FUNCTION)
    iam.delete_role(RoleName="retire-versions-test")


def test_only_versions_no_alias_and_no_running_execution_holds_are_deleted(
    local_stack: StackConfig, three_versions: Any
) -> None:
    # Given an approval waiting on version 1 (started on it, as before an upgrade)
    order = demo_order(300_000)
    client(local_stack, "lambda", "host").invoke(
        FunctionName=f"{FUNCTION}:1",
        InvocationType="Event",
        DurableExecutionName=order["order_id"],
        Payload=json.dumps(order).encode(),
    )
    approval_id = wait_for(lambda: approval_for(local_stack, order["order_id"]), 30, "approval")
    # And one started as every order starts, through `live`: the host answers its FunctionArn
    # alias-qualified (the invoked ARN, as Lambda does) and its execution ARN with the version
    # it runs ($LATEST on the local stack, which runs no published code)
    through_alias = demo_order(300_000)
    started = client(local_stack, "lambda", "host").invoke(
        FunctionName=f"{FUNCTION}:live",
        InvocationType="Event",
        DurableExecutionName=through_alias["order_id"],
        Payload=json.dumps(through_alias).encode(),
    )
    alias_approval = wait_for(
        lambda: approval_for(local_stack, through_alias["order_id"]), 30, "approval"
    )
    got = client(local_stack, "lambda", "host").get_durable_execution(
        DurableExecutionArn=started["DurableExecutionArn"]
    )
    assert got["FunctionArn"].endswith(f":function:{FUNCTION}:live")

    # When the operator lists, then deletes
    listed = run(local_stack, "retire-versions.sh", "--local")
    deleted = run(local_stack, "retire-versions.sh", "--delete", "--local")

    # Then version 1 (an execution runs on it) and 3 (the alias) are kept; 2 alone goes
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows[0].split() == ["1", "keep", "(1", "unfinished", "execution(s))"]
    assert rows[1].split() == ["2", "retire"]
    assert rows[2].split() == ["3", "keep", "(alias", "live)"]
    assert rows[3] == "would delete: 2 (run again with --delete)"
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.splitlines()[-1] == "deleted version 2"
    left = three_versions.list_versions_by_function(FunctionName=FUNCTION)["Versions"]
    assert sorted(v["Version"] for v in left) == ["$LATEST", "1", "3"]

    # (and the approvals are settled, so they leave nothing pending behind)
    for settled in (approval_id, alias_approval):
        done = run(local_stack, "decide.sh", "reject", settled, "--reason", "test over", "--local")
        assert done.returncode == 0, done.stderr


def test_a_listing_failure_is_a_clear_error(local_stack: StackConfig) -> None:
    # No function of that name in the control plane: nothing is listed, nothing deleted
    done = run(local_stack, "retire-versions.sh", "--delete", "--local")

    assert done.returncode == 1
    # (moto lists no versions of a missing function; its ListAliases refuses, as Lambda does)
    assert "ResourceNotFoundException" in done.stderr
    assert "error: could not list the" in done.stderr
    assert "deleted" not in done.stdout
