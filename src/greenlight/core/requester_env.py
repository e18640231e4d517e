"""The environment a durable function that requests approvals is given, named once.

The CDK construct sets these (`grant_requester`) and the gate reads them (`Greenlight.from_env`);
both import the names from here, the one module both may import (the construct must not load
the durable SDK), so a rename can never deploy functions that fail at cold start.
"""

import re

ENV_APPROVALS_TABLE = "GREENLIGHT_APPROVALS_TABLE"
ENV_AUDIT_TABLE = "GREENLIGHT_AUDIT_TABLE"
# The bot token's secret (`{"bot_token": …}`); the signing secret is the webhook's alone
ENV_SLACK_SECRET_NAME = "GREENLIGHT_SLACK_SECRET_NAME"  # noqa: S105  # the name, not the secret
ENV_SLACK_API_URL = "GREENLIGHT_SLACK_API_URL"  # optional: the local stack's fake Slack only
# The requester's label (`grant_requester(label=…)`): it names the function's alarms and starts
# every approval id the function makes (`<label>.<22 characters>`), which is what lets IAM hold a
# requester to its own approvals (`dynamodb:LeadingKeys`, `greenlight.cdk.permissions`)
ENV_REQUESTER = "GREENLIGHT_REQUESTER"
# The function's durable execution timeout in whole seconds, when the construct could read it
# (optional): the gate refuses a ladder that would expire only after the execution timed out
ENV_EXECUTION_TIMEOUT = "GREENLIGHT_EXECUTION_TIMEOUT"
SECONDS = re.compile(r"[1-9][0-9]{0,8}")  # 1 or more; Lambda allows 31,622,400 (366 days)
# Lowercase letters, digits, hyphens: never the ids' separator `.`
LABEL = re.compile(r"[a-z0-9-]{1,40}")
