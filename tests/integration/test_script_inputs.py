"""Scripts that need a real AWS account refuse bad input before touching anything."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def run(script: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {
        "HOME": str(tmp),
        "AWS_CONFIG_FILE": str(tmp / "none"),
        "AWS_REGION": "eu-west-1",
    }
    return subprocess.run(
        [str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


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
        ("destroy.sh", [], "needs a terminal"),
        ("destroy.sh", ["--local"], "destroy targets AWS"),
        ("logs.sh", ["payments"], "choose 'orders' or 'webhook'"),
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
