"""Routing per request: a channel, a direct message to each approver, or both; quiet approvers.

The gate on the SDK's local runner over the in-memory ports: where each copy goes, that every
copy is kept on the record and redrawn, where reminders and escalations go, and who is never
pinged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import (
    ApprovalRequest,
    Channel,
    ChannelAndDirectMessages,
    Decision,
    DirectMessages,
    Ladder,
    Policy,
    Status,
)
from greenlight.core.audit import AuditKind
from greenlight.core.policy import ApproverPolicy
from greenlight.core.record import ApprovalRecord, SlackMessage
from greenlight.core.route import DIRECT_MESSAGES_MAX
from greenlight.core.votes import Verdict, Vote, VoteEffect
from greenlight.gate import ladder_steps
from greenlight.testing import InMemoryApprovalStore
from tests.unit.gate.conftest import eventually, running

if TYPE_CHECKING:
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.route import Route
    from greenlight.gate import Greenlight
    from greenlight.testing import InMemorySlack
    from tests.fakes.workflow import FakeWorld

TITLE = "Rotate the signing key"
AT = "2026-11-30T12:01:00+00:00"


def gate(policy: Policy, route: Route) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE")
        return approvals.require_approval(ctx, request, policy=policy, route=route).to_dict()

    return workflow


def slack(world: FakeWorld) -> InMemorySlack:
    return world.notifier.slack


def test_direct_messages_send_each_approver_but_the_requester_a_copy(world: FakeWorld) -> None:
    # Given a DM route and approvers that include the requester
    policy = Policy(("U0ALICE", "U0BOB", "U0CAROL"), ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        record = run.posted(TITLE)
        eventually(lambda: len(world.approvals.only().posted_as()) == 2)

        # When Carol approves in her copy
        assert run.vote(TITLE, "U0CAROL", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    # Then Bob and Carol each got a copy, in their own DM, and nobody else did
    record = world.approvals.only()
    assert [(m.channel, m.recipient) for m in record.posted_as()] == [
        ("D0BOB", "U0BOB"),
        ("D0CAROL", "U0CAROL"),
    ]
    assert [p.route for p in slack(world).posts] == [None, None]
    assert record.slack == record.posted_as()[0]  # the first copy is the main message
    assert result.approved
    assert result.message == record.slack


def test_channel_and_direct_messages_post_the_channel_first_then_each_dm(
    world: FakeWorld,
) -> None:
    policy = Policy(("U0BOB", "U0CAROL"), ladder=Ladder(expire_after=1))
    with running(world, gate(policy, ChannelAndDirectMessages("C0KEYS"))) as run:
        run.start()
        result = Decision.from_dict(run.result())

    record = world.approvals.only()
    assert [(m.channel, m.recipient) for m in record.posted_as()] == [
        ("C0KEYS", None),
        ("D0BOB", "U0BOB"),
        ("D0CAROL", "U0CAROL"),
    ]
    assert result.status is Status.EXPIRED
    # The expiry redrew the record holding every copy (the notifier redraws each one)
    (expired,) = [r for r in slack(world).redraws if r.status is Status.EXPIRED]
    assert len(expired.posted_as()) == 3


def test_reminders_go_to_the_channel_and_the_dms_of_those_still_needed(
    world: FakeWorld,
) -> None:
    # Given two of two approvals needed, on a channel and in DMs
    ladder = Ladder(expire_after=30, remind_after=1)
    policy = Policy(("U0BOB", "U0CAROL"), quorum=2, ladder=ladder)
    with running(world, gate(policy, ChannelAndDirectMessages("C0KEYS"))) as run:
        run.start()
        run.posted(TITLE)
        eventually(lambda: len(world.approvals.only().posted_as()) == 3)
        # When Bob approves, then the reminder fires
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.COUNTED
        eventually(lambda: "rotate callback 2" in run.step_names())
        assert run.vote(TITLE, "U0CAROL", Verdict.APPROVE) is VoteEffect.DECIDED
        run.result()

    # Then the channel's thread and Carol's DM were reminded, Bob's DM was not
    assert [r.thread.channel for r in slack(world).replies] == ["C0KEYS", "D0CAROL"]
    assert all("<@U0CAROL>" in r.text and "U0BOB" not in r.text for r in slack(world).replies)


def test_escalation_sends_the_escalation_approvers_a_dm_on_a_dm_route(world: FakeWorld) -> None:
    ladder = Ladder(expire_after=3, escalate_after=1)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy, DirectMessages(escalation_channel="C0ONCALL"))) as run:
        run.start()
        # When the ladder escalates, Frank gets a copy, and decides in it
        eventually(lambda: "rotate callback 2" in run.step_names())
        assert run.vote(TITLE, "U0FRANK", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    record = world.approvals.only()
    assert [(m.channel, m.recipient) for m in record.posted_as()] == [
        ("D0BOB", "U0BOB"),
        ("D0FRANK", "U0FRANK"),
    ]
    assert (result.approved, [d.user_id for d in result.deciders]) == (True, ["U0FRANK"])
    # The notice went to the main thread (Bob's DM) and the escalation channel
    assert [r.thread.channel for r in slack(world).replies] == ["D0BOB"]
    assert [a.channel for a in slack(world).announcements] == ["C0ONCALL"]


def test_a_channel_route_escalates_in_the_thread_without_dms(world: FakeWorld) -> None:
    ladder = Ladder(expire_after=2, escalate_after=1)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy, Channel("C0KEYS"))) as run:
        run.start()
        run.result()

    assert slack(world).direct_posts() == []
    assert [m.channel for m in world.approvals.only().posted_as()] == ["C0KEYS"]


def test_quiet_approvers_may_decide_but_are_never_messaged_or_named(world: FakeWorld) -> None:
    # Given Carol as a quiet approver, on a DM route with a reminder
    ladder = Ladder(expire_after=30, remind_after=1)
    policy = Policy(("U0BOB",), quiet_approvers=("U0CAROL",), quorum=2, ladder=ladder)
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        record = run.posted(TITLE)
        eventually(lambda: "rotate callback 2" in run.step_names())
        # When Bob and then Carol approve
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.COUNTED
        assert run.vote(TITLE, "U0CAROL", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    # Then Carol counted towards the quorum, yet got no DM, no mention, no reminder
    assert result.approved
    assert {d.user_id for d in result.deciders} == {"U0BOB", "U0CAROL"}
    assert record.policy.quiet_ids == {"U0CAROL"}
    assert "U0CAROL" in record.to_item()["eligible_ids"]
    assert [p.message.recipient for p in slack(world).posts] == ["U0BOB"]
    (posted,) = slack(world).posts
    assert "U0CAROL" not in posted.text
    assert "U0CAROL" not in str(posted.blocks)
    assert "1 quiet approver" in str(posted.blocks)
    (reminder,) = slack(world).replies
    assert "<@U0BOB>" in reminder.text
    assert "U0CAROL" not in reminder.text


def test_no_reminder_is_sent_when_only_quiet_approvers_are_still_needed(
    world: FakeWorld,
) -> None:
    ladder = Ladder(expire_after=30, remind_after=1)
    policy = Policy(("U0BOB",), quiet_approvers=("U0CAROL",), quorum=2, ladder=ladder)
    with running(world, gate(policy, Channel("C0KEYS"))) as run:
        run.start()
        run.posted(TITLE)
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.COUNTED
        eventually(lambda: "rotate callback 2" in run.step_names())
        assert run.vote(TITLE, "U0CAROL", Verdict.APPROVE) is VoteEffect.DECIDED
        run.result()

    assert slack(world).replies == []
    assert AuditKind.REMINDED in [e.kind for e in world.approvals.audit]


def test_a_dm_route_whose_approvers_are_all_quiet_is_refused_and_audited(
    world: FakeWorld,
) -> None:
    policy = Policy(("U0BOB",), quiet_approvers=("U0BOB",))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        result = Decision.from_dict(run.result())

    assert (result.status, result.automatic) == (Status.REJECTED, True)
    assert "every one is quiet" in (result.reason or "")
    assert slack(world).posts == []
    assert [e.kind for e in world.approvals.audit] == [AuditKind.REFUSED]


def test_a_dm_route_to_more_people_than_the_bound_is_refused(world: FakeWorld) -> None:
    approvers = tuple(f"U0P{n:03d}" for n in range(DIRECT_MESSAGES_MAX + 1))
    with running(world, gate(Policy(approvers), DirectMessages())) as run:
        run.start()
        result = Decision.from_dict(run.result())

    assert result.status is Status.REJECTED
    assert f"at most {DIRECT_MESSAGES_MAX}" in (result.reason or "")
    assert slack(world).posts == []


@pytest.mark.parametrize("route", [DirectMessages(), ChannelAndDirectMessages("C0KEYS")])
def test_a_retried_post_sends_only_the_copies_still_missing(world: FakeWorld, route: Route) -> None:
    # Given a stored record, posted as its first copy only (the step failed after it)
    services = world.greenlight()
    record = world.approvals.create(pending_record(("U0BOB", "U0CAROL", "U0DAVE")))
    first = ladder_steps.post_copies(services, record, route, ["U0BOB"])
    assert len(first.posted_as()) == (1 if route.channel_id is None else 2)

    # When the step runs again over what was stored
    stored = world.approvals.get(record.approval_id)
    after = ladder_steps.post_copies(services, stored, route, stored.to_ping())

    # Then only the missing copies were posted, one per person, none twice
    recipients = [p.message.recipient for p in slack(world).posts]
    assert sorted(r for r in recipients if r) == ["U0BOB", "U0CAROL", "U0DAVE"]
    assert recipients.count(None) == (0 if route.channel_id is None else 1)
    assert world.approvals.get(record.approval_id).posted_as() == after.posted_as()
    assert after.dm_recipients() == {"U0BOB", "U0CAROL", "U0DAVE"}


def pending_record(approvers: tuple[str, ...]) -> ApprovalRecord:
    return ApprovalRecord(
        approval_id="appr-routing-1",
        callback_id="cb-routing-1",
        execution_arn="arn:aws:lambda:eu-west-1:123456789012:function:f/durable-execution/x/y",
        request=ApprovalRequest(TITLE, "U0ALICE"),
        policy=ApproverPolicy(frozenset(approvers)),
        created_at="2026-11-30T12:00:00+00:00",
        expires_at="2026-11-30T13:00:00+00:00",
        ttl=1,
    )


def test_a_vote_while_the_copies_go_out_is_shown_on_every_copy(world: FakeWorld) -> None:
    # Given a DM route, and Bob approving in his copy before Carol's is sent
    services = world.greenlight()
    record = world.approvals.create(pending_record(("U0BOB", "U0CAROL", "U0DAVE")))
    sent = slack(world).post_direct

    def post_then_bob_votes(drawn: ApprovalRecord, user_id: str) -> SlackMessage:
        message = sent(drawn, user_id)
        if user_id == "U0BOB":
            world.approvals.record_vote(drawn.approval_id, Vote("U0BOB", Verdict.APPROVE, AT))
        return message

    slack(world).post_direct = post_then_bob_votes  # type: ignore[method-assign,assignment]  # a seam

    # When the copies are posted
    after = ladder_steps.post_copies(services, record, DirectMessages(), record.to_ping())

    # Then the record as Bob's vote left it (approved) was redrawn on every copy, though
    # Carol's and Dave's copies were drawn while it was pending
    assert after.status is Status.APPROVED
    assert [p.record.status for p in slack(world).posts] == [Status.PENDING] * 3
    (redrawn,) = slack(world).redraws
    assert redrawn.status is Status.APPROVED
    assert len(redrawn.posted_as()) == 3


def test_no_redraw_when_nothing_moved_while_posting(world: FakeWorld) -> None:
    services = world.greenlight()
    record = world.approvals.create(pending_record(("U0BOB", "U0CAROL")))

    ladder_steps.post_copies(services, record, DirectMessages(), record.to_ping())
    again = ladder_steps.post_copies(
        services, world.approvals.get(record.approval_id), DirectMessages(), ["U0BOB", "U0CAROL"]
    )

    assert slack(world).redraws == []
    assert len(again.posted_as()) == 2
    assert len(slack(world).posts) == 2


class AttachLost(InMemoryApprovalStore):
    """DynamoDB drops the `lost`-th `attach_message` call (a connection reset): nothing
    written, and the step that posted the copy fails unless the copy is carried on."""

    def __init__(self, lost: int = 1) -> None:
        super().__init__()
        self.lost = lost
        self.calls = 0

    def attach_message(self, approval_id: str, message: SlackMessage) -> None:
        self.calls += 1
        if self.calls == self.lost:
            raise OSError("dynamodb unreachable")
        super().attach_message(approval_id, message)


def test_a_store_blip_after_the_post_does_not_post_the_request_twice(world: FakeWorld) -> None:
    # Given Slack takes the post but the write remembering it fails once (found by
    # review-gate: the retried step found no message in the store and posted again)
    world.approvals = AttachLost()
    with running(
        world, gate(Policy(("U0BOB",), ladder=Ladder(expire_after=60)), Channel("C0KEYS"))
    ) as run:
        run.start()
        run.vote(TITLE, "U0BOB", Verdict.APPROVE)
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then Slack holds one request message (DESIGN §3: "a replayed workflow never posts
    # twice"), and the record knows it, so the webhook redraws it when decided (no copy
    # unknown to the record keeps live buttons)
    assert len(slack(world).posts) == 1
    record = world.approvals.only()
    assert record.posted_as() == (slack(world).posts[0].message,)
    assert (result.approved, result.message) == (True, record.slack)
    # The copy went from the first post step to the next in its checkpoint
    assert [n for n in steps if n.startswith("post request")] == ["post request", "post request 2"]


def test_a_store_blip_after_a_direct_copy_sends_each_copy_once(world: FakeWorld) -> None:
    # Given a channel and DMs, and the write remembering Bob's copy (the second) lost
    world.approvals = AttachLost(lost=2)
    policy = Policy(("U0BOB", "U0CAROL"), ladder=Ladder(expire_after=1))
    with running(world, gate(policy, ChannelAndDirectMessages("C0KEYS"))) as run:
        run.start()
        result = Decision.from_dict(run.result())

    # Then each copy went out once and the record holds all three
    assert [p.message.recipient for p in slack(world).posts] == [None, "U0BOB", "U0CAROL"]
    assert [(m.channel, m.recipient) for m in world.approvals.only().posted_as()] == [
        ("C0KEYS", None),
        ("D0BOB", "U0BOB"),
        ("D0CAROL", "U0CAROL"),
    ]
    assert result.status is Status.EXPIRED


def posted_to_bob(world: FakeWorld) -> tuple[Greenlight, ApprovalRecord, SlackMessage]:
    """Bob's request, posted in his DM (Alice asked for it)."""
    services = world.greenlight()
    record = world.approvals.create(pending_record(("U0BOB",)))
    record = ladder_steps.post_copies(services, record, DirectMessages(), ["U0BOB"])
    (message,) = record.posted_as()
    return services, record, message


