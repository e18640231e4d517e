"""Review (adversarial): operator scripts whose bad input or environment gives an unclear error.

Each test runs the real script, as tests/integration/test_script_inputs.py does, with no AWS
account behind it (no credentials, no instance metadata), so nothing can be changed anywhere.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
DEPLOY_REQUIRED = ["--channel", "C1", "--app-id", "A1", "--team-id", "T1", "--approvers", "U1"]


def run(script: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """The script with no AWS identity at all and no local stack (an empty .local)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "HOME": str(tmp),
        "AWS_CONFIG_FILE": str(tmp / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": "eu-west-1",
        "GREENLIGHT_LOCAL_DIR": str(tmp / "local"),
    }
    return subprocess.run(
        [str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_deploy_without_credentials_says_so_not_that_the_account_is_not_bootstrapped(
    tmp_path: Path,
) -> None:
    # Given no credentials: `describe-stacks` fails with "Unable to locate credentials", and
    # deploy.sh (line 87: `>/dev/null 2>&1 || die "... not CDK-bootstrapped ..."`) throws the
    # AWS CLI's reason away and sends the operator to `cdk bootstrap`, which fails the same way
    done = run("deploy.sh", *DEPLOY_REQUIRED, "--alert-email", "ops@example.invalid", tmp=tmp_path)

    assert done.returncode != 0
    assert "not CDK-bootstrapped" not in done.stderr
    assert "credentials" in done.stderr.lower()


@pytest.mark.parametrize("option", ["--channel", "--app-id", "--alert-email", "--escalation"])
def test_deploy_names_an_option_given_without_its_value(tmp_path: Path, option: str) -> None:
    # `${2:?}` makes bash itself print "scripts/deploy.sh: line 44: 2: parameter null or not
    # set": neither the option nor what it needs
    done = run("deploy.sh", option, tmp=tmp_path)

    assert done.returncode == 2
    assert option in done.stderr
    assert "parameter null or not set" not in done.stderr


def test_logs_refuses_local_and_points_at_the_local_log_files(tmp_path: Path) -> None:
    # README (A first deploy, step 6): every script but logs.sh takes --local, "the local
    # stack's logs are files in .local/logs/". logs.sh accepts --local anyway and then fails
    # with "the local stack is not running", or, with it running, asks moto's CloudWatch Logs
    # for a group nothing writes to (ResourceNotFoundException, exit 255)
    done = run("logs.sh", "orders", "--local", tmp=tmp_path)

    assert done.returncode == 2
    assert ".local/logs" in done.stderr
