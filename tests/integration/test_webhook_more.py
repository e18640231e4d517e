"""Slash command, Slack retries, the audit trail, and votes that race a callback rotation."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from greenlight.core.audit import AuditKind
from greenlight.core.record import SlackMessage
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from localdev.slack_requests import post, signed_headers, slash_command
from tests.integration.conftest import SIGNING_SECRET, click_body, post_pending

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

AT = "2026-11-22T12:00:00+00:00"


def signed_click(stack: Stack, record: ApprovalRecord, user: str, retry: int | None = None) -> int:
    body = click_body(record, user)
    headers = signed_headers(SIGNING_SECRET, body)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    status, _ = post(stack.webhook_url, body, headers)
    return status


def test_approvals_command_lists_what_waits_on_the_caller(stack: Stack) -> None:
    # Given one approval Gina still has to vote on, and one she already decided (an approver of
    # her own: the session's other tests leave many approvals pending on the fixture approvers,
    # more than one /approvals answer lists)
    waiting = post_pending(stack, approvers=("U0GINA", "U0BOB"))
    done = post_pending(stack, approvers=("U0GINA", "U0BOB"))
    signed_click(stack, done, "U0GINA")

    # When Gina runs /approvals
    body = slash_command("/approvals", "U0GINA")
    status, answer = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))

    # Then she sees the waiting one, linked to its message, and not the decided one
    assert status == 200
    text = json.loads(answer)["text"]
    assert waiting.slack is not None
    link = (
        f"https://slack.com/archives/{waiting.slack.channel}/p{waiting.slack.ts.replace('.', '')}"
    )
    assert f"<{link}|{waiting.request.title}>" in text
    assert done.request.title + ">" not in text


def test_approvals_command_for_an_outsider_says_nothing_waits(stack: Stack) -> None:
    body = slash_command("/approvals", "U0EVE")

    status, answer = post(stack.webhook_url, body, signed_headers(SIGNING_SECRET, body))

    text = json.loads(answer)["text"]
    assert (status, text.splitlines()[0]) == (200, "Nothing is waiting on you.")
    assert "tab=home|Greenlight's Home tab>" in text  # the inbox is pointed to


def test_a_slack_retry_of_a_counted_click_changes_nothing(
    stack: Stack, relay: StreamPoller
) -> None:
    record = post_pending(stack, quorum=2)
    signed_click(stack, record, "U0BOB")
    before = stack.store.get(record.approval_id)

    assert signed_click(stack, record, "U0BOB", retry=1) == 200
    assert signed_click(stack, record, "U0BOB", retry=2) == 200

    after = stack.store.get(record.approval_id)
    assert (after.status, after.version, len(after.votes)) == (Status.PENDING, before.version, 1)
    relay.drain()
    votes = [e for e in stack.store.audit_trail(record.approval_id) if e.kind is AuditKind.VOTED]
    assert len(votes) == 1


def test_every_vote_and_the_decision_are_in_the_audit_trail(
    stack: Stack, relay: StreamPoller
) -> None:
    record = post_pending(stack, quorum=2)

    signed_click(stack, record, "U0BOB")
    signed_click(stack, record, "U0CAROL")
    relay.drain()  # the votes' lines come from the table's stream
    relay.drain()  # delivered again (Lambda's retries): nothing is written twice

    trail = stack.store.audit_trail(record.approval_id)
    assert [(e.kind, e.actor) for e in trail] == [
        (AuditKind.REQUESTED, "U0ALICE"),
        (AuditKind.VOTED, "U0BOB"),
        (AuditKind.VOTED, "U0CAROL"),
        (AuditKind.APPROVED, "U0CAROL"),
    ]
    assert trail[-1].detail == "decided by U0BOB, U0CAROL"
    assert record.slack is not None
    assert trail[-1].channel == record.slack.channel


def test_a_vote_after_a_callback_rotation_is_counted_against_the_new_one(stack: Stack) -> None:
    # Given a request posted, then the gate rotated its callback
    stale = post_pending(stack)
    stack.store.update(stale.approval_id, lambda r: (r.with_callback("cb-rotated"), []))

    # When a vote is recorded (it reads nothing first)
    after, effect = stack.store.record_vote(stale.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))

    # Then it counts, and it carries the callback the gate now waits on
    assert effect is VoteEffect.DECIDED
    assert after.callback_id == "cb-rotated"
    assert stack.store.get(stale.approval_id).status is Status.APPROVED


def test_a_rotation_after_a_decision_does_not_reopen_it(stack: Stack) -> None:
    record = post_pending(stack)
    stack.store.record_vote(record.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))

    current = stack.store.update(record.approval_id, lambda r: (r.with_callback("cb-late"), []))

    assert current.status is Status.APPROVED
    assert current.callback_id == record.callback_id


def test_a_stale_writer_cannot_overwrite_a_newer_record(stack: Stack) -> None:
    record = post_pending(stack)
    stack.store.update(record.approval_id, lambda r: (r.with_callback("cb-2"), []))

    assert not stack.store.replace(
        record, replace(record, callback_id="cb-stale", version=record.version + 1), []
    )
    assert stack.store.get(record.approval_id).callback_id == "cb-2"


def test_a_click_that_counted_is_answered_200_even_when_slack_will_not_redraw(
    stack: Stack,
) -> None:
    # Given an approval whose Slack message is gone (deleted, or Slack refuses the update)
    record = post_pending(stack)
    assert record.slack is not None
    gone = SlackMessage(record.slack.channel, "1700000000.999999")
    stack.store.attach_message(record.approval_id, gone)
    record = stack.store.get(record.approval_id)

    # When an approver clicks
    status = signed_click(stack, record, "U0CAROL")

    # Then the click is answered, and it counted and resumed the workflow (found by atheris)
    assert status == 200
    assert stack.store.get(record.approval_id).status is Status.APPROVED
    assert [k for k, cid, _ in stack.callbacks.sent() if cid == record.callback_id] == ["succeed"]
