"""Redraws an approval's Slack message from its record (after an operator's decision).

`python -m greenlight.ops.redraw <approval_id>`: the record from DynamoDB, the bot token from
Secrets Manager (as the Lambdas read them), `chat.update` through the Slack Web API (`SLACK_API_URL`
points it at the local fake).
"""

from __future__ import annotations

import argparse
import os
import sys

import boto3

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.aws.secrets import load_bot_token
from greenlight.slack.client import build_web_client, redraw


def main(argv: list[str] | None = None) -> int:
    """Redraw one approval's message; exit 1 when it has none."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("approval_id")
    parser.add_argument("--approvals-table", default="greenlight-approvals")
    parser.add_argument("--audit-table", default="greenlight-audit")
    parser.add_argument("--secret", default="greenlight/slack")
    args = parser.parse_args(argv)
    store = DynamoApprovalStore(boto3.client("dynamodb"), args.approvals_table, args.audit_table)
    record = store.get(args.approval_id)
    if record.slack is None:
        print("error: this approval has no Slack message", file=sys.stderr)
        return 1
    bot_token = load_bot_token(args.secret)  # the bot token's secret: no signing secret needed
    redraw(build_web_client(bot_token, os.environ.get("SLACK_API_URL")), record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
