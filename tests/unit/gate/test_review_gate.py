"""Adversarial review of the durable gate (review-gate): each test shows a defect and FAILS on
main. Real SDK local runner over the shipped in-memory ports, as the other gate tests do."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.core import ApprovalRequest, AutoApprove, Channel, Policy
from greenlight.core.audit import AuditKind
from greenlight.testing import InMemoryApprovalStore
from tests.unit.gate.conftest import running

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.audit import AuditEvent
    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

ROUTE = Channel("C0DEPLOYS")
TITLE = "Deploy api v2.3"


def gate(policy: Policy | AutoApprove) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE", context={"version": "v2.3"})
        return approvals.require_approval(ctx, request, policy=policy, route=ROUTE).to_dict()

    return workflow


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
