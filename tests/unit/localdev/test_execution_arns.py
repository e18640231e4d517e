"""Lambda-form execution ARNs over the runner's, checked against botocore's model pattern."""

from __future__ import annotations

import pytest

from localdev.execution_arns import (
    ArnBook,
    ExecutionArn,
    ExecutionArnError,
    ParsedArn,
    execution_id,
)
from localdev.lambda_model import pattern

RUNNER_ARN = "6b181e8c-934a-43fe-aacd-cc8f2a8a4f8b/83d10711-0b58-4096-a13e-e8c27ba2e017"


def arn(name: str = "order-1", version: str = "$LATEST") -> ExecutionArn:
    return ExecutionArn("greenlight-orders", version, name, RUNNER_ARN)


def test_the_lambda_form_matches_the_models_pattern() -> None:
    text = str(arn())

    assert pattern("DurableExecutionArn").fullmatch(text)
    assert text == (
        "arn:aws:lambda:us-east-1:123456789012:function:greenlight-orders:$LATEST"
        "/durable-execution/order-1/83d10711-0b58-4096-a13e-e8c27ba2e017"
    )


def test_the_id_is_the_execution_operation_id_the_sdk_reads_from_the_last_segment() -> None:
    # The durable SDK takes the ARN's last "/" segment as the EXECUTION operation's id
    assert (
        str(arn()).split("/")[-1]
        == RUNNER_ARN.rsplit("/", maxsplit=1)[-1]
        == execution_id(RUNNER_ARN)
    )


@pytest.mark.parametrize(
    "bad",
    [
        RUNNER_ARN,
        "arn:aws:lambda:us-east-1:123456789012:function:greenlight-orders:live"
        "/durable-execution/order-1/x",  # an alias is not an executed version
        "arn:aws:lambda:us-east-1:123456789012:function:greenlight-orders:$LATEST"
        "/durable-execution/order 1/x",
        "",
    ],
)
def test_anything_else_is_not_an_execution_arn(bad: str) -> None:
    with pytest.raises(ExecutionArnError):
        ParsedArn.parse(bad)


def test_a_runner_arn_of_another_form_is_refused() -> None:
    with pytest.raises(ExecutionArnError):
        ExecutionArn("greenlight-orders", "$LATEST", "order-1", "no-slash")


class Runner:
    """The book's two questions to the runner, answered from a dict; calls are counted."""

    def __init__(self) -> None:
        self.executions = {RUNNER_ARN: ("greenlight-orders", "$LATEST", "order-1")}
        self.calls = 0

    def describe(self, runner_arn: str) -> tuple[str, str, str]:
        self.calls += 1
        return self.executions[runner_arn]

    def find(self, function: str, name: str, execution: str) -> str | None:
        self.calls += 1
        for runner_arn, (f, _, n) in self.executions.items():
            if (f, n, execution_id(runner_arn)) == (function, name, execution):
                return runner_arn
        return None


def test_the_book_maps_both_ways_and_asks_the_runner_once() -> None:
    runner = Runner()
    book = ArnBook(runner.describe, runner.find)

    # Given an ARN the host never saw (it restarted): asked once, then remembered
    assert book.resolve(str(arn())).runner_arn == RUNNER_ARN
    assert book.of(RUNNER_ARN) == arn()
    assert book.resolve(str(arn())) == arn()
    assert runner.calls == 2  # find, then describe; the rest from memory


@pytest.mark.parametrize(
    "wrong",
    [
        str(arn(name="order-2")),  # another execution's name with this one's id
        str(arn(version="7")),  # another version
        str(arn()).replace("us-east-1", "eu-west-1"),
        str(arn()).replace("123456789012", "210987654321"),
    ],
)
def test_an_arn_that_differs_in_any_part_names_no_execution(wrong: str) -> None:
    book = ArnBook(Runner().describe, Runner().find)

    with pytest.raises(KeyError):
        book.resolve(wrong)
