"""The ladder through outages: Slack down at a rung, the store down past its retries.

Slack's side of a rung (a reminder, the escalation notices, the expired redraw) is best effort:
the rung's step is retried as before, and when it still fails (Slack, or a store blip), the rung
runs again in a step of its own that tries each Slack call once and goes on past a failure, and
the ladder climbs on. A store that stays down fails the gate,
but never leaves the record pending with live buttons behind: it is withdrawn first.

The notifier and store here are the shipped in-memory ones, made to fail the way a dropped
connection does (`OSError`, which urllib's `URLError` under slack_sdk's WebClient is).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import ChildContextError

from greenlight.core import ApprovalRequest, Channel, Decision, Ladder, Policy, Status, metric_names
from greenlight.core.audit import AuditKind
from greenlight.core.votes import Verdict, VoteEffect
from greenlight.gate import ladder_steps
from greenlight.testing import InMemoryApprovalStore
from tests.fakes.workflow import RecordingNotifier
from tests.unit.gate.conftest import eventually, running

if TYPE_CHECKING:
    from collections.abc import Callable

    import pytest
    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.audit import AuditEvent
    from greenlight.core.record import ApprovalRecord, SlackMessage
    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

ROUTE = Channel("C0DEPLOYS", escalation_channel="C0ONCALL")
TITLE = "Rotate the signing key"


class SlackDownAfterPosting(RecordingNotifier):
    """Posts the request; then every call named in `broken` fails as if Slack were down."""

    def __init__(self, *broken: str) -> None:
        super().__init__()
        self.broken = frozenset(broken)
        self.attempts: Counter[str] = Counter()

    def _try(self, call: str) -> None:
        self.attempts[call] += 1
        if call in self.broken:
            raise OSError("slack unreachable")

    def reply(self, thread: SlackMessage, text: str) -> None:
        self._try("reply")
        super().reply(thread, text)

    def announce(self, channel: str, text: str) -> None:
        self._try("announce")
        super().announce(channel, text)

    def update_request(self, record: ApprovalRecord) -> None:
        self._try("update_request")
        super().update_request(record)


class RefusingStore(InMemoryApprovalStore):
    """The shipped in-memory store, refusing the updates `refuses` picks (by the record the
    change would write) as a dropped connection does; `refused` counts them."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    def refuses(self, after: ApprovalRecord | None) -> bool:
        raise NotImplementedError

    def update(
        self,
        approval_id: str,
        change: Callable[[ApprovalRecord], tuple[ApprovalRecord, list[AuditEvent]] | None],
    ) -> ApprovalRecord:
        changed = change(self.get(approval_id))
        if self.refuses(changed[0] if changed is not None else None):
            self.refused += 1
            raise OSError("dynamodb unreachable")
        return super().update(approval_id, change)


class StoreDownButForClosing(RefusingStore):
    """The store after the request was posted: every update fails, except one that closes the
    request as expired (so the withdrawal, once the gate gets to it, goes through)."""

    def refuses(self, after: ApprovalRecord | None) -> bool:
        return after is None or after.status is not Status.EXPIRED


class StoreBlipAtExpiry(RefusingStore):
    """The store refuses the expiry's write for every attempt of the expire step (retries.STORE:
    4), then answers again: a DynamoDB blip, with Slack up all along."""

    def refuses(self, after: ApprovalRecord | None) -> bool:
        return after is not None and after.status is Status.EXPIRED and self.refused < 4


def gate(policy: Policy) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        request = ApprovalRequest(TITLE, "U0ALICE", context={"key": "signing"})
        try:
            return approvals.require_approval(ctx, request, policy=policy, route=ROUTE).to_dict()
        except ChildContextError as err:
            return {"failed": err.message}

    return workflow


