"""The gate's configuration: which tables and which Slack secret, read once per container.

The CDK construct's grant sets these on every durable function that may ask for approvals,
and the local stack sets them for its functions. Nothing else of the gate reads `os.environ`
but `metrics.count`, for the function's own name (`AWS_LAMBDA_FUNCTION_NAME`, set by Lambda).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from greenlight.core import requester_env
from greenlight.core.env import EnvReader
from greenlight.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

# Named once, in the core, where the CDK construct that sets them reads them too
ENV_APPROVALS_TABLE = requester_env.ENV_APPROVALS_TABLE
ENV_AUDIT_TABLE = requester_env.ENV_AUDIT_TABLE
ENV_SLACK_SECRET_NAME = requester_env.ENV_SLACK_SECRET_NAME
ENV_SLACK_API_URL = requester_env.ENV_SLACK_API_URL
ENV_REQUESTER = requester_env.ENV_REQUESTER
ENV_EXECUTION_TIMEOUT = requester_env.ENV_EXECUTION_TIMEOUT


@dataclass(frozen=True, slots=True)
class GateSettings:
    """Table names, the bot token secret's name (never its value), the function's requester
    label (which leads its approval ids; none when deployed without the construct), its
    durable execution timeout in seconds (none when the construct could not read it) and,
    locally, a fake Slack.

    The gate never names the signing secret: only the webhook may read it."""

    approvals_table: str
    audit_table: str
    slack_secret_name: str
    slack_api_url: str | None = None
    requester: str | None = None
    execution_timeout: int | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GateSettings:
        """Read every variable, reporting all problems in one error.

        Raises:
            ConfigError: a required variable is missing.
        """
        read = EnvReader(os.environ if env is None else env)
        settings = cls(
            approvals_table=read.required(ENV_APPROVALS_TABLE),
            audit_table=read.required(ENV_AUDIT_TABLE),
            slack_secret_name=read.required(ENV_SLACK_SECRET_NAME),
            slack_api_url=read.optional(ENV_SLACK_API_URL),
            requester=read.optional(
                ENV_REQUESTER,
                requester_env.LABEL,
                "a requester label (lowercase letters, digits, hyphens)",
            ),
        )
        timeout = read.optional(
            ENV_EXECUTION_TIMEOUT, requester_env.SECONDS, "a whole number of seconds, 1 or more"
        )
        if read.problems:
            raise ConfigError(read.problems)
        return replace(settings, execution_timeout=int(timeout) if timeout else None)
