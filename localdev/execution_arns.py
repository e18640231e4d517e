"""Execution ARNs in Lambda's form for every client of the host; the runner's own form behind it.

Lambda names an execution `arn:aws:lambda:REGION:ACCOUNT:function:NAME:VERSION/durable-execution/
EXECUTION_NAME/ID` (the `DurableExecutionArn` pattern in botocore's model); the local runner
names it `UUID/UUID`. The host translates at its edge, both ways. The runner's ARN is carried in
the ID (`UUID_UUID`: `_` is in the ID's alphabet and never in a UUID), so the way back needs no
stored state and survives restarts; the way there needs the execution's name and version, which
the book remembers (and asks the runner for when it has not seen an execution yet).
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
_RUNNER_PART = re.compile(r"[A-Za-z0-9-]+")


class ExecutionArnError(ValueError):
    """An ARN that is not a durable execution's ARN in Lambda's form (or not of this host)."""


@dataclass(frozen=True, slots=True)
class ExecutionArn:
    """A durable execution as Lambda names it, with the runner's name for it."""

    function: str
    version: str
    name: str
    runner_arn: str

    def __str__(self) -> str:
        first, _, second = self.runner_arn.partition("/")
        return (
            f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function}:{self.version}"
            f"/durable-execution/{self.name}/{first}_{second}"
        )

    def __post_init__(self) -> None:
        first, slash, second = self.runner_arn.partition("/")
        if not (slash and _RUNNER_PART.fullmatch(first) and _RUNNER_PART.fullmatch(second)):
            raise ExecutionArnError(f"not a local runner execution ARN: {self.runner_arn!r}")

    @classmethod
    def parse(cls, arn: str) -> ExecutionArn:
        """Read a Lambda-form ARN (checked against the model's pattern, then this host's region
        and account).

        Raises:
            ExecutionArnError: the ARN does not have the model's form, names another region or
                account, or carries no runner ARN in its ID.
        """
        found = pattern("DurableExecutionArn").fullmatch(arn)
        if not found:
            raise ExecutionArnError(f"not a durable execution ARN: {arn!r}")
        _, region, account, function, version, name, execution_id = found.groups()
        if (region, account) != (REGION, ACCOUNT_ID):
            raise ExecutionArnError(f"no such execution in {region}/{account}: {arn!r}")
        first, underscore, second = execution_id.partition("_")
        if not underscore:
            raise ExecutionArnError(f"no such execution: {arn!r}")
        return cls(function, version, name, f"{first}/{second}")


class ArnBook:
    """Lambda-form ARNs of the executions seen so far, keyed by the runner's ARN.

    `describe(runner_arn)` returns (function, version, name) for an execution not yet seen (a
    host restarted while executions were in flight), or raises `KeyError` if the runner has none.
    """

    def __init__(self, describe: Callable[[str], tuple[str, str, str]]) -> None:
        self._describe = describe
        self._known: dict[str, ExecutionArn] = {}
        self._lock = threading.Lock()

    def remember(self, arn: ExecutionArn) -> ExecutionArn:
        """Record an execution whose name and version the caller knows."""
        with self._lock:
            self._known[arn.runner_arn] = arn
        return arn

    def of(self, runner_arn: str) -> ExecutionArn:
        """The Lambda-form ARN of a runner execution.

        Raises:
            KeyError: the runner has no such execution.
        """
        with self._lock:
            known = self._known.get(runner_arn)
        if known:
            return known
        function, version, name = self._describe(runner_arn)
        return self.remember(ExecutionArn(function, version, name, runner_arn))
