"""The environment a durable function that requests approvals is given, named once.

The CDK construct sets these (`grant_requester`) and the gate reads them (`Greenlight.from_env`);
both import the names from here, the one module both may import (the construct must not load
the durable SDK), so a rename can never deploy functions that fail at cold start.
"""

ENV_APPROVALS_TABLE = "GREENLIGHT_APPROVALS_TABLE"
ENV_AUDIT_TABLE = "GREENLIGHT_AUDIT_TABLE"
# The bot token's secret (`{"bot_token": …}`); the signing secret is the webhook's alone
ENV_SLACK_SECRET_NAME = "GREENLIGHT_SLACK_SECRET_NAME"  # noqa: S105  # the name, not the secret
ENV_SLACK_API_URL = "GREENLIGHT_SLACK_API_URL"  # optional: the local stack's fake Slack only
# The requester's label (`grant_requester(label=…)`): it names the function's alarms and starts
# every approval id the function makes (`<label>.<22 characters>`), which is what lets IAM hold a
# requester to its own approvals (`dynamodb:LeadingKeys`, `greenlight.cdk.permissions`)
ENV_REQUESTER = "GREENLIGHT_REQUESTER"
LABEL = r"[a-z0-9-]{1,40}"  # lowercase letters, digits, hyphens: never the ids' separator `.`
