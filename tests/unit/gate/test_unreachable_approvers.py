"""Approvers Slack will not let the app message: skipped, not fatal, unless the quorum is lost.

The gate on the SDK's local runner, its notifier the production one (`SlackApprovalNotifier`
over `build_web_client`) talking HTTP to the local stack's fake Slack, which refuses
`conversations.open` for a deactivated user with `user_disabled`, as Slack's method page
(tests/contract/slack_api/slack_api_ref/conversations.open.json) documents. The store, the
directory and the clock are the in-memory ones the other gate tests use.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest

from greenlight.core import (
    ApprovalRequest,
    ChannelAndDirectMessages,
    Decision,
    DirectMessages,
    Ladder,
    Policy,
    Status,
    metric_names,
)
from greenlight.core.audit import AuditEvent, AuditKind
from greenlight.core.outcome import decision_payload
from greenlight.core.secret import Secret
from greenlight.core.votes import Verdict, Vote, VoteEffect
from greenlight.slack.client import build_web_client
from greenlight.slack.notifier import SlackApprovalNotifier
from localdev import fake_slack, fixtures
from tests.unit.gate.conftest import eventually, running

if TYPE_CHECKING:
    from collections.abc import Iterator

    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.route import Route
    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

TOKEN = "xoxb-unreachable-test-not-real"  # a dummy for the fake Slack
TITLE = "Rotate the signing key"
OSCAR, PEGGY = sorted(fixtures.DEACTIVATED_IDS)  # deactivated: conversations.open refuses them


@pytest.fixture
def slack() -> Iterator[fake_slack.FakeSlackServer]:
    with fake_slack.running(TOKEN) as server:
        yield server


@pytest.fixture
def world(world: FakeWorld, slack: fake_slack.FakeSlackServer) -> FakeWorld:
    """The in-memory world, its Slack the fake one over HTTP (`greenlight()` builds on it)."""
    client = build_web_client(Secret(TOKEN), f"http://127.0.0.1:{slack.server_port}/api/")
    world.notifier = SlackApprovalNotifier(client)  # type: ignore[assignment]  # the real one
    return world


def gate(policy: Policy, route: Route) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE")
        return approvals.require_approval(ctx, request, policy=policy, route=route).to_dict()

    return workflow


def messages(slack: fake_slack.FakeSlackServer) -> list[str]:
    """The channel of every message posted, in order."""
    return [m["channel"] for m in slack.state.snapshot()["messages"]]


def opened(slack: fake_slack.FakeSlackServer) -> list[str]:
    """Slack's answer to each conversations.open call: "ok" or its error code."""
    calls = slack.state.snapshot()["calls"]
    return [c.get("error") or "ok" for c in calls if c["method"] == "conversations.open"]


