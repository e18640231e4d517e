"""The vote ledger's rules: any reject vetoes, a quorum of distinct people approves."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from greenlight.core.errors import InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_REASON = 500
MAX_COMMENT = MAX_REASON  # an approval's comment: the same room as a rejection's reason


class Verdict(StrEnum):
    """What one person said."""

    APPROVE = "approve"
    REJECT = "reject"


class Status(StrEnum):
    """Where an approval stands; only PENDING may change."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        """True once nothing may change the approval any more."""
        return self is not Status.PENDING


class VoteEffect(StrEnum):
    """What recording one vote did: nothing new (already counted), counted it, or decided."""

    ALREADY_COUNTED = "already_counted"
    COUNTED = "counted"
    DECIDED = "decided"


@dataclass(frozen=True, slots=True)
class Vote:
    """One person's verdict, when they gave it (ISO-8601 UTC) and what they wrote: for a reject
    why (`reason`, required), for an approve an optional `comment`.

    `cast_by` is the delegate who cast it for `user_id` (`/approvals delegate`), None when
    `user_id` clicked: it counts as `user_id`'s vote (one per person, however many click), and
    both names are shown and audited.

    `confirmed` says the vote was cast through a modal (approve with comment, or the
    confirmation of a sensitive request), not one click; the vote's conditional write refuses
    an unconfirmed approve of a sensitive request. It is not stored: every approve stored on a
    sensitive request was confirmed, so it would say nothing.
    """

    user_id: str
    verdict: Verdict
    at: str
    reason: str | None = None
    cast_by: str | None = None
    comment: str | None = None
    confirmed: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.verdict is Verdict.REJECT and not (self.reason and self.reason.strip()):
            raise InvalidRequestError("reason", "a rejection needs a reason")
        if self.reason is not None and len(self.reason) > MAX_REASON:
            raise InvalidRequestError("reason", f"at most {MAX_REASON} characters")
        if self.cast_by == self.user_id:
            raise InvalidRequestError("cast_by", "a vote cast for oneself is one's own vote")
        if self.comment is not None:
            if self.verdict is not Verdict.APPROVE:
                raise InvalidRequestError("comment", "only an approval carries a comment")
            if not self.comment.strip() or len(self.comment) > MAX_COMMENT:
                raise InvalidRequestError("comment", f"1 to {MAX_COMMENT} characters")

    @property
    def caster(self) -> str:
        """The person who cast it: the delegate, else `user_id` themself. One counted vote per
        person per approval: whoever cast one (their own, or someone's as a delegate) casts no
        other, so a delegate of several approvers cannot reach a quorum alone."""
        return self.cast_by or self.user_id


def approvals_counted(votes: Iterable[Vote]) -> int:
    """How many approvals count toward the quorum: the distinct people who cast one
    (`Vote.caster`), not the approvers they were cast for.

    The same number as the approvers who approved on every record the vote's write keeps
    (`voters` lets a person cast one vote only). It differs only on a record stored before
    that rule, where a delegate of two approvers may have cast both their votes: those count
    once, so the request still needs its quorum of people, not of names (the votes stay
    shown and audited as cast).
    """
    return len({v.caster for v in votes if v.verdict is Verdict.APPROVE})


def tally(votes: Iterable[Vote], quorum: int) -> Status:
    """Decide from the votes cast so far.

    A single reject is a veto; otherwise approvals cast by `quorum` distinct people approve
    (`approvals_counted`). Order does not matter, and a person counts once however often
    their vote is recorded, and however many approvers they cast a vote for.
    """
    cast = list(votes)
    if any(v.verdict is Verdict.REJECT for v in cast):
        return Status.REJECTED
    return Status.APPROVED if approvals_counted(cast) >= quorum else Status.PENDING


def deciding_votes(votes: Iterable[Vote], status: Status) -> list[Vote]:
    """The votes that made the decision, earliest first: the approvers, or the veto."""
    wanted = Verdict.REJECT if status is Status.REJECTED else Verdict.APPROVE
    chosen = [v for v in votes if v.verdict is wanted]
    chosen.sort(key=lambda v: (v.at, v.user_id))
    return chosen[:1] if status is Status.REJECTED else chosen
