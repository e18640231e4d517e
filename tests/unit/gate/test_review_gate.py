"""Adversarial review of the durable gate (review-gate): each test shows a defect and FAILS on
main. Real SDK local runner over the shipped in-memory ports, as the other gate tests do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.core import ApprovalRequest, AutoApprove, Channel, Ladder, Policy, Status
from greenlight.core.audit import AuditKind
from greenlight.core.votes import Verdict
from greenlight.testing import InMemoryApprovalStore
from tests.unit.gate.conftest import running

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import SlackMessage
    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

ROUTE = Channel("C0DEPLOYS")
TITLE = "Deploy api v2.3"


def gate(policy: Policy | AutoApprove) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE", context={"version": "v2.3"})
        return approvals.require_approval(ctx, request, policy=policy, route=ROUTE).to_dict()

    return workflow


class AttachLostOnce(InMemoryApprovalStore):
    """DynamoDB drops the first `attach_message` call (a connection reset): nothing written."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        if not self.dropped:
            self.dropped += 1
            raise OSError("dynamodb unreachable")
        super().attach_message(approval_id, message)


def test_review_a_store_blip_after_the_post_does_not_post_the_request_twice(
    world: FakeWorld,
) -> None:
    # Given Slack takes the post but the write remembering it fails once (the step retries)
    world.approvals = AttachLostOnce()
    with running(world, gate(Policy(("U0BOB",), ladder=Ladder(expire_after=60)))) as run:
        run.start()
        run.vote(TITLE, "U0BOB", Verdict.APPROVE)
        run.result()

    # Then Slack holds one request message (DESIGN §3: "a replayed workflow never posts
    # twice"); on main it holds two, and the first, unknown to the record, is never redrawn:
    # its Approve/Reject buttons stay live after the decision
    assert len(world.notifier.posts) == 1, f"request posted {len(world.notifier.posts)} times"


def test_review_garbage_on_the_callback_does_not_leave_the_request_pending(
    world: FakeWorld,
) -> None:
    # Given a success result the gate cannot read (a newer webhook's format, or anyone holding
    # the callback id), sent while the request is pending
    with running(world, gate(Policy(("U0BOB",), ladder=Ladder(expire_after=60)))) as run:
        run.start()
        record = run.posted(TITLE)
        run.runner.send_callback_success(record.callback_id, b'{"unexpected": true}')
        result = run.result()

    # The gate returns "rejected" to the workflow...
    assert (result["status"], result["reason"]) == ("rejected", "malformed approval result")
    # ...so the record must not stay pending with live buttons (every other path that ends the
    # gate without a decision in the store withdraws it first); on main it stays pending
    assert world.approvals.only().status is not Status.PENDING


class NoteAnswerLostOnce(InMemoryApprovalStore):
    """The first audit write lands but its answer is lost (the SDK retries the step)."""

    def __init__(self) -> None:
        super().__init__()
        self.lost = 0

    def note(self, event: AuditEvent) -> None:
        super().note(event)
        if not self.lost:
            self.lost += 1
            raise TimeoutError("read timeout")


def test_review_a_retried_automatic_approval_is_audited_once(world: FakeWorld) -> None:
    # Given the automatic approval's audit write lands but its answer is lost
    world.approvals = NoteAnswerLostOnce()
    with running(world, gate(AutoApprove("below 100.00 EUR"))) as run:
        run.start()
        result = run.result()

    # Then one approval is audited, under the id the workflow got back; on main the retry
    # mints a fresh id (`new_id()` inside the at-least-once step), so two approvals appear
    approved = [e for e in world.approvals.audit if e.kind is AuditKind.AUTO_APPROVED]
    assert [e.approval_id for e in approved] == [result["approval_id"]]
