"""The deploy gate (examples/deploy_gate) on the running local stack, beside the order saga.

Each deploy is started by `scripts/start-deploy.sh` with the real AWS CLI (Invoke by the deploy
gate's FunctionName on the one local Lambda endpoint), and decided by clicks sent as Slack sends
them: recorded requests from the corpus (`localdev.slack_requests`), signed with the stack's
signing secret, through the webhook that also serves the orders. Two approvals in one workflow:
the on-call's (two of them for a critical service), then the release manager's.
"""

from __future__ import annotations

import json
import secrets
import urllib.request
from typing import TYPE_CHECKING, Any

import pytest
from boto3.dynamodb.conditions import Attr

from localdev.click import click, table
from localdev.demo import lambda_client, wait_for
from localdev.fixtures import RELEASE_MANAGER_ID
from localdev.functions import DEPLOY_GATE_FUNCTION_NAME
from tests.e2e.test_local_stack import finished
from tests.e2e.test_operator_scripts import run

if TYPE_CHECKING:
    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
ONCALL_TITLE = "Deploy "
RELEASE_TITLE = "Release "


def start_deploy(config: StackConfig, service: str, *flags: str, by: str = "U0ALICE") -> str:
    """Start one deploy with the script, as a pipeline would; its execution ARN."""
    version = f"v1.{secrets.randbelow(10**6)}.0"  # each test deploys a version of its own
    done = run(
        config,
        "start-deploy.sh",
        *("--service", service, "--version", version, "--by", by),
        *flags,
        "--local",
    )
    assert done.returncode == 0, done.stderr
    arn = done.stdout.strip()
    assert f":function:{DEPLOY_GATE_FUNCTION_NAME}:$LATEST/durable-execution/deploy-" in arn
    return arn


def approvals_of(config: StackConfig, arn: str) -> list[dict[str, Any]]:
    """The execution's approval records that are posted in Slack, oldest first."""
    items = table(config).scan(FilterExpression=Attr("execution_arn").eq(arn))["Items"]
    posted = [dict(i) for i in items if "slack" in i]
    return sorted(posted, key=lambda i: str(i["created_at"]))


def pending(config: StackConfig, arn: str, title: str) -> str:
    """The id of the execution's pending approval whose title starts with `title`."""

    def found() -> str | None:
        for item in approvals_of(config, arn):
            if item["status"] == "pending" and str(item["request"]["title"]).startswith(title):
                return str(item["approval_id"])
        return None

    approval_id: str = wait_for(found, 30, f"a pending approval '{title}…'")
    return approval_id


def result_of(config: StackConfig, arn: str) -> dict[str, Any]:
    execution = finished(config, arn)
    assert execution["Status"] == "SUCCEEDED", execution.get("Error")
    result: dict[str, Any] = json.loads(execution["Result"])
    return result


def thread_replies(config: StackConfig) -> list[str]:
    with urllib.request.urlopen(config.url("slack") + "/_state", timeout=5) as response:
        messages = json.loads(response.read())["messages"]
    return [str(m.get("text", "")) for m in messages if m.get("thread_ts")]


def test_on_call_then_release_manager_approve_and_it_deploys(local_stack: StackConfig) -> None:
    # Given a production deploy of a service that is not critical, waiting for the on-call
    arn = start_deploy(local_stack, "api")
    oncall = pending(local_stack, arn, ONCALL_TITLE)

    # When one of the on-call approves, then the release manager
    assert click(local_stack, "approve", oncall, "U0BOB").status == 200
    release = pending(local_stack, arn, RELEASE_TITLE)
    assert click(local_stack, "approve", release, RELEASE_MANAGER_ID).status == 200

    # Then the execution ends deployed, with both decisions and the deployment in its result
    result = result_of(local_stack, arn)
    assert result["status"] == "deployed"
    assert [(a["name"], a["status"], a["deciders"]) for a in result["approvals"]] == [
        ("on-call approval", "approved", ["U0BOB"]),
        ("release approval", "approved", [RELEASE_MANAGER_ID]),
    ]
    assert [c["passed"] for c in result["checks"]] == [True, True]
    assert result["deployment"]["deployment_id"] == f"api-{result['version']}-production"
    # And the requester is told in the on-call request's thread
    assert f"<@U0ALICE> api {result['version']} to production is deployed." in thread_replies(
        local_stack
    )


def test_an_on_call_rejection_ends_it_rejected_and_asks_no_one_else(
    local_stack: StackConfig,
) -> None:
    arn = start_deploy(local_stack, "api")
    oncall = pending(local_stack, arn, ONCALL_TITLE)

    clicked = click(local_stack, "reject", oncall, "U0CAROL", reason="incident in progress")

    assert clicked.status == 200
    result = result_of(local_stack, arn)
    assert result["status"] == "rejected"
    assert result["deployment"] is None
    [decision] = result["approvals"]
    assert (decision["name"], decision["deciders"], decision["reason"]) == (
        "on-call approval",
        ["U0CAROL"],
        "incident in progress",
    )
    assert len(approvals_of(local_stack, arn)) == 1  # the release manager was never asked


