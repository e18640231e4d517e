"""Approve with a comment and sensitive requests over real HTTP: really signed requests built
from the recorded corpus (Bolt's `block_actions` and `view_submission` fixtures), the webhook
under uvicorn, records in moto, the modals opened in the fake Slack."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import messages
from greenlight.core.audit import AuditKind
from greenlight.core.votes import Status, Verdict, Vote
from localdev import slack_corpus
from localdev.slack_requests import post, send_signed, view_submission
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

Json = dict[str, Any]


def send(stack: Stack, payload: Json) -> tuple[int, str]:
    return send_signed(stack.webhook_url, SIGNING_SECRET, payload)


def opened_after(stack: Stack, since: int) -> list[Json]:
    return [v["view"] for v in stack.slack.snapshot()["views"][since:]]


def view_count(stack: Stack) -> int:
    return len(stack.slack.snapshot()["views"])


def callbacks_for(stack: Stack, record: ApprovalRecord) -> list[tuple[str, Any]]:
    return [(kind, body) for kind, cid, body in stack.callbacks.sent() if cid == record.callback_id]


def blocks_of(stack: Stack, record: ApprovalRecord) -> str:
    assert record.slack is not None
    messages = stack.slack.snapshot()["messages"]
    return json.dumps(next(m for m in messages if m["ts"] == record.slack.ts)["blocks"])


def ephemerals_for(stack: Stack, user: str) -> list[str]:
    return [e["text"] for e in stack.slack.snapshot()["ephemerals"] if e["user"] == user]


def test_approve_with_comment_opens_a_modal_then_approves_with_the_comment(
    stack: Stack, relay: StreamPoller
) -> None:
    # Given a pending request, whose message offers Approve with comment
    record = post_pending(stack)
    assert '"approve_comment"' in blocks_of(stack, record)
    since = view_count(stack)

    # When Bob clicks it, the comment modal opens, about this approval, and nothing is decided
    status, _ = send(stack, click_payload(record, "U0BOB", "approve_comment"))
    assert status == 200
    (view,) = opened_after(stack, since)
    assert (view["callback_id"], view["private_metadata"]) == (
        "approve_comment",
        record.approval_id,
    )
    assert stack.store.get(record.approval_id) == record

    # When it is submitted empty, the form says what is missing and nothing changes
    status, body = send(stack, view_submission(view=view, user_id="U0BOB", values={"comment": ""}))
    assert (status, json.loads(body)) == (
        200,
        {
            "response_action": "errors",
            "errors": {"comment": "Please write a comment, or use Approve."},
        },
    )
    assert stack.store.get(record.approval_id) == record

    # When it is submitted with a comment, the request is approved with it
    comment = "Checked with finance <@U0EVE>"
    status, body = send(
        stack, view_submission(view=view, user_id="U0BOB", values={"comment": f"  {comment} "})
    )
    assert (status, body) == (200, "")
    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert stored.vote_of("U0BOB") == Vote(
        "U0BOB", Verdict.APPROVE, stored.votes[0].at, comment=comment
    )
    # The workflow gets the comment in the decision's votes
    ((kind, payload),) = callbacks_for(stack, record)
    result = json.loads(payload)
    assert (kind, result["decision"]) == ("succeed", "approved")
    assert [(v["user_id"], v.get("comment")) for v in result["votes"]] == [("U0BOB", comment)]
    # The message shows it, escaped, with the verdict
    shown = blocks_of(stack, record)
    assert "*Approved* by <@U0BOB>" in shown
    assert "<@U0BOB>: Checked with finance &lt;@U0EVE&gt;" in shown
    # The audit trail's vote line carries it (written by the relay from the stream)
    relay.drain()
    voted = [e for e in stack.store.audit_trail(record.approval_id) if e.kind is AuditKind.VOTED]
    assert [(e.actor, e.reason, e.detail) for e in voted] == [("U0BOB", comment, "approve")]


def test_approve_with_comment_by_someone_who_may_not_decide_opens_nothing(stack: Stack) -> None:
    record = post_pending(stack)
    since = view_count(stack)

    status, _ = send(stack, click_payload(record, "U0EVE", "approve_comment"))

    assert status == 200
    assert opened_after(stack, since) == []
    assert ephemerals_for(stack, "U0EVE")[-1].startswith("You can't decide this request")
    assert stack.store.get(record.approval_id) == record


def test_a_sensitive_request_warns_and_refuses_a_forged_one_click_approve(stack: Stack) -> None:
    # Given a sensitive request: its message warns, and its Approve button opens a confirmation
    record = post_pending(stack, sensitive=True)
    shown = blocks_of(stack, record)
    assert ":warning: *Sensitive request*" in shown
    assert '"action_id": "approve_confirm"' in shown
    assert '"action_id": "approve"' not in shown
    since = view_count(stack)

    # When Bob's client skips the confirmation and sends a plain approve (a forged block_actions,
    # correctly signed: what a client that ignores any `confirm` dialog would send)
    status, _ = send(stack, click_payload(record, "U0BOB", "approve"))

    # Then it is refused, he is told why, and nothing changes anywhere
    assert status == 200
    assert "marked sensitive" in ephemerals_for(stack, "U0BOB")[-1]
    assert ephemerals_for(stack, "U0BOB")[-1].endswith("Nothing was changed.")
    assert stack.store.get(record.approval_id) == record
    assert callbacks_for(stack, record) == []
    assert opened_after(stack, since) == []
    assert blocks_of(stack, record) == shown


def test_a_sensitive_request_is_approved_through_its_confirmation(stack: Stack) -> None:
    record = post_pending(stack, sensitive=True)
    since = view_count(stack)

    # When Carol clicks Approve, the confirmation opens with the warning; nothing is decided yet
    send(stack, click_payload(record, "U0CAROL", "approve_confirm"))
    (view,) = opened_after(stack, since)
    assert (view["callback_id"], view["private_metadata"]) == (
        "approve_confirm",
        record.approval_id,
    )
    assert "Sensitive request" in json.dumps(view["blocks"])
    assert stack.store.get(record.approval_id).status is Status.PENDING

    # When she confirms without a comment (optional here), the request is approved
    status, body = send(stack, view_submission(view=view, user_id="U0CAROL", values={}))

    assert (status, body) == (200, "")
    stored = stack.store.get(record.approval_id)
    assert (stored.status, stored.decided_by) == (Status.APPROVED, ("U0CAROL",))
    assert stored.vote_of("U0CAROL") == Vote("U0CAROL", Verdict.APPROVE, stored.votes[0].at)
    assert [kind for kind, _ in callbacks_for(stack, record)] == ["succeed"]
    assert "*Approved* by <@U0CAROL>" in blocks_of(stack, record)


def test_a_confirmation_submitted_by_someone_who_may_not_decide_changes_nothing(
    stack: Stack,
) -> None:
    # Given the confirmation opened by Bob, and submitted as the requester herself
    record = post_pending(stack, sensitive=True)
    since = view_count(stack)
    send(stack, click_payload(record, "U0BOB", "approve_confirm"))
    (view,) = opened_after(stack, since)

    status, body = send(stack, view_submission(view=view, user_id="U0ALICE", values={}))

    answer = json.loads(body)
    assert (status, answer["response_action"]) == (200, "errors")
    assert answer["errors"]["comment"].startswith("You can't decide this request")
    assert stack.store.get(record.approval_id) == record
    assert callbacks_for(stack, record) == []


@pytest.mark.parametrize(("sensitive", "round_"), [(s, r) for s in (False, True) for r in range(4)])
def test_approve_with_comment_racing_a_reject_makes_one_outcome(
    stack: Stack, sensitive: bool, round_: int
) -> None:
    # Given Bob's comment modal and Carol's reject modal open on one request
    record = post_pending(stack, sensitive=sensitive)
    since = view_count(stack)
    send(stack, click_payload(record, "U0BOB", "approve_comment"))
    send(stack, click_payload(record, "U0CAROL", "reject"))
    approve_view, reject_view = opened_after(stack, since)
    submissions = [
        view_submission(view=approve_view, user_id="U0BOB", values={"comment": "ship it"}),
        view_submission(view=reject_view, user_id="U0CAROL", reason="not before the audit"),
    ]

    # When both are submitted at the same moment
    gate = threading.Barrier(2)

    def submit(payload: Json) -> Json:
        gate.wait(timeout=10)
        status, body = send(stack, payload)
        assert status == 200
        return json.loads(body) if body else {}

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(submit, submissions))

    # Then one outcome: one vote, one callback, the same verdict in the record, the callback and
    # the message; the loser's form says who decided
    stored = stack.store.get(record.approval_id)
    assert stored.status in (Status.APPROVED, Status.REJECTED)
    assert len(stored.votes) == 1
    ((kind, payload),) = callbacks_for(stack, record)
    assert (kind, json.loads(payload)["decision"]) == ("succeed", stored.status.value)
    won = 0 if stored.status is Status.APPROVED else 1
    assert answers[won] == {}
    assert answers[1 - won]["errors"][["comment", "reason"][1 - won]].startswith("Already")
    verdict = "*Approved* by <@U0BOB>" if won == 0 else "*Rejected* by <@U0CAROL>"
    assert verdict in blocks_of(stack, record)


def test_a_comment_modal_left_unsubmitted_changes_nothing(stack: Stack) -> None:
    record = post_pending(stack)
    since = view_count(stack)
    send(stack, click_payload(record, "U0BOB", "approve_comment"))
    (view,) = opened_after(stack, since)

    # When Bob closes it: the corpus' view_closed (Bolt's fixture), for this view
    closed = slack_corpus.load("view_closed").payload
    closed["user"]["id"] = "U0BOB"
    closed["view"] = replace_view(closed["view"], view)
    status, _ = send(stack, closed)

    assert status == 200
    assert stack.store.get(record.approval_id) == record


def replace_view(recorded: Json, opened: Json) -> Json:
    return recorded | {k: opened[k] for k in ("id", "callback_id", "private_metadata", "blocks")}


@pytest.mark.parametrize(
    ("sensitive", "action"), [(False, "approve_comment"), (True, "approve_confirm")]
)
def test_when_slack_will_not_open_an_approve_form_the_approver_is_told(
    stack: Stack, sensitive: bool, action: str
) -> None:
    # Given Slack refusing the next views.open as it does for a trigger older than its 3 s
    fault = {"method": "views.open", "error": "expired_trigger_id"}
    assert post(f"{stack.slack_url}/_faults", json.dumps(fault), {})[0] == 200
    record = post_pending(stack, sensitive=sensitive)

    status, _ = send(stack, click_payload(record, "U0DAVE", action))

    assert status == 200
    assert ephemerals_for(stack, "U0DAVE")[-1] == messages.form_unavailable()
    assert stack.store.get(record.approval_id) == record
