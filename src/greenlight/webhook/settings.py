"""The webhook's configuration, read once from the environment at cold start."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greenlight.core.env import EnvReader
from greenlight.core.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_APPROVALS_TABLE = "APPROVALS_TABLE"
ENV_AUDIT_TABLE = "AUDIT_TABLE"
ENV_SLACK_SECRET_NAME = "SLACK_SECRET_NAME"  # noqa: S105  # the name, not the secret
# The webhook's alone (the relay shares these settings but never reads it): see signing_secret_name
ENV_SLACK_SIGNING_SECRET_NAME = "SLACK_SIGNING_SECRET_NAME"  # noqa: S105  # a name
ENV_SLACK_API_URL = "SLACK_API_URL"
ENV_SLACK_APP_ID = "SLACK_APP_ID"
ENV_SLACK_TEAM_ID = "SLACK_TEAM_ID"
ENV_SLACK_ENTERPRISE_ID = "SLACK_ENTERPRISE_ID"
ENV_BASE_PATH = "API_BASE_PATH"
ENV_DELEGATIONS_TABLE = "DELEGATIONS_TABLE"  # optional: without it, no delegation

_APP_ID = re.compile(r"^A[A-Z0-9]{2,20}$")
# Slack's ids: a workspace is T…, an Enterprise Grid org E…. Requests name the workspace in
# `team.id` (or, for org-wide installs, in `user.team_id` / `view.app_installed_team_id`), never the
# org; so an org id given as the team could never match a request and is refused here.
_TEAM_ID = re.compile(r"^T[A-Z0-9]{2,20}$")
_ENTERPRISE_ID = re.compile(r"^E[A-Z0-9]{2,20}$")


@dataclass(frozen=True, slots=True)
class Settings:
    """Where records live, which Slack app and workspace may call us, and our URL prefix.

    `slack_enterprise_id` is for an app installed org-wide on Enterprise Grid: requests from any
    workspace of that org are accepted, besides those from `slack_team_id`.

    `slack_secret_name` names the bot token's secret; `slack_signing_secret_name` the signing
    secret's, which only the webhook may read (the relay, on the same settings, has neither the
    variable nor the grant).
    """

    approvals_table: str
    audit_table: str
    slack_secret_name: str
    slack_api_url: str | None
    slack_app_id: str
    slack_team_id: str
    base_path: str
    slack_enterprise_id: str | None = None
    delegations_table: str | None = None
    slack_signing_secret_name: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable, reporting all problems in one error.

        Raises:
            ConfigError: one or more variables are missing or malformed.
        """
        read = EnvReader(os.environ if env is None else env)
        required = read.required

        settings = cls(
            approvals_table=required(ENV_APPROVALS_TABLE),
            audit_table=required(ENV_AUDIT_TABLE),
            slack_secret_name=required(ENV_SLACK_SECRET_NAME),
            slack_api_url=read.optional(ENV_SLACK_API_URL),
            slack_app_id=required(ENV_SLACK_APP_ID, _APP_ID, "A0123ABCD"),
            slack_team_id=required(
                ENV_SLACK_TEAM_ID,
                _TEAM_ID,
                f"T0123ABCD (the workspace; an org's E… id goes in {ENV_SLACK_ENTERPRISE_ID})",
            ),
            base_path=(read.optional(ENV_BASE_PATH) or "").rstrip("/"),
            slack_enterprise_id=read.optional(ENV_SLACK_ENTERPRISE_ID),
            delegations_table=read.optional(ENV_DELEGATIONS_TABLE),
            slack_signing_secret_name=read.optional(ENV_SLACK_SIGNING_SECRET_NAME),
        )
        enterprise = settings.slack_enterprise_id
        if enterprise is not None and not _ENTERPRISE_ID.match(enterprise):
            read.problems.append(
                f"{ENV_SLACK_ENTERPRISE_ID} must look like E0123ABCD, got {enterprise!r}"
            )
        if read.problems:
            raise ConfigError(read.problems)
        return settings


def signing_secret_name(settings: Settings) -> str:
    """The signing secret's name, which the webhook cannot start without.

    Raises:
        ConfigError: the variable is not set (a webhook deployed without the secret's grant).
    """
    if settings.slack_signing_secret_name is None:
        raise ConfigError(
            [
                f"{ENV_SLACK_SIGNING_SECRET_NAME} is required: the webhook verifies each request "
                'with the signing secret it names (JSON {"signing_secret": …})'
            ]
        )
    return settings.slack_signing_secret_name