def test_a_critical_service_needs_two_of_the_on_call_and_not_the_requester(
    local_stack: StackConfig,
) -> None:
    # Given a deploy of a critical service, asked for by bob, who is on call himself
    arn = start_deploy(local_stack, "payments", by="U0BOB")
    oncall = pending(local_stack, arn, ONCALL_TITLE)

    # When bob tries to approve his own deploy, then carol approves
    own = click(local_stack, "approve", oncall, "U0BOB")
    carol = click(local_stack, "approve", oncall, "U0CAROL")

    # Then bob's click changed nothing and carol's is one of two: still waiting for the on-call
    assert own.status == 200
    assert own.told
    assert carol.status == 200
    assert pending(local_stack, arn, ONCALL_TITLE) == oncall
    assert lambda_client(local_stack).get_durable_execution(DurableExecutionArn=arn)["Status"] == (
        "RUNNING"
    )

    # When dave approves too, and the release manager rejects
    assert click(local_stack, "approve", oncall, "U0DAVE").status == 200
    release = pending(local_stack, arn, RELEASE_TITLE)
    click(local_stack, "reject", release, RELEASE_MANAGER_ID, reason="release notes missing")

    # Then the on-call's decision holds both approvers and the deploy ends rejected at release
    result = result_of(local_stack, arn)
    assert result["status"] == "rejected"
    assert [(a["status"], sorted(a["deciders"])) for a in result["approvals"]] == [
        ("approved", ["U0CAROL", "U0DAVE"]),
        ("rejected", [RELEASE_MANAGER_ID]),
    ]
    assert result["approvals"][1]["reason"] == "release notes missing"
    assert result["deployment"] is None


def test_a_red_build_is_blocked_before_anyone_is_asked(local_stack: StackConfig) -> None:
    arn = start_deploy(local_stack, "api", "--ci", "unit tests=passed,e2e=failed")

    result = result_of(local_stack, arn)

    assert result["status"] == "blocked"
    assert result["checks"][0] == {
        "name": "ci green",
        "passed": False,
        "detail": "not passed: e2e",
    }
    assert approvals_of(local_stack, arn) == []


def test_both_functions_share_one_endpoint_and_list_only_their_own(
    local_stack: StackConfig,
) -> None:
    arn = start_deploy(local_stack, "api", "--environment", "staging")

    assert result_of(local_stack, arn)["status"] == "deployed"  # staging asks no one
    listed = lambda_client(local_stack).list_durable_executions_by_function(
        FunctionName=DEPLOY_GATE_FUNCTION_NAME
    )["DurableExecutions"]
    assert arn in [e["DurableExecutionArn"] for e in listed]
    assert all(
        f":function:{DEPLOY_GATE_FUNCTION_NAME}:" in e["DurableExecutionArn"] for e in listed
    )


def test_the_same_deploy_twice_is_one_execution_and_bad_input_starts_nothing(
    local_stack: StackConfig,
) -> None:
    # Given a deploy request as a pipeline would send it, on stdin
    version = f"v3.{secrets.randbelow(10**6)}.0"
    request = {
        "service": "search",
        "version": version,
        "environment": "staging",
        "requested_by": "U0ALICE",
        "ci": {"unit tests": "passed"},
    }
    lam = lambda_client(local_stack)

    # When it is sent twice (a retried pipeline step)
    first = run(local_stack, "start-deploy.sh", "-", "--local", stdin=json.dumps(request))
    again = run(local_stack, "start-deploy.sh", "-", "--local", stdin=json.dumps(request))

    # Then one execution runs, named by the deploy
    assert (first.returncode, again.returncode) == (0, 0), first.stderr + again.stderr
    assert first.stdout == again.stdout
    name = f"deploy-search-{version.replace('.', '-')}-staging"
    assert f"/durable-execution/{name}/" in first.stdout
    before = lam.list_durable_executions_by_function(FunctionName=DEPLOY_GATE_FUNCTION_NAME)

    # And bad input is refused with the reason, exit 2, and starts nothing
    refused = [
        run(
            local_stack,
            "start-deploy.sh",
            "--service",
            "api",
            "--version",
            "v1.0.0",
            "--by",
            "alice",
            "--local",
        ),
        run(local_stack, "start-deploy.sh", "-", "--local", stdin="{not json"),
        run(local_stack, "start-deploy.sh", "no-such-deploy.json", "--local"),
        run(local_stack, "start-deploy.sh", "-", "--service", "api", "--local", stdin="{}"),
    ]
    assert [(r.returncode, r.stderr.strip()) for r in refused] == [
        (2, "error: invalid requested_by: 'alice'"),
        (2, "error: the deploy request is not JSON"),
        (2, "error: no such file: no-such-deploy.json"),
        (2, "error: give the request as a file or as flags, not both"),
    ]
    after = lam.list_durable_executions_by_function(FunctionName=DEPLOY_GATE_FUNCTION_NAME)
    assert len(after["DurableExecutions"]) == len(before["DurableExecutions"])
