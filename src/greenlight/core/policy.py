"""Who may decide, how many must agree, and which tier (and ladder) an amount falls in."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from greenlight.core.errors import ConfigError, InvalidRequestError, NotAuthorizedError
from greenlight.core.ladder import Ladder
from greenlight.core.request import ApprovalRequest, format_amount, is_slack_user_id

_USERGROUP = re.compile(r"^S[A-Z0-9]{2,20}$")
DEFAULT_LADDER = Ladder(expire_after=24 * 3600)


def is_usergroup_id(value: str) -> bool:
    """Slack usergroup ids start with S."""
    return bool(_USERGROUP.match(value))


@dataclass(frozen=True, slots=True)
class ApproverPolicy:
    """The people who may decide one approval, how many must approve, and who may only look.

    Usergroups are resolved to their members before a policy is made, so a policy holds user
    ids only; `escalated_ids` are the approvers added when the request was escalated.
    """

    approver_ids: frozenset[str]
    quorum: int = 1
    allow_self_approval: bool = False
    viewer_ids: frozenset[str] = field(default_factory=frozenset)
    escalated_ids: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.approver_ids:
            raise InvalidRequestError("policy.approver_ids", "at least one approver is required")
        bad = sorted(a for a in self.approver_ids | self.viewer_ids if not is_slack_user_id(a))
        if bad:
            raise InvalidRequestError("policy.approver_ids", f"not Slack user ids: {bad}")
        if not 1 <= self.quorum <= len(self.approver_ids):
            raise InvalidRequestError(
                "policy.quorum", f"must be 1..{len(self.approver_ids)}, got {self.quorum}"
            )

    def eligible_for(self, request: ApprovalRequest) -> frozenset[str]:
        """The approvers who may decide this request (the requester drops out by default)."""
        if self.allow_self_approval:
            return self.approver_ids
        return self.approver_ids - {request.requester_id}

    def check_feasible(self, request: ApprovalRequest) -> None:
        """Refuse a request that could never reach its quorum, before anyone is asked."""
        eligible = len(self.eligible_for(request))
        if eligible < self.quorum:
            raise InvalidRequestError(
                "policy",
                f"needs {self.quorum} approvers but only {eligible} may decide "
                "(the requester cannot approve their own request)",
            )

    def escalated_to(self, extra: frozenset[str]) -> ApproverPolicy:
        """The policy once `extra` approvers are added by an escalation."""
        added = extra - self.approver_ids
        return replace(
            self, approver_ids=self.approver_ids | added, escalated_ids=self.escalated_ids | added
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for the approval record."""
        return {
            "approver_ids": sorted(self.approver_ids),
            "quorum": self.quorum,
            "allow_self_approval": self.allow_self_approval,
            "viewer_ids": sorted(self.viewer_ids),
            "escalated_ids": sorted(self.escalated_ids),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApproverPolicy:
        """Rebuild from `to_dict` output."""
        return cls(
            approver_ids=frozenset(str(a) for a in data["approver_ids"]),
            quorum=int(data["quorum"]),
            allow_self_approval=bool(data.get("allow_self_approval", False)),
            viewer_ids=frozenset(str(a) for a in data.get("viewer_ids", [])),
            escalated_ids=frozenset(str(a) for a in data.get("escalated_ids", [])),
        )


def authorize(
    policy: ApproverPolicy, request: ApprovalRequest, approval_id: str, user_id: str
) -> None:
    """Raise unless `user_id` may cast a vote on this request.

    Raises:
        NotAuthorizedError: the requester (self-approval off), a viewer, or not listed.
    """
    if user_id == request.requester_id and not policy.allow_self_approval:
        raise NotAuthorizedError(approval_id, user_id, "you cannot decide your own request")
    if user_id in policy.approver_ids:
        return
    if user_id in policy.viewer_ids:
        raise NotAuthorizedError(
            approval_id, user_id, "you can follow this request but not decide it"
        )
    raise NotAuthorizedError(approval_id, user_id, "you are not an approver for this request")


class Tier(StrEnum):
    """How much human attention an amount needs."""

    AUTO = "auto"
    SINGLE = "single"
    DUAL = "dual"

    @property
    def quorum(self) -> int:
        """Approvals needed in this tier."""
        return {Tier.AUTO: 0, Tier.SINGLE: 1, Tier.DUAL: 2}[self]


@dataclass(frozen=True, slots=True)
class TierDecision:
    """The tier chosen for one request, why, and its ladder."""

    tier: Tier
    reason: str
    ladder: Ladder


@dataclass(frozen=True, slots=True)
class TierRules:
    """Thresholds, who decides (users or usergroups), who is added on escalation, who may look."""

    auto_approve_below_cents: int
    dual_approval_above_cents: int
    approvers: frozenset[str]
    ladders: dict[Tier, Ladder] = field(default_factory=dict)
    escalation_approvers: frozenset[str] = field(default_factory=frozenset)
    viewer_ids: frozenset[str] = field(default_factory=frozenset)
    allow_self_approval: bool = False

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.auto_approve_below_cents < 0:
            problems.append("auto-approve threshold must not be negative")
        if self.dual_approval_above_cents < self.auto_approve_below_cents:
            problems.append("dual-approval threshold must not be below the auto-approve one")
        if not self.approvers:
            problems.append("at least one approver is required")
        for label, ids in (
            ("approvers", self.approvers),
            ("escalation approvers", self.escalation_approvers),
        ):
            bad = sorted(a for a in ids if not (is_slack_user_id(a) or is_usergroup_id(a)))
            if bad:
                problems.append(f"{label} are not Slack user or usergroup ids: {bad}")
        bad_viewers = sorted(v for v in self.viewer_ids if not is_slack_user_id(v))
        if bad_viewers:
            problems.append(f"viewers are not Slack user ids: {bad_viewers}")
        if problems:
            raise ConfigError(problems)

    def classify(self, request: ApprovalRequest) -> TierDecision:
        """Choose the tier for `request`, with why and the ladder that goes with it."""
        amount = request.amount_cents
        if amount < self.auto_approve_below_cents:
            limit = format_amount(self.auto_approve_below_cents, request.currency)
            return TierDecision(
                Tier.AUTO, f"{request.amount_text} is below {limit}", DEFAULT_LADDER
            )
        tier = Tier.DUAL if amount > self.dual_approval_above_cents else Tier.SINGLE
        reason = f"{request.amount_text} needs {tier.quorum} approver(s)"
        return TierDecision(tier, reason, self.ladders.get(tier, DEFAULT_LADDER))

    def policy_for(
        self, decision: TierDecision, request: ApprovalRequest, approver_ids: frozenset[str]
    ) -> ApproverPolicy:
        """The policy once usergroups are resolved to `approver_ids`.

        Raises:
            InvalidRequestError: the quorum cannot be met by the people who may decide.
        """
        if len(approver_ids) < decision.tier.quorum:
            raise InvalidRequestError(
                "policy",
                f"needs {decision.tier.quorum} approvers; only {len(approver_ids)} configured",
            )
        policy = ApproverPolicy(
            approver_ids,
            quorum=decision.tier.quorum,
            allow_self_approval=self.allow_self_approval,
            viewer_ids=self.viewer_ids,
        )
        policy.check_feasible(request)
        return policy
