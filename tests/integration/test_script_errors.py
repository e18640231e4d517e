"""Operator scripts facing a failed or refused AWS call, or a bad option: one clear error.

Each test runs the real script, as tests/integration/test_script_inputs.py does, with no AWS
account behind it (no credentials, no instance metadata) or only a loopback fake of one AWS
API, so nothing can be changed anywhere.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"


def without_aws_identity(tmp: Path, region: str) -> dict[str, str]:
    """This environment with no AWS identity at all: no `AWS_*` variable, no config or
    credentials file (`tmp` is home), no instance metadata; only `region`."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | {
        "HOME": str(tmp),
        "AWS_CONFIG_FILE": str(tmp / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_REGION": region,
    }


def run_script(
    script: Path, *args: str, env: dict[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`script` run as an operator would, in `env`, its output captured, nothing on stdin."""
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )


def run(script: str, *args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """The script with no AWS identity at all and no local stack (an empty .local)."""
    env = without_aws_identity(tmp, "eu-west-1") | {"GREENLIGHT_LOCAL_DIR": str(tmp / "local")}
    return run_script(SCRIPTS / script, *args, env=env)


def test_logs_refuses_local_and_points_at_the_local_log_files(tmp_path: Path) -> None:
    # README (A first deploy, step 6): every script but logs.sh takes --local, "the local
    # stack's logs are files in .local/logs/". logs.sh accepts --local anyway and then fails
    # with "the local stack is not running", or, with it running, asks moto's CloudWatch Logs
    # for a group nothing writes to (ResourceNotFoundException, exit 255)
    done = run("logs.sh", "orders", "--local", tmp=tmp_path)

    assert done.returncode == 2
    assert ".local/logs" in done.stderr


# Two PutEvents answers in botocore's events model (botocore/data/events/2014-02-03/
# service-2.json, `PutEventsResponse`): `FailedEntryCount`, and `Entries` whose failed ones carry
# `ErrorCode` / `ErrorMessage` instead of an `EventId`. Both come back as HTTP 200.
REFUSED = {
    "FailedEntryCount": 1,
    "Entries": [{"ErrorCode": "ThrottlingException", "ErrorMessage": "Rate exceeded"}],
}
TAKEN = {"FailedEntryCount": 0, "Entries": [{"EventId": "11710aed-b79e-4468-a20b-bb3c0c3b4860"}]}


class _EventBridge(BaseHTTPRequestHandler):
    """EventBridge's PutEvents at the outer edge, on loopback, answering `server.answer`."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        assert self.headers["X-Amz-Target"] == "AWSEvents.PutEvents"
        body = json.dumps(self.server.answer).encode()  # type: ignore[attr-defined]  # set below
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


def put_order_event(tmp_path: Path, answer: dict[str, object]) -> subprocess.CompletedProcess[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EventBridge)
    server.answer = answer  # type: ignore[attr-defined]  # read by the handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    order = tmp_path / "order.json"
    order.write_text(json.dumps({"order_id": "ord-1", "amount_cents": 100}))
    try:
        return subprocess.run(
            [str(SCRIPTS / "put-order-event.sh"), str(order)],
            capture_output=True,
            text=True,
            check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            | {
                "HOME": str(tmp_path),
                "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_REGION": "eu-west-1",
                "AWS_ACCESS_KEY_ID": "test",  # dummy, for SigV4 on loopback
                "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_ENDPOINT_URL_EVENTBRIDGE": f"http://127.0.0.1:{server.server_port}",
            },
            stdin=subprocess.DEVNULL,
            timeout=300,
        )
    finally:
        server.shutdown()


def test_put_order_event_fails_when_eventbridge_did_not_take_the_event(tmp_path: Path) -> None:
    # PutEvents reports a refused entry inside a 200 answer, so the AWS CLI exits 0
    done = put_order_event(tmp_path, REFUSED)

    assert done.returncode == 1, done.stdout
    assert "ThrottlingException: Rate exceeded" in done.stderr
    assert "not sent" in done.stderr


def test_put_order_event_prints_the_event_id_when_eventbridge_took_it(tmp_path: Path) -> None:
    done = put_order_event(tmp_path, TAKEN)

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == TAKEN


@pytest.mark.parametrize(
    "args",
    [["list-pending.sh"], ["audit.sh", "orders.AbCdEfGhIjKlMnOpQrStUv"]],
    ids=["list-pending", "audit"],
)
def test_a_failed_aws_query_is_reported_without_a_python_traceback(
    tmp_path: Path, args: list[str]
) -> None:
    # Any failure of the AWS CLI's query (no credentials here; a wrong --prefix, region or a
    # missing permission alike) leaves the pipe empty, and `greenlight.ops.pending` /
    # `audit_timeline` crash on `json.load` with a JSONDecodeError traceback after the CLI's
    # own message
    done = run(*args, tmp=tmp_path)

    assert done.returncode != 0
    assert "Traceback" not in done.stderr, done.stderr
    assert "JSONDecodeError" not in done.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in SCRIPTS.glob("*.sh")))
def test_help_is_an_answer_not_an_error(tmp_path: Path, script: str) -> None:
    # README (Deploying): "Every script ... takes `--help`"; click.sh prints its usage for
    # --help and exits 2, the code every other script keeps for bad arguments
    done = run(script, "--help", tmp=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
