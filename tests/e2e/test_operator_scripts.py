"""The operator scripts, with the real AWS CLI, against the running local stack."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from greenlight.aws.secrets import MOVED
from greenlight.core.votes import Status
from localdev import provision
from localdev.click import dynamodb_client, store_for
from localdev.config import SECRET_NAME, SIGNING_SECRET_NAME, TABLE_PREFIX
from localdev.demo import approval_for, demo_order, wait_for
from tests.e2e.test_local_stack import finished

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from localdev.config import StackConfig

pytestmark = pytest.mark.e2e
SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
# What moto's STS answers to GetCallerIdentity with its default credentials.
MOTO_CALLER = "arn:aws:sts::123456789012:user/moto"


def run(
    config: StackConfig,
    script: str,
    *args: str,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"GREENLIGHT_LOCAL_DIR": str(config.root)} | (env or {}),
        timeout=120,
    )


def started(config: StackConfig, amount: int) -> tuple[str, str]:
    """Start an order with start-approval.sh; (execution arn, approval id)."""
    order = demo_order(amount)
    done = run(config, "start-approval.sh", "-", "--local", stdin=json.dumps(order))
    assert done.returncode == 0, done.stderr
    arn = done.stdout.strip()
    approval_id = wait_for(lambda: approval_for(config, order["order_id"]), 30, "approval")
    return arn, approval_id


def test_start_list_and_decide_by_hand(local_stack: StackConfig) -> None:
    # Given an order started by the operator script, waiting for people
    arn, approval_id = started(local_stack, 300_000)

    # Then it is listed as pending
    listed = run(local_stack, "list-pending.sh", "--local")
    assert listed.returncode == 0, listed.stderr
    assert any(line.startswith(approval_id) for line in listed.stdout.splitlines())

    # When an operator approves it by hand
    decided = run(
        local_stack,
        "decide.sh",
        "approve",
        approval_id,
        "--reason",
        "CFO approved by phone",
        "--local",
    )

    # Then the record, the audit trail and the workflow agree
    assert decided.returncode == 0, decided.stderr
    # (moto's caller identity; in AWS an assumed role's ARN names account, role and session)
    operator = f"operator:{MOTO_CALLER}"
    assert decided.stdout.strip().endswith(f"approved by {operator}: CFO approved by phone")
    record = store_for(local_stack).get(approval_id)
    assert (record.status, record.decided_by) == (Status.APPROVED, (operator,))
    trail = run(local_stack, "audit.sh", approval_id, "--local").stdout
    assert "operator_decided" in trail
    assert "CFO approved by phone" in trail
    assert json.loads(finished(local_stack, arn)["Result"])["status"] == "completed"
    assert approval_id not in run(local_stack, "list-pending.sh", "--local").stdout
    # and the Slack message says who decided, buttons gone
    assert record.slack is not None
    with urllib.request.urlopen(local_stack.url("slack") + "/_state") as response:
        messages = json.loads(response.read())["messages"]
    blocks = json.dumps(next(m for m in messages if m["ts"] == record.slack.ts)["blocks"])
    assert f"*Approved* by {operator}" in blocks
    assert '"type": "actions"' not in blocks


def test_an_operator_rejection_undoes_the_order(local_stack: StackConfig) -> None:
    arn, approval_id = started(local_stack, 300_000)

    decided = run(
        local_stack, "decide.sh", "reject", approval_id, "--reason", "fraud ring", "--local"
    )

    assert decided.returncode == 0, decided.stderr
    result = json.loads(finished(local_stack, arn)["Result"])
    assert (result["status"], result["approval"]["reason"]) == ("rejected", "fraud ring")


def test_the_same_execution_name_twice_is_one_execution(local_stack: StackConfig) -> None:
    order = json.dumps(demo_order(5_000))

    first = run(local_stack, "start-approval.sh", "-", "--local", stdin=order)
    second = run(local_stack, "start-approval.sh", "-", "--local", stdin=order)

    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_an_order_started_by_script_and_by_event_is_one_execution(
    local_stack: StackConfig,
) -> None:
    order = json.dumps(demo_order(5_000))

    by_script = run(local_stack, "start-approval.sh", "-", "--local", stdin=order)
    by_event = run(local_stack, "put-order-event.sh", "-", "--local", stdin=order)

    assert by_script.returncode == by_event.returncode == 0, by_script.stderr + by_event.stderr
    assert json.loads(by_event.stdout)["arn"] == by_script.stdout.strip()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["maybe", "A" * 22, "--reason", "x"], "must be 'approve' or 'reject'"),
        (["approve", "short", "--reason", "x"], "is not an approval id"),
        (
            ["approve", "NoSuchApproval00000000", "--reason", "x"],
            "no approval NoSuchApproval00000000",
        ),
        (["approve", "A" * 22], "--reason is required"),
    ],
)
def test_decide_refuses_bad_input_and_changes_nothing(
    local_stack: StackConfig, args: list[str], message: str
) -> None:
    done = run(local_stack, "decide.sh", *args, "--local")

    assert done.returncode != 0
    assert message in done.stderr


def test_a_decided_approval_cannot_be_decided_again(local_stack: StackConfig) -> None:
    _, approval_id = started(local_stack, 300_000)
    run(local_stack, "decide.sh", "reject", approval_id, "--reason", "first", "--local")

    again = run(local_stack, "decide.sh", "approve", approval_id, "--reason", "second", "--local")

    assert again.returncode == 4
    assert "already rejected" in again.stderr
    assert store_for(local_stack).get(approval_id).reason == "first"


def test_scripts_without_a_region_or_with_an_unknown_profile_refuse(
    local_stack: StackConfig, tmp_path: Path
) -> None:
    clean = {
        "HOME": str(tmp_path),
        "AWS_REGION": "",
        "AWS_DEFAULT_REGION": "",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
    }

    no_region = run(local_stack, "list-pending.sh", env=clean)
    no_profile = run(
        local_stack, "list-pending.sh", "--profile", "nobody", "--region", "eu-west-1", env=clean
    )

    assert (no_region.returncode, no_profile.returncode) == (2, 2)
    assert "no AWS region" in no_region.stderr
    assert "no AWS profile named 'nobody'" in no_profile.stderr


def test_a_named_profile_is_used_for_its_region_and_credentials(
    local_stack: StackConfig, tmp_path: Path
) -> None:
    # A profile as `aws configure --profile ops` writes it (dummy keys: the local DynamoDB
    # accepts any), and no region anywhere else
    (tmp_path / "config").write_text("[profile ops]\nregion = us-east-1\n")
    (tmp_path / "credentials").write_text(
        "[ops]\naws_access_key_id = local\naws_secret_access_key = local\n"
    )
    env = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_REGION": "",
        "AWS_DEFAULT_REGION": "",
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_ENDPOINT_URL_DYNAMODB": local_stack.url("dynamodb"),
    }
    _, approval_id = started(local_stack, 1_250_00)

    listed = run(local_stack, "list-pending.sh", "--profile", "ops", env=env)

    assert listed.returncode == 0, listed.stderr
    assert approval_id in listed.stdout


def local_secrets(local_stack: StackConfig) -> SecretsManagerClient:
    """The local stack's Secrets Manager, as the scripts reach it with --local."""
    return boto3.client(
        "secretsmanager",
        endpoint_url=local_stack.url("dynamodb"),
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # dummy, for SigV4 on loopback
    )


