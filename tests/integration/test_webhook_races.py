"""Concurrent clicks over real HTTP: one decision, one callback, no vote lost or doubled."""

from __future__ import annotations

import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from greenlight.core.votes import Status, Verdict
from localdev.slack_requests import post, send_signed, view_submission
from tests.integration.conftest import SIGNING_SECRET, click_payload, post_pending

if TYPE_CHECKING:
    from collections.abc import Callable

    from greenlight.core.record import ApprovalRecord
    from tests.integration.conftest import Stack

MANY = [f"U0APPR{n:02d}" for n in range(50)]


def race(stack: Stack, payloads: list[dict[str, Any]]) -> list[int]:
    """Send every payload signed, all released at the same moment; their HTTP statuses."""
    gate = threading.Barrier(len(payloads))

    def one(payload: dict[str, Any]) -> int:
        gate.wait(timeout=10)
        status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)
        return status

    with ThreadPoolExecutor(max_workers=len(payloads)) as pool:
        return list(pool.map(one, payloads))


def callbacks_for(stack: Stack, record: ApprovalRecord) -> list[str]:
    return [kind for kind, cid, _ in stack.callbacks.sent() if cid == record.callback_id]


def told(stack: Stack, since: int, users: list[str], starts: Callable[[str], bool]) -> int:
    """How many ephemerals sent after the first `since` went to `users` and match."""
    sent = stack.slack.snapshot()["ephemerals"][since:]
    return sum(1 for e in sent if e["user"] in users and starts(e["text"]))


def ephemeral_count(stack: Stack) -> int:
    return len(stack.slack.snapshot()["ephemerals"])


def test_fifty_approvers_clicking_at_once_make_exactly_one_decision(stack: Stack) -> None:
    # Given a 1-of-50 approval, and one click from every approver released together
    record = post_pending(stack, approvers=tuple(MANY))
    since = ephemeral_count(stack)

    statuses = race(stack, [click_payload(record, u) for u in MANY])

    # Then every click is answered, one decision and one callback, 49 told "already decided"
    assert statuses == [200] * 50
    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert len(stored.decided_by) == 1
    assert len(stored.votes) == 1
    assert callbacks_for(stack, record) == ["succeed"]
    assert told(stack, since, MANY, lambda t: t.startswith("Already approved by")) == 49


def test_two_of_five_with_five_simultaneous_clicks_records_exactly_two(stack: Stack) -> None:
    five = MANY[:5]
    record = post_pending(stack, quorum=2, approvers=tuple(five))
    since = ephemeral_count(stack)

    race(stack, [click_payload(record, u) for u in five])

    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert len(stored.decided_by) == 2
    assert {v.user_id for v in stored.votes} == set(stored.decided_by)  # none lost, none doubled
    assert callbacks_for(stack, record) == ["succeed"]
    assert told(stack, since, five, lambda t: t.startswith("Already approved by")) == 3


def test_simultaneous_approve_and_reject_agree_everywhere(stack: Stack) -> None:
    # Given Carol's reject modal open, then her submission racing Bob's approval
    record = post_pending(stack)
    send_signed(stack.webhook_url, SIGNING_SECRET, click_payload(record, "U0CAROL", "reject"))
    view = stack.slack.snapshot()["views"][-1]["view"]
    submission = view_submission(view=view, user_id="U0CAROL", reason="vendor not approved")

    race(stack, [click_payload(record, "U0BOB"), submission])

    # Then one outcome, the same in the record, the callback and the message
    stored = stack.store.get(record.approval_id)
    ((kind, body),) = [(k, b) for k, cid, b in stack.callbacks.sent() if cid == record.callback_id]
    assert (kind, json.loads(body)["decision"]) == ("succeed", stored.status.value)
    assert len(stored.votes) == 1
    message = next(
        m for m in stack.slack.snapshot()["messages"] if record.slack and m["ts"] == record.slack.ts
    )
    verdict = (
        "*Approved* by <@U0BOB>" if stored.status is Status.APPROVED else "*Rejected* by <@U0CAROL>"
    )
    assert verdict in json.dumps(message["blocks"])
    assert stored.votes[0].verdict is (
        Verdict.APPROVE if stored.status is Status.APPROVED else Verdict.REJECT
    )


def inject(stack: Stack, **faults: int) -> None:
    """Queue transaction cancellations in the local DynamoDB, as real DynamoDB makes them."""
    endpoint = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    status, answer = post(f"{endpoint}/_faults", json.dumps(faults), {})
    assert status == 200, answer


def test_writes_refused_for_conflicts_and_throttling_lose_no_vote(stack: Stack) -> None:
    # Given a 5-of-5 approval (every vote needed), and DynamoDB about to refuse the next
    # writes as it does under contention (TransactionConflictException) and throttling
    five = MANY[10:15]
    record = post_pending(stack, quorum=5, approvers=tuple(five))
    inject(stack, transaction_conflicts=6, throttles=3)

    # When all five approve at the same moment
    statuses = race(stack, [click_payload(record, u) for u in five])

    # Then each click is answered, every vote counted, and the approval decided exactly once
    assert statuses == [200] * 5
    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert sorted(v.user_id for v in stored.votes) == sorted(five)
    assert callbacks_for(stack, record) == ["succeed"]


def test_fault_requests_the_local_dynamodb_does_not_know_are_refused(stack: Stack) -> None:
    endpoint = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
    for bad in ('{"lightning": 1}', '{"throttles": -1}', '{"throttles": "3"}', "[1]", "{"):
        status, answer = post(f"{endpoint}/_faults", bad, {})
        assert status == 400, bad
        assert json.loads(answer)["error"]
