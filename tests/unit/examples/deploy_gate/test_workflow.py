"""The deploy gate on the SDK's in-memory test runner, over Greenlight's in-memory parts.

Driven as Slack and the webhook would drive it: the store records each vote, and a deciding
vote resumes the workflow with the decision as the callback's success result (a rejection
too). Callback timeouts are real seconds even with skip_time, so the expiry test's ladder is
two seconds long: that is the test seam.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python.lambda_service import InvocationStatus
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from examples.deploy_gate.workflow import DeployGate, make_handler
from greenlight.core.outcome import decision_payload
from greenlight.core.votes import Status, Verdict, Vote, VoteEffect
from tests.fakes.workflow import FakeWorld
from tests.unit.examples.deploy_gate.test_deploy import event, settings

if TYPE_CHECKING:
    from collections.abc import Iterator

    from greenlight.core import ApprovalRecord

ONCALL = frozenset({"U0BOB", "U0CAROL", "U0DAVE"})


class Deploys:
    """Drives one deploy gate execution."""

    def __init__(self, runner: DurableFunctionTestRunner, world: FakeWorld) -> None:
        self.runner = runner
        self.world = world

    def start(self, **changes: Any) -> str:
        return str(self.runner.run_async(input=json.dumps(event(**changes)), execution_timeout=60))

    def pending(self, count: int) -> ApprovalRecord:
        """The newest pending record, once `count` records exist."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            records = list(self.world.approvals.records.values())
            waiting = [r for r in records if r.status is Status.PENDING and r.slack]
            if len(records) == count and waiting:
                return waiting[-1]
            time.sleep(0.02)
        raise AssertionError(f"no pending approval number {count}")

    def vote(self, record: ApprovalRecord, user_id: str, verdict: Verdict, why: str = "") -> None:
        after, effect = self.world.approvals.record_vote(
            record.approval_id,
            Vote(user_id, verdict, record.created_at, why or None),  # while it is open,
        )
        if effect is VoteEffect.DECIDED:
            self.runner.send_callback_success(after.callback_id, decision_payload(after))

    def result(self, arn: str) -> dict[str, Any]:
        done = self.runner.wait_for_result(arn, timeout=60)
        assert done.status is InvocationStatus.SUCCEEDED, done.error
        result: dict[str, Any] = json.loads(done.result or "null")
        return result


@pytest.fixture
def world() -> FakeWorld:
    world = FakeWorld()
    world.directory.groups["S0ONCALL"] = ONCALL
    return world


def runner_for(world: FakeWorld, **env: str) -> DurableFunctionTestRunner:
    gate = DeployGate(
        world.greenlight(),
        settings(**env),
        clock=lambda: datetime(2026, 11, 30, 12, 0, tzinfo=UTC),  # a Monday
    )
    return DurableFunctionTestRunner(handler=make_handler(gate), poll_interval=0.01, skip_time=True)


@pytest.fixture
def deploys(world: FakeWorld) -> Iterator[Deploys]:
    with runner_for(world) as runner:
        yield Deploys(runner, world)


def test_two_approvals_in_sequence_then_the_deploy(deploys: Deploys, world: FakeWorld) -> None:
    arn = deploys.start()
    oncall = deploys.pending(1)
    deploys.vote(oncall, "U0BOB", Verdict.APPROVE)
    release = deploys.pending(2)
    deploys.vote(release, "U0FRANK", Verdict.APPROVE)

    result = deploys.result(arn)

    assert result["status"] == "deployed"
    assert result["deployment"] == {
        "deployment_id": "api-v2.3.0-production",
        "deployed_at": "2026-11-30T12:00:00+00:00",
    }
    assert [(a["name"], a["deciders"]) for a in result["approvals"]] == [
        ("on-call approval", ["U0BOB"]),
        ("release approval", ["U0FRANK"]),
    ]
    # Each ask went to the configured channel, with its own policy
    assert [r.channel_id for r in world.notifier.routes] == ["C0DEPLOYS", "C0DEPLOYS"]
    assert oncall.policy.approver_ids == ONCALL
    assert oncall.policy.quorum == 1
    assert release.policy.approver_ids == {"U0FRANK"}
    assert world.notifier.notices == [("U0ALICE", "api v2.3.0 to production is deployed.")]


def test_a_critical_service_asks_two_of_the_on_call(deploys: Deploys) -> None:
    arn = deploys.start(service="payments")
    oncall = deploys.pending(1)
    assert oncall.policy.quorum == 2
    assert oncall.request.title == "Deploy payments v2.3.0 to production (critical: 2 approvals)"

    deploys.vote(oncall, "U0BOB", Verdict.APPROVE)
    deploys.vote(oncall, "U0CAROL", Verdict.APPROVE)
    deploys.vote(deploys.pending(2), "U0FRANK", Verdict.APPROVE)

    result = deploys.result(arn)
    assert result["status"] == "deployed"
    assert sorted(result["approvals"][0]["deciders"]) == ["U0BOB", "U0CAROL"]


def test_a_rejection_is_an_answer_and_nothing_is_deployed(
    deploys: Deploys, world: FakeWorld
) -> None:
    arn = deploys.start()
    deploys.vote(deploys.pending(1), "U0DAVE", Verdict.REJECT, "incident in progress")

    result = deploys.result(arn)

    assert (result["status"], result["deployment"]) == ("rejected", None)
    assert result["approvals"][0]["reason"] == "incident in progress"
    assert len(world.approvals.records) == 1
    assert world.notifier.notices == [
        (
            "U0ALICE",
            "deploy of api v2.3.0 to production was not done: the on-call approval was "
            "rejected: incident in progress.",
        )
    ]


def test_an_unanswered_ask_expires_as_an_answer(world: FakeWorld) -> None:
    with runner_for(
        world, DEPLOY_REMIND_AFTER_SECONDS="1", DEPLOY_EXPIRE_AFTER_SECONDS="2"
    ) as runner:
        deploys = Deploys(runner, world)
        result = deploys.result(deploys.start())

    assert (result["status"], result["deployment"]) == ("expired", None)
    assert [a["status"] for a in result["approvals"]] == ["expired"]
    assert world.approvals.only().status is Status.EXPIRED


def test_a_failed_check_blocks_without_asking(deploys: Deploys, world: FakeWorld) -> None:
    result = deploys.result(deploys.start(ci={"unit tests": "failed"}))

    assert result["status"] == "blocked"
    assert world.approvals.records == {}
    [(channel, text)] = world.notifier.announcements
    assert channel == "C0DEPLOYS"
    assert "blocked by its checks (ci green: not passed: unit tests)" in text


def test_staging_deploys_without_asking(deploys: Deploys, world: FakeWorld) -> None:
    result = deploys.result(deploys.start(environment="staging"))

    assert (result["status"], result["approvals"]) == ("deployed", [])
    assert world.approvals.records == {}


def test_a_malformed_request_fails_the_execution_with_the_reason(deploys: Deploys) -> None:
    done = deploys.runner.wait_for_result(deploys.start(version="latest"), timeout=30)

    assert done.status is InvocationStatus.FAILED
    assert done.error is not None
    assert "invalid version" in str(done.error)
