"""Who may decide, how many must agree, and which tier an amount falls in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from approvals.errors import ConfigError, InvalidRequestError, NotAuthorizedError
from approvals.request import ApprovalRequest, format_amount, is_slack_user_id


@dataclass(frozen=True, slots=True)
class ApproverPolicy:
    """The people who may decide one approval and how many of them must approve."""

    approver_ids: frozenset[str]
    quorum: int = 1
    allow_self_approval: bool = False

    def __post_init__(self) -> None:
        if not self.approver_ids:
            raise InvalidRequestError("policy.approver_ids", "at least one approver is required")
        bad = sorted(a for a in self.approver_ids if not is_slack_user_id(a))
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for the approval record."""
        return {
            "approver_ids": sorted(self.approver_ids),
            "quorum": self.quorum,
            "allow_self_approval": self.allow_self_approval,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ApproverPolicy:
        """Rebuild from `to_dict` output."""
        return cls(
            approver_ids=frozenset(str(a) for a in data["approver_ids"]),
            quorum=int(data["quorum"]),
            allow_self_approval=bool(data.get("allow_self_approval", False)),
        )


def authorize(
    policy: ApproverPolicy, request: ApprovalRequest, approval_id: str, user_id: str
) -> None:
    """Raise unless `user_id` may cast a vote on this request.

    Raises:
        NotAuthorizedError: the user is the requester (and self-approval is off) or not listed.
    """
    if user_id == request.requester_id and not policy.allow_self_approval:
        raise NotAuthorizedError(approval_id, user_id, "you cannot decide your own request")
    if user_id not in policy.approver_ids:
        raise NotAuthorizedError(approval_id, user_id, "you are not an approver for this request")


class Tier(StrEnum):
    """How much human attention an amount needs."""

    AUTO = "auto"
    SINGLE = "single"
    DUAL = "dual"


@dataclass(frozen=True, slots=True)
class TierDecision:
    """The tier chosen for one request, why, and (for human tiers) the policy to apply."""

    tier: Tier
    reason: str
    policy: ApproverPolicy | None


@dataclass(frozen=True, slots=True)
class TierRules:
    """Amount thresholds: auto-approve below one, two approvers above the other."""

    auto_approve_below_cents: int
    dual_approval_above_cents: int
    approver_ids: frozenset[str]

    def __post_init__(self) -> None:
        problems: list[str] = []
        if self.auto_approve_below_cents < 0:
            problems.append("auto-approve threshold must not be negative")
        if self.dual_approval_above_cents < self.auto_approve_below_cents:
            problems.append("dual-approval threshold must not be below the auto-approve one")
        if not self.approver_ids:
            problems.append("at least one approver is required")
        bad = sorted(a for a in self.approver_ids if not is_slack_user_id(a))
        if bad:
            problems.append(f"approvers are not Slack user ids: {bad}")
        if problems:
            raise ConfigError(problems)

    def classify(self, request: ApprovalRequest) -> TierDecision:
        """Choose the tier for `request` and the approver policy that goes with it.

        Raises:
            InvalidRequestError: the tier's quorum cannot be met once the requester is excluded.
        """
        amount = request.amount_cents
        if amount < self.auto_approve_below_cents:
            limit = format_amount(self.auto_approve_below_cents, request.currency)
            return TierDecision(Tier.AUTO, f"{request.amount_text} is below {limit}", None)
        quorum = 2 if amount > self.dual_approval_above_cents else 1
        policy = ApproverPolicy(self.approver_ids, quorum=min(quorum, len(self.approver_ids)))
        if policy.quorum < quorum:
            raise InvalidRequestError("policy", f"needs {quorum} approvers; only 1 configured")
        policy.check_feasible(request)
        tier = Tier.DUAL if quorum == 2 else Tier.SINGLE
        return TierDecision(tier, f"{request.amount_text} needs {quorum} approver(s)", policy)
