"""A counted vote is not changed, and whoever tries is told so (found by review-sec: the reject
form opened and closed as if the veto had been recorded, while nothing was stored).

Each request is signed as Slack signs it (localdev.slack_requests, over Bolt's recorded
payloads in localdev/slack_corpus), served by uvicorn over moto's DynamoDB and the fake Slack.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.core import messages
from greenlight.core.votes import Status, Verdict
from localdev.slack_requests import send_signed
from tests.integration.conftest import SIGNING_SECRET, click_payload
from tests.integration.test_delegation import click, delegate_to, pending, people, told

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack


def forms_opened(stack: Stack, payload: dict[str, Any]) -> list[dict[str, Any]]:
    with stack.slack.lock:
        return [v["view"] for v in stack.slack.views if v["trigger_id"] == payload["trigger_id"]]


def reject_opens_a_form(stack: Stack, record: ApprovalRecord, user: str) -> bool:
    """`user` clicks Reject on the message; whether its reason form opened."""
    payload = click_payload(record, user, "reject")
    assert send_signed(stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
    return bool(forms_opened(stack, payload))


def test_an_approver_who_approved_cannot_reject_and_is_told_so(stack: Stack) -> None:
    bob, dave, erin = people(3)
    # Given a 2-of-3 that bob approved (1 of 2: still pending)
    record = pending(stack, [bob, dave, erin], quorum=2)
    assert click(stack, record, bob) == 200
    approved = stack.store.get(record.approval_id)
    assert [(v.user_id, v.verdict) for v in approved.votes] == [(bob, Verdict.APPROVE)]

    # When bob changes his mind: Reject
    opened = reject_opens_a_form(stack, approved, bob)

    # Then no form opens, bob is told he voted, and nothing changed (one vote per person)
    assert (opened, told(stack, bob)[-1]) == (False, messages.already_voted(None))
    assert stack.store.get(record.approval_id) == approved


def test_a_delegate_cannot_reject_what_the_delegator_approved_and_is_told_so(
    stack: Stack,
) -> None:
    bob, carol, dave, erin = people(4)
    # Given bob delegated to carol, then approved a 2-of-3 himself (still pending)
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob, dave, erin], quorum=2)
    assert click(stack, record, bob) == 200

    # When carol, his delegate, tries to veto it
    opened = reject_opens_a_form(stack, stack.store.get(record.approval_id), carol)

    # Then no form opens, carol is told bob's vote is counted, and bob's approve stands
    assert (opened, told(stack, carol)[-1]) == (False, messages.already_voted(None, bob))
    after = stack.store.get(record.approval_id)
    assert (after.status, [v.cast_by for v in after.votes]) == (Status.PENDING, [None])
