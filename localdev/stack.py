"""Starts and stops the whole local stack: `python -m localdev.stack start|stop|status`.

Order: DynamoDB (moto) → tables and secret → fake Slack → payments → durable runner (sqlite)
→ Lambda host → webhook. Each part is a process with its log in `<root>/logs/` and its pid in
`<root>/pids/`; start waits for every health check, stop ends them all (TERM, then KILL).
Executions waiting on a callback survive a restart (sqlite); ones waiting on a timer do not
(the runner keeps timers in memory).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import boto3

from localdev import provision
from localdev.config import (
    ALERT_TOPIC,
    HOST,
    SECRET_NAME,
    SIGNING_SECRET_NAME,
    TABLE_PREFIX,
    StackConfig,
    default_root,
)
from localdev.dead_letters import DLQ_NAME
from localdev.dotenv import missing, read_env

STOP_GRACE_SECONDS = 5
START_TIMEOUT_SECONDS = 60


class StackError(Exception):
    """A part did not start; its log says why."""


def _commands(config: StackConfig) -> dict[str, list[str]]:
    python = sys.executable
    bin_dir = Path(python).parent
    root = str(config.root)
    own = [python, "-m", "localdev.processes"]
    return {
        "dynamodb": [
            python,
            "-m",
            "localdev.dynamodb_server",
            "--host",
            HOST,
            "--port",
            str(config.ports["dynamodb"]),
        ],
        "slack": [*own, "slack", "--root", root],
        "payments": [*own, "payments", "--root", root],
        "runner": [
            str(bin_dir / "dex-local-runner"),
            "start-server",
            "--host",
            HOST,
            "--port",
            str(config.ports["runner"]),
            "--lambda-endpoint",
            config.url("host"),
            "--local-runner-endpoint",
            config.url("runner"),
            "--local-runner-region",
            "us-east-1",
            "--store-type",
            "sqlite",
            "--store-path",
            str(config.root / "state" / "runner.sqlite"),
            "--log-level",
            "WARNING",
        ],
        "host": [*own, "host", "--root", root],
        "webhook": [*own, "webhook", "--root", root],
    }


HEALTH = {
    "dynamodb": "/moto-api/",
    "slack": "/health",
    "payments": "/health",
    "runner": "/health",
    "host": "/health",
    "webhook": "/health",
}
ORDER = ("dynamodb", "slack", "payments", "runner", "host", "webhook")


def parts(config: StackConfig) -> tuple[str, ...]:
    """The parts this stack runs: all of them, less the fake Slack when Slack is real."""
    return tuple(p for p in ORDER if not (config.real_slack and p == "slack"))


def _pid_file(config: StackConfig, part: str) -> Path:
    return config.root / "pids" / f"{part}.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ours(pid: int) -> bool:
    """Whether `pid` is alive, ours to signal, and the leader of its own process group."""
    try:
        os.kill(pid, 0)
        return os.getpgid(pid) == pid
    except (ProcessLookupError, PermissionError):
        return False


def running(config: StackConfig) -> dict[str, int]:
    """The parts whose recorded process is still alive."""
    alive = {}
    for part in ORDER:
        path = _pid_file(config, part)
        if path.exists():
            pid = int(path.read_text())
            if _alive(pid):
                alive[part] = pid
    return alive


def healthy(config: StackConfig, part: str) -> bool:
    """True when the part answers its health check."""
    try:
        with urllib.request.urlopen(config.url(part) + HEALTH[part], timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _wait_healthy(config: StackConfig, part: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = config.root / "logs" / f"{part}.log"
            raise StackError(f"{part} exited with {process.returncode}; see {log}")
        if healthy(config, part):
            return
        time.sleep(0.1)
    raise StackError(f"{part} did not become healthy in {START_TIMEOUT_SECONDS}s")


def _provision(config: StackConfig) -> None:
    env = config.aws_env()
    session = boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_DEFAULT_REGION"],
    )
    url = config.url("dynamodb")
    provision.create_tables(session.client("dynamodb", endpoint_url=url), TABLE_PREFIX)
    provision.create_alert_topic(session.client("sns", endpoint_url=url), ALERT_TOPIC)
    session.client("sqs", endpoint_url=url).create_queue(QueueName=DLQ_NAME)
    credentials = config.credentials()
    provision.put_slack_secrets(
        session.client("secretsmanager", endpoint_url=url),
        (SECRET_NAME, SIGNING_SECRET_NAME),
        credentials["bot_token"],
        credentials["signing_secret"],
    )


def start(config: StackConfig, out: TextIO = sys.stdout) -> None:
    """Start every part that is not running, in order, each healthy before the next."""
    config.save()
    already = running(config)
    env = os.environ | config.function_env() | {"PYTHONUNBUFFERED": "1"}
    webhook_env = env | config.webhook_env()
    project = Path(__file__).resolve().parent.parent
    commands = _commands(config)
    for part in parts(config):
        if part in already and healthy(config, part):
            print(f"  {part:<9} already running (pid {already[part]})", file=out)
            continue
        log = (config.root / "logs" / f"{part}.log").open("ab")
        process = subprocess.Popen(
            commands[part],
            cwd=project,
            env=webhook_env if part == "webhook" else env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        _pid_file(config, part).write_text(str(process.pid))
        _wait_healthy(config, part, process)
        if part == "dynamodb":
            _provision(config)
        print(f"  {part:<9} {config.url(part)}  (pid {process.pid})", file=out)


def stop(config: StackConfig) -> list[str]:
    """Stop every recorded part (whole process groups), newest first; return what was stopped.

    A pid file may outlive its part (a reboot, a killed terminal) and its pid be reused: only a
    process that leads its own process group, as each part does (`start_new_session`), and that
    we may signal is stopped; any other is left alone and its stale pid file removed."""
    stopped = []
    for part in reversed(ORDER):
        path = _pid_file(config, part)
        if not path.exists():
            continue
        pid = int(path.read_text())
        if _ours(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + STOP_GRACE_SECONDS
            while _alive(pid) and time.monotonic() < deadline:
                _reap(pid)
                time.sleep(0.05)
            if _alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                _reap(pid)
            stopped.append(part)
        path.unlink()
    return stopped


def _reap(pid: int) -> None:
    """Collect a child we started ourselves, so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def main(argv: list[str] | None = None) -> int:
    """CLI: start, stop or show the local stack."""
    parser = argparse.ArgumentParser(description="Greenlight's local stack")
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--root", type=Path, default=default_root())
    parser.add_argument(
        "--real-slack", type=Path, metavar="ENV_FILE", help="talk to a real workspace"
    )
    args = parser.parse_args(argv)
    config = StackConfig.load(args.root)
    if args.real_slack:
        values = read_env(args.real_slack)
        if absent := missing(values):
            print(f"error: {args.real_slack} lacks {', '.join(absent)}", file=sys.stderr)
            return 2
        config = replace(config, real_slack=values)
    if args.command == "start":
        print(f"Starting the local stack (logs in {config.root / 'logs'}):")
        try:
            start(config)
        except StackError as err:
            print(f"error: {err}", file=sys.stderr)
            stop(config)
            return 1
        return 0
    if args.command == "stop":
        stopped = stop(config)
        print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
        return 0
    alive = running(config)
    for part in parts(config):
        state = "healthy" if part in alive and healthy(config, part) else "down"
        print(f"  {part:<9} {state:<8} {config.url(part)}")
    return 0 if len(alive) == len(parts(config)) else 3


if __name__ == "__main__":
    sys.exit(main())
