"""One counted vote per person, over real HTTP: a delegate of two approvers clicks Approve
twice on a 2-of-3 and casts one vote; a delegate later made an approver cannot vote again as
themself. Signed as Slack signs, served by uvicorn over moto's DynamoDB and the fake Slack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core.votes import Status, Verdict, Vote
from localdev.slack_requests import send_signed
from tests.integration.conftest import SIGNING_SECRET, click_payload
from tests.integration.test_delegation import click, delegate_to, pending, people, told

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
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
    assert told(stack, carol)[-1] == already_voted_for(voted_for)


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
    assert told(stack, carol)[-1] == already_voted_for(bob)


def forms_opened(stack: Stack, payload: dict[str, Any]) -> list[dict[str, Any]]:
    with stack.slack.lock:
        return [v["view"] for v in stack.slack.views if v["trigger_id"] == payload["trigger_id"]]


def form_click(stack: Stack, record: ApprovalRecord, user: str, action: str) -> dict[str, Any]:
    """`user` clicks a button that opens a form (Reject, Approve with comment, the sensitive
    request's Approve) on the record's message, signed as Slack signs it."""
    payload = click_payload(record, user, action)
    assert send_signed(stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
    return payload


# The buttons that open a form, and whether the request must be sensitive to show it
FORM_BUTTONS = [("reject", False), ("approve_comment", False), ("approve_confirm", True)]


@pytest.mark.parametrize(("action", "sensitive"), FORM_BUTTONS)
def test_a_delegate_who_voted_for_one_approver_opens_no_form_for_another(
    stack: Stack, action: str, sensitive: bool
) -> None:
    bob, carol, dave, erin = people(4)
    # Given carol, delegate of bob and dave, cast bob's vote on a 2-of-3 of bob, dave and erin
    delegate_to(stack, bob, carol)
    delegate_to(stack, dave, carol)
    record = pending(stack, [bob, dave, erin], quorum=2, sensitive=sensitive)
    cast = Vote(bob, Verdict.APPROVE, datetime.now(UTC).isoformat(), cast_by=carol, confirmed=True)
    voted, _ = stack.store.record_vote(record.approval_id, cast)

    # When she clicks a button that opens a form (which would be dave's vote)
    payload = form_click(stack, voted, carol, action)

    # Then no form opens, she is told she voted already, for whom, and nothing changed
    assert forms_opened(stack, payload) == []
    assert told(stack, carol)[-1] == already_voted_for(bob)
    assert stack.store.get(record.approval_id) == voted


@pytest.mark.parametrize(("action", "sensitive"), FORM_BUTTONS)
def test_a_delegate_made_an_approver_opens_no_form_for_a_vote_of_their_own(
    stack: Stack, action: str, sensitive: bool
) -> None:
    bob, carol, dave, erin = people(4)
    # Given carol's vote for bob counted on a 2-of-3, then carol added as an approver
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob, dave, erin], quorum=2, sensitive=sensitive)
    cast = Vote(bob, Verdict.APPROVE, datetime.now(UTC).isoformat(), cast_by=carol, confirmed=True)
    stack.store.record_vote(record.approval_id, cast)
    escalated = stack.store.update(
        record.approval_id, lambda r: (r.escalated(frozenset({carol})), [])
    )

    # When she clicks a button that opens a form, now as an approver in her own right
    payload = form_click(stack, escalated, carol, action)

    # Then no form opens, she is told her one vote is the one she cast for bob, nothing changed
    assert forms_opened(stack, payload) == []
    assert told(stack, carol)[-1] == already_voted_for(bob)
    assert stack.store.get(record.approval_id) == escalated


def already_voted_for(user: str) -> str:
    """What a person who cast `user`'s vote as their delegate is told when they try again:
    `user` mentioned (Slack shows their name), as the app's other messages name people."""
    return (
        f"You can't decide this request: you already voted (for <@{user}>, as their delegate). "
        "Nothing was changed."
    )
