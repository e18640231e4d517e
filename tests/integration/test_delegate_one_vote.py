"""One counted vote per person, over real HTTP: a delegate of two approvers clicks Approve
twice on a 2-of-3 and casts one vote; a delegate later made an approver cannot vote again as
themself. Signed as Slack signs, served by uvicorn over moto's DynamoDB and the fake Slack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from greenlight.core.votes import Status
from tests.integration.test_delegation import click, delegate_to, pending, people, told

if TYPE_CHECKING:
    from tests.integration.conftest import Stack


def callbacks_for(stack: Stack, callback_id: str) -> list[str]:
    return [kind for kind, cid, _ in stack.callbacks.sent() if cid == callback_id]


def test_a_delegate_of_two_approvers_clicking_twice_casts_one_vote(stack: Stack) -> None:
    bob, carol, dave, erin = people(4)
    # Given bob and dave both delegated to carol, and a 2-of-3 of bob, dave and erin
    delegate_to(stack, bob, carol)
    delegate_to(stack, dave, carol)
    record = pending(stack, [bob, dave, erin], quorum=2)

    # When carol clicks Approve twice
    assert click(stack, record, carol) == 200
    assert click(stack, record, carol) == 200

    # Then one vote is counted, the request still waits for a second person, nothing resumed
    after = stack.store.get(record.approval_id)
    assert after.status is Status.PENDING
    assert [v.cast_by for v in after.votes] == [carol]
    assert callbacks_for(stack, record.callback_id) == []
    (voted_for,) = (v.user_id for v in after.votes)
    assert told(stack, carol)[-1] == (
        f"You can't decide this request: you already voted (for {voted_for}, as their "
        "delegate). Nothing was changed."
    )


def test_a_delegate_made_an_approver_by_escalation_cannot_vote_again(stack: Stack) -> None:
    bob, carol, dave, erin = people(4)
    # Given carol's vote for bob counted on a 2-of-3, then carol added as an approver
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob, dave, erin], quorum=2)
    assert click(stack, record, carol) == 200
    stack.store.update(record.approval_id, lambda r: (r.escalated(frozenset({carol})), []))

    # When she clicks Approve again, now as an approver in her own right
    assert click(stack, record, carol) == 200

    # Then she is told her one vote is the one she cast for bob, and nothing changed
    after = stack.store.get(record.approval_id)
    assert (after.status, [(v.user_id, v.cast_by) for v in after.votes]) == (
        Status.PENDING,
        [(bob, carol)],
    )
    assert told(stack, carol)[-1] == (
        f"You can't decide this request: you already voted (for {bob}, as their delegate). "
        "Nothing was changed."
    )
