"""Concurrent clicks over real HTTP: one decision, one callback, no vote lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from approvals.votes import Status
from localdev import fixtures
from localdev.slack_requests import block_actions, send_signed
from tests.integration.conftest import SIGNING_SECRET, post_pending

if TYPE_CHECKING:
    from approvals.record import ApprovalRecord
    from tests.integration.conftest import Stack


def race(stack: Stack, record: ApprovalRecord, users: list[str]) -> list[int]:
    """Send one approve click per entry in `users`, all released at the same moment."""
    assert record.slack is not None
    slack = record.slack
    gate = threading.Barrier(len(users))

    def one(user: str) -> int:
        payload = block_actions(
            action_id="approve",
            approval_id=record.approval_id,
            user_id=user,
            channel_id=slack.channel,
            message_ts=slack.ts,
        )
        gate.wait(timeout=10)
        status, _ = send_signed(stack.webhook_url, SIGNING_SECRET, payload)
        return status

    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        return list(pool.map(one, users))


def test_many_simultaneous_clicks_make_exactly_one_decision(stack: Stack) -> None:
    # Given a 1-of-3 approval, and 30 clicks from its three approvers released together
    record = post_pending(stack)
    users = [u for u in fixtures.APPROVER_IDS for _ in range(10)]

    statuses = race(stack, record, users)

    # Then every click is answered, one decision is recorded and one callback sent
    assert statuses == [200] * len(users)
    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert len(stored.decided_by) == 1
    sent = [k for k, cid, _ in stack.callbacks.sent() if cid == record.callback_id]
    assert sent == ["succeed"]


def test_two_of_three_with_simultaneous_clicks_records_exactly_two_deciders(stack: Stack) -> None:
    record = post_pending(stack, quorum=2)

    race(stack, record, list(fixtures.APPROVER_IDS))

    stored = stack.store.get(record.approval_id)
    assert stored.status is Status.APPROVED
    assert len(stored.decided_by) == 2
    assert set(stored.decided_by) <= set(fixtures.APPROVER_IDS)
    assert [k for k, cid, _ in stack.callbacks.sent() if cid == record.callback_id] == ["succeed"]
