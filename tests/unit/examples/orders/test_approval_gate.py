"""The gate's ladder, usergroups and refusals on the SDK's test runner.

Callback timeouts are real time even with skip_time, so ladders here are a few seconds long:
that is the test seam (durations come from configuration, per tier).
"""

from __future__ import annotations

import dataclasses
import json
import time
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.orders.workflow import make_handler
from greenlight.core.audit import AuditKind
from greenlight.core.ladder import Ladder
from greenlight.core.policy import Tier
from greenlight.core.votes import Status, Verdict
from tests.unit.examples.orders.conftest import SETTINGS, Harness, order

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.fakes.workflow import FakeWorld

LADDER = Ladder(expire_after=3, remind_after=1, escalate_after=2)


def harness_with(
    world: FakeWorld, **tier_changes: Any
) -> tuple[DurableFunctionTestRunner, Harness]:
    tiers = dataclasses.replace(SETTINGS.tiers, **tier_changes)
    handler = make_handler(world.dependencies(), dataclasses.replace(SETTINGS, tiers=tiers))
    runner = DurableFunctionTestRunner(handler=handler, poll_interval=0.01, skip_time=True)
    return runner, Harness(runner, world)


def eventually(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_unanswered_request_is_reminded_escalated_then_expired(world: FakeWorld) -> None:
    runner, harness = harness_with(
        world, ladders={Tier.SINGLE: LADDER}, escalation_approvers=frozenset({"U0FRANK"})
    )
    with runner:
        result = harness.result(harness.start(order()))

    assert json.loads(result.result)["status"] == "expired"
    record = world.approvals.only()
    assert record.status is Status.EXPIRED
    assert record.policy.escalated_ids == {"U0FRANK"}
    assert [e.kind for e in world.approvals.audit] == [
        AuditKind.REQUESTED,
        AuditKind.REMINDED,
        AuditKind.ESCALATED,
        AuditKind.EXPIRED,
    ]
    reminder, escalation = world.notifier.replies
    assert reminder.startswith(
        "Reminder: this request is still waiting on <@U0BOB>, <@U0CAROL>, <@U0DAVE>"
    )
    assert (
        escalation == "Escalated: no decision yet, so <@U0FRANK> can now decide this request too."
    )
    assert [r.status for r in world.notifier.updates] == [Status.PENDING, Status.EXPIRED]
    assert world.reservations.log[-2:] == ["release shipping", "release inventory"]


def test_an_escalation_approver_can_decide_after_escalation(world: FakeWorld) -> None:
    runner, harness = harness_with(
        world,
        ladders={Tier.SINGLE: Ladder(expire_after=30, escalate_after=1)},
        escalation_approvers=frozenset({"U0FRANK"}),
    )
    with runner:
        arn = harness.start(order())
        eventually(lambda: bool(world.notifier.replies))
        eventually(lambda: "rotate callback 2" in _step_names(runner, arn))

        harness.vote("U0FRANK", Verdict.APPROVE)
        result = json.loads(harness.result(arn).result)

    assert result["status"] == "completed"
    assert [d["user_id"] for d in result["approval"]["deciders"]] == ["U0FRANK"]


def test_a_vote_after_a_reminder_resumes_the_rotated_callback(world: FakeWorld) -> None:
    runner, harness = harness_with(
        world, ladders={Tier.SINGLE: Ladder(expire_after=30, remind_after=1)}
    )
    with runner:
        arn = harness.start(order())
        first_callback = world.approvals.only().callback_id if world.approvals.records else None
        eventually(lambda: "rotate callback 2" in _step_names(runner, arn))
        rotated = world.approvals.only()

        harness.vote("U0BOB", Verdict.APPROVE)
        result = json.loads(harness.result(arn).result)

    assert rotated.callback_id != first_callback
    assert result["status"] == "completed"


def test_usergroups_are_resolved_once_per_invocation(world: FakeWorld) -> None:
    world.directory.groups = {"S0FINANCE": frozenset({"U0BOB", "U0CAROL"})}
    runner, harness = harness_with(
        world,
        approvers=frozenset({"S0FINANCE", "U0DAVE"}),
        escalation_approvers=frozenset({"S0FINANCE"}),
    )
    with runner:
        arn = harness.start(order())
        harness.wait_for_request(arn)

        assert world.approvals.only().policy.approver_ids == {"U0BOB", "U0CAROL", "U0DAVE"}
        assert world.directory.lookups == 1
        harness.vote("U0CAROL", Verdict.APPROVE)
        harness.result(arn)


def test_a_request_no_one_may_decide_is_refused_and_compensated(world: FakeWorld) -> None:
    # Given a usergroup whose only member is the requester: known only once it is resolved
    world.directory.groups = {"S0ALICEONLY": frozenset({"U0ALICE"})}
    runner, harness = harness_with(world, approvers=frozenset({"S0ALICEONLY"}))
    with runner:
        result = harness.result(harness.start(order()))

    body = json.loads(result.result)
    assert result.status is InvocationStatus.SUCCEEDED
    assert body["status"] == "rejected"
    assert body["approval"]["reason"].startswith("needs 1 approvers but only 0 may decide")
    assert world.notifier.posts == []
    assert [e.kind for e in world.approvals.audit] == [AuditKind.REFUSED]
    assert world.reservations.log[-2:] == ["release shipping", "release inventory"]


def test_auto_approval_writes_an_audit_line(world: FakeWorld) -> None:
    runner, harness = harness_with(world)
    with runner:
        harness.result(harness.start(order(amount_cents=500)))

    (event,) = world.approvals.audit
    assert (event.kind, event.reason) == (AuditKind.AUTO_APPROVED, "5.00 EUR is below 100.00 EUR")


def _step_names(runner: DurableFunctionTestRunner, arn: str) -> list[str]:
    events = runner.get_execution_history(arn).events
    return [e.name for e in events if e.event_type == "StepSucceeded" and e.name]
