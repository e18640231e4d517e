"""The gate's timeout ladder per call: remind, escalate, expire, each round on a fresh callback.

Callback timeouts are real time even with skip_time, so ladders here are seconds long: the
ladder is per call (the test seam), so no clock needs faking.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import ApprovalRequest, Channel, Decision, Ladder, Policy, Status
from greenlight.core.audit import AuditKind
from greenlight.core.outcome import decision_payload
from greenlight.core.votes import Verdict, Vote, VoteEffect
from greenlight.gate import ladder_steps
from greenlight.gate.gate import round_config
from tests.unit.gate.conftest import eventually, running

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

ROUTE = Channel("C0DEPLOYS", escalation_channel="C0ONCALL")
TITLE = "Drop table sessions"


def gate(policy: Policy) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE", context={"table": "sessions"})
        return approvals.require_approval(ctx, request, policy=policy, route=ROUTE).to_dict()

    return workflow


def test_unanswered_it_is_reminded_escalated_and_expires(world: FakeWorld) -> None:
    ladder = Ladder(expire_after=3, remind_after=1, escalate_after=2)
    policy = Policy(("U0BOB", "U0CAROL"), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    assert (result.status, result.approved, result.context) == (
        Status.EXPIRED,
        False,
        {"table": "sessions"},
    )
    record = world.approvals.only()
    assert record.status is Status.EXPIRED
    assert record.policy.escalated_ids == {"U0FRANK"}
    assert [e.kind for e in world.approvals.audit] == [
        AuditKind.REQUESTED,
        AuditKind.REMINDED,
        AuditKind.ESCALATED,
        AuditKind.EXPIRED,
    ]
    assert steps == [
        "post request",
        "remind",
        "rotate callback 2",
        "escalate",
        "rotate callback 3",
        "expire",
    ]
    ((channel, notice),) = world.notifier.announcements
    assert channel == "C0ONCALL"
    assert notice.startswith("Escalated: no decision yet, so <@U0FRANK> can now decide")


def test_a_click_during_rotation_is_counted_on_the_new_callback(world: FakeWorld) -> None:
    policy = Policy(("U0BOB", "U0CAROL"), quorum=2, ladder=Ladder(expire_after=30, remind_after=1))
    with running(world, gate(policy)) as run:
        run.start()
        first = run.posted(TITLE).callback_id
        # Bob approves in round one; the reminder then rotates the callback
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.COUNTED
        eventually(lambda: "rotate callback 2" in run.step_names())
        rotated = world.approvals.only().callback_id

        # Carol's approve (the deciding one) resumes the rotated callback
        assert run.vote(TITLE, "U0CAROL", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    assert rotated != first
    assert result.approved
    assert sorted(d.user_id for d in result.deciders) == ["U0BOB", "U0CAROL"]


def test_an_escalation_approver_decides_after_escalation(world: FakeWorld) -> None:
    world.directory.groups = {"S0SRE": frozenset({"U0FRANK"})}
    policy = Policy(
        ("U0BOB",),
        escalation_approvers=("S0SRE",),
        ladder=Ladder(expire_after=30, escalate_after=1),
    )
    with running(world, gate(policy)) as run:
        run.start()
        eventually(lambda: "rotate callback 2" in run.step_names())
        run.vote(TITLE, "U0FRANK", Verdict.APPROVE)
        result = Decision.from_dict(run.result())

    assert [d.user_id for d in result.deciders] == ["U0FRANK"]
    assert world.directory.lookups == 1  # resolved once, in the post step


@pytest.mark.parametrize(
    ("approvers", "escalation", "groups"),
    [
        (("U0BOB",), ("S0SRE",), {"S0SRE": frozenset()}),  # an empty usergroup
        (("U0BOB", "U0FRANK"), ("U0FRANK",), {}),  # people who already decide
    ],
    ids=["empty group", "already deciding"],
)
def test_an_escalation_that_finds_no_one_new_announces_nothing_and_is_audited(
    world: FakeWorld,
    approvers: tuple[str, ...],
    escalation: tuple[str, ...],
    groups: dict[str, frozenset[str]],
) -> None:
    world.directory.groups = groups
    ladder = Ladder(expire_after=3, escalate_after=1)
    policy = Policy(approvers, escalation_approvers=escalation, ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    assert result.status is Status.EXPIRED
    assert "escalate" in steps
    # no "so  can now decide": nobody was added, so nothing claims anyone was
    assert world.notifier.announcements == []
    assert not [r for r in world.notifier.replies if r.startswith("Escalated")]
    record = world.approvals.only()
    assert record.policy.escalated_ids == frozenset()
    (line,) = [e for e in world.approvals.audit if e.kind is AuditKind.ESCALATED]
    assert line.detail == ladder_steps.NO_ONE_NEW


@pytest.mark.parametrize("seconds", [0, -5])
def test_a_round_never_waits_on_a_callback_without_a_timeout(seconds: int) -> None:
    # Defence in depth under the Ladder's own check: a timeout of 0 is the SDK's "no timeout"
    # (CallbackConfig), which would leave the gate waiting forever instead of climbing
    config = round_config(seconds)

    assert config.timeout_seconds == 1


def test_each_round_waits_its_own_rung_of_the_ladder(world: FakeWorld) -> None:
    # Remind after 1 s, escalate at 4 s, expire at 5 s: rounds of 1, 3 and 1 seconds. A round
    # that waited another round's time would escalate two seconds early. (The local runner's
    # history leaves a callback's timeout out, so each round is timed, from its callback's
    # start to its time-out; a timer fires late under load, never early: lower bounds only.)
    ladder = Ladder(expire_after=5, remind_after=1, escalate_after=4)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        assert Decision.from_dict(run.result()).status is Status.EXPIRED
        events = run.events()

    started = {e.operation_id: e for e in events if e.event_type == "CallbackStarted"}
    rounds = [
        (started[e.operation_id].name, e.event_timestamp - started[e.operation_id].event_timestamp)
        for e in events
        if e.event_type == "CallbackTimedOut"
    ]
    assert [name for name, _ in rounds] == ["decision", "decision 2", "decision 3"]
    waited = [took.total_seconds() for _, took in rounds]
    assert waited[0] >= 1
    assert waited[1] >= 3  # the escalation's round: 3 s, not the reminder's 1 s
    assert waited[2] >= 1


@pytest.mark.parametrize(
    "ladder",
    [Ladder(expire_after=30, remind_after=1), Ladder(expire_after=30, escalate_after=1)],
    ids=["remind", "escalate"],
)
def test_a_decision_whose_callback_never_came_is_returned_at_the_next_rung_without_acting(
    world: FakeWorld, ladder: Ladder
) -> None:
    # Given Bob's approve stored (it decides), its callback never sent: the webhook died right
    # after the write, and the relay has not delivered it yet
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        record = run.posted(TITLE)
        world.approvals.record_vote(
            record.approval_id, Vote("U0BOB", Verdict.APPROVE, run.when_open(record))
        )
        # When the round times out and the reminder's rung runs
        result = Decision.from_dict(run.result())

    # Then the stored decision is the gate's answer: no one is reminded of a decided request,
    # nor is it escalated (not even audited as "no one new")
    assert (result.status, [d.user_id for d in result.deciders]) == (Status.APPROVED, ["U0BOB"])
    assert [e.kind for e in world.approvals.audit if e.kind is not AuditKind.VOTED] == [
        AuditKind.REQUESTED,
        AuditKind.APPROVED,
    ]
    assert world.approvals.only().policy.escalated_ids == frozenset()
    assert (world.notifier.replies, world.notifier.announcements) == ([], [])


def test_an_expiry_logs_the_line_the_expired_approvals_alarm_counts(
    world: FakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # The construct's metric filter matches `$.message = "approval expired"` in the requesting
    # function's log group (greenlight.cdk.construct): the line is the alarm's only input
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=1))
    with caplog.at_level(logging.WARNING), running(world, gate(policy)) as run:
        run.start()
        assert Decision.from_dict(run.result()).status is Status.EXPIRED

    expired = [r for r in caplog.records if r.getMessage() == "approval expired"]
    assert len(expired) == 1
    assert expired[0].levelno == logging.WARNING
    assert getattr(expired[0], "approval_id", None) == world.approvals.only().approval_id


def test_the_stored_deadline_is_the_ladders_expiry_not_an_earlier_rung(world: FakeWorld) -> None:
    # The record's `expires_at` is what a click is refused by once past (the vote's write):
    # a deadline at the reminder would refuse every vote after it, with hours still to go
    ladder = Ladder(expire_after=3600, remind_after=600, escalate_after=1800)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        record = run.posted(TITLE)
        created = datetime.fromisoformat(record.created_at)
        assert datetime.fromisoformat(record.expires_at) - created == timedelta(seconds=3600)
        # and Bob's approve, after the reminder's and the escalation's times, decides
        after_escalation = (created + timedelta(seconds=1801)).isoformat()
        after, effect = world.approvals.record_vote(
            record.approval_id, Vote("U0BOB", Verdict.APPROVE, after_escalation)
        )
        assert effect is VoteEffect.DECIDED
        run.runner.send_callback_success(after.callback_id, decision_payload(after))
        assert Decision.from_dict(run.result()).approved