def test_a_reminder_slack_cannot_send_is_skipped_and_the_ladder_goes_on(
    world: FakeWorld,
) -> None:
    # Given Slack fails every thread reply once the request is posted
    world.notifier = slack = SlackDownAfterPosting("reply")
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=3, remind_after=1))
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then the reminder was tried (with the step's retries), skipped, noted, and the approval
    # went on to expire as its ladder says
    assert result.status is Status.EXPIRED
    assert slack.attempts["reply"] > 1
    assert steps == ["post request", "remind without Slack", "rotate callback 2", "expire"]
    reminded = [e for e in world.approvals.audit if e.kind is AuditKind.REMINDED]
    assert [e.detail for e in reminded] == [
        "waiting on U0BOB (Slack failed: some or all replies not sent)"
    ]
    assert world.approvals.only().status is Status.EXPIRED


def test_an_escalation_slack_cannot_announce_still_lets_the_escalation_approvers_decide(
    world: FakeWorld, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the escalation channel cannot be told (Slack fails every announcement)
    world.notifier = slack = SlackDownAfterPosting("announce")
    policy = Policy(
        ("U0BOB",),
        escalation_approvers=("U0FRANK",),
        ladder=Ladder(expire_after=30, escalate_after=1),
    )
    caplog.set_level(logging.WARNING)
    with running(world, gate(policy)) as run:
        run.start()
        # When the ladder climbs past the escalation, Frank (added by it) approves
        eventually(lambda: "rotate callback 2" in run.step_names())
        assert run.vote(TITLE, "U0FRANK", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())
        steps = run.step_names()
        callbacks = [
            e.callback_started_details.callback_id
            for e in run.events()
            if e.event_type == "CallbackStarted"
        ]

    # Then the escalation's store side happened, and the workflow got Frank's decision
    record = world.approvals.only()
    assert result.approved
    assert [d.user_id for d in result.deciders] == ["U0FRANK"]
    assert record.policy.escalated_ids == {"U0FRANK"}
    assert steps == ["post request", "escalate without Slack", "rotate callback 2"]
    # Tried by the step's 4 attempts (retries.SLACK_POST), once more by the step without Slack
    # (each Slack call tried once there), and not again when Frank's vote resumed the workflow
    # and it replayed past the failed step
    assert slack.attempts["announce"] == 5
    assert world.notifier.announcements == []
    # And the failure was logged once (not again on replay), with the approval and the error's
    # type, and no callback id in any line of ours (the SDK's test runner logs them itself)
    (line,) = [
        r
        for r in caplog.records
        if r.getMessage() == "rung failed; once more, Slack at best effort"
    ]
    assert (line.__dict__["approval_id"], line.__dict__["rung"], line.__dict__["error"]) == (
        record.approval_id,
        "escalate",
        "OSError",
    )
    assert len(callbacks) == 2
    ours = [r for r in caplog.records if not r.name.startswith("aws_durable_execution_sdk")]
    assert not [c for c in callbacks for r in ours if c in str(r.__dict__)]


def test_an_expiry_slack_cannot_redraw_still_returns_the_expired_decision(
    world: FakeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Slack fails every redraw once the request is posted
    world.notifier = slack = SlackDownAfterPosting("update_request")
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=1))
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then the workflow gets the expiry (not a failure), counted once in the metric
    assert (result.status, result.reason) == (Status.EXPIRED, "no decision in time")
    assert slack.attempts["update_request"] > 1
    assert steps == ["post request", "expire without Slack"]
    assert world.approvals.only().status is Status.EXPIRED
    assert [e.kind for e in world.approvals.audit].count(AuditKind.EXPIRED) == 1
    out = capsys.readouterr().out
    assert out.count('"ApprovalsExpired":[1.0]') == 1
    assert out.count(f'"{metric_names.RUNGS_WITHOUT_SLACK}":[1.0]') == 1  # the operators' alarm


def test_each_rung_done_without_slack_is_counted_once_for_the_operators(
    world: FakeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given Slack fails every thread reply once the request is posted: the reminder's and the
    # escalation's (each tried by its step's 4 attempts)
    world.notifier = slack = SlackDownAfterPosting("reply")
    ladder = Ladder(expire_after=3, remind_after=1, escalate_after=2)
    policy = Policy(("U0BOB",), escalation_approvers=("U0FRANK",), ladder=ladder)
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then each rung that went on without Slack is counted once, not once per failed attempt;
    # the expiry, which Slack redrew, is not counted
    assert result.status is Status.EXPIRED
    assert slack.attempts["reply"] == 10  # 4 attempts and 1 best-effort try, for two rungs
    assert [s for s in steps if s.endswith("without Slack")] == [
        "remind without Slack",
        "escalate without Slack",
    ]
    assert capsys.readouterr().out.count(f'"{metric_names.RUNGS_WITHOUT_SLACK}":[1.0]') == 2


def test_a_store_down_past_the_retries_at_escalation_withdraws_the_request(
    world: FakeWorld,
) -> None:
    # Given the store fails every update after the request was posted (but the withdrawal)
    world.approvals = store = StoreDownButForClosing()
    policy = Policy(
        ("U0BOB",),
        escalation_approvers=("U0FRANK",),
        ladder=Ladder(expire_after=30, escalate_after=1),
    )
    with running(world, gate(policy)) as run:
        run.start()
        result = run.result()
        steps = run.step_names()

    # Then the gate fails (a true error), and leaves nothing pending nor clickable behind
    record = store.only()
    assert result == {"failed": "dynamodb unreachable"}
    assert store.refused > 1
    assert steps == ["post request", "withdraw request"]
    assert (record.status, record.reason) == (Status.EXPIRED, ladder_steps.NOT_FOLLOWED)
    assert store.pending() == []
    assert world.notifier.updates[-1].status is Status.EXPIRED  # redrawn: buttons gone


def test_a_store_down_past_the_retries_at_rotation_withdraws_the_request(
    world: FakeWorld,
) -> None:
    # Given the store fails every update after the request was posted (but the withdrawal)
    world.approvals = store = StoreDownButForClosing()
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=30, remind_after=1))
    with running(world, gate(policy)) as run:
        run.start()
        result = run.result()
        steps = run.step_names()

    # Then the reminder went out, the callback swap failed for good, and the request is closed
    assert result == {"failed": "dynamodb unreachable"}
    assert steps == ["post request", "remind", "withdraw request"]
    assert store.only().status is Status.EXPIRED
    assert store.pending() == []


def test_a_store_blip_at_expiry_still_redraws_the_message_and_blames_no_one(
    world: FakeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the store refuses the expiry for the expire step's every attempt, Slack being up
    world.approvals = store = StoreBlipAtExpiry()
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=1))
    with running(world, gate(policy)) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = run.step_names()

    # Then the second try expires it and redraws it (no live buttons left), and the operators'
    # Slack alarm is not fed: Slack never failed
    assert store.refused == 4
    assert steps == ["post request", "expire without Slack"]
    assert result.status is Status.EXPIRED
    redrawn = world.notifier.updates[-1]
    assert redrawn.approval_id == result.approval_id
    assert redrawn.status is Status.EXPIRED
    assert f'"{metric_names.RUNGS_WITHOUT_SLACK}"' not in capsys.readouterr().out


def test_withdrawing_a_request_never_stored_does_nothing_and_raises_nothing(
    world: FakeWorld,
) -> None:
    # A post step that failed before it stored anything (the directory, the store's create):
    # the gate's withdrawal must not fail in its turn and hide that step's error behind its own
    ladder_steps.withdraw(world.greenlight(), "never-stored-approval", ladder_steps.NOT_POSTED)

    assert world.approvals.records == {}
    assert world.approvals.audit == []
    assert world.notifier.updates == []
