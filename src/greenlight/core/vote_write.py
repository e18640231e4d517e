"""A vote as one conditional write: the condition is the authorization, the update the count.

The click path does not read the record first. The store sends one `UpdateItem` built here,
whose condition says everything `authorize` and `tally` would have checked on a read: the
approval is pending and not past its `expires_at` (the vote's time is earlier), the clicker
is among `eligible_ids` (usergroups were resolved when the request was posted, the requester
left out unless self-approval is on), the clicker has not voted yet, the person who clicks
has cast no vote yet (`voters`: a delegate of Bob and Dave casts one vote, not two, and not
a third as an approver added later), and (for an approve cast in one click) that the
request is not sensitive. A reject always settles (a veto), so its write also flips the
status. An approve is sent as the *deciding* write when it is the last one missing
(`approvals_needed = 1`: every 1-of-N approve, and the quorum-th of an N-of-M) and as a
*counting* write otherwise (`approvals_needed > 1`); each condition excludes the other, so
exactly one write ever flips a record and a record never reaches its quorum without being
decided.

The store does not know in advance which of the two an approve is, so it tries the deciding
one first (the common 1-of-N case costs one write) and, if refused, reads the refused record
from the refusal itself (`ReturnValuesOnConditionCheckFailure=ALL_OLD`) to know why:
`explain_refusal` turns it into the domain's error, an "already counted" (a Slack retry), or
the other kind of write to send instead.

`voters` lists who cast each vote (`Vote.caster`), appended by every vote's write; the
condition is `attribute_exists(voters) AND NOT contains(voters, :caster)`. A record stored
before `voters` existed fails it whatever the votes, and is counted like a record without
`eligible_ids`: the rule checked on the refused record (`explain_refusal`, `with_vote`), then
a replace conditional on the version read, which writes `voters` (derived from the votes by
`to_item`), so its next vote is one write again. An `if_not_exists(voters, [])` would accept
such a record's votes but miss a vote its delegate cast before the attribute existed.

`contains(eligible_ids, :voter)` tests a List for an element (DynamoDB developer guide,
Expressions.OperatorsAndFunctions.html: "a List that contains a particular element"); operands
of an update read the item before the update, so `decided_by` is the approvers so far plus the
voter. Refusals return the record: `ReturnValuesOnConditionCheckFailure=ALL_OLD` (UpdateItem,
botocore's model; moto 5.2.5 returns it too, so no fallback read is needed).

The write is built here as plain data (`conditional_write.ConditionalUpdate`), next to the rules
it encodes (`tally`, `authorize`), and so is the loop that sends it (`count_vote`): the DynamoDB
store renders the data as `UpdateItem` arguments and maps DynamoDB's errors, the in-memory store
(`greenlight.testing`) evaluates the same data on its items, so both count a vote by one rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from greenlight.core.approvers import (
    authorize,
    authorize_delegate,
    refuse_changed_vote,
    refuse_second_vote,
)
from greenlight.core.conditional_write import (
    Add,
    Append,
    Assign,
    Condition,
    ConditionalUpdate,
    Contains,
    Differs,
    Equals,
    Excludes,
    Greater,
    Missing,
)
from greenlight.core.errors import (
    ConfirmationRequiredError,
    ConflictError,
    NotFoundError,
)
from greenlight.core.record import ApprovalRecord
from greenlight.core.record_write import MAX_ATTEMPTS, RecordTable
from greenlight.core.votes import Status, Verdict, VoteEffect

if TYPE_CHECKING:
    from greenlight.core.conditional_write import Action
    from greenlight.core.votes import Vote

# Attributes the conditional write relies on; written by `ApprovalRecord.to_item`.
VOTE_ATTRIBUTES = ("eligible_ids", "approved_by", "approvals_needed", "voters")
# Present (and true) only on a sensitive request (`ApprovalRequest.to_dict`).
SENSITIVE = ("request", "sensitive")


class VoteWrite(StrEnum):
    """Which write a vote is sent as."""

    DECIDING = "deciding"
    COUNTING = "counting"


def vote_update(vote: Vote, write: VoteWrite) -> ConditionalUpdate:
    """The conditional update of the stored record that counts `vote` as `write`."""
    cast: dict[str, Any] = {"decision": vote.verdict.value, "at": vote.at}
    if vote.reason is not None:
        cast["reason"] = vote.reason
    if vote.comment is not None:
        cast["comment"] = vote.comment
    conditions: list[Condition] = [
        Equals(("status",), Status.PENDING.value),
        Contains(("eligible_ids",), vote.user_id),
        Missing(("votes", vote.user_id)),
        Excludes(("voters",), vote.caster),  # one vote per person, as themself or a delegate
        # Not past its deadline, though still pending: the gate closes an expired request only
        # when it runs again, and never does if its execution ended first (timed out, failed).
        Greater(("expires_at",), vote.at),
    ]
    if vote.cast_by is not None:
        cast["cast_by"] = vote.cast_by
        conditions += delegate_conditions(vote.cast_by)
    if vote.verdict is Verdict.APPROVE and not vote.confirmed:
        # A sensitive request is approved only through its confirmation modal: a one-click
        # approve (or a forged block_actions) is refused by the write itself, not by the client.
        conditions.append(Missing(SENSITIVE))
    actions: list[Action] = [
        Assign(("votes", vote.user_id), cast),
        Append(("voters",), ("voters",), (vote.caster,)),
        Add(("version",), 1),
    ]
    if vote.verdict is Verdict.REJECT:  # a veto: settles whatever the count
        actions += [
            Assign(("status",), Status.REJECTED.value),
            Assign(("decided_by",), [vote.user_id]),
            Assign(("decided_at",), vote.at),
            Assign(("reason",), vote.reason),
        ]
    elif write is VoteWrite.DECIDING:
        # `approved_by` and `approvals_needed` only matter while pending: left as they are
        conditions.append(Equals(("approvals_needed",), 1))
        actions += [
            Assign(("status",), Status.APPROVED.value),
            Append(("decided_by",), ("approved_by",), (vote.user_id,)),
            Assign(("decided_at",), vote.at),
        ]
    else:
        conditions.append(Greater(("approvals_needed",), 1))
        actions += [
            Append(("approved_by",), ("approved_by",), (vote.user_id,)),
            Add(("approvals_needed",), -1),
        ]
    # No "the item exists": a missing item has no status, so the condition fails anyway
    return ConditionalUpdate(tuple(conditions), tuple(actions))


def delegate_conditions(delegate_id: str) -> list[Condition]:
    """What a vote cast by a delegate also needs, checked by the same write: the rule of
    `greenlight.core.approvers.delegate_refusal` on the stored item (the request allows
    delegates, the delegate is not its requester, and not among `eligible_ids`, the approvers
    who decide it in their own right). tests/contract/store/test_delegate_write.py holds the
    two equal in both stores.

    That the delegation holds (the delegator chose this delegate, until a date not yet past)
    is checked by the webhook before the write (`greenlight.webhook.delegation`); the write
    counts the vote as the delegator's (`votes.<delegator>`), so the delegator and the delegate
    clicking at once give one vote.
    """
    return [
        Equals(("policy", "allow_delegation"), True),
        Differs(("request", "requester_id"), delegate_id),
        Excludes(("eligible_ids",), delegate_id),
    ]


@dataclass(frozen=True, slots=True)
class WriteAnswer:
    """What a store did with a conditional update: written (the item after it), or refused
    (the item that refused it; None when there is no such item)."""

    written: bool
    item: dict[str, Any] | None


class VoteTable(RecordTable, Protocol):
    """What a store offers a vote: a conditional update answered with the item, plus the read
    and the version-conditional replace that count votes on records stored before the vote's
    attributes existed."""

    def write_if(self, approval_id: str, update: ConditionalUpdate) -> WriteAnswer:
        """Apply `update` to the stored record if its conditions hold."""
        ...


def count_vote(table: VoteTable, approval_id: str, vote: Vote) -> tuple[ApprovalRecord, VoteEffect]:
    """Count `vote`, deciding the approval if it settles it; what every store's `record_vote` does.

    The deciding write first (the common case costs one write); a refusal says, from the record
    that refused it, whether the vote is wrong (an error), already counted, or the other kind.
    Returns the record as stored after the vote (or as it stood, if already counted) and what
    the vote did.

    Raises:
        NotFoundError, NotAuthorizedError, ConflictError: nothing was written.
    """
    write = VoteWrite.DECIDING  # every reject and most approves decide
    for _ in range(MAX_ATTEMPTS):
        answer = table.write_if(approval_id, vote_update(vote, write))
        if answer.written and answer.item is not None:
            after = ApprovalRecord.from_item(answer.item)
            return after, VoteEffect.DECIDED if after.status.is_final else VoteEffect.COUNTED
        if answer.item is None:
            raise NotFoundError(approval_id)
        record = ApprovalRecord.from_item(answer.item)
        retry = explain_refusal(approval_id, record, vote)
        if retry is None:
            return record, _repeated(record, vote)
        if any(k not in answer.item for k in VOTE_ATTRIBUTES):
            return _count_by_version(table, record, vote)
        write = retry
    raise ConflictError(approval_id, "contended")


def _count_by_version(
    table: RecordTable, record: ApprovalRecord, vote: Vote
) -> tuple[ApprovalRecord, VoteEffect]:
    """Count a vote on a record stored before the vote's attributes existed (no
    `eligible_ids`): decide in memory, write conditional on the version read."""
    current = record
    for _ in range(MAX_ATTEMPTS):
        if explain_refusal(record.approval_id, current, vote) is None:  # or raises, as a write
            return current, _repeated(current, vote)
        after = current.with_vote(vote)
        if table.replace(current, after, []):
            return after, VoteEffect.DECIDED if after.status.is_final else VoteEffect.COUNTED
        current = table.get(record.approval_id)
    raise ConflictError(record.approval_id, "contended")


def _repeated(record: ApprovalRecord, vote: Vote) -> VoteEffect:
    """What a vote found already counted did: nothing new (a double click, a Slack retry),
    unless this very vote decided the record. That is a write DynamoDB applied whose answer
    was lost and which botocore sent again: the caller is told it decided, so it delivers the
    decision and redraws (it never heard the first answer). Another click carries another
    time (`Vote.at`, to the microsecond), so it is never taken for the deciding one."""
    return VoteEffect.DECIDED if record.is_decided_by(vote) else VoteEffect.ALREADY_COUNTED


def refuse_closed(record: ApprovalRecord, at: str) -> None:
    """Refuse a vote at `at` on a record no longer open to votes: decided or expired (who and
    when, from the record), or still pending past its `expires_at` (its gate closes it only
    when it runs again, and never does if its execution ended first): expired, as the vote's
    write refuses it.

    Raises:
        ConflictError: closed.
    """
    if record.status.is_final:
        raise ConflictError(
            record.approval_id, record.status.value, record.decided_by, record.decided_at
        )
    if record.expires_at <= at:
        raise ConflictError(record.approval_id, Status.EXPIRED.value, (), record.expires_at)


def explain_refusal(
    approval_id: str, refused: ApprovalRecord | None, vote: Vote
) -> VoteWrite | None:
    """Why the store refused `vote`, from the record that refused it.

    Returns None when the vote is already counted (a double click, a Slack retry, or this
    very write sent again: success, nothing changes), or the write to send instead (the
    approve was the other kind).

    The clicker's own vote is looked at first: a record decided by this very vote (stored with
    the same time, to the microsecond) is "already counted", never "already decided": it is
    this write, applied, and sent again by botocore because its answer was lost. Any other
    click on a decided record, a decider's later one too, is told who decided and when.

    Raises:
        NotFoundError: there is no such approval.
        AlreadyVotedError: the person who clicked cast another vote on it already (their own,
            or one for someone else as a delegate), or this one would change the vote
            counted for the approver (a reject after an approve, a comment added).
        NotAuthorizedError: the clicker may not decide it (requester, viewer, not listed).
        ConfirmationRequiredError: an unconfirmed approve of a sensitive request.
        ConflictError: it was decided or expired already (by whom and when, if anyone).
    """
    if refused is None:
        raise NotFoundError(approval_id)
    if refused.is_decided_by(vote):
        return None
    authorize(refused.policy, refused.request, approval_id, vote.user_id)
    refuse_second_vote(refused, vote.caster, vote.user_id)
    if vote.cast_by is not None:
        authorize_delegate(refused.policy, refused.request, approval_id, vote.cast_by)
    refuse_closed(refused, vote.at)
    if refuse_changed_vote(refused, vote.caster, vote.user_id, vote):
        return None
    if refused.request.sensitive and vote.verdict is Verdict.APPROVE and not vote.confirmed:
        raise ConfirmationRequiredError(approval_id, vote.user_id)
    return VoteWrite.DECIDING if refused.approvals_needed() <= 1 else VoteWrite.COUNTING