def test_set_slack_secret_reads_the_environment_never_arguments(
    local_stack: StackConfig, tmp_path: Path
) -> None:
    secrets = local_secrets(local_stack)
    names = (SECRET_NAME, SIGNING_SECRET_NAME)
    before = {n: secrets.get_secret_value(SecretId=n)["SecretString"] for n in names}
    good = {"SLACK_BOT_TOKEN": "xoxb-local-rotated", "SLACK_SIGNING_SECRET": "0" * 32}
    scratch = tmp_path / "tmp"
    scratch.mkdir()

    try:
        stored = run(
            local_stack, "set-slack-secret.sh", "--local", env=good | {"TMPDIR": str(scratch)}
        )
        after = {n: json.loads(secrets.get_secret_value(SecretId=n)["SecretString"]) for n in names}
    finally:
        for name, value in before.items():
            secrets.put_secret_value(SecretId=name, SecretString=value)
    as_argument = run(local_stack, "set-slack-secret.sh", "xoxb-in-argv", "--local", env=good)
    malformed = run(
        local_stack, "set-slack-secret.sh", "--local", env=good | {"SLACK_BOT_TOKEN": "nope"}
    )

    assert stored.returncode == 0, stored.stderr
    # Each credential in its own secret: the bot token's holds nothing that signs a click, only
    # a note of where the signing secret went (which 0.3 never verifies with)
    assert after == {
        SECRET_NAME: {
            "bot_token": "xoxb-local-rotated",
            "signing_secret": MOVED + SIGNING_SECRET_NAME,
        },
        SIGNING_SECRET_NAME: {"signing_secret": "0" * 32},
    }
    # 0.2's loader (git show 581b3b3:src/greenlight/aws/secrets.py) refuses a secret lacking
    # either key: retained 0.2 versions of a durable function still start on this one
    assert all(after[SECRET_NAME].get(key) for key in ("bot_token", "signing_secret"))
    assert list(scratch.iterdir()) == []  # the secret went through a pipe, not a temp file
    assert (as_argument.returncode, malformed.returncode) == (2, 2)
    assert "never from arguments" in as_argument.stderr
    assert "must start with xoxb-" in malformed.stderr


