"""`greenlight.testing.click` for users' tests: a comment travels to the workflow, and a
sensitive request is approved only as the confirmation modal approves it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from greenlight.core.errors import ConfirmationRequiredError
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord
from greenlight.core.request import ApprovalRequest
from greenlight.core.votes import Status, VoteEffect
from greenlight.testing import InMemoryApprovalStore, click

AT = datetime.now(UTC)  # `click` votes now, by default: the request is open an hour from now


def stored(store: InMemoryApprovalStore, *, sensitive: bool) -> ApprovalRecord:
    return store.create(
        ApprovalRecord(
            approval_id="approval00000000000001",
            callback_id="cb-1",
            execution_arn="arn",
            request=ApprovalRequest("Open the vault", "U0ALICE", sensitive=sensitive),
            policy=ApproverPolicy(frozenset({"U0BOB"}), quorum=1),
            created_at=AT.isoformat(),
            expires_at=(AT + timedelta(hours=1)).isoformat(),
            ttl=0,
        )
    )


def test_a_comment_reaches_the_workflow() -> None:
    store = InMemoryApprovalStore()
    record = stored(store, sensitive=False)
    sent: list[tuple[str, bytes]] = []

    effect = click(
        store, lambda *a: sent.append(a), record.approval_id, "U0BOB", "approve", comment="ok"
    )

    assert effect is VoteEffect.DECIDED
    ((callback_id, payload),) = sent
    assert callback_id == "cb-1"
    assert json.loads(payload)["votes"][0]["comment"] == "ok"


def test_a_sensitive_request_needs_the_confirmation() -> None:
    store = InMemoryApprovalStore()
    record = stored(store, sensitive=True)
    sent: list[tuple[str, bytes]] = []

    with pytest.raises(ConfirmationRequiredError):
        click(store, lambda *a: sent.append(a), record.approval_id, "U0BOB", "approve")
    assert (store.get(record.approval_id), sent) == (record, [])

    click(store, lambda *a: sent.append(a), record.approval_id, "U0BOB", "approve", confirmed=True)
    assert store.get(record.approval_id).status is Status.APPROVED
    assert len(sent) == 1
