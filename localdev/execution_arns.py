"""Execution ARNs in Lambda's form for every client of the host; the runner's own form behind it.

Lambda names an execution `arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION/durable-execution/
EXECUTION_NAME/ID` (the `DurableExecutionArn` pattern in botocore's model); the local runner
names it `UUID/UUID`. The host translates at its edge, both ways. The ID is the runner ARN's
second part, which is the id of the execution's EXECUTION operation: the durable SDK reads that
id from the ARN's last segment (`ExecutionState.get_execution_operation`), so it must survive
the translation. The way back (ID → runner ARN) is looked up: in the book, or by asking the
runner for the executions of that name.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from localdev.lambda_model import pattern

if TYPE_CHECKING:
    from collections.abc import Callable

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
_RUNNER_ARN = re.compile(r"[A-Za-z0-9-]+/([A-Za-z0-9_-]+)")


class ExecutionArnError(ValueError):
    """A string that is not a durable execution ARN of the model's form."""


@dataclass(frozen=True, slots=True)
class ExecutionArn:
    """A durable execution as Lambda names it, with the runner's name for it."""

    function: str
    version: str
    name: str
    runner_arn: str

    def __post_init__(self) -> None:
        if not _RUNNER_ARN.fullmatch(self.runner_arn):
            raise ExecutionArnError(f"not a local runner execution ARN: {self.runner_arn!r}")

    def __str__(self) -> str:
        return (
            f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function}:{self.version}"
            f"/durable-execution/{self.name}/{execution_id(self.runner_arn)}"
        )


def execution_id(runner_arn: str) -> str:
    """The ID Lambda's ARN carries: the runner ARN's second part (the EXECUTION operation's id)."""
    return runner_arn.rpartition("/")[2]


@dataclass(frozen=True, slots=True)
class ParsedArn:
    """The parts of a Lambda-form execution ARN."""

    region: str
    account: str
    function: str
    version: str
    name: str
    execution_id: str

    @classmethod
    def parse(cls, arn: str) -> ParsedArn:
        """Read an ARN against the model's `DurableExecutionArn` pattern.

        Raises:
            ExecutionArnError: it does not have the model's form.
        """
        found = pattern("DurableExecutionArn").fullmatch(arn)
        if not found:
            raise ExecutionArnError(f"not a durable execution ARN: {arn!r}")
        _, region, account, function, version, name, execution = found.groups()
        return cls(region, account, function, version, name, execution)


class ArnBook:
    """Lambda-form ARNs of the executions seen so far, both ways.

    `describe(runner_arn)` gives (function, version, name) of an execution the book has not seen
    (a host restarted while executions were in flight) and raises `KeyError` if the runner has
    none; `find(function, name, execution_id)` gives the runner ARN of an execution or None.
    """

    def __init__(
        self,
        describe: Callable[[str], tuple[str, str, str]],
        find: Callable[[str, str, str], str | None],
    ) -> None:
        self._describe = describe
        self._find = find
        self._by_runner: dict[str, ExecutionArn] = {}
        self._by_lambda: dict[str, ExecutionArn] = {}
        self._lock = threading.Lock()

    def remember(self, arn: ExecutionArn) -> ExecutionArn:
        """Record an execution whose name and version the caller knows."""
        with self._lock:
            self._by_runner[arn.runner_arn] = arn
            self._by_lambda[str(arn)] = arn
        return arn

    def of(self, runner_arn: str) -> ExecutionArn:
        """The Lambda-form ARN of a runner execution.

        Raises:
            KeyError: the runner has no such execution.
        """
        with self._lock:
            known = self._by_runner.get(runner_arn)
        if known:
            return known
        function, version, name = self._describe(runner_arn)
        return self.remember(ExecutionArn(function, version, name, runner_arn))

    def resolve(self, arn: str) -> ExecutionArn:
        """The execution a Lambda-form ARN names: every part must be the execution's.

        Raises:
            ExecutionArnError: `arn` does not have the model's form.
            KeyError: no execution has this ARN.
        """
        parsed = ParsedArn.parse(arn)
        with self._lock:
            known = self._by_lambda.get(arn)
        if known:
            return known
        if (parsed.region, parsed.account) != (REGION, ACCOUNT_ID):
            raise KeyError(arn)
        runner_arn = self._find(parsed.function, parsed.name, parsed.execution_id)
        if runner_arn is None:
            raise KeyError(arn)
        found = self.of(runner_arn)
        if str(found) != arn:
            raise KeyError(arn)
        return found
