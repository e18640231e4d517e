"""Greenlight's pure approval domain: requests, policy, votes, records, Block Kit. No I/O."""

from approvals.errors import (
    ApprovalError,
    ConfigError,
    ConflictError,
    InvalidRequestError,
    NotAuthorizedError,
    NotFoundError,
)
from approvals.outcome import Decider, Outcome
from approvals.policy import ApproverPolicy, Tier, TierDecision, TierRules, authorize
from approvals.record import ApprovalRecord, SlackMessage
from approvals.request import ApprovalRequest
from approvals.votes import Status, Verdict, Vote, tally

__all__ = [
    "ApprovalError",
    "ApprovalRecord",
    "ApprovalRequest",
    "ApproverPolicy",
    "ConfigError",
    "ConflictError",
    "Decider",
    "InvalidRequestError",
    "NotAuthorizedError",
    "NotFoundError",
    "Outcome",
    "SlackMessage",
    "Status",
    "Tier",
    "TierDecision",
    "TierRules",
    "Verdict",
    "Vote",
    "authorize",
    "tally",
]
