"""The transaction a state change writes (the gate's, the operator's, and a vote on a record
stored before votes were one write): only what changed, only over the version it read."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from greenlight.aws.approval_store import replace_items
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.vote_audit import vote_lines
from greenlight.core.votes import Verdict, Vote

AT = "2026-11-22T12:00:00+00:00"


def pending(quorum: int = 2) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="a" * 22,
        callback_id="cb-1",
        execution_arn="arn:exec",
        request=ApprovalRequest(
            "Order ord-1", "U0ALICE", amount=Amount(125_000, "EUR"), reference="ord-1"
        ),
        policy=ApproverPolicy(frozenset({"U0BOB", "U0CAROL"}), quorum=quorum),
        created_at=AT,
        expires_at="2026-11-23T12:00:00+00:00",
        ttl=1_800_000_000,
        slack=SlackMessage("C0APPROVALS", "1700000000.000001"),
        version=3,
    )


def update_of(items: list[dict[str, object]]) -> dict[str, object]:
    update = items[0]["Update"]
    assert isinstance(update, dict)
    return update


def _mapping(update: dict[str, object], key: str) -> dict[str, object]:
    mapping = update[key]
    assert isinstance(mapping, dict)
    return mapping


def readable(update: dict[str, object], expression: str) -> str:
    """An expression with its placeholders replaced by the names and values they stand for."""
    names, values = (
        _mapping(update, "ExpressionAttributeNames"),
        _mapping(update, "ExpressionAttributeValues"),
    )
    text = re.sub(r"#\w+", lambda m: str(names[m.group()]), str(update[expression]))
    return re.sub(r":\w+", lambda m: repr(values[m.group()]), text)


def assignments(update: dict[str, object]) -> dict[str, object]:
    """What the update's SET clause writes, by attribute name."""
    names, values = (
        _mapping(update, "ExpressionAttributeNames"),
        _mapping(update, "ExpressionAttributeValues"),
    )
    sets = str(update["UpdateExpression"]).removeprefix("SET ").split(" REMOVE ")[0]
    pairs = (part.split(" = ") for part in sets.split(", "))
    return {str(names[name]): values[value] for name, value in pairs}


def set_names(update: dict[str, object]) -> set[str]:
    return set(assignments(update))


def test_a_vote_that_does_not_decide_writes_its_votes_and_version_only() -> None:
    before = pending()
    vote = Vote("U0BOB", Verdict.APPROVE, AT)
    after = before.with_vote(vote)
    items = replace_items("approvals", "audit", before, after, vote_lines(before, after))
    update = update_of(items)
    assert set_names(update) == {"votes", "version", "approved_by", "approvals_needed", "voters"}
    assert readable(update, "ConditionExpression") == "status = 'pending' AND version = 3"
    assert assignments(update)["version"] == 4
    assert [item["Put"]["TableName"] for item in items[1:]] == ["audit"]


def test_a_deciding_vote_writes_the_decision_and_two_audit_lines() -> None:
    before = pending(quorum=1)
    vote = Vote("U0BOB", Verdict.APPROVE, AT)
    after = before.with_vote(vote)
    items = replace_items("approvals", "audit", before, after, vote_lines(before, after))
    assert set_names(update_of(items)) == {
        "approved_by",
        "approvals_needed",
        "votes",
        "voters",
        "version",
        "status",
        "decided_by",
        "decided_at",
    }
    assert len(items) == 3


def test_a_field_that_is_gone_after_the_change_is_removed() -> None:
    before = replace(pending(), reason="asked twice")
    after = replace(before, reason=None, version=before.version + 1)
    update = update_of(replace_items("approvals", "audit", before, after, []))
    assert readable(update, "UpdateExpression").endswith(" REMOVE reason")


def test_a_change_that_does_not_move_the_version_is_refused() -> None:
    before = pending()
    with pytest.raises(ValueError, match="version"):
        replace_items("approvals", "audit", before, replace(before, callback_id="cb-2"), [])
