"""Builds one deploy request for `scripts/start-deploy.sh`: checked, printed as JSON.

`python -m examples.deploy_gate.request [FILE|-] [--service S --version V --by U… ...]`
prints the request on the first line and its execution name on the second. The name is the
deploy's identity (service, version, environment), so a pipeline that retries starts one
execution, and the same name with another request is refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from examples.deploy_gate.deploy import PASSED, PRODUCTION, InvalidDeployError, parse_deploy


def execution_name(event: dict[str, Any]) -> str:
    """`deploy-<service>-<version>-<environment>`, in the letters Lambda allows, at most 64."""
    raw = f"deploy-{event['service']}-{event['version']}-{event['environment']}"
    return re.sub(r"[^A-Za-z0-9_-]", "-", raw)[:64]


def from_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The request the flags describe (CI all green unless `--ci` says otherwise)."""
    ci = dict(part.split("=", 1) for part in args.ci.split(",") if "=" in part)
    event: dict[str, Any] = {
        "service": args.service,
        "version": args.version,
        "environment": args.environment,
        "requested_by": args.by,
        "summary": args.summary or "",
        "ci": ci or {"unit tests": PASSED, "integration tests": PASSED},
    }
    if args.diff_url:
        event["diff_url"] = args.diff_url
    return event


def main(argv: list[str] | None = None) -> int:
    """CLI; exit 2 with the reason when the request is not one the gate accepts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("file", nargs="?", help="a deploy request as JSON, or - for stdin")
    parser.add_argument("--service")
    parser.add_argument("--version")
    parser.add_argument("--by", help="the requester's Slack user id (U…)")
    parser.add_argument("--environment", default=PRODUCTION)
    parser.add_argument("--summary")
    parser.add_argument("--diff-url")
    parser.add_argument("--ci", default="", help="name=status,... as the pipeline reported")
    args = parser.parse_args(argv)
    try:
        if args.file:
            text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
            try:
                event = json.loads(text)
            except ValueError as err:
                raise InvalidDeployError("the deploy request is not JSON") from err
        else:
            event = from_flags(args)
        parse_deploy(event)
    except (InvalidDeployError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(event))
    print(execution_name(event))
    return 0


if __name__ == "__main__":
    sys.exit(main())
