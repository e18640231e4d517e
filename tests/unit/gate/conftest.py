"""The gate alone, in workflows of its own, on the SDK's local test runner over in-memory ports.

Votes are cast as the webhook casts them (`record_vote`: authorize, count, decide in one go)
and a deciding vote resumes the workflow as the webhook does: a success callback carrying the
verdict, whatever it is.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
from aws_durable_execution_sdk_python import durable_execution
from aws_durable_execution_sdk_python_testing.runner import DurableFunctionTestRunner

from greenlight.core.outcome import decision_payload
from greenlight.core.votes import Verdict, Vote, VoteEffect
from tests.fakes.workflow import FakeWorld

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from aws_durable_execution_sdk_python import DurableContext

    from greenlight.core.record import ApprovalRecord


def eventually(check: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


class GateRun:
    """One workflow on the runner, and the people who click."""

    def __init__(self, runner: DurableFunctionTestRunner, world: FakeWorld) -> None:
        self.runner = runner
        self.world = world
        self.arn = ""

    def start(self, event: Any = None) -> str:
        self.arn = str(self.runner.run_async(input=json.dumps(event or {}), execution_timeout=60))
        return self.arn

    def posted(self, title: str) -> ApprovalRecord:
        """The request with this title, once it is posted."""

        def found() -> bool:
            return any(
                r.request.title == title and r.slack for r in self.world.approvals.records.values()
            )

        eventually(found)
        (record,) = (r for r in self.world.approvals.records.values() if r.request.title == title)
        return record

    def vote(
        self, title: str, user_id: str, verdict: Verdict, reason: str | None = None
    ) -> VoteEffect:
        record = self.posted(title)
        after, effect = self.world.approvals.record_vote(
            record.approval_id, Vote(user_id, verdict, self.when_open(record), reason)
        )
        if effect is VoteEffect.DECIDED:
            self.runner.send_callback_success(after.callback_id, decision_payload(after))
        return effect

    @staticmethod
    def when_open(record: ApprovalRecord) -> str:
        """A time the request is open at, in its own clock: the runner skips the ladder's
        waits, so only the record says when "now" is (after its deadline, a vote is refused)."""
        return record.created_at

    def result(self) -> Any:
        result = self.runner.wait_for_result(self.arn, timeout=60)
        assert result.error is None, result.error
        assert result.result is not None
        return json.loads(result.result)

    def events(self) -> list[Any]:
        return list(self.runner.get_execution_history(self.arn).events)

    def step_names(self) -> list[str]:
        return [e.name for e in self.events() if e.event_type == "StepSucceeded" and e.name]


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@contextmanager
def running(world: FakeWorld, workflow: Callable[..., Any]) -> Iterator[GateRun]:
    """Run `workflow(ctx, approvals, event)` as a durable handler over the world's ports."""
    approvals = world.greenlight()

    @durable_execution
    def handle(event: Any, ctx: DurableContext) -> Any:
        return workflow(ctx, approvals, event)

    with DurableFunctionTestRunner(handler=handle, poll_interval=0.01, skip_time=True) as runner:
        yield GateRun(runner, world)
