"""Who may decide, how many must agree, and (optionally) which tier an amount falls in.

`Policy` is what a workflow passes per call (usergroups allowed); `ApproverPolicy` is what
the approval record holds once usergroups are resolved (user ids only), and what the webhook
authorizes against. `Tiers` is one way to choose a `Policy`: by amount.

`ApproverPolicy` and the checks against it live in `greenlight.core.approvers` (re-exported
here): the webhook needs only them, and importing them there spares its cold start this
module's classes and the ladder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from greenlight.core.approvers import ApproverPolicy, authorize, authorize_delegate
from greenlight.core.errors import ConfigError, InvalidRequestError
from greenlight.core.ladder import Ladder, Stage
from greenlight.core.request import (
    ApprovalRequest,
    format_amount,
    is_currency_code,
    is_slack_user_id,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from greenlight.core.request import Amount

__all__ = [
    "DEFAULT_LADDER",
    "ApproverPolicy",
    "AutoApprove",
    "Policy",
    "Tier",
    "Tiers",
    "authorize",
    "authorize_delegate",
    "is_usergroup_id",
]

_USERGROUP = re.compile(r"^S[A-Z0-9]{2,20}$")
DEFAULT_LADDER = Ladder(expire_after=24 * 3600)


def is_usergroup_id(value: str) -> bool:
    """Slack usergroup ids start with S."""
    return bool(_USERGROUP.match(value))


def _ids(value: Iterable[str] | str, label: str) -> tuple[str, ...]:
    """Ids as a tuple without repeats, in the order given (a lone string is one id, not chars)."""
    if isinstance(value, str):
        value = (value,)
    try:
        ids = tuple(dict.fromkeys(value))
    except TypeError as err:
        raise InvalidRequestError(label, "must be a list of Slack ids") from err
    if not all(isinstance(i, str) for i in ids):
        raise InvalidRequestError(label, "must be a list of Slack ids")
    return ids


@dataclass(frozen=True, slots=True)
class Policy:
    """Who decides one request, per call: approvers (users `U…` or usergroups `S…`), how many
    must approve (`quorum`, N of M), who may only follow it (`viewers`), whether the requester
    may approve their own request, who is added when the ladder escalates, the ladder, and
    whether an approver's delegate (`/approvals delegate @carol until …`) may decide in their
    place (`allow_delegation`, off unless asked for).
    `quiet_approvers` may decide too (they count towards the quorum) but are never mentioned,
    sent a direct message or reminded: for people who want to be able to act, not to be
    paged. Someone both in `approvers` (or one of its usergroups) and quiet stays quiet.

    Usergroups are resolved when the request is posted (inside the gate's post step), and
    only then is the quorum checked against who may decide, in one place (`resolve`): a
    request no one can decide is refused there, audited, and returned as a rejection. Any
    reject vetoes. Expiry is a decision of its own (`Decision.status == "expired"`, not
    approved): the workflow decides what it means.

    Raises:
        InvalidRequestError: an id is malformed, the quorum is not a positive number, or the
            ladder escalates with no one to escalate to.
    """

    approvers: tuple[str, ...]
    quorum: int = 1
    viewers: tuple[str, ...] = ()
    escalation_approvers: tuple[str, ...] = ()
    allow_self_approval: bool = False
    ladder: Ladder = DEFAULT_LADDER
    allow_delegation: bool = False
    quiet_approvers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        quiet = _ids(self.quiet_approvers, "policy.quiet_approvers")
        object.__setattr__(self, "quiet_approvers", quiet)
        approvers = _ids(self.approvers, "policy.approvers")
        viewers = _ids(self.viewers, "policy.viewers")
        escalation = _ids(self.escalation_approvers, "policy.escalation_approvers")
        object.__setattr__(self, "approvers", approvers)
        object.__setattr__(self, "viewers", viewers)
        object.__setattr__(self, "escalation_approvers", escalation)
        if not approvers:
            raise InvalidRequestError("policy.approvers", "at least one approver is required")
        for label, ids in (
            ("approvers", approvers),
            ("escalation_approvers", escalation),
            ("quiet_approvers", quiet),
        ):
            bad = [a for a in ids if not (is_slack_user_id(a) or is_usergroup_id(a))]
            if bad:
                raise InvalidRequestError(
                    f"policy.{label}", f"not Slack user (U…) or usergroup (S…) ids: {bad}"
                )
        bad_viewers = [v for v in viewers if not is_slack_user_id(v)]
        if bad_viewers:
            raise InvalidRequestError("policy.viewers", f"not Slack user ids: {bad_viewers}")
        if isinstance(self.quorum, bool) or not isinstance(self.quorum, int) or self.quorum < 1:
            raise InvalidRequestError("policy.quorum", f"must be 1 or more, got {self.quorum!r}")
        # Who may decide when the request is posted, where `resolve` checks the quorum: not the
        # escalation approvers, who may decide only once it is escalated
        named = {*approvers, *quiet}
        if not any(is_usergroup_id(a) for a in named) and self.quorum > len(named):
            # Nothing left to resolve: no request could ever meet it (`resolve` would turn it
            # into an automatic "no" at run time, read by the workflow as a person's)
            raise InvalidRequestError(
                "policy.quorum",
                f"needs {self.quorum} approvers but names only {len(named)}",
            )
        if not isinstance(self.ladder, Ladder):
            raise InvalidRequestError("policy.ladder", "must be a Ladder")
        if not isinstance(self.allow_delegation, bool):
            raise InvalidRequestError("policy.allow_delegation", "must be True or False")
        escalates = any(stage is Stage.ESCALATE for _, stage in self.ladder.rungs())
        if escalates and not escalation:
            raise InvalidRequestError(
                "policy.escalation_approvers", "the ladder escalates, so name who to add"
            )

    @property
    def usergroups(self) -> frozenset[str]:
        """The usergroups to resolve before the request is posted."""
        return frozenset(
            a
            for a in (*self.approvers, *self.escalation_approvers, *self.quiet_approvers)
            if is_usergroup_id(a)
        )

    def resolve(
        self, request: ApprovalRequest, members: Mapping[str, frozenset[str]]
    ) -> ApproverPolicy:
        """The record's policy, usergroups replaced by their `members`.

        Raises:
            InvalidRequestError: the people who may decide cannot reach the quorum (the
                requester drops out unless self-approval is allowed).
        """
        quiet_ids = _expand(self.quiet_approvers, members)
        approver_ids = _expand(self.approvers, members) | quiet_ids
        eligible = approver_ids - (
            {request.requester_id} if not self.allow_self_approval else set()
        )
        if len(eligible) < self.quorum:
            raise InvalidRequestError("policy", _infeasible(self.quorum, len(eligible)))
        return ApproverPolicy(
            approver_ids,
            quorum=self.quorum,
            allow_self_approval=self.allow_self_approval,
            viewer_ids=frozenset(self.viewers),
            allow_delegation=self.allow_delegation,
            quiet_ids=quiet_ids,
        )

    def escalation_ids(self, members: Mapping[str, frozenset[str]]) -> frozenset[str]:
        """The escalation approvers as user ids."""
        return _expand(self.escalation_approvers, members)


def _infeasible(quorum: int, eligible: int) -> str:
    return (
        f"needs {quorum} approvers but only {eligible} may decide "
        "(the requester cannot approve their own request)"
    )


def _expand(ids: Iterable[str], members: Mapping[str, frozenset[str]]) -> frozenset[str]:
    found: set[str] = set()
    for entry in ids:
        found |= members[entry] if is_usergroup_id(entry) else {entry}
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class AutoApprove:
    """Approve without asking anyone; the reason is kept in the audit trail and the decision."""

    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise InvalidRequestError("reason", "an automatic approval needs a reason")


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
class Tiers:
    """One optional way to choose a policy: by amount, in the one currency it is stated in.

    Below `auto_approve_below_cents` → approved automatically; above
    `dual_approval_above_cents` → two distinct approvers; in between → one. Both thresholds
    are in `currency`'s minor unit (as `Amount.cents`: 100_000 is 1,000.00 EUR, 100,000 JPY,
    100.000 KWD), and every message states them in `currency`. The same people decide both
    human tiers, each with its own ladder. A sensitive request is never approved
    automatically, whatever its amount: it asks for a person's deliberate confirmation, so
    below the threshold it gets the lowest human tier (one approver), and the gate is never
    handed an `AutoApprove` it must refuse.

    An amount in another currency is refused (`InvalidRequestError` naming both currencies),
    neither approved automatically nor put to a human tier. Its minor units are not
    comparable with the thresholds (99,999 is 999.99 USD, 99,999 JPY or 99.999 KWD), no
    exchange rate is guessed, and even the human tier it would need is unknown: one approver
    or two depends on the comparison. Limits set in one currency bind that currency only: a
    currency they were not set for is declined loudly at its first request, so someone states
    limits for it, rather than quietly put to people whose workload and ladders were sized
    for other amounts (and a one-approver configuration could not even offer the dual tier).
    The order example asks its tiers when it validates an order, so an order in another
    currency is refused as invalid before anything is reserved. To accept several currencies,
    state `Tiers` per currency and choose by `amount.currency`.

    Raises:
        ConfigError: every problem at once: a threshold that is negative or not a whole
            number, the dual threshold below the auto-approve one, a currency that is not a
            three-letter ISO 4217 code, no approvers, malformed ids, or a ladder that
            escalates to no one.
    """

    auto_approve_below_cents: int
    dual_approval_above_cents: int
    approvers: frozenset[str]
    currency: str = field(kw_only=True)  # required: thresholds mean nothing without it
    ladders: Mapping[Tier, Ladder] = field(default_factory=dict)
    escalation_approvers: frozenset[str] = field(default_factory=frozenset)
    viewer_ids: frozenset[str] = field(default_factory=frozenset)
    allow_self_approval: bool = False

    def __post_init__(self) -> None:
        problems = self._threshold_problems()
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
        escalates = any(
            stage is Stage.ESCALATE
            for ladder in self.ladders.values()
            for _, stage in ladder.rungs()
        )
        if escalates and not self.escalation_approvers:
            problems.append("a ladder escalates, so escalation approvers are required")
        if problems:
            raise ConfigError(problems)

    def _threshold_problems(self) -> list[str]:
        """What is wrong with the currency and the thresholds, stated in the currency."""
        problems: list[str] = []
        currency_ok = is_currency_code(self.currency)
        if not currency_ok:
            problems.append(
                f"currency must be a three-letter ISO code like EUR, got {self.currency!r}"
            )
        auto, dual = self.auto_approve_below_cents, self.dual_approval_above_cents
        wrong = [
            name
            for name, value in (("auto-approve", auto), ("dual-approval", dual))
            if isinstance(value, bool) or not isinstance(value, int)
        ]
        if wrong:
            problems.extend(
                f"the {name} threshold must be a whole number of the currency's minor unit"
                for name in wrong
            )
            return problems

        def shown(cents: int) -> str:
            return format_amount(cents, self.currency) if currency_ok else str(cents)

        if auto < 0:
            problems.append(f"the auto-approve threshold must not be negative, got {auto}")
        if dual < auto:
            problems.append(
                f"the dual-approval threshold ({shown(dual)}) must not be below the"
                f" auto-approve one ({shown(auto)})"
            )
        return problems

    def tier(self, amount: Amount, *, sensitive: bool = False) -> Tier:
        """The tier `amount` falls in (never `AUTO` for a `sensitive` request).

        Raises:
            InvalidRequestError: `amount` is not in the tiers' currency (see the class).
        """
        if amount.currency != self.currency:
            raise InvalidRequestError(
                "amount.currency",
                f"{amount.text} is in {amount.currency}, but these tiers are stated in"
                f" {self.currency}: it cannot be compared with their thresholds, so it is"
                " neither approved automatically nor put to approvers;"
                f" tiers stated in {amount.currency} would accept it",
            )
        if amount.cents < self.auto_approve_below_cents:
            return Tier.SINGLE if sensitive else Tier.AUTO
        return Tier.DUAL if amount.cents > self.dual_approval_above_cents else Tier.SINGLE

    def choose(self, amount: Amount, *, sensitive: bool = False) -> Policy | AutoApprove:
        """The policy for a request of `amount`, or an automatic approval with its reason.

        Pass the request's `sensitive` flag: a sensitive request is put to a person at any
        amount (the gate refuses `AutoApprove` for it).

        Raises:
            InvalidRequestError: `amount` is not in the tiers' currency (nothing is chosen:
                see the class), or the tier needs more people than are named (and no
                usergroup may add any): one named approver is enough to configure, and to try
                the single tier, so this is refused per request, not at cold start.
        """
        tier = self.tier(amount, sensitive=sensitive)
        if tier is Tier.AUTO:
            limit = format_amount(self.auto_approve_below_cents, self.currency)
            return AutoApprove(f"{amount.text} is below {limit}")
        return Policy(
            approvers=tuple(sorted(self.approvers)),
            quorum=tier.quorum,
            viewers=tuple(sorted(self.viewer_ids)),
            escalation_approvers=tuple(sorted(self.escalation_approvers)),
            allow_self_approval=self.allow_self_approval,
            ladder=self.ladders.get(tier, DEFAULT_LADDER),
        )
