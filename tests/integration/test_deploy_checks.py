"""deploy.sh's checks before it deploys anything, with the real AWS CLI against moto on loopback.

moto (pinned in constraints.txt) stands in for AWS's control plane: CloudFormation's
DescribeStacks ("Stack with id X does not exist", a ValidationError, for a missing stack) and
DynamoDB's DescribeTable / Scan. deploy.sh must stop in its checks, before `npm ci` or the CDK
CLI runs; where a test needs to see it get past them, `npm` is a stand-in that fails loudly.

Why leftover tables matter (sources):
- CloudFormation template reference, aws-attribute-deletionpolicy.html: `Retain` keeps the
  resource whatever the operation; `RetainExceptOnCreate` deletes it when the operation that
  created it rolls back.
- AWS::DynamoDB::Table `DeletionProtectionEnabled`: "When enabled, the table cannot be deleted
  by any user or process" - CloudFormation's rollback included (aws-cdk's own integ test for
  table deletion protection turns it off with `update-table --no-deletion-protection-enabled`
  before its teardown, aws/aws-cdk#24581). So no DeletionPolicy lets a failed first create
  remove a protected table: it stays, and a retry fails on "greenlight-approvals already
  exists". deploy.sh finds such tables and says what to run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.cloudformation.models import cloudformation_backends
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer

from tests.integration.test_script_errors import run_script, without_aws_identity

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "scripts" / "deploy.sh"
DEPLOY_ARGS = [
    *("--channel", "C1", "--app-id", "A1", "--team-id", "T1", "--approvers", "U1"),
    *("--alert-email", "ops@example.invalid"),
]
REGION = "eu-west-1"
DUMMY = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}  # for SigV4 on loopback
TEMPLATE = '{"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}'


@dataclass(frozen=True)
class Aws:
    """moto on loopback, seen from one region that no other test uses: moto's state is per
    process and shared with every in-process moto (tests/integration/conftest.py's session
    server), so it is never reset; a region of its own is an empty account for one test."""

    url: str
    region: str


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server on 127.0.0.1 (its URL)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


REGIONS = iter(
    (
        *("eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1"),
        *("ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1"),
        *("ca-central-1", "us-west-1", "us-west-2", "us-east-2", "af-south-1", "me-south-1"),
    )
)


@pytest.fixture
def aws(moto_url: str) -> Aws:
    """An empty account: moto in a region no test used before."""
    return Aws(moto_url, next(REGIONS))


def client(aws: Aws, service: str) -> Any:
    return boto3.client(  # type: ignore[call-overload]  # a service name chosen per test
        service,
        endpoint_url=aws.url,
        region_name=aws.region,
        aws_access_key_id=DUMMY["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY["AWS_SECRET_ACCESS_KEY"],
    )


def bootstrapped(aws: Aws) -> None:
    client(aws, "cloudformation").create_stack(StackName="CDKToolkit", TemplateBody=TEMPLATE)


def table(aws: Aws, name: str, *items: str) -> None:
    """A table as the stack makes it (deletion-protected), holding `items` (ids)."""
    ddb = client(aws, "dynamodb")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
    )
    for item in items:
        ddb.put_item(TableName=name, Item={"id": {"S": item}})


def deploy(
    aws: Aws, tmp: Path, *extra: str, credentials: bool = True
) -> subprocess.CompletedProcess[str]:
    """deploy.sh against `aws`, or with no credentials at all; `npm` (needed only after the
    checks) fails if it is reached."""
    stand_in = tmp / "bin"
    stand_in.mkdir(exist_ok=True)
    npm = stand_in / "npm"
    npm.write_text("#!/bin/sh\necho 'npm reached (the checks passed)' >&2\nexit 1\n")
    npm.chmod(0o755)
    env = without_aws_identity(tmp, aws.region) | {
        "PATH": f"{stand_in}:{os.environ['PATH']}",
        "AWS_MAX_ATTEMPTS": "1",
    }
    if credentials:
        env |= DUMMY | {"AWS_ENDPOINT_URL": aws.url}
    return run_script(DEPLOY, *DEPLOY_ARGS, *extra, env=env)


def test_a_rolled_back_first_deploy_leaves_tables_deploy_names_and_says_what_to_run(
    aws: Aws, tmp_path: Path
) -> None:
    # Given an account whose first deploy failed after two tables were made (no stack left,
    # as after CDK's retry deletes the ROLLBACK_COMPLETE stack), the tables still protected
    bootstrapped(aws)
    table(aws, "greenlight-approvals")
    table(aws, "greenlight-audit", "a-1")

    done = deploy(aws, tmp_path)

    assert done.returncode == 1, done.stderr
    assert "npm reached" not in done.stderr
    assert "greenlight-approvals (empty)" in done.stderr
    assert "greenlight-audit (holds items)" in done.stderr
    assert "greenlight-delegations" not in done.stderr
    assert f"scripts/destroy.sh --delete-data --region {aws.region}" in done.stderr
    # and nothing was deleted
    names = client(aws, "dynamodb").list_tables()["TableNames"]
    assert sorted(names) == ["greenlight-approvals", "greenlight-audit"]


def test_a_stack_that_rolled_back_its_create_counts_as_no_stack(aws: Aws, tmp_path: Path) -> None:
    # Given the failed first deploy's stack still there, ROLLBACK_COMPLETE (CDK deletes such a
    # stack and creates it again); moto does not roll a create back by itself, so its stack's
    # status is set in its backend (same process), and DescribeStacks answers it as moto does
    bootstrapped(aws)
    table(aws, "greenlight-conditions")
    client(aws, "cloudformation").create_stack(StackName="Greenlight", TemplateBody=TEMPLATE)
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][aws.region]
    (stack,) = (s for s in backend.stacks.values() if s.name == "Greenlight")
    stack.status = "ROLLBACK_COMPLETE"

    done = deploy(aws, tmp_path)

    assert done.returncode == 1, done.stderr
    assert "greenlight-conditions (empty)" in done.stderr
    assert "npm reached" not in done.stderr


def test_tables_of_a_deployed_stack_are_its_own(aws: Aws, tmp_path: Path) -> None:
    # Given the stack deployed (its tables are its own: an update, not a leftover)
    bootstrapped(aws)
    client(aws, "cloudformation").create_stack(StackName="Greenlight", TemplateBody=TEMPLATE)
    table(aws, "greenlight-approvals", "a-1")

    done = deploy(aws, tmp_path)

    # Then the checks pass and deploy goes on to install the CDK CLI
    assert "npm reached" in done.stderr, done.stderr
    assert "destroy.sh" not in done.stderr


def test_a_first_deploy_with_no_tables_in_the_way_goes_on(aws: Aws, tmp_path: Path) -> None:
    bootstrapped(aws)

    done = deploy(aws, tmp_path)

    assert "npm reached" in done.stderr, done.stderr


def test_an_account_not_bootstrapped_is_told_to_bootstrap(aws: Aws, tmp_path: Path) -> None:
    # No CDKToolkit stack: CloudFormation's answer is a ValidationError, "Stack with id
    # CDKToolkit does not exist" (as moto gives it)
    done = deploy(aws, tmp_path)

    assert done.returncode == 1
    assert "not CDK-bootstrapped" in done.stderr
    assert "cdk bootstrap" in done.stderr
    assert "npm reached" not in done.stderr


def test_deploy_without_credentials_says_so_not_that_the_account_is_not_bootstrapped(
    tmp_path: Path,
) -> None:
    # Given no credentials at all: the AWS CLI's "Unable to locate credentials" is the reason
    # to show; `cdk bootstrap` would fail the same way
    done = deploy(Aws("", REGION), tmp_path, credentials=False)

    assert done.returncode == 1
    assert "not CDK-bootstrapped" not in done.stderr
    assert "Unable to locate credentials" in done.stderr
    assert "npm reached" not in done.stderr


def test_a_refused_bootstrap_check_shows_the_clis_own_reason(tmp_path: Path) -> None:
    # Given an endpoint that refuses the call (nothing listens there): the CLI's own message
    done = deploy(Aws("http://127.0.0.1:9", REGION), tmp_path)

    assert done.returncode == 1
    assert "not CDK-bootstrapped" not in done.stderr
    assert "could not check that" in done.stderr
    assert "Could not connect to the endpoint URL" in done.stderr


@pytest.mark.parametrize(
    ("option", "needs"),
    [
        ("--channel", "a Slack channel id"),
        ("--app-id", "the Slack app id"),
        ("--team-id", "the Slack workspace id"),
        ("--approvers", "approver ids"),
        ("--escalation", "escalation approver ids"),
        ("--alert-email", "an email address"),
        ("--alert-protocol", "an SNS protocol"),
        ("--alert-endpoint", "the endpoint"),
    ],
)
@pytest.mark.parametrize("after", [[], ["--region", REGION]], ids=["last", "before-another"])
def test_deploy_names_an_option_given_without_its_value(
    tmp_path: Path, option: str, needs: str, after: list[str]
) -> None:
    # `${2:?}` made bash itself print "scripts/deploy.sh: line 44: 2: parameter null or not
    # set": neither the option nor what it needs; and an option followed by another took the
    # other as its value
    done = subprocess.run(
        [str(DEPLOY), option, *after],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )

    assert done.returncode == 2
    assert done.stderr.startswith(f"error: {option} needs {needs}"), done.stderr
    assert "parameter null or not set" not in done.stderr
