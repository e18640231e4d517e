"""Scripts that need a real AWS account refuse bad input before touching anything."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.integration.test_script_errors import run_script

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
DEPLOY_REQUIRED = ["--channel", "C1", "--app-id", "A1", "--team-id", "T1", "--approvers", "U1"]


def run(script: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "HOME": str(tmp),
        "AWS_CONFIG_FILE": str(tmp / "none"),
        "AWS_REGION": "eu-west-1",
    }
    return run_script(SCRIPTS / script, *args, env=env, timeout=120)


@pytest.mark.parametrize(
    ("script", "args", "message"),
    [
        ("deploy.sh", [], "Usage: scripts/deploy.sh"),
        (
            "deploy.sh",
            [
                "--local",
                "--channel",
                "C1",
                "--app-id",
                "A1",
                "--team-id",
                "T1",
                "--approvers",
                "U1",
            ],
            "deploy targets AWS",
        ),
        ("deploy.sh", [*DEPLOY_REQUIRED], "alarms would reach no one"),
        (
            "deploy.sh",
            [
                *DEPLOY_REQUIRED,
                "--alert-email",
                "ops@example.invalid",
                "--webhook-concurrency",
                "0",
            ],
            "--webhook-concurrency must be a whole number above 0",
        ),
        (
            "deploy.sh",
            [*DEPLOY_REQUIRED, "--alert-email", "ops@example.invalid", "--currency", "euro"],
            "--currency must be a three-letter ISO code like EUR",
        ),
        ("destroy.sh", [], "needs a terminal"),
        ("destroy.sh", ["--prefix", "team-b"], "--prefix is not for this script"),
        ("start-approval.sh", ["-", "--prefix", "team-b"], "--prefix is not for this script"),
        (
            "deploy.sh",
            [*DEPLOY_REQUIRED, "--alert-email", "ops@example.invalid", "--prefix", "team-b"],
            "--prefix is not for this script",
        ),
        ("destroy.sh", ["--local"], "destroy targets AWS"),
        ("logs.sh", ["payments"], "choose 'orders', 'webhook' or 'decision-relay'"),
        ("logs.sh", ["orders", "--minutes", "soon"], "--minutes must be a whole number"),
        ("build.sh", ["--arch", "sparc"], "--arch must be arm64 or x86_64"),
        ("click.sh", ["approve", "nope", "--as", "bob"], "not an approval id"),
        ("fuzz.sh", ["soon"], "SECONDS must be a positive whole number"),
        ("fuzz.sh", ["0"], "SECONDS must be a positive whole number"),
    ],
)
def test_bad_input_is_a_clear_error_and_a_non_zero_exit(
    script: str, args: list[str], message: str, tmp_path: Path
) -> None:
    done = run(script, *args, tmp=tmp_path)

    assert done.returncode != 0
    assert message in done.stderr + done.stdout


def test_dev_ngrok_explains_a_missing_or_incomplete_env(tmp_path: Path) -> None:
    absent = run("dev-ngrok.sh", "--env-file", str(tmp_path / ".env"), tmp=tmp_path)
    (tmp_path / ".env").write_text("SLACK_APP_ID=A0APP\n")
    partial = run("dev-ngrok.sh", "--env-file", str(tmp_path / ".env"), tmp=tmp_path)

    assert absent.returncode == partial.returncode == 2
    assert "copy .env.example to .env" in absent.stderr
    assert "lacks SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_TEAM_ID" in partial.stderr


def test_deploy_runs_the_cdk_cli_pinned_by_the_lock_file() -> None:
    # Given the CLI's version in iac/package.json and iac/package-lock.json
    package = json.loads((ROOT / "iac" / "package.json").read_text())
    lock = json.loads((ROOT / "iac" / "package-lock.json").read_text())
    wanted = package["devDependencies"]["aws-cdk"]
    script = (SCRIPTS / "deploy.sh").read_text()

    # Then the version is exact, the lock resolves that version, and deploy.sh installs it with
    # `npm ci` and runs it, never an unpinned `npx aws-cdk@2`
    assert wanted[0].isdigit(), "an exact version, not a range"
    assert lock["packages"]["node_modules/aws-cdk"]["version"] == wanted
    assert lock["packages"][""]["devDependencies"] == package["devDependencies"]
    assert "npm ci" in script
    assert '"$ROOT/iac/node_modules/.bin/cdk" deploy' in script
    assert "npx" not in script


def test_deploy_gives_the_cdk_cli_its_region_through_the_environment() -> None:
    script = (SCRIPTS / "deploy.sh").read_text()
    cdk_call = script[script.index('node_modules/.bin/cdk" deploy') :].split("\n\n")[0]

    # the CDK CLI has no --region option: the region travels as AWS_REGION
    assert 'export AWS_REGION="$AWS_DEFAULT_REGION"' in script
    assert "AWS_OPTS" not in cdk_call
    assert "--region" not in cdk_call


def test_decide_without_an_aws_identity_changes_nothing_and_says_why(tmp_path: Path) -> None:
    # Given no credentials at all (and no instance metadata to fall back on)
    env_extra = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}

    done = subprocess.run(
        [str(SCRIPTS / "decide.sh"), "approve", "A" * 22, "--reason", "by phone"],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        | {
            "HOME": str(tmp_path),
            "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_REGION": "eu-west-1",
        }
        | env_extra,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )

    # Then it stops before reading or writing anything: who decided must be known
    assert done.returncode == 1
    assert "could not read your AWS identity" in done.stderr
