"""A vote is one conditional write on the local DynamoDB, and a refusal explains itself.

The store's own client counts the calls it makes (botocore's `before-call` events), so these
tests see that the click path reads nothing: every answer, counted or refused, comes from the
one `UpdateItem` (its `ALL_NEW`, or the refused record's `ALL_OLD`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from greenlight.aws.approval_store import DynamoApprovalStore
from greenlight.core.audit import AuditKind
from greenlight.core.errors import (
    AlreadyVotedError,
    ConflictError,
    NotAuthorizedError,
    NotFoundError,
)
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.integration.conftest import post_pending

if TYPE_CHECKING:
    from localdev.stream_relay import StreamPoller
    from tests.integration.conftest import Stack

AT = "2026-11-22T12:00:00+00:00"
LATER = "2026-11-22T12:01:00+00:00"


class CountingStore:
    """A store over its own client, with the DynamoDB operations it sent."""

    def __init__(self, stack: Stack) -> None:
        dynamodb = boto3.client("dynamodb")
        self.store = DynamoApprovalStore(
            dynamodb, stack.settings.approvals_table, stack.settings.audit_table
        )
        self.calls: Counter[str] = Counter()
        dynamodb.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def vote(self, approval_id: str, user: str, verdict: Verdict = Verdict.APPROVE) -> Any:
        self.calls.clear()
        reason = "not this one" if verdict is Verdict.REJECT else None
        return self.store.record_vote(approval_id, Vote(user, verdict, AT, reason))


@pytest.fixture
def counting(stack: Stack) -> CountingStore:
    return CountingStore(stack)


def test_a_one_of_n_approve_is_one_write_that_decides(
    stack: Stack, counting: CountingStore
) -> None:
    record = post_pending(stack)

    after, effect = counting.vote(record.approval_id, "U0BOB")

    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by, after.decided_at) == (Status.APPROVED, ("U0BOB",), AT)
    assert counting.calls == Counter({"UpdateItem": 1})


def test_a_reject_is_one_write_that_vetoes(stack: Stack, counting: CountingStore) -> None:
    record = post_pending(stack, quorum=2)

    after, effect = counting.vote(record.approval_id, "U0BOB", Verdict.REJECT)

    assert effect is VoteEffect.DECIDED
    assert (after.status, after.decided_by, after.reason) == (
        Status.REJECTED,
        ("U0BOB",),
        "not this one",
    )
    assert counting.calls == Counter({"UpdateItem": 1})


def test_the_quorum_th_approve_decides_in_its_own_write(
    stack: Stack, counting: CountingStore
) -> None:
    record = post_pending(stack, quorum=2)

    # The first approve of two is refused as the deciding write, then counted
    first, effect = counting.vote(record.approval_id, "U0BOB")
    assert (effect, first.status, first.approvals_needed()) == (
        VoteEffect.COUNTED,
        Status.PENDING,
        1,
    )
    assert counting.calls == Counter({"UpdateItem": 2})

    # The second is the deciding write, at once, and names both approvers
    second, effect = counting.vote(record.approval_id, "U0CAROL")
    assert effect is VoteEffect.DECIDED
    assert second.decided_by == ("U0BOB", "U0CAROL")
    assert counting.calls == Counter({"UpdateItem": 1})


def test_refusals_explain_themselves_without_a_read(stack: Stack, counting: CountingStore) -> None:
    record = post_pending(stack, quorum=2)
    viewer = post_pending(stack)
    stack.store.update(
        viewer.approval_id,
        lambda r: (
            replace(
                r, policy=replace(r.policy, viewer_ids=frozenset({"U0VERA"})), version=r.version + 1
            ),
            [],
        ),
    )

    with pytest.raises(NotFoundError):
        counting.vote("it" + "9" * 20, "U0BOB")
    with pytest.raises(NotAuthorizedError, match="your own request"):
        counting.vote(record.approval_id, "U0ALICE")
    with pytest.raises(NotAuthorizedError, match="not an approver"):
        counting.vote(record.approval_id, "U0EVE")
    with pytest.raises(NotAuthorizedError, match="follow this request"):
        counting.vote(viewer.approval_id, "U0VERA")
    assert counting.calls == Counter({"UpdateItem": 1})  # the viewer's; each refusal is one

    # A second click by the same person is counted once and changes nothing; a change of
    # mind is refused, also from the refusal alone
    counting.vote(record.approval_id, "U0BOB")
    again, effect = counting.vote(record.approval_id, "U0BOB")
    assert effect is VoteEffect.ALREADY_COUNTED
    assert (again.status, len(again.votes)) == (Status.PENDING, 1)
    assert counting.calls == Counter({"UpdateItem": 1})
    with pytest.raises(AlreadyVotedError):
        counting.vote(record.approval_id, "U0BOB", Verdict.REJECT)
    assert counting.calls == Counter({"UpdateItem": 1})

    # A click after the decision is told who decided and when
    counting.vote(record.approval_id, "U0CAROL")
    with pytest.raises(ConflictError) as refused:
        counting.vote(record.approval_id, "U0DAVE")
    assert (refused.value.status, refused.value.decided_by, refused.value.decided_at) == (
        "approved",
        ("U0BOB", "U0CAROL"),
        AT,
    )
    assert counting.calls == Counter({"UpdateItem": 1})
    assert "GetItem" not in counting.calls


def test_an_approver_added_by_escalation_may_decide(stack: Stack, counting: CountingStore) -> None:
    record = post_pending(stack)
    with pytest.raises(NotAuthorizedError):
        counting.vote(record.approval_id, "U0ZED")

    stack.store.update(record.approval_id, lambda r: (r.escalated(frozenset({"U0ZED"})), []))

    after, effect = counting.vote(record.approval_id, "U0ZED")
    assert (effect, after.decided_by) == (VoteEffect.DECIDED, ("U0ZED",))


def test_a_record_stored_before_votes_were_one_write_still_counts_votes(
    stack: Stack, counting: CountingStore
) -> None:
    # Given a record as stored before eligible_ids, approved_by and approvals_needed existed
    record = post_pending(stack, quorum=2)
    table = boto3.resource("dynamodb").Table(stack.settings.approvals_table)
    table.update_item(
        Key={"approval_id": record.approval_id},
        UpdateExpression="REMOVE eligible_ids, approved_by, approvals_needed",
    )

    # Then its votes are counted (read, then written over the version read) and decide
    _, effect = counting.vote(record.approval_id, "U0BOB")
    assert effect is VoteEffect.COUNTED
    second, effect = counting.vote(record.approval_id, "U0CAROL")
    assert effect is VoteEffect.DECIDED
    assert second.decided_by == ("U0BOB", "U0CAROL")
    with pytest.raises(NotAuthorizedError):
        counting.vote(record.approval_id, "U0ALICE")


def test_a_vote_whose_writer_died_gets_its_audit_lines_once_from_the_stream(
    stack: Stack, counting: CountingStore, relay: StreamPoller
) -> None:
    # Given two votes written and nothing else done (the webhook died after each write)
    record = post_pending(stack, quorum=2)
    counting.vote(record.approval_id, "U0BOB")
    counting.vote(record.approval_id, "U0CAROL")

    # When the stream delivers the changes, twice (a retried batch)
    relay.drain()
    relay.drain()

    # Then every vote and the decision have exactly one line (the votes' fixed time sorts
    # them before the request's)
    trail = stack.store.audit_trail(record.approval_id)
    assert sorted((e.kind.value, e.actor) for e in trail) == [
        ("approved", "U0CAROL"),
        ("requested", "U0ALICE"),
        ("voted", "U0BOB"),
        ("voted", "U0CAROL"),
    ]


def test_a_change_that_counted_no_vote_writes_no_vote_line(
    stack: Stack, relay: StreamPoller
) -> None:
    record = post_pending(stack)
    stack.store.update(record.approval_id, lambda r: (r.with_callback("cb-rotated"), []))
    relay.drain()

    kinds = [e.kind for e in stack.store.audit_trail(record.approval_id)]
    assert kinds == [AuditKind.REQUESTED]
