"""The order workflow's configuration, read once from the environment at cold start.

The gate's own settings (its tables, the Slack secret) are `GREENLIGHT_*` variables read by
`Greenlight.from_env()`; the names are re-exported here so `iac/` sets one list. What is the
order saga's own stays here: its tables, the payment provider, the channel and the money tiers.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from greenlight.core import Channel, ConfigError, InvalidRequestError, Ladder, Tier, Tiers
from greenlight.core.env import EnvReader
from greenlight.gate import settings as gate_settings

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_APPROVALS_TABLE = gate_settings.ENV_APPROVALS_TABLE
ENV_AUDIT_TABLE = gate_settings.ENV_AUDIT_TABLE
ENV_SLACK_SECRET_NAME = gate_settings.ENV_SLACK_SECRET_NAME
ENV_SLACK_API_URL = gate_settings.ENV_SLACK_API_URL
ENV_RESERVATIONS_TABLE = "RESERVATIONS_TABLE"
ENV_CONDITIONS_TABLE = "CONDITIONS_TABLE"
ENV_ALERT_TOPIC_ARN = "ALERT_TOPIC_ARN"
ENV_REVIEW_WAIT = "REVIEW_WAIT"
ENV_SLACK_CHANNEL = "SLACK_CHANNEL"
ENV_PAYMENT_URL = "PAYMENT_URL"
ENV_APPROVERS = "APPROVER_IDS"
ENV_ESCALATION_APPROVERS = "ESCALATION_APPROVER_IDS"
ENV_ESCALATION_CHANNEL = "ESCALATION_CHANNEL"
ENV_VIEWERS = "VIEWER_IDS"
ENV_AUTO_APPROVE_BELOW = "AUTO_APPROVE_BELOW_CENTS"
ENV_DUAL_APPROVAL_ABOVE = "DUAL_APPROVAL_ABOVE_CENTS"
ENV_TIERS_CURRENCY = "TIERS_CURRENCY"  # the thresholds' currency; orders in others are refused
ENV_APPROVAL_TIMEOUT = "APPROVAL_TIMEOUT_SECONDS"
ENV_LADDER = {Tier.SINGLE: "LADDER_SINGLE", Tier.DUAL: "LADDER_DUAL"}

_CURRENCY = re.compile(r"[A-Z]{3}")  # as `Amount.currency`: three upper-case letters
DEFAULT_APPROVAL_TIMEOUT = 24 * 3600
DEFAULT_REVIEW_WAIT = "30,3600,100"  # first poll after 30 s, at most hourly, 100 polls


@dataclass(frozen=True, slots=True)
class PollPlan:
    """How to poll an outside condition: first delay, longest delay, and how many polls."""

    first_seconds: int
    max_seconds: int
    max_polls: int

    @classmethod
    def parse(cls, text: str) -> PollPlan:
        """Read `first,max,polls` (whole seconds, seconds, count).

        Raises:
            ConfigError: not three positive whole numbers with first <= max.
        """
        try:
            first, most, polls = (int(p) for p in text.split(","))
        except ValueError as err:
            raise ConfigError(
                [f"{ENV_REVIEW_WAIT} must be 'first,max,polls', got {text!r}"]
            ) from err
        if not (1 <= first <= most and polls >= 1):
            raise ConfigError([f"{ENV_REVIEW_WAIT} needs 1 <= first <= max and polls >= 1"])
        return cls(first, most, polls)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the workflow needs to know about its surroundings (the gate's own settings
    are `Greenlight.from_env()`'s)."""

    reservations_table: str
    conditions_table: str
    alert_topic_arn: str
    route: Channel
    payment_url: str
    tiers: Tiers
    review_wait: PollPlan

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate every variable, reporting all problems in one error.

        Raises:
            ConfigError: one or more variables are missing or malformed.
        """
        read = EnvReader(os.environ if env is None else env)
        problems = read.problems
        required, integer, ids = read.required, read.integer, read.ids
        source = read.source

        reservations_table = required(ENV_RESERVATIONS_TABLE)
        conditions_table = required(ENV_CONDITIONS_TABLE)
        alert_topic_arn = required(ENV_ALERT_TOPIC_ARN)
        review_wait: PollPlan | None = None
        try:
            review_wait = PollPlan.parse(source.get(ENV_REVIEW_WAIT, "") or DEFAULT_REVIEW_WAIT)
        except ConfigError as err:
            problems.extend(err.problems)
        route = _route(required(ENV_SLACK_CHANNEL), source.get(ENV_ESCALATION_CHANNEL), problems)
        payment_url = required(ENV_PAYMENT_URL)
        approvers = ids(ENV_APPROVERS)
        if not approvers:
            problems.append(f"{ENV_APPROVERS} is required")
        auto_below = integer(ENV_AUTO_APPROVE_BELOW)
        dual_above = integer(ENV_DUAL_APPROVAL_ABOVE)
        currency = required(ENV_TIERS_CURRENCY, _CURRENCY, "an ISO 4217 code such as EUR")
        timeout = integer(ENV_APPROVAL_TIMEOUT, DEFAULT_APPROVAL_TIMEOUT)
        ladders = _ladders(source, timeout, problems)
        escalation = ids(ENV_ESCALATION_APPROVERS)
        if not escalation and any(ladder.escalate_after for ladder in ladders.values()):
            problems.append(f"a ladder escalates, so {ENV_ESCALATION_APPROVERS} is required")
        tiers: Tiers | None = None
        if not problems:
            try:
                tiers = Tiers(
                    auto_below,
                    dual_above,
                    approvers,
                    currency=currency,
                    ladders=ladders,
                    escalation_approvers=escalation,
                    viewer_ids=ids(ENV_VIEWERS),
                )
            except ConfigError as err:
                problems.extend(err.problems)
        if problems or tiers is None or review_wait is None or route is None:
            raise ConfigError(problems)
        return cls(
            reservations_table=reservations_table,
            conditions_table=conditions_table,
            alert_topic_arn=alert_topic_arn,
            route=route,
            payment_url=payment_url,
            tiers=tiers,
            review_wait=review_wait,
        )


def _route(channel: str, escalation: str | None, problems: list[str]) -> Channel | None:
    """Where the orders' requests go (and escalations are announced), checked as ids."""
    if not channel:
        return None
    try:
        return Channel(channel, escalation_channel=escalation or None)
    except InvalidRequestError as err:
        problems.append(f"{ENV_SLACK_CHANNEL} / {ENV_ESCALATION_CHANNEL}: {err.problem}")
        return None


def _ladders(source: Mapping[str, str], timeout: int, problems: list[str]) -> dict[Tier, Ladder]:
    """Each human tier's ladder: `LADDER_<TIER>` as `remind,escalate,expire`, else expire only."""
    ladders: dict[Tier, Ladder] = {}
    for tier, name in ENV_LADDER.items():
        raw = source.get(name, "").strip() or f"-,-,{timeout or DEFAULT_APPROVAL_TIMEOUT}"
        try:
            ladders[tier] = Ladder.parse(raw)
        except ConfigError as err:
            problems.extend(f"{name}: {p}" for p in err.problems)
    return ladders
