"""The delegate rule is written twice, once as a pure function and once as the vote's write
condition; here the two answer alike, in both stores, for every kind of delegate.

`delegate_refusal` is what the webhook asks before a delegate's vote (and what the Home tab
asks to list what a delegate may decide); `delegate_conditions` is the same rule as a
DynamoDB condition on the stored item, evaluated by DynamoDB (moto) and by the in-memory
store. If they ever differ, a delegate would see buttons the write refuses, or a write would
count a vote the webhook's rule says it must not.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.core.approvers import delegate_refusal
from greenlight.core.vote_write import VoteWrite, vote_update
from greenlight.core.votes import Verdict, Vote
from greenlight.testing import InMemoryApprovalStore
from tests.contract.store.conftest import posted

if TYPE_CHECKING:
    from tests.contract.store.conftest import Subject

AT = "2026-11-22T12:01:00+00:00"
DELEGATOR = "U0BOB"
# The requester, another approver, a viewer, someone with no part in it (a vote the delegator
# casts "for" themselves is no vote at all: `Vote` refuses it)
DELEGATES = ("U0ALICE", "U0CAROL", "U0VERA", "U0DAVE")
APPROVERS = frozenset({"U0ALICE", "U0BOB", "U0CAROL"})  # U0ALICE requests (conftest)
SHAPES = list(itertools.product([False, True], [False, True]))  # delegation, self-approval


@pytest.mark.parametrize(("allow_delegation", "allow_self_approval"), SHAPES)
def test_the_write_counts_a_delegates_vote_exactly_when_the_rule_allows_it(
    subject: Subject, allow_delegation: bool, allow_self_approval: bool
) -> None:
    store = subject.store
    assert isinstance(store, InMemoryApprovalStore | DynamoApprovalStore)  # both send write_if
    answers = {}
    for delegate_id in DELEGATES:
        # Given a pending request the delegator may decide and has not voted on
        record = posted(
            store,
            approvers=APPROVERS,
            viewers=frozenset({"U0VERA"}),
            quorum=2,
            allow_delegation=allow_delegation,
            allow_self_approval=allow_self_approval,
        )
        # When the delegate's vote for the delegator is sent as its conditional write
        vote = Vote(DELEGATOR, Verdict.APPROVE, AT, cast_by=delegate_id)
        answer = store.write_if(record.approval_id, vote_update(vote, VoteWrite.COUNTING))
        allowed = delegate_refusal(record.policy, record.request, delegate_id) is None
        answers[delegate_id] = (answer.written, allowed)

    # Then the store wrote exactly the votes the pure rule allows
    assert [d for d, (written, allowed) in answers.items() if written != allowed] == []
    # and the case is not empty: with delegation on, the viewer and the outsider may vote
    may = sorted(d for d, (_, allowed) in answers.items() if allowed)
    assert may == (["U0DAVE", "U0VERA"] if allow_delegation else [])