def test_a_deactivated_approver_is_skipped_and_the_others_decide(
    world: FakeWorld, slack: fake_slack.FakeSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a DM route to Bob and Oscar, whose account is deactivated; one approval decides
    policy = Policy(("U0BOB", OSCAR), ladder=Ladder(expire_after=30))
    with caplog.at_level(logging.WARNING), running(world, gate(policy, DirectMessages())) as run:
        run.start()
        run.posted(TITLE)

        # When Bob approves in his copy
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    # Then the request stood: Bob got his copy, Oscar none, and Bob's approval decided it
    assert result.approved
    assert messages(slack) == ["D0BOB"]
    assert [m.recipient for m in world.approvals.only().posted_as()] == ["U0BOB"]
    # Oscar's DM was asked for once: a refusal that is his for good is not retried
    assert opened(slack) == ["ok", "user_disabled"]
    # The skip is logged with who and Slack's code, never the token
    skipped = [r for r in caplog.records if OSCAR in r.getMessage()]
    assert skipped, "the skip is logged"
    assert "user_disabled" in skipped[0].getMessage()
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def refused_count(capsys: pytest.CaptureFixture[str]) -> int:
    """How many refusals the gate counted (its EMF lines on stdout)."""
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    return sum(len(doc.get(metric_names.REFUSED, [])) for doc in lines)


def closing_lines(world: FakeWorld) -> list[AuditEvent]:
    """The audit lines after the request's own `requested` line."""
    return [e for e in world.approvals.audit if e.kind is not AuditKind.REQUESTED]


def test_a_quorum_the_reachable_approvers_cannot_meet_is_refused_one_story_everywhere(
    world: FakeWorld, slack: fake_slack.FakeSlackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two of two, and Oscar deactivated
    policy = Policy(("U0BOB", OSCAR), quorum=2, ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        result = Decision.from_dict(run.result())

    # Then the workflow is told: rejected automatically, why (who Slack refused, its code)
    assert (result.status, result.automatic) == (Status.REJECTED, True)
    assert OSCAR in (result.reason or "")
    assert "user_disabled" in (result.reason or "")
    # the stored record says the same: rejected, by no person, with that reason and time
    record = world.approvals.only()
    assert (record.status, record.decided_by, record.reason) == (
        Status.REJECTED,
        (),
        result.reason,
    )
    assert result.decided_at == record.decided_at
    assert result.message == record.slack  # Bob's copy: for a reply in its thread
    # the audit closes it with one line, `refused`, with the same reason (no `expired` line)
    assert [(e.kind, e.reason) for e in closing_lines(world)] == [
        (AuditKind.REFUSED, result.reason)
    ]
    # Bob's copy shows it rejected automatically, why, and no buttons
    bob = next(m for m in slack.state.snapshot()["messages"] if m["channel"] == "D0BOB")
    drawn = json.dumps(bob["blocks"])
    assert "*Rejected* automatically" in drawn
    assert "user_disabled" in drawn
    assert "actions" not in [b["type"] for b in bob["blocks"]]
    assert bob["text"].endswith(" - rejected")
    # and the operators' metrics count one refusal
    assert refused_count(capsys) == 1


def test_a_dm_route_whose_approvers_are_all_unreachable_is_refused(
    world: FakeWorld, slack: fake_slack.FakeSlackServer
) -> None:
    policy = Policy((OSCAR, PEGGY), ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        result = Decision.from_dict(run.result())

    assert (result.status, result.automatic) == (Status.REJECTED, True)
    assert {OSCAR, PEGGY} <= set((result.reason or "").replace(",", " ").split())
    assert messages(slack) == []
    assert opened(slack) == ["user_disabled", "user_disabled"]
    record = world.approvals.only()
    assert (record.status, record.decided_by, record.reason) == (
        Status.REJECTED,
        (),
        result.reason,
    )
    assert result.message is None  # nothing was posted
    assert [(e.kind, e.reason) for e in closing_lines(world)] == [
        (AuditKind.REFUSED, result.reason)
    ]


def test_the_channel_message_stands_when_one_dm_cannot_be_sent(
    world: FakeWorld, slack: fake_slack.FakeSlackServer
) -> None:
    route = ChannelAndDirectMessages(fixtures.CHANNEL_ID)
    policy = Policy(("U0BOB", OSCAR), ladder=Ladder(expire_after=30))
    with running(world, gate(policy, route)) as run:
        run.start()
        run.posted(TITLE)
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    assert result.approved
    assert messages(slack) == [fixtures.CHANNEL_ID, "D0BOB"]
    assert result.message is not None
    assert result.message.channel == fixtures.CHANNEL_ID  # the main message


def test_a_transient_error_on_a_dm_is_still_retried(
    world: FakeWorld, slack: fake_slack.FakeSlackServer
) -> None:
    # A guard (passes before and after the change): Slack's `service_unavailable` is not one
    # person's for good, so the post step retries and the copy is sent.
    slack.faults.add(fake_slack.Fault("conversations.open", "service_unavailable"))
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        run.posted(TITLE)
        assert run.vote(TITLE, "U0BOB", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    assert result.approved
    assert slack.faults.take("conversations.open") is None  # the fault was answered
    assert opened(slack) == ["ok"]  # (a fault's answer is not in the fake's call log)
    assert messages(slack) == ["D0BOB"]


def test_an_unreachable_escalation_approver_does_not_fail_the_escalation(
    world: FakeWorld, slack: fake_slack.FakeSlackServer
) -> None:
    # Given a DM route escalating to Frank and Oscar (deactivated)
    ladder = Ladder(expire_after=3, escalate_after=1)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK", OSCAR), ladder=ladder)
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        eventually(lambda: "rotate callback 2" in run.step_names())
        # When Frank approves in the copy the escalation sent him
        assert run.vote(TITLE, "U0FRANK", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then the escalate step itself succeeded (not its without-Slack fallback): Frank got a
    # copy, Oscar was skipped, and the notice went to the main thread (Bob's DM)
    assert "escalate" in steps
    assert "escalate without Slack" not in steps
    assert result.approved
    assert [m.recipient for m in world.approvals.only().posted_as()] == ["U0BOB", "U0FRANK"]
    assert opened(slack) == ["ok", "ok", "user_disabled"]
    replies = [m for m in slack.state.snapshot()["messages"] if m.get("thread_ts")]
    assert [m["channel"] for m in replies] == ["D0BOB"]


def test_a_refusal_stands_when_its_step_is_retried(
    world: FakeWorld,
    slack: fake_slack.FakeSlackServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given the store's answer to the write that closes the request is lost once (the write
    # landed), and Oscar's account is reactivated before the step runs again
    updated = world.approvals.update

    def lose_the_answer_once(approval_id: str, change: Any) -> Any:
        record = updated(approval_id, change)
        if record.status.is_final and not lost:
            lost.append(record)
            monkeypatch.setattr(fixtures, "DEACTIVATED_IDS", frozenset())
            raise ConnectionError("store unreachable")
        return record

    lost: list[Any] = []
    monkeypatch.setattr(world.approvals, "update", lose_the_answer_once)  # a seam
    policy = Policy(("U0BOB", OSCAR), quorum=2, ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        result = Decision.from_dict(run.result())

    # Then the retried step refuses again (the record it closed stays closed), with the
    # first attempt's reason, and does not wait on a closed request; audited and counted once
    assert lost, "the first refusal's answer was lost once"
    assert (result.status, result.automatic) == (Status.REJECTED, True)
    assert "user_disabled" in (result.reason or "")
    record = world.approvals.only()
    assert (record.status, record.reason) == (Status.REJECTED, result.reason)
    assert [(e.kind, e.reason) for e in closing_lines(world)] == [
        (AuditKind.REFUSED, result.reason)
    ]
    assert refused_count(capsys) == 1


def test_a_veto_cast_while_the_copies_went_out_stands_instead_of_a_refusal(
    world: FakeWorld, slack: fake_slack.FakeSlackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two of two with Oscar unreachable, and Bob rejecting in his copy just before the
    # gate's write that would reject the request automatically (a race: his copy is live)
    updated = world.approvals.update

    def bob_rejects_first(approval_id: str, change: Any) -> Any:
        if not vetoed:
            at = world.approvals.get(approval_id).created_at
            vetoed.append(
                world.approvals.record_vote(
                    approval_id, Vote("U0BOB", Verdict.REJECT, at, "not this week")
                )
            )
        return updated(approval_id, change)

    vetoed: list[Any] = []
    monkeypatch.setattr(world.approvals, "update", bob_rejects_first)  # a seam
    policy = Policy(("U0BOB", OSCAR), quorum=2, ladder=Ladder(expire_after=30))
    with running(world, gate(policy, DirectMessages())) as run:
        run.start()
        eventually(lambda: bool(vetoed))
        (after, effect) = vetoed[0]
        assert effect is VoteEffect.DECIDED
        # the webhook resumes the workflow with Bob's decision, as it does on the deciding click
        run.runner.send_callback_success(after.callback_id, decision_payload(after))
        result = Decision.from_dict(run.result())

    # Then Bob's rejection is the decision, everywhere: not an automatic one
    record = world.approvals.only()
    assert (record.status, record.decided_by, record.reason) == (
        Status.REJECTED,
        ("U0BOB",),
        "not this week",
    )
    assert (result.status, result.automatic, result.reason) == (
        Status.REJECTED,
        False,
        "not this week",
    )
    assert AuditKind.REFUSED not in [e.kind for e in world.approvals.audit]
