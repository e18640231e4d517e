"""Greenlight's pure approval domain: requests, policy, votes, records, Block Kit. No I/O."""

from greenlight.core.blocks import mention
from greenlight.core.clock import utc_now
from greenlight.core.errors import (
    ApprovalError,
    ConfigError,
    ConfirmationRequiredError,
    ConflictError,
    InvalidRequestError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.ladder import Ladder
from greenlight.core.outcome import Decider, Decision
from greenlight.core.policy import (
    ApproverPolicy,
    AutoApprove,
    Policy,
    Tier,
    Tiers,
    authorize,
)
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest, Link
from greenlight.core.route import Channel, ChannelAndDirectMessages, DirectMessages, Route
from greenlight.core.votes import Status, Verdict, Vote, tally

__all__ = [
    "Amount",
    "ApprovalError",
    "ApprovalRecord",
    "ApprovalRequest",
    "ApproverPolicy",
    "AutoApprove",
    "Channel",
    "ChannelAndDirectMessages",
    "ConfigError",
    "ConfirmationRequiredError",
    "ConflictError",
    "Decider",
    "Decision",
    "DirectMessages",
    "InvalidRequestError",
    "Ladder",
    "Link",
    "NotAuthorizedError",
    "NotFoundError",
    "Policy",
    "Route",
    "SlackMessage",
    "Status",
    "Tier",
    "Tiers",
    "Verdict",
    "Vote",
    "authorize",
    "mention",
    "tally",
    "utc_now",
]