def test_set_slack_secret_writes_the_secrets_of_the_prefix_it_is_given(
    local_stack: StackConfig,
) -> None:
    # Given a second Greenlight on the same account, deployed with prefix "team-b"
    secrets = local_secrets(local_stack)
    ours = {n: secrets.get_secret_value(SecretId=n)["SecretString"] for n in (SECRET_NAME,)}
    for name in ("team-b/slack", "team-b/slack-signing"):
        secrets.create_secret(Name=name, SecretString="placeholder")
    good = {"SLACK_BOT_TOKEN": "xoxb-team-b", "SLACK_SIGNING_SECRET": "f" * 32}

    try:
        stored = run(local_stack, "set-slack-secret.sh", "--local", "--prefix", "team-b", env=good)
        team_b = {
            n: json.loads(secrets.get_secret_value(SecretId=n)["SecretString"])
            for n in ("team-b/slack", "team-b/slack-signing")
        }
        untouched = secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"]
    finally:
        for name in ("team-b/slack", "team-b/slack-signing"):
            secrets.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    no_value = run(local_stack, "set-slack-secret.sh", "--local", "--prefix", env=good)
    malformed = run(local_stack, "set-slack-secret.sh", "--local", "--prefix", "Team B", env=good)

    assert stored.returncode == 0, stored.stderr
    assert team_b["team-b/slack-signing"] == {"signing_secret": "f" * 32}
    assert team_b["team-b/slack"]["bot_token"] == "xoxb-team-b"
    assert untouched == ours[SECRET_NAME]  # the default prefix's secrets are not touched
    assert (no_value.returncode, malformed.returncode) == (2, 2)
    assert "--prefix needs" in no_value.stderr
    assert "--prefix needs" in malformed.stderr


def test_set_slack_secret_on_a_02_stack_fails_and_leaves_its_secret_as_it_was(
    local_stack: StackConfig,
) -> None:
    # Given a stack deployed before the signing secret had its own secret (0.2)
    secrets = local_secrets(local_stack)
    before = {
        n: secrets.get_secret_value(SecretId=n)["SecretString"]
        for n in (SECRET_NAME, SIGNING_SECRET_NAME)
    }
    secrets.delete_secret(SecretId=SIGNING_SECRET_NAME, ForceDeleteWithoutRecovery=True)
    good = {"SLACK_BOT_TOKEN": "xoxb-local-rotated", "SLACK_SIGNING_SECRET": "0" * 32}

    try:
        # When the operator runs the new script before deploying the new version
        refused = run(local_stack, "set-slack-secret.sh", "--local", env=good)
        kept = secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"]
    finally:
        secrets.create_secret(Name=SIGNING_SECRET_NAME, SecretString=before[SIGNING_SECRET_NAME])
        secrets.put_secret_value(SecretId=SECRET_NAME, SecretString=before[SECRET_NAME])

    # Then it says to deploy first, and the bot token's secret was not touched
    assert refused.returncode == 1
    assert "is this version deployed?" in refused.stderr
    assert f"{SECRET_NAME} is unchanged" in refused.stderr
    assert kept == before[SECRET_NAME]


def test_the_operator_scripts_reach_the_greenlight_of_the_prefix_they_are_given(
    local_stack: StackConfig,
) -> None:
    # Given a second Greenlight on the same account (prefix "team-c"), holding one approval
    # that the default installation does not have
    dynamodb = dynamodb_client(local_stack)
    provision.create_tables(dynamodb, "team-c-")
    _, ours = started(local_stack, 1_250_00)
    theirs = "team-c." + ours.rpartition(".")[2]
    item = dynamodb.get_item(
        TableName=f"{TABLE_PREFIX}approvals", Key={"approval_id": {"S": ours}}, ConsistentRead=True
    )["Item"]
    dynamodb.put_item(TableName="team-c-approvals", Item=item | {"approval_id": {"S": theirs}})
    trail = dynamodb.query(
        TableName=f"{TABLE_PREFIX}audit",
        KeyConditionExpression="approval_id = :id",
        ExpressionAttributeValues={":id": {"S": ours}},
    )["Items"]
    for line in trail:
        dynamodb.put_item(TableName="team-c-audit", Item=line | {"approval_id": {"S": theirs}})

    listed = run(local_stack, "list-pending.sh", "--local", "--prefix", "team-c")
    default = run(local_stack, "list-pending.sh", "--local")
    timeline = run(local_stack, "audit.sh", theirs, "--local", "--prefix", "team-c")
    malformed = run(local_stack, "audit.sh", theirs, "--local", "--prefix", "Team C")

    assert listed.returncode == 0, listed.stderr
    assert theirs in listed.stdout
    assert ours not in listed.stdout
    assert theirs not in default.stdout
    assert timeline.returncode == 0, timeline.stderr
    assert "requested" in timeline.stdout
    assert malformed.returncode == 2
    assert "--prefix needs the construct's prefix" in malformed.stderr
