"""The durable function's configuration, read once from the environment at cold start."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from approvals.errors import ConfigError
from approvals.policy import TierRules

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_APPROVALS_TABLE = "APPROVALS_TABLE"
ENV_RESERVATIONS_TABLE = "RESERVATIONS_TABLE"
ENV_SLACK_CHANNEL = "SLACK_CHANNEL"
ENV_SLACK_SECRET_NAME = "SLACK_SECRET_NAME"  # noqa: S105  # the name, not the secret
ENV_SLACK_API_URL = "SLACK_API_URL"
ENV_PAYMENT_URL = "PAYMENT_URL"
ENV_APPROVERS = "APPROVER_IDS"
ENV_AUTO_APPROVE_BELOW = "AUTO_APPROVE_BELOW_CENTS"
ENV_DUAL_APPROVAL_ABOVE = "DUAL_APPROVAL_ABOVE_CENTS"
ENV_APPROVAL_TIMEOUT = "APPROVAL_TIMEOUT_SECONDS"

DEFAULT_APPROVAL_TIMEOUT = 24 * 3600
MAX_APPROVAL_TIMEOUT = 365 * 24 * 3600  # an execution lives at most 366 days


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the workflow needs to know about its surroundings. Holds secret names only."""

    approvals_table: str
    reservations_table: str
    slack_channel: str
    slack_secret_name: str
    slack_api_url: str | None
    payment_url: str
    tiers: TierRules
    approval_timeout_seconds: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable, reporting all problems in one error.

        Raises:
            ConfigError: one or more variables are missing or malformed.
        """
        source = os.environ if env is None else env
        problems: list[str] = []

        def required(name: str) -> str:
            value = source.get(name, "").strip()
            if not value:
                problems.append(f"{name} is required")
            return value

        def integer(name: str, default: int | None = None) -> int:
            raw = source.get(name, "").strip()
            if not raw:
                if default is None:
                    problems.append(f"{name} is required")
                return default or 0
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name} must be a whole number, got {raw!r}")
                return 0
            if value < 0:
                problems.append(f"{name} must not be negative")
            return value

        approvals_table = required(ENV_APPROVALS_TABLE)
        reservations_table = required(ENV_RESERVATIONS_TABLE)
        channel = required(ENV_SLACK_CHANNEL)
        secret_name = required(ENV_SLACK_SECRET_NAME)
        payment_url = required(ENV_PAYMENT_URL)
        approvers = frozenset(a.strip() for a in required(ENV_APPROVERS).split(",") if a.strip())
        auto_below = integer(ENV_AUTO_APPROVE_BELOW)
        dual_above = integer(ENV_DUAL_APPROVAL_ABOVE)
        timeout = integer(ENV_APPROVAL_TIMEOUT, DEFAULT_APPROVAL_TIMEOUT)
        if not 1 <= timeout <= MAX_APPROVAL_TIMEOUT:
            problems.append(f"{ENV_APPROVAL_TIMEOUT} must be 1..{MAX_APPROVAL_TIMEOUT} seconds")
        tiers: TierRules | None = None
        if approvers and not problems:
            try:
                tiers = TierRules(auto_below, dual_above, approvers)
            except ConfigError as err:
                problems.extend(err.problems)
        if problems or tiers is None:
            raise ConfigError(problems)
        return cls(
            approvals_table=approvals_table,
            reservations_table=reservations_table,
            slack_channel=channel,
            slack_secret_name=secret_name,
            slack_api_url=source.get(ENV_SLACK_API_URL) or None,
            payment_url=payment_url,
            tiers=tiers,
            approval_timeout_seconds=timeout,
        )
