"""Physical names and ARNs of one Greenlight installation, derived from its prefix.

Policies name resources by ARN built from these names (never `*`, never a grant helper that adds
actions the code does not call), so a test can render them with placeholder region and account
and compare them with what the stack synthesizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from greenlight.core import requester_env

# What a durable function that requests approvals reads (the gate's `Greenlight.from_env`);
# `Greenlight.grant_requester` sets all but the fake Slack's URL (named once, in the core).
ENV_APPROVALS_TABLE = requester_env.ENV_APPROVALS_TABLE
ENV_AUDIT_TABLE = requester_env.ENV_AUDIT_TABLE
ENV_SLACK_SECRET_NAME = requester_env.ENV_SLACK_SECRET_NAME
ENV_SLACK_API_URL = requester_env.ENV_SLACK_API_URL
ENV_REQUESTER = requester_env.ENV_REQUESTER
ENV_EXECUTION_TIMEOUT = requester_env.ENV_EXECUTION_TIMEOUT
LABEL = requester_env.LABEL

# Lowercase so every derived name is valid: a function name allows 64 characters, a queue 80,
# a table 255; the longest derived name adds 19 ("-decision-relay-dlq").
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,29}$")


@dataclass(frozen=True, slots=True)
class Names:
    """Every name an installation gives its resources; two installations in one account and
    region need two prefixes."""

    prefix: str = "greenlight"

    def __post_init__(self) -> None:
        if not _PREFIX.match(self.prefix):
            msg = (
                f"prefix must be 1-30 lowercase letters, digits or hyphens, starting with a "
                f"letter, not {self.prefix!r}"
            )
            raise ValueError(msg)

    @property
    def approvals_table(self) -> str:
        return f"{self.prefix}-approvals"

    @property
    def audit_table(self) -> str:
        return f"{self.prefix}-audit"

    @property
    def delegations_table(self) -> str:
        return f"{self.prefix}-delegations"

    @property
    def secret(self) -> str:
        """The bot token's secret: the webhook, the relay and every requester read it."""
        return f"{self.prefix}/slack"

    @property
    def signing_secret(self) -> str:
        """The signing secret's: the webhook alone reads it. (Its ARN, `…/slack-signing-XXXXXX`,
        is not matched by the bot secret's `…/slack-??????`: `?` is exactly one character.)"""
        return f"{self.prefix}/slack-signing"

    @property
    def webhook_function(self) -> str:
        return f"{self.prefix}-webhook"

    @property
    def relay_function(self) -> str:
        return f"{self.prefix}-decision-relay"

    @property
    def relay_dlq(self) -> str:
        return f"{self.prefix}-decision-relay-dlq"

    @property
    def alert_topic(self) -> str:
        return f"{self.prefix}-alerts"

    def alarm(self, suffix: str) -> str:
        """An alarm's name: the alert topic's policies admit alarms with this prefix only."""
        return f"{self.prefix}-{suffix}"


@dataclass(frozen=True, slots=True)
class Arns:
    """ARNs in one partition, region and account (CloudFormation tokens in a stack, placeholders
    in a test)."""

    partition: str
    region: str
    account: str

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def table(self, name: str) -> str:
        return self._arn("dynamodb", f"table/{name}")

    def index(self, table: str, index: str) -> str:
        return f"{self.table(table)}/index/{index}"

    def streams(self, table: str) -> str:
        """Any stream of a table (a stream's ARN ends in its creation time)."""
        return f"{self.table(table)}/stream/*"

    def log_streams(self, function_name: str) -> str:
        """The streams of a function's log group (created at run time)."""
        return self._arn("logs", f"log-group:/aws/lambda/{function_name}:*")

    def executions(self, function_name: str) -> str:
        """Every durable execution of a function, of any version.

        Lambda authorizes the durable APIs against the execution's ARN,
        `function:NAME:QUALIFIER/durable-execution/…`, which only `function:NAME:*` matches; an
        unqualified function ARN never does (Lambda developer guide, durable-security.html).
        """
        return self._arn("lambda", f"function:{function_name}:*")

    def function(self, function_name: str, qualifier: str | None = None) -> str:
        tail = f":{qualifier}" if qualifier else ""
        return self._arn("lambda", f"function:{function_name}{tail}")

    def secret(self, name: str) -> str:
        """A secret by name (Secrets Manager appends six random characters)."""
        return self._arn("secretsmanager", f"secret:{name}-??????")

    def queue(self, name: str) -> str:
        return self._arn("sqs", name)

    def topic(self, name: str) -> str:
        return self._arn("sns", name)

    def alarms(self, prefix: str) -> str:
        return self._arn("cloudwatch", f"alarm:{prefix}-*")