def test_escalation_copies_go_only_to_escalation_approvers_who_may_decide(
    world: FakeWorld,
) -> None:
    # Given escalation approvers that include the requester (a usergroup she is in)
    services, record, message = posted_to_bob(world)

    # When the request is escalated on a DM route
    ladder_steps.escalate(
        services,
        record.approval_id,
        message,
        frozenset({"U0FRANK", "U0ALICE"}),
        None,
        route=DirectMessages(),
    )

    # Then Frank gets a copy; Alice, who may not decide her own request, gets none
    recipients = [p.message.recipient for p in slack(world).posts]
    assert recipients == ["U0BOB", "U0FRANK"]


def test_an_escalation_step_run_again_adds_no_one_twice_and_audits_once(world: FakeWorld) -> None:
    # Given a request escalated to Frank by a step whose Slack side then failed (it retries)
    services, record, message = posted_to_bob(world)
    escalation = frozenset({"U0FRANK"})
    ladder_steps.escalate(services, record.approval_id, message, escalation, None)
    escalated = world.approvals.get(record.approval_id)

    # When the step runs again
    ladder_steps.escalate(services, record.approval_id, message, escalation, None)

    # Then the record is as the first run left it, and the escalation is audited once
    assert world.approvals.get(record.approval_id).version == escalated.version
    lines = [e for e in world.approvals.audit if e.kind is AuditKind.ESCALATED]
    assert [line.detail for line in lines] == ["added U0FRANK"]
