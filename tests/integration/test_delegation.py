"""Delegation over real HTTP: `/approvals delegate|undelegate` signed as Slack signs it, the
delegate's click counted as the delegator's vote, and the races that must give one answer.

The webhook runs under uvicorn over moto's DynamoDB (real conditional writes and transactions)
and the fake Slack. The session's tables are shared, so each test uses people of its own.
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import boto3

from greenlight.aws.delegation_store import DynamoDelegationStore
from greenlight.core.audit import AuditKind
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import Amount, ApprovalRequest
from greenlight.core.route import Channel
from greenlight.core.votes import Status
from localdev.slack_requests import (
    app_home_opened,
    block_actions,
    form,
    home_click,
    post,
    send_signed,
    send_signed_event,
    signed_headers,
    slash_command,
    view_submission,
)
from tests.integration.conftest import SIGNING_SECRET, click_body

if TYPE_CHECKING:
    from collections.abc import Callable

    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

T = TypeVar("T")
_people = itertools.count(1)
_records = itertools.count(1)
UNTIL = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()


def people(n: int) -> list[str]:
    """Fresh Slack user ids, unused by any other test."""
    return [f"U0DLG{next(_people):05d}" for _ in range(n)]


def delegations(stack: Stack) -> DynamoDelegationStore:
    assert stack.settings.delegations_table is not None
    return DynamoDelegationStore(boto3.client("dynamodb"), stack.settings.delegations_table)


def command(stack: Stack, user: str, text: str) -> tuple[int, str]:
    body = slash_command("/approvals", user, text)
    status, answer = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))
    return status, (json.loads(answer)["text"] if status == 200 else answer)


def delegate_to(stack: Stack, user: str, delegate_id: str) -> str:
    status, text = command(stack, user, f"delegate <@{delegate_id}|someone> until {UNTIL}")
    assert status == 200
    return text


def pending(
    stack: Stack,
    approvers: list[str],
    *,
    quorum: int = 1,
    allow: bool = True,
    by: str = "U0ALICE",
    sensitive: bool = False,
    dms: tuple[str, ...] = (),
) -> ApprovalRecord:
    """A pending approval as the gate leaves it (posted in the channel and, to `dms`, in direct
    messages; every copy attached)."""
    n = next(_records)
    now = datetime.now(UTC)
    record = ApprovalRecord(
        approval_id=f"dl{n:020d}",
        callback_id=f"cb-dl-{n}-opaque",
        execution_arn=f"arn:aws:lambda:us-east-1:123456789012:function:orders:live/durable-execution/d{n}",
        request=ApprovalRequest(
            f"Order dl-{n}", by, amount=Amount(125_000, "EUR"), sensitive=sensitive
        ),
        policy=ApproverPolicy(frozenset(approvers), quorum=quorum, allow_delegation=allow),
        created_at=now.isoformat(),
        expires_at=(now + timedelta(hours=1)).isoformat(),
        ttl=int(now.timestamp()) + 3600,
    )
    stack.store.create(record)
    message = stack.notifier.post_request(record, Channel("C0APPROVALS"))
    stack.store.attach_message(record.approval_id, message)
    for user in dms:
        stack.store.attach_message(record.approval_id, stack.notifier.post_direct(record, user))
    return stack.store.get(record.approval_id)


def click(stack: Stack, record: ApprovalRecord, user: str) -> int:
    body = click_body(record, user)
    return post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))[0]


def told(stack: Stack, user: str) -> list[str]:
    with stack.slack.lock:
        return [e["text"] for e in stack.slack.ephemerals if e["user"] == user]


def test_the_delegate_decides_for_the_delegator_and_both_are_shown_and_audited(
    stack: Stack, relay: StreamPoller
) -> None:
    bob, carol, dave = people(3)
    # Given bob away, having delegated to carol, and a request only bob and dave may decide
    assert "may decide for you" in delegate_to(stack, bob, carol)
    record = pending(stack, [bob, dave])
    # When carol clicks Approve on its message
    assert click(stack, record, carol) == 200
    # Then it is approved by bob's vote, cast by carol
    after = stack.store.get(record.approval_id)
    assert (after.status, after.decided_by) == (Status.APPROVED, (bob,))
    vote = after.vote_of(bob)
    assert vote is not None
    assert vote.cast_by == carol
    # the message says "carol for bob"
    with stack.slack.lock:
        message = stack.slack.messages[after.slack.ts if after.slack else ""]
    assert f"<@{carol}> for <@{bob}>" in json.dumps(message["blocks"])
    # and the audit records both
    relay.drain()
    trail = stack.store.audit_trail(record.approval_id)
    voted = [e for e in trail if e.kind is AuditKind.VOTED]
    assert [(e.actor, e.detail) for e in voted] == [(bob, f"approve cast by {carol}")]
    assert trail[-1].detail == f"decided by {carol} for {bob}"


def test_a_delegation_by_a_forged_or_foreign_request_changes_nothing(stack: Stack) -> None:
    bob, carol = people(2)
    body = slash_command("/approvals", bob, f"delegate <@{carol}|carol> until {UNTIL}")
    # When the command arrives with a wrong signature, or from another workspace
    forged = post(stack.webhook_url, body, signed_headers("not-the-secret", body))
    foreign_body = body.replace("team_id=T0GREENLT", "team_id=T0OTHERWS")
    foreign = post(stack.webhook_url, foreign_body, signed_headers(SIGNING_SECRET, foreign_body))
    unsigned = post(stack.webhook_url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    # Then each is refused and nothing is stored: carol decides nothing for bob
    assert (forged[0], foreign[0], unsigned[0]) == (401, 403, 401)
    assert delegations(stack).get(carol).delegators_at(datetime.now(UTC).isoformat()) == []
    assert delegations(stack).get(bob).version == 0
    record = pending(stack, [bob])
    click(stack, record, carol)
    assert stack.store.get(record.approval_id).votes == ()
    assert "You can't decide this request" in told(stack, carol)[-1]


def test_chains_and_cycles_are_refused_with_a_clear_answer(stack: Stack) -> None:
    bob, carol, dave = people(3)
    delegate_to(stack, bob, carol)
    before = (delegations(stack).get(carol), delegations(stack).get(dave))
    assert "a delegate cannot pass that on" in delegate_to(stack, carol, dave)
    assert "cannot pass that on" in delegate_to(stack, carol, bob)
    assert "do not chain" in delegate_to(stack, dave, bob)
    assert "yourself" in delegate_to(stack, dave, dave)
    assert (delegations(stack).get(carol), delegations(stack).get(dave)) == before
    status, text = command(stack, dave, "delegate @bob until tomorrow")
    assert status == 200
    assert text.startswith("No delegation:")


def test_a_request_without_delegation_or_requested_by_the_delegate_stays_theirs(
    stack: Stack,
) -> None:
    bob, carol = people(2)
    delegate_to(stack, bob, carol)
    closed = pending(stack, [bob], allow=False)
    own = pending(stack, [bob], by=carol)
    click(stack, closed, carol)
    assert "does not allow delegates" in told(stack, carol)[-1]
    click(stack, own, carol)
    assert "not even as a delegate" in told(stack, carol)[-1]
    for record in (closed, own):
        assert stack.store.get(record.approval_id).votes == ()


def test_undelegate_ends_it(stack: Stack) -> None:
    bob, carol = people(2)
    delegate_to(stack, bob, carol)
    status, text = command(stack, bob, "undelegate")
    assert (status, "has ended" in text) == (200, True)
    record = pending(stack, [bob])
    click(stack, record, carol)
    assert stack.store.get(record.approval_id).votes == ()
    assert "nothing to end" not in text
    assert "no delegation to end" in command(stack, bob, "undelegate")[1]


def at_once(*calls: Callable[[], T]) -> list[T]:
    """Run `calls` on threads released together by a barrier; their results, in order."""
    start = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_the_delegate_and_the_delegator_clicking_at_once_give_one_vote(stack: Stack) -> None:
    # Given bob delegated to carol, and requests needing two approvals from bob and dave
    bob, carol, dave = people(3)
    delegate_to(stack, bob, carol)
    for _ in range(8):
        record = pending(stack, [bob, dave], quorum=2)
        # When bob and carol click Approve at the same moment
        statuses = at_once(partial(click, stack, record, bob), partial(click, stack, record, carol))
        # Then bob's one vote is counted (by whichever came first), nothing decided
        after = stack.store.get(record.approval_id)
        assert statuses == [200, 200]
        assert [v.user_id for v in after.votes] == [bob]
        assert after.status is Status.PENDING
        assert after.approvals_needed() == 1


def test_two_delegations_that_would_form_a_cycle_never_both_stand(stack: Stack) -> None:
    for _ in range(8):
        bob, carol = people(2)
        # When bob delegates to carol and carol to bob at the same moment
        answers = at_once(
            partial(delegate_to, stack, bob, carol), partial(delegate_to, stack, carol, bob)
        )
        # Then exactly one of them stands
        now = datetime.now(UTC).isoformat()
        stood = [u for u in (bob, carol) if delegations(stack).get(u).delegate_at(now)]
        assert len(stood) == 1, answers
        assert sum("may decide for you" in a for a in answers) == 1


def test_the_delegates_home_tab_lists_what_they_decide_for_and_its_buttons_work(
    stack: Stack,
) -> None:
    # Given bob away, delegated to carol, and a request only bob may decide
    bob, carol = people(2)
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob])
    # When carol opens her Home tab
    assert send_signed_event(stack.webhook_url, SIGNING_SECRET, app_home_opened(carol))[0] == 200
    with stack.slack.lock:
        view = json.loads(json.dumps(stack.slack.homes[carol]))
    # Then it lists bob's request, for bob, with its buttons
    assert f"you decide for <@{bob}>" in json.dumps(view["blocks"])
    buttons = [
        (e["action_id"], e["value"])
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ("approve", record.approval_id) in buttons
    # And Approve there decides it as bob's vote, cast by carol
    payload = home_click(
        action_id="approve", approval_id=record.approval_id, user_id=carol, view=view
    )
    assert send_signed(stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
    after = stack.store.get(record.approval_id)
    vote = after.vote_of(bob)
    assert (after.status, vote.cast_by if vote else None) == (Status.APPROVED, carol)


def test_a_delegates_click_in_a_dm_copy_counts_as_the_delegators_and_every_copy_shows_it(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given bob away, delegated to carol, and a request posted in the channel and in DMs
    bob, carol = people(2)
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob], dms=(bob,))
    (dm,) = [m for m in record.posted_as() if m.recipient == bob]
    # When carol clicks Approve on the DM copy
    body = form(
        block_actions(
            action_id="approve",
            approval_id=record.approval_id,
            user_id=carol,
            channel_id=dm.channel,
            message_ts=dm.ts,
        )
    )
    assert post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))[0] == 200
    # Then it is bob's vote, cast by carol, and both copies say "carol for bob"
    after = stack.store.get(record.approval_id)
    vote = after.vote_of(bob)
    assert (after.status, vote.cast_by if vote else None) == (Status.APPROVED, carol)
    # (the copy clicked at once; the other once the relay takes the decision from the stream)
    with stack.slack.lock:
        clicked = json.dumps(stack.slack.messages[dm.ts]["blocks"])
    assert f"<@{carol}> for <@{bob}>" in clicked
    relay.drain()
    with stack.slack.lock:
        shown = [json.dumps(stack.slack.messages[m.ts]["blocks"]) for m in after.posted_as()]
    assert len(shown) == 2
    assert all(f"<@{carol}> for <@{bob}>" in blocks for blocks in shown)


def test_a_delegate_approves_a_sensitive_request_only_by_confirming_with_a_comment(
    stack: Stack,
) -> None:
    # Given bob away, delegated to carol, and a sensitive request only bob may decide
    bob, carol = people(2)
    delegate_to(stack, bob, carol)
    record = pending(stack, [bob], sensitive=True)
    # When carol sends a one-click approve (forged: the message offers `approve_confirm`)
    click(stack, record, carol)
    # Then nothing is counted, and she is told to confirm (not that she may not decide)
    assert stack.store.get(record.approval_id).votes == ()
    assert "approved only by confirming" in told(stack, carol)[-1]
    # When she opens the confirmation from her Home tab and confirms with a comment
    send_signed_event(stack.webhook_url, SIGNING_SECRET, app_home_opened(carol))
    with stack.slack.lock:
        home = json.loads(json.dumps(stack.slack.homes[carol]))
    assert ("approve_confirm", record.approval_id) in [
        (e["action_id"], e["value"])
        for b in home["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    payload = home_click(
        action_id="approve_confirm",
        approval_id=record.approval_id,
        user_id=carol,
        view=home,
    )
    assert send_signed(stack.webhook_url, SIGNING_SECRET, payload) == (200, "")
    with stack.slack.lock:
        (opened,) = [
            v["view"] for v in stack.slack.views if v["trigger_id"] == payload["trigger_id"]
        ]
    assert opened["callback_id"] == "approve_confirm"
    assert stack.store.get(record.approval_id).votes == ()
    submission = view_submission(view=opened, user_id=carol, values={"comment": "bob asked me"})
    assert send_signed(stack.webhook_url, SIGNING_SECRET, submission) == (200, "")
    # Then it is approved by bob's vote, cast by carol, with her comment
    after = stack.store.get(record.approval_id)
    vote = after.vote_of(bob)
    assert vote is not None
    assert (after.status, vote.cast_by, vote.comment) == (Status.APPROVED, carol, "bob asked me")
    # and the message shows the comment as carol's, for bob
    with stack.slack.lock:
        blocks = json.dumps(stack.slack.messages[after.slack.ts if after.slack else ""]["blocks"])
    assert f"<@{carol}> for <@{bob}>: bob asked me" in blocks


def test_an_approver_who_is_also_a_delegate_is_told_to_confirm_a_sensitive_request(
    stack: Stack,
) -> None:
    # Given dave away, delegated to bob, and a sensitive request bob decides in his own right
    bob, dave = people(2)
    delegate_to(stack, dave, bob)
    record = pending(stack, [bob, dave], sensitive=True)
    # When bob sends a one-click approve
    click(stack, record, bob)
    # Then nothing is counted, and the answer is the confirmation's, not the delegate's refusal
    assert stack.store.get(record.approval_id).votes == ()
    assert "approved only by confirming" in told(stack, bob)[-1]
