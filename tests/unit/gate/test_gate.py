"""`require_approval` as a durable primitive: a child context, several per workflow, typed.

Each test runs a workflow of its own (not the order saga) on the SDK's local test runner.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python import ChildContextError
from aws_durable_execution_sdk_python.lambda_service import ErrorObject

from greenlight.core import (
    Amount,
    ApprovalRequest,
    AutoApprove,
    Channel,
    ConflictError,
    Decision,
    InvalidRequestError,
    Ladder,
    Link,
    Policy,
    Status,
    metric_names,
)
from greenlight.core.audit import SYSTEM_ACTOR, AuditKind
from greenlight.core.buttons import approval_id_for
from greenlight.core.outcome import failure_error
from greenlight.core.votes import Verdict, Vote, VoteEffect
from greenlight.gate import ladder_steps
from greenlight.gate.gate import SUB_TYPE
from greenlight.testing import InMemoryApprovalStore, InMemoryDirectory
from tests.unit.gate.conftest import GateRun, eventually, running

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.audit import AuditEvent
    from greenlight.gate import Greenlight
    from tests.fakes.workflow import FakeWorld

DEPLOYS = Channel("C0DEPLOYS")
PEOPLE = ("U0BOB", "U0CAROL", "U0DAVE", "U0ERIN", "U0FRANK")


def deploy(title: str = "Deploy api v2.3", **more: Any) -> ApprovalRequest:
    return ApprovalRequest(
        title=title,
        requester_id="U0ALICE",
        description="*3 commits* since v2.2",
        fields=(("Service", "api"),),
        links=(Link("Diff", "https://example.com/diff"),),
        context={"version": "v2.3"},
        **more,
    )


def one_gate(policy: Policy | AutoApprove, request: ApprovalRequest | None = None) -> Any:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        decision = approvals.require_approval(
            ctx, request or deploy(), policy=policy, route=DEPLOYS, name="deploy approval"
        )
        return decision.to_dict()

    return workflow


def test_an_approval_comes_back_typed_with_the_request_context(world: FakeWorld) -> None:
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        assert run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    record = world.approvals.only()
    assert result.approved
    assert (result.status, result.approval_id) == (Status.APPROVED, record.approval_id)
    assert [(v.user_id, v.verdict, v.at) for v in result.votes] == [
        ("U0BOB", Verdict.APPROVE, record.created_at)
    ]
    assert [d.user_id for d in result.deciders] == ["U0BOB"]
    assert result.context == {"version": "v2.3"}
    assert result.message == record.slack
    assert world.notifier.routes == [DEPLOYS]


def test_the_gate_is_one_child_context_with_two_operations_inside(world: FakeWorld) -> None:
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        run.result()
        events = run.events()

    (context,) = [e for e in events if e.event_type == "ContextStarted"]
    assert (context.name, context.sub_type, context.parent_id) == (
        "deploy approval",
        SUB_TYPE,
        None,
    )
    inside = [e for e in events if e.event_type.endswith("Started") and e.parent_id]
    assert [(e.event_type, e.name) for e in inside] == [
        ("CallbackStarted", "decision"),
        ("StepStarted", "post request"),
    ]
    assert all(e.parent_id == context.operation_id for e in inside)


def test_the_approval_id_is_derived_from_the_callback_and_survives_a_retried_post(
    world: FakeWorld,
) -> None:
    # Given Slack fails the first post, so the post step runs again
    world.notifier.fail_posts = 1
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        run.result()

    # Then one record and one message exist, under the id its callback gives
    record = world.approvals.only()
    assert len(world.notifier.posts) == 1
    assert record.approval_id == approval_id_for(record.callback_id)
    assert record.callback_id not in record.approval_id


def test_a_labelled_requesters_ids_start_with_its_label_posted_or_automatic(
    world: FakeWorld,
) -> None:
    # Given the function was granted as "deploys" (GREENLIGHT_REQUESTER)
    world.requester = "deploys"
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        posted = Decision.from_dict(run.result())
    with running(world, one_gate(AutoApprove("a docs-only change"))) as run:
        run.start()
        automatic = Decision.from_dict(run.result())

    # Then the record, its audit lines and both decisions carry ids only it may reach
    assert posted.approval_id is not None
    assert automatic.approval_id is not None
    record = world.approvals.get(posted.approval_id)
    assert record.approval_id == approval_id_for(record.callback_id, "deploys")
    assert automatic.approval_id.startswith("deploys.")
    assert {e.approval_id for e in world.approvals.audit} == {
        posted.approval_id,
        automatic.approval_id,
    }


def test_a_rejection_is_an_answer_with_who_and_why(world: FakeWorld) -> None:
    with running(world, one_gate(Policy(PEOPLE, quorum=2))) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        run.vote("Deploy api v2.3", "U0CAROL", Verdict.REJECT, "freeze until Monday")
        result = Decision.from_dict(run.result())

    assert (result.status, result.approved, result.reason) == (
        Status.REJECTED,
        False,
        "freeze until Monday",
    )
    assert [d.user_id for d in result.deciders] == ["U0CAROL"]
    assert [v.verdict for v in result.votes] == [Verdict.APPROVE, Verdict.REJECT]


def test_two_of_five_are_decided_by_the_first_two_approvers(world: FakeWorld) -> None:
    with running(world, one_gate(Policy(PEOPLE, quorum=2))) as run:
        run.start()
        assert run.vote("Deploy api v2.3", "U0DAVE", Verdict.APPROVE) is VoteEffect.COUNTED
        assert run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE) is VoteEffect.DECIDED
        result = Decision.from_dict(run.result())

    assert sorted(d.user_id for d in result.deciders) == ["U0BOB", "U0DAVE"]
    assert len(result.votes) == 2


def test_a_rejection_sent_as_a_version_1_failure_is_still_a_rejection(world: FakeWorld) -> None:
    # Given a webhook of the previous release, which sent rejections as failures
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        record = run.posted("Deploy api v2.3")
        after, _ = world.approvals.record_vote(
            record.approval_id,
            Vote("U0BOB", Verdict.REJECT, GateRun.when_open(record), "not today"),
        )
        run.runner.send_callback_failure(
            after.callback_id, ErrorObject.from_dict(dict(failure_error(after)))
        )
        result = Decision.from_dict(run.result())

    assert (result.status, result.reason) == (Status.REJECTED, "not today")
    assert [d.user_id for d in result.deciders] == ["U0BOB"]


def test_a_true_error_on_the_callback_fails_the_gate_after_withdrawing_the_request(
    world: FakeWorld,
) -> None:
    # Given a true error sent on the callback, not a verdict (only a 0.1 webhook, or whoever
    # holds the callback id, sends one)
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        record = run.posted("Deploy api v2.3")
        run.runner.send_callback_failure(
            record.callback_id, ErrorObject("the approver's system broke", "Boom", None, None)
        )
        outcome = run.runner.wait_for_result(run.arn, timeout=60)
        steps = run.step_names()

    # Then the workflow sees its gate (a child context) fail, with the error's message: never
    # read as a no, not a Decision
    assert outcome.result is None
    assert outcome.error is not None
    assert str(outcome.error.type).endswith("ChildContextError")
    assert f"approval {record.approval_id} failed" in str(outcome.error.message)
    assert "the approver's system broke" in str(outcome.error.message)
    # And the record is closed first: no live buttons on a request no workflow waits on
    assert steps == ["post request", "withdraw request"]
    closed = world.approvals.only()
    assert (closed.status, closed.reason) == (Status.EXPIRED, ladder_steps.NOT_FOLLOWED)
    assert world.approvals.pending() == []
    assert world.notifier.updates[-1].status is Status.EXPIRED  # redrawn without buttons


def test_a_retried_post_keeps_the_stored_request_when_usergroups_shrank_meanwhile(
    world: FakeWorld,
) -> None:
    # Given the first post attempt stores the request, then Slack fails it; before the retry the
    # usergroup shrinks below the quorum
    class ShrinkingDirectory(InMemoryDirectory):
        def members(self, usergroup_id: str) -> frozenset[str]:
            found = super().members(usergroup_id)
            self.groups[usergroup_id] = frozenset({"U0BOB"})
            return found

    world.directory = ShrinkingDirectory({"S0DEPLOYERS": frozenset({"U0BOB", "U0CAROL"})})
    world.notifier.fail_posts = 1
    with running(world, one_gate(Policy(("S0DEPLOYERS",), quorum=2))) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        run.vote("Deploy api v2.3", "U0CAROL", Verdict.APPROVE)
        result = Decision.from_dict(run.result())

    # Then the retry posted what was stored (quorum 2 of bob and carol), refused nothing
    assert result.approved
    assert sorted(d.user_id for d in result.deciders) == ["U0BOB", "U0CAROL"]
    assert len(world.notifier.posts) == 1
    assert AuditKind.REFUSED not in [e.kind for e in world.approvals.audit]


def test_garbage_on_the_callback_never_approves_and_closes_the_request(world: FakeWorld) -> None:
    with running(world, one_gate(Policy(("U0BOB",)))) as run:
        run.start()
        record = run.posted("Deploy api v2.3")
        run.runner.send_callback_success(record.callback_id, b'{"decision": "approved"}')
        done = run.runner.wait_for_result(run.arn, timeout=60)

    # Then it is no one's decision: the gate fails (never a made-up "rejected"), and the
    # request is closed first, so no click counts on it any more
    assert done.error is not None
    assert "malformed approval result" in (done.error.message or "")
    closed = world.approvals.only()
    assert (closed.status, closed.reason) == (Status.EXPIRED, "malformed approval result")
    assert [e.kind for e in world.approvals.audit][-1] is AuditKind.EXPIRED
    assert world.notifier.updates[-1].status is Status.EXPIRED
    with pytest.raises(ConflictError):
        world.approvals.record_vote(
            record.approval_id, Vote("U0BOB", Verdict.APPROVE, GateRun.when_open(record))
        )


def test_an_automatic_approval_asks_no_one_and_is_audited(world: FakeWorld) -> None:
    with running(world, one_gate(AutoApprove("a docs-only change"))) as run:
        run.start()
        result = Decision.from_dict(run.result())
        steps = [(e.event_type, e.name) for e in run.events() if e.parent_id]

    assert (result.status, result.automatic, result.reason) == (
        Status.APPROVED,
        True,
        "a docs-only change",
    )
    assert result.context == {"version": "v2.3"}
    assert world.notifier.posts == []
    (event,) = world.approvals.audit
    assert (event.kind, event.approval_id) == (AuditKind.AUTO_APPROVED, result.approval_id)
    # The id and time are minted in a step of their own, so the audit step's retry reuses them
    assert steps == [
        ("StepStarted", "auto-approval id"),
        ("StepSucceeded", "auto-approval id"),
        ("StepStarted", "auto-approve"),
        ("StepSucceeded", "auto-approve"),
    ]


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


def test_a_retried_automatic_approval_is_audited_once(world: FakeWorld) -> None:
    # Given the automatic approval's audit write lands but its answer is lost (found by
    # review-gate: the retry minted a fresh id, so two approvals were audited)
    world.approvals = NoteAnswerLostOnce()
    with running(world, one_gate(AutoApprove("below 100.00 EUR"))) as run:
        run.start()
        result = run.result()

    # Then one approval is audited, under the id the workflow got back
    approved = [e for e in world.approvals.audit if e.kind is AuditKind.AUTO_APPROVED]
    assert [e.approval_id for e in approved] == [result["approval_id"]]
    assert world.approvals.lost == 1  # the write was retried


def test_usergroups_are_resolved_inside_the_post_step(world: FakeWorld) -> None:
    world.directory.groups = {
        "S0DEPLOYERS": frozenset({"U0BOB", "U0CAROL"}),
        "S0SRE": frozenset({"U0FRANK"}),
    }
    policy = Policy(("S0DEPLOYERS", "U0DAVE"), escalation_approvers=("S0SRE",))
    with running(world, one_gate(policy)) as run:
        run.start()
        record = run.posted("Deploy api v2.3")
        run.vote("Deploy api v2.3", "U0CAROL", Verdict.APPROVE)
        run.result()
        steps = run.step_names()

    assert record.policy.approver_ids == {"U0BOB", "U0CAROL", "U0DAVE"}
    assert world.directory.lookups == 2  # each group once
    assert steps == ["post request"]


def test_a_request_no_one_may_decide_is_refused_and_audited(
    world: FakeWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    world.directory.groups = {"S0ALICEONLY": frozenset({"U0ALICE"})}
    with running(world, one_gate(Policy(("S0ALICEONLY",)))) as run:
        run.start()
        result = Decision.from_dict(run.result())

    assert (result.status, result.automatic) == (Status.REJECTED, True)
    assert result.reason is not None
    assert result.reason.startswith("needs 1 approvers but only 0 may decide")
    assert world.notifier.posts == []
    # One story: the audit's one line is the refusal, by Greenlight, with the same reason and
    # time, and it says what the workflow was told; the operators' metrics count it
    (line,) = world.approvals.audit
    assert (line.kind, line.actor, line.reason, line.at) == (
        AuditKind.REFUSED,
        SYSTEM_ACTOR,
        result.reason,
        result.decided_at,
    )
    assert "rejected automatically" in line.line()
    assert "requested by U0ALICE" in line.line()  # no `requested` line: nothing was stored
    emf = [json.loads(x) for x in capsys.readouterr().out.splitlines() if '"_aws"' in x]
    assert sum(len(d.get(metric_names.REFUSED, [])) for d in emf) == 1


def test_finance_then_legal_in_sequence(world: FakeWorld) -> None:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        finance = approvals.require_approval(
            ctx,
            deploy("Budget", amount=Amount(2_500_000, "EUR")),
            policy=Policy(("U0BOB",)),
            route=Channel("C0FINANCE"),
            name="finance approval",
        )
        if not finance.approved:
            return {"stopped at": "finance"}
        legal = approvals.require_approval(
            ctx,
            deploy("Contract"),
            policy=Policy(("U0CAROL",)),
            route=Channel("C0LEGAL"),
            name="legal approval",
        )
        return {"finance": finance.to_dict(), "legal": legal.to_dict()}

    with running(world, workflow) as run:
        run.start()
        run.posted("Budget")
        assert len(world.approvals.records) == 1  # legal is asked only once finance said yes
        run.vote("Budget", "U0BOB", Verdict.APPROVE)
        run.vote("Contract", "U0CAROL", Verdict.APPROVE)
        result = run.result()
        contexts = [e.name for e in run.events() if e.event_type == "ContextSucceeded"]

    assert contexts == ["finance approval", "legal approval"]
    assert [r.channel_id for r in world.notifier.routes] == ["C0FINANCE", "C0LEGAL"]
    assert result["finance"]["approval_id"] != result["legal"]["approval_id"]
    assert result["finance"]["deciders"][0]["user_id"] == "U0BOB"
    assert result["legal"]["deciders"][0]["user_id"] == "U0CAROL"


def test_two_approvals_in_parallel_branches(world: FakeWorld) -> None:
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        def ask(title: str, approver: str) -> Callable[[DurableContext], Any]:
            def branch(child: DurableContext) -> Any:
                decision = approvals.require_approval(
                    child, deploy(title), policy=Policy((approver,)), route=DEPLOYS, name=title
                )
                return decision.to_dict()

            return branch

        batch = ctx.parallel([ask("Security", "U0BOB"), ask("Legal", "U0CAROL")])
        return [item.result for item in batch.all]

    with running(world, workflow) as run:
        run.start()
        # Both are asked before either is answered
        run.posted("Security")
        run.posted("Legal")
        run.vote("Legal", "U0CAROL", Verdict.REJECT, "missing DPA")
        run.vote("Security", "U0BOB", Verdict.APPROVE)
        security, legal = run.result()

    assert (security["status"], legal["status"]) == ("approved", "rejected")
    assert legal["reason"] == "missing DPA"
    assert security["approval_id"] != legal["approval_id"]


def later_events(run: GateRun) -> list[Any]:
    return [e for e in run.events() if e.name == "later"]


def test_a_replay_returns_the_same_decision_and_touches_neither_store_nor_slack(
    world: FakeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a workflow that waits after its approval, so it is replayed from checkpoints
    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        decision = approvals.require_approval(
            ctx, deploy(), policy=Policy(("U0BOB",)), route=DEPLOYS
        )
        ctx.step(lambda _: world.clock().isoformat(), name="after")
        callback = ctx.create_callback(name="later")
        callback.result()
        return decision.to_dict()

    with running(world, workflow) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        eventually(lambda: any(e.event_type == "CallbackStarted" for e in later_events(run)))
        later = later_events(run)[0]
        # From now on the gate's body must not run again: any store or Slack call is noted
        touched: list[str] = []
        for name in ("create", "get", "update", "attach_message", "note", "record_vote"):
            monkeypatch.setattr(world.approvals, name, lambda *_, n=name, **__: touched.append(n))
        monkeypatch.setattr(world.notifier, "post_request", lambda *_: touched.append("post"))
        callback_id = later.callback_started_details.callback_id
        run.runner.send_callback_success(callback_id, json.dumps("done").encode())
        result = Decision.from_dict(run.result())

    # Then the replay touched neither the store nor Slack and returned the same decision
    assert result.approved
    assert touched == []
    assert len(world.notifier.posts) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"request": {"title": "Deploy"}}, "request"),
        ({"policy": {"approvers": ["U0BOB"]}}, "policy"),
        ({"route": "C0DEPLOYS"}, "route"),
        # a sensitive request is confirmed by a person: nothing may approve it automatically
        ({"request": deploy(sensitive=True), "policy": AutoApprove("small change")}, "policy"),
    ],
)
def test_wrong_arguments_are_refused_before_any_operation(
    world: FakeWorld, changes: dict[str, Any], field: str
) -> None:
    seen: list[str] = []

    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        arguments: dict[str, Any] = {
            "request": deploy(),
            "policy": Policy(("U0BOB",)),
            "route": DEPLOYS,
        } | changes
        try:
            approvals.require_approval(ctx, **arguments)
        except InvalidRequestError as err:
            seen.append(err.field)
        return "refused"

    with running(world, workflow) as run:
        run.start()
        assert run.result() == "refused"
        started = [e.event_type for e in run.events() if e.event_type.endswith("Started")]

    assert seen == [field]
    assert started == ["ExecutionStarted"]
    assert world.approvals.audit == []


def test_a_ladder_that_would_outlast_the_execution_is_refused_before_any_operation(
    world: FakeWorld,
) -> None:
    # Given a function whose durable executions time out after 10 minutes (the construct
    # passes it on), and a request that would expire only after an hour
    seen: list[tuple[str, str]] = []
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=3600, remind_after=600))

    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        timed = replace(approvals, execution_timeout=600)
        try:
            timed.require_approval(ctx, deploy(), policy=policy, route=DEPLOYS)
        except InvalidRequestError as err:
            seen.append((err.field, err.problem))
        return "refused"

    with running(world, workflow) as run:
        run.start()
        assert run.result() == "refused"
        started = [e.event_type for e in run.events() if e.event_type.endswith("Started")]

    # Then it is refused, naming both durations, and nothing was recorded or posted
    ((field, problem),) = seen
    assert field == "policy.ladder"
    assert "3600" in problem
    assert "600 seconds" in problem
    assert started == ["ExecutionStarted"]
    assert world.approvals.audit == []
    assert world.notifier.posts == []


@pytest.mark.parametrize("timeout", [None, 3601])
def test_a_ladder_that_fits_the_execution_or_an_unknown_timeout_is_asked(
    world: FakeWorld, timeout: int | None
) -> None:
    policy = Policy(("U0BOB",), ladder=Ladder(expire_after=3600, remind_after=600))

    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        timed = replace(approvals, execution_timeout=timeout)
        return timed.require_approval(ctx, deploy(), policy=policy, route=DEPLOYS).to_dict()

    with running(world, workflow) as run:
        run.start()
        run.vote("Deploy api v2.3", "U0BOB", Verdict.APPROVE)
        assert Decision.from_dict(run.result()).approved


def test_a_post_that_fails_for_good_is_a_true_error_and_leaves_nothing_pending(
    world: FakeWorld,
) -> None:
    # Given Slack refuses every post, past the post step's retries
    world.notifier.fail_posts = 100
    caught: list[str] = []

    def workflow(ctx: DurableContext, approvals: Greenlight, _: Any) -> Any:
        try:
            approvals.require_approval(ctx, deploy(), policy=Policy(("U0BOB",)), route=DEPLOYS)
        except ChildContextError as err:
            caught.append(err.message or "")
        return "failed"

    with running(world, workflow) as run:
        run.start()
        assert run.result() == "failed"
        steps = run.step_names()

    # Then the workflow gets an error (not a decision) and the stored request is closed
    assert caught == ["slack unreachable"]
    assert steps == ["withdraw request"]
    assert world.approvals.only().status is Status.EXPIRED
    assert world.approvals.pending() == []
