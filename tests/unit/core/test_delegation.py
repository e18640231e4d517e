"""Delegation: the command's text, the rules (no self, no chains, no cycles), the vote a
delegate casts (the delegator's, in the same conditional write), and how it is shown."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from greenlight.core.approvers import delegate_refusal, delegator_for
from greenlight.core.blocks import request_blocks
from greenlight.core.delegation import (
    Action,
    DelegationEntry,
    DelegationRefusedError,
    delegate,
    is_delegation_command,
    parse_command,
    undelegate,
)
from greenlight.core.errors import InvalidRequestError, NotAuthorizedError
from greenlight.core.outcome import decision_from_success, decision_payload
from greenlight.core.policy import ApproverPolicy, Policy
from greenlight.core.record import ApprovalRecord
from greenlight.core.vote_audit import vote_lines
from greenlight.core.vote_write import VoteWrite, count_vote, vote_update
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from greenlight.testing.store import InMemoryApprovalStore
from tests.unit.core.test_vote_write import AT, pending, written

TODAY = date(2026, 11, 30)
NOW = "2026-11-30T10:00:00+00:00"
UNTIL = "2026-12-24T23:59:59+00:00"


def test_the_command_reads_slacks_escaped_mention_and_a_day() -> None:
    assert parse_command("delegate <@U0CAROL|carol> until 2026-12-24", TODAY) == parse_command(
        "DELEGATE <@U0CAROL> until 2026-12-24", TODAY
    )
    command = parse_command("delegate <@U0CAROL|carol> until 2026-12-24", TODAY)
    assert (command.action, command.delegate_id, command.until) == (
        Action.DELEGATE,
        "U0CAROL",
        UNTIL,
    )
    assert parse_command("undelegate", TODAY).action is Action.UNDELEGATE
    assert is_delegation_command("delegate x")
    assert not is_delegation_command("")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("delegate @carol until 2026-12-24", "mention the person"),  # not escaped by Slack
        ("delegate <@U0CAROL>", "/approvals delegate @someone until YYYY-MM-DD"),
        ("delegate <@U0CAROL> until 24/12/2026", "YYYY-MM-DD"),
        ("delegate <@U0CAROL> until 2026-02-30", "not a day of the calendar"),
        ("delegate <@U0CAROL> until 2026-11-29", "already passed"),
        ("delegate <@U0CAROL> until 2028-01-01", "at most 366 days"),
        ("delegate <#C0APPROVALS> until 2026-12-24", "mention the person"),
        ("undelegate now", "takes nothing"),
    ],
)
def test_a_command_we_cannot_read_is_refused_with_what_to_type(text: str, says: str) -> None:
    with pytest.raises(InvalidRequestError, match=says):
        parse_command(text, TODAY)


def test_a_delegation_changes_both_entries() -> None:
    bob, carol = DelegationEntry("U0BOB"), DelegationEntry("U0CAROL")
    bob_after, carol_after = delegate(bob, carol, UNTIL, NOW)
    assert bob_after.delegate_at(NOW) == "U0CAROL"
    assert carol_after.delegators_at(NOW) == ["U0BOB"]
    assert (bob_after.version, carol_after.version) == (1, 1)
    # and it ends at the end of its day, or when undelegated
    assert carol_after.delegators_at("2026-12-25T00:00:00+00:00") == []
    bob_end, carol_end = undelegate(bob_after, carol_after)
    assert bob_end.delegate_at(NOW) is None
    assert carol_end.delegators_at(NOW) == []
    assert DelegationEntry.from_item(carol_after.to_item()) == carol_after


def test_delegations_never_chain_nor_cycle() -> None:
    bob, carol = delegate(DelegationEntry("U0BOB"), DelegationEntry("U0CAROL"), UNTIL, NOW)
    dave = DelegationEntry("U0DAVE")
    # carol, bob's delegate, cannot pass it on
    with pytest.raises(DelegationRefusedError, match="a delegate cannot pass that on"):
        delegate(carol, dave, UNTIL, NOW)
    # nobody may delegate to bob, who is away (chain), and carol may not delegate back (cycle)
    with pytest.raises(DelegationRefusedError, match="do not chain"):
        delegate(dave, bob, UNTIL, NOW)
    with pytest.raises(DelegationRefusedError, match="cannot pass that on"):
        delegate(carol, bob, UNTIL, NOW)
    # a second delegate for bob needs an undelegate first; nobody delegates to themselves
    with pytest.raises(DelegationRefusedError, match="undelegate"):
        delegate(bob, dave, UNTIL, NOW)
    with pytest.raises(DelegationRefusedError, match="yourself"):
        delegate(dave, dave, UNTIL, NOW)


def test_a_cycle_is_named_as_one() -> None:
    carol, bob = delegate(DelegationEntry("U0CAROL"), DelegationEntry("U0BOB"), UNTIL, NOW)
    with pytest.raises(DelegationRefusedError, match="cycle"):
        delegate(replace(bob, decides_for={}), carol, UNTIL, NOW)


def test_a_delegation_past_its_day_counts_as_none() -> None:
    old = "2026-11-01T23:59:59+00:00"
    bob, carol = delegate(DelegationEntry("U0BOB"), DelegationEntry("U0CAROL"), old, old[:10])
    dave = DelegationEntry("U0DAVE")
    assert delegate(carol, dave, UNTIL, NOW)[0].delegate_at(NOW) == "U0DAVE"
    assert delegate(bob, dave, UNTIL, NOW)[0].delegate_at(NOW) == "U0DAVE"


def delegating(quorum: int = 2, *, allow: bool = True) -> ApprovalRecord:
    record = pending(quorum)
    return replace(record, policy=replace(record.policy, allow_delegation=allow))


CAROL_FOR_BOB = Vote("U0BOB", Verdict.APPROVE, AT, cast_by="U0DAVE")


def test_a_delegates_vote_is_written_as_the_delegators_with_both_names() -> None:
    record = delegating()
    after = written(CAROL_FOR_BOB, VoteWrite.COUNTING, record)
    assert after is not None
    vote = after.vote_of("U0BOB")
    assert vote is not None
    assert vote.cast_by == "U0DAVE"
    (line,) = vote_lines(record, after)
    assert (line.actor, line.detail) == ("U0BOB", "approve cast by U0DAVE")


def test_a_delegates_vote_is_refused_by_the_write_unless_the_request_allows_it() -> None:
    assert written(CAROL_FOR_BOB, VoteWrite.COUNTING, delegating(allow=False)) is None
    # nor by the requester, nor by someone who may decide in their own right
    for delegate_id in ("U0ALICE", "U0CAROL"):
        vote = replace(CAROL_FOR_BOB, cast_by=delegate_id)
        assert written(vote, VoteWrite.COUNTING, delegating()) is None


def test_a_refused_delegated_vote_says_why() -> None:
    store = InMemoryApprovalStore()
    record = store.create(delegating(allow=False))
    with pytest.raises(NotAuthorizedError, match="does not allow delegates"):
        count_vote(store, record.approval_id, CAROL_FOR_BOB)


def test_the_delegator_and_the_delegate_give_one_vote() -> None:
    store = InMemoryApprovalStore()
    record = store.create(delegating())
    _, first = count_vote(store, record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))
    after, second = count_vote(store, record.approval_id, CAROL_FOR_BOB)
    assert (first, second) == (VoteEffect.COUNTED, VoteEffect.ALREADY_COUNTED)
    assert [v.user_id for v in after.votes] == ["U0BOB"]
    assert after.status is Status.PENDING


def test_the_message_says_carol_for_bob() -> None:
    record = delegating(quorum=1).with_vote(CAROL_FOR_BOB)
    text = str(request_blocks(record))
    assert "<@U0DAVE> for <@U0BOB>" in text


def test_the_policy_flag_travels_to_the_record_and_is_off_by_default() -> None:
    assert Policy(approvers=("U0BOB",)).allow_delegation is False
    resolved = Policy(approvers=("U0BOB",), allow_delegation=True).resolve(pending().request, {})
    assert resolved.allow_delegation is True
    assert ApproverPolicy.from_dict(resolved.to_dict()).allow_delegation is True
    with pytest.raises(InvalidRequestError):
        Policy(approvers=("U0BOB",), allow_delegation="yes")  # type: ignore[arg-type]


def test_the_workflow_learns_who_cast_the_delegators_vote() -> None:
    record = delegating(quorum=1).with_vote(CAROL_FOR_BOB)
    decision = decision_from_success(json.loads(decision_payload(record)))
    assert [(v.user_id, v.cast_by) for v in decision.votes] == [("U0BOB", "U0DAVE")]


def test_a_delegate_votes_for_the_first_delegator_who_still_waits() -> None:
    # Given a request bob and carol may decide, and dave deciding for both
    record = delegating()
    delegators = ["U0CAROL", "U0BOB", "U0EVE"]  # eve may not decide it: never chosen
    # Then dave votes for the first by id who has not voted yet
    assert delegator_for(record, "U0DAVE", delegators) == "U0BOB"
    bob_voted = record.with_vote(Vote("U0BOB", Verdict.APPROVE, AT))
    assert delegator_for(bob_voted, "U0DAVE", delegators) == "U0CAROL"
    # and when all have voted, for the first: the write then answers "already counted"
    both_voted = bob_voted.with_vote(Vote("U0CAROL", Verdict.APPROVE, AT))
    assert delegator_for(both_voted, "U0DAVE", delegators) == "U0BOB"
    assert delegator_for(record, "U0DAVE", ["U0EVE"]) is None


@pytest.mark.parametrize(
    ("delegate_id", "allow", "why"),
    [
        ("U0DAVE", False, "this request does not allow delegates to decide"),
        ("U0ALICE", True, "you cannot decide your own request, not even as a delegate"),
        ("U0CAROL", True, "you decide this request as yourself, not as a delegate"),
    ],
)
def test_a_request_that_refuses_the_delegate_gives_them_no_one_to_vote_for(
    delegate_id: str, allow: bool, why: str
) -> None:
    record = delegating(allow=allow)
    assert delegate_refusal(record.policy, record.request, delegate_id) == why
    assert delegator_for(record, delegate_id, ["U0BOB"]) is None
    assert delegate_refusal(record.policy, record.request, "U0DAVE" if allow else "U0X") == (
        None if allow else "this request does not allow delegates to decide"
    )


def test_a_delegation_may_end_today_or_in_366_days_and_not_a_day_later() -> None:
    assert parse_command("delegate <@U0CAROL> until 2026-11-30", TODAY).until == (
        "2026-11-30T23:59:59+00:00"
    )
    assert parse_command("delegate <@U0CAROL> until 2027-12-01", TODAY).until == (
        "2027-12-01T23:59:59+00:00"
    )
    with pytest.raises(InvalidRequestError, match="at most 366 days"):
        parse_command("delegate <@U0CAROL> until 2027-12-02", TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "delegate <@U0CAROL> until 2026-12-24 and more",
        "delegate x<@U0CAROL> until 2026-12-24",
        "delegate <@U0CAROL>x until 2026-12-24",
    ],
)
def test_a_command_with_anything_around_its_parts_is_refused(text: str) -> None:
    with pytest.raises(InvalidRequestError):
        parse_command(text, TODAY)


def test_a_delegation_lasts_to_the_last_second_of_its_day() -> None:
    bob, carol = delegate(DelegationEntry("U0BOB"), DelegationEntry("U0CAROL"), UNTIL, NOW)
    assert bob.delegate_at(UNTIL) == "U0CAROL"
    assert carol.delegators_at(UNTIL) == ["U0BOB"]
    assert bob.delegate_at("2026-12-25T00:00:00+00:00") is None


def test_delegating_again_to_the_same_person_changes_the_day() -> None:
    bob, carol = delegate(DelegationEntry("U0BOB"), DelegationEntry("U0CAROL"), UNTIL, NOW)
    later = "2026-12-31T23:59:59+00:00"
    bob, carol = delegate(bob, carol, later, NOW)
    assert (bob.delegate_at(later), carol.delegators_at(later)) == ("U0CAROL", ["U0BOB"])
    assert (bob.version, carol.version) == (2, 2)


def test_a_delegation_drops_the_delegates_ended_ones() -> None:
    # Carol decided for Dave until a day now past; Bob's delegation leaves only his in her entry
    carol = DelegationEntry("U0CAROL", decides_for={"U0DAVE": "2026-11-01T23:59:59+00:00"})
    _, carol = delegate(DelegationEntry("U0BOB"), carol, UNTIL, NOW)
    assert carol.decides_for == {"U0BOB": UNTIL}


def test_an_undelegation_moves_both_versions() -> None:
    # Each entry's write is conditional on the version read: an undelegation that left one
    # unmoved could be overwritten by a concurrent write that read the entry before it
    bob, carol = delegate(DelegationEntry("U0BOB"), DelegationEntry("U0CAROL"), UNTIL, NOW)
    bob_end, carol_end = undelegate(bob, carol)
    assert (bob_end.version, carol_end.version) == (bob.version + 1, carol.version + 1)


def test_a_command_is_stale_only_if_sent_before_the_last_one() -> None:
    entry = DelegationEntry("U0BOB", commanded_at=1_700_000_000)
    assert entry.is_stale(1_699_999_999)
    assert not entry.is_stale(1_700_000_000)  # within the same second: both count
    assert not entry.is_stale(1_700_000_001)
    assert not entry.is_stale(None)  # no time to compare: not refused as a replay
    assert not DelegationEntry("U0BOB").is_stale(1_700_000_000)  # never commanded


@pytest.mark.parametrize("text", ["help", "list pending", "delegates", "foo <@U0CAROL> until"])
def test_only_delegate_and_undelegate_are_delegation_commands(text: str) -> None:
    assert not is_delegation_command(text)


def test_a_command_of_another_name_shaped_like_a_delegation_is_refused() -> None:
    with pytest.raises(InvalidRequestError, match="/approvals delegate @someone"):
        parse_command("redelegate <@U0CAROL> until 2026-12-24", TODAY)


DAVE_REJECTS_FOR_BOB = Vote("U0BOB", Verdict.REJECT, AT, "no budget", cast_by="U0DAVE")


@pytest.mark.parametrize("write", list(VoteWrite))
def test_a_delegates_veto_is_held_to_the_same_rule_as_an_approval(write: VoteWrite) -> None:
    # A reject settles the request alone: cast by a delegate, it must be allowed exactly when
    # their approval would be
    assert written(DAVE_REJECTS_FOR_BOB, write, delegating(allow=False)) is None
    for delegate_id in ("U0ALICE", "U0CAROL"):  # the requester; an approver in their own right
        vote = replace(DAVE_REJECTS_FOR_BOB, cast_by=delegate_id)
        assert written(vote, write, delegating()) is None
    vetoed = written(DAVE_REJECTS_FOR_BOB, write, delegating())
    assert vetoed is not None
    assert vetoed.status is Status.REJECTED


def test_a_refused_delegated_veto_says_why() -> None:
    store = InMemoryApprovalStore()
    record = store.create(delegating(allow=False))
    with pytest.raises(NotAuthorizedError, match="does not allow delegates"):
        count_vote(store, record.approval_id, DAVE_REJECTS_FOR_BOB)
    assert store.get(record.approval_id) == record


def test_a_record_stored_before_delegation_existed_refuses_a_delegates_vote() -> None:
    # Its stored policy has no `allow_delegation` at all: no delegate may vote on it
    record = delegating()
    item = record.to_item()
    del item["policy"]["allow_delegation"]
    for vote in (CAROL_FOR_BOB, DAVE_REJECTS_FOR_BOB):
        assert vote_update(vote, VoteWrite.COUNTING).apply(item, {"approval_id": "x"}) is None
    assert not ApprovalRecord.from_item(item).policy.allow_delegation


def test_the_requester_is_no_delegate_even_where_they_may_approve_their_own_request() -> None:
    # Self-approval lets the requester decide as an approver, never as someone's delegate
    policy = ApproverPolicy(
        frozenset({"U0BOB", "U0CAROL"}), allow_self_approval=True, allow_delegation=True
    )
    assert delegate_refusal(policy, pending().request, "U0ALICE") == (
        "you cannot decide your own request, not even as a delegate"
    )


def test_an_approver_added_by_the_escalation_is_no_delegate() -> None:
    # Frank, added when the request was escalated, decides it as himself (one vote), not also
    # as Bob's delegate
    record = delegating().escalated(frozenset({"U0FRANK"}))
    assert delegate_refusal(record.policy, record.request, "U0FRANK") == (
        "you decide this request as yourself, not as a delegate"
    )
    assert written(replace(CAROL_FOR_BOB, cast_by="U0FRANK"), VoteWrite.COUNTING, record) is None


def test_an_entry_read_back_keeps_when_it_was_last_commanded() -> None:
    # The replay guard (`is_stale`) reads `commanded_at` from the stored entry: lost in the
    # round trip, a replayed command would pass it
    entry = DelegationEntry("U0BOB", "U0CAROL", UNTIL, version=3, commanded_at=1_700_000_000)
    assert DelegationEntry.from_item(entry.to_item()) == entry
    assert DelegationEntry.from_item(entry.to_item()).is_stale(1_699_999_999)


def test_whom_a_delegate_decides_for_is_sorted() -> None:
    carol = DelegationEntry("U0CAROL", decides_for={"U0DAVE": UNTIL, "U0BOB": UNTIL})
    assert carol.delegators_at(NOW) == ["U0BOB", "U0DAVE"]
