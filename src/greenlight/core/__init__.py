"""Greenlight's pure approval domain: requests, policy, votes, records, Block Kit. No I/O.

The names below are loaded when first asked for (PEP 562), so `from greenlight.core import
Policy` works as ever while `import greenlight.core.votes` loads the votes module alone: the
webhook, whose cold start is measured (`bench.run --cold-start`), never pays for the gate's
half of the domain (routes, `Policy`, `Tiers`, the ladder).
"""

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from greenlight.core.approvers import ApproverPolicy, authorize
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
    from greenlight.core.policy import AutoApprove, Policy, Tier, Tiers
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.core.request import Amount, ApprovalRequest, Link
    from greenlight.core.route import Channel, ChannelAndDirectMessages, DirectMessages, Route
    from greenlight.core.votes import Status, Verdict, Vote, tally

# Each public name and the module that defines it (the imports above, for type checkers).
_HOMES = {
    "ApproverPolicy": "approvers",
    "authorize": "approvers",
    "mention": "blocks",
    "utc_now": "clock",
    "ApprovalError": "errors",
    "ConfigError": "errors",
    "ConfirmationRequiredError": "errors",
    "ConflictError": "errors",
    "InvalidRequestError": "errors",
    "NotAuthorizedError": "errors",
    "NotFoundError": "errors",
    "Ladder": "ladder",
    "Decider": "outcome",
    "Decision": "outcome",
    "AutoApprove": "policy",
    "Policy": "policy",
    "Tier": "policy",
    "Tiers": "policy",
    "ApprovalRecord": "record",
    "SlackMessage": "record",
    "Amount": "request",
    "ApprovalRequest": "request",
    "Link": "request",
    "Channel": "route",
    "ChannelAndDirectMessages": "route",
    "DirectMessages": "route",
    "Route": "route",
    "Status": "votes",
    "Verdict": "votes",
    "Vote": "votes",
    "tally": "votes",
}

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


if not _typing.TYPE_CHECKING:  # a type checker reads the imports above, and flags a typo

    def __getattr__(name: str) -> object:
        """Load a public name's module on first use and keep the name here (PEP 562).

        Raises:
            AttributeError: not a public name; `from greenlight.core import messages` then
                loads the submodule, as for any package.
        """
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_import_module(f"{__name__}.{home}"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    """The public names, loaded or not, and the submodules loaded so far."""
    return sorted({n for n in globals() if not n.startswith("_")} | set(__all__))
