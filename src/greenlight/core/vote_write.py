"""A vote as one conditional write: the condition is the authorization, the update the count.

The click path does not read the record first. The store sends one `UpdateItem` built here,
whose condition says everything `authorize` and `tally` would have checked on a read: the
approval is pending, the clicker is among `eligible_ids` (usergroups were resolved when the
request was posted, the requester left out unless self-approval is on), and the clicker has
not voted yet. A reject always settles (a veto), so its write also flips the status. An approve
is sent as the *deciding* write when it is the last one missing (`approvals_needed = 1`: every
1-of-N approve, and the quorum-th of an N-of-M) and as a *counting* write otherwise
(`approvals_needed > 1`); each condition excludes the other, so exactly one write ever flips
a record and a record never reaches its quorum without being decided.

The store does not know in advance which of the two an approve is, so it tries the deciding
one first (the common 1-of-N case costs one write) and, if refused, reads the refused record
from the refusal itself (`ReturnValuesOnConditionCheckFailure=ALL_OLD`) to know why:
`explain_refusal` turns it into the domain's error, an "already counted" (a Slack retry), or
the other kind of write to send instead.

`contains(eligible_ids, :voter)` tests a List for an element (DynamoDB developer guide,
Expressions.OperatorsAndFunctions.html: "a List that contains a particular element"); operands
of an update read the item before the update, so `decided_by` is the approvers so far plus the
voter. Refusals return the record: `ReturnValuesOnConditionCheckFailure=ALL_OLD` (UpdateItem,
botocore's model; moto 5.2.5 returns it too, so no fallback read is needed).

The expressions are built here, as plain data, next to the rules they encode (`tally`,
`authorize`), so both are read and tested together; the adapter only sends them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from greenlight.core.errors import ConflictError, NotFoundError
from greenlight.core.policy import authorize
from greenlight.core.votes import Status, Verdict

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from greenlight.core.votes import Vote

# Attributes the conditional write relies on; written by `ApprovalRecord.to_item`.
VOTE_ATTRIBUTES = ("eligible_ids", "approved_by", "approvals_needed")


class VoteWrite(StrEnum):
    """Which write a vote is sent as."""

    DECIDING = "deciding"
    COUNTING = "counting"


def vote_update(vote: Vote, write: VoteWrite) -> dict[str, Any]:
    """The `UpdateItem` arguments (without table and key) that count `vote` as `write`.

    Plain Python values (a boto3 Table serializes them); `ReturnValues=ALL_NEW` gives the record
    after the vote, `ALL_OLD` on refusal the record that refused it.
    """
    cast: dict[str, Any] = {"decision": vote.verdict.value, "at": vote.at}
    if vote.reason is not None:
        cast["reason"] = vote.reason
    names = {
        "#status": "status",
        "#eligible": "eligible_ids",
        "#votes": "votes",
        "#voter": vote.user_id,
        "#version": "version",
    }
    values: dict[str, Any] = {
        ":pending": Status.PENDING.value,
        ":voter": vote.user_id,
        ":vote": cast,
        ":one": 1,
    }
    condition = (
        "#status = :pending AND contains(#eligible, :voter) AND attribute_not_exists(#votes.#voter)"
    )
    sets = ["#votes.#voter = :vote", "#version = #version + :one"]
    if vote.verdict is Verdict.REJECT:
        names |= {"#decided_by": "decided_by", "#decided_at": "decided_at", "#reason": "reason"}
        values |= {":rejected": Status.REJECTED.value, ":me": [vote.user_id], ":at": vote.at}
        values[":reason"] = vote.reason
        sets += [
            "#status = :rejected",
            "#decided_by = :me",
            "#decided_at = :at",
            "#reason = :reason",
        ]
    else:
        names |= {"#approved_by": "approved_by", "#needed": "approvals_needed"}
        values[":me"] = [vote.user_id]
        if write is VoteWrite.DECIDING:
            # `approved_by` and `approvals_needed` only matter while pending: left as they are
            condition += " AND #needed = :one"
            names |= {"#decided_by": "decided_by", "#decided_at": "decided_at"}
            values |= {":approved": Status.APPROVED.value, ":at": vote.at}
            sets += [
                "#status = :approved",
                "#decided_by = list_append(#approved_by, :me)",
                "#decided_at = :at",
            ]
        else:
            condition += " AND #needed > :one"
            sets += ["#approved_by = list_append(#approved_by, :me)", "#needed = #needed - :one"]
    return {
        "UpdateExpression": "SET " + ", ".join(sets),
        # No `attribute_exists`: a missing item has no status, so the condition fails anyway
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
        "ReturnValues": "ALL_NEW",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }


def explain_refusal(
    approval_id: str, refused: ApprovalRecord | None, vote: Vote
) -> VoteWrite | None:
    """Why the store refused `vote`, from the record that refused it.

    Returns None when the vote is already counted (a double click or a Slack retry: success,
    nothing changes), or the write to send instead (the approve was the other kind).

    Raises:
        NotFoundError: there is no such approval.
        NotAuthorizedError: the clicker may not decide it (requester, viewer, not listed).
        ConflictError: it was decided or expired already (by whom and when, if anyone).
    """
    if refused is None:
        raise NotFoundError(approval_id)
    authorize(refused.policy, refused.request, approval_id, vote.user_id)
    if refused.status.is_final:
        raise ConflictError(
            approval_id, refused.status.value, refused.decided_by, refused.decided_at
        )
    if refused.vote_of(vote.user_id):
        return None
    return VoteWrite.DECIDING if refused.approvals_needed() <= 1 else VoteWrite.COUNTING
