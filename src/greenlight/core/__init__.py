"""Greenlight's pure approval domain: requests, policy, votes, records, Block Kit. No I/O."""

from greenlight.core.errors import (
    ApprovalError,
    ConfigError,
    ConflictError,
    InvalidRequestError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.outcome import Decider, Outcome
from greenlight.core.policy import ApproverPolicy, Tier, TierDecision, TierRules, authorize
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import ApprovalRequest
from greenlight.core.votes import Status, Verdict, Vote, tally

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
