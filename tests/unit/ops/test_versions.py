"""Which versions retire-versions.sh may delete, from AWS CLI output shaped as botocore's lambda
model says (ListVersionsByFunction, ListAliases, ListDurableExecutionsByFunction)."""

from __future__ import annotations

from typing import Any

import pytest

from greenlight.ops.versions import plan, version_of

FN = "arn:aws:lambda:eu-west-1:111122223333:function:greenlight-orders"


def versions(*numbers: str) -> dict[str, Any]:
    return {"Versions": [{"Version": "$LATEST"}, *({"Version": n} for n in numbers)]}


def aliases(**targets: str) -> dict[str, Any]:
    return {"Aliases": [{"Name": name, "FunctionVersion": v} for name, v in targets.items()]}


def executions(*running: tuple[str, str, str]) -> dict[str, Any]:
    """(execution id, version, status) each."""
    return {
        "DurableExecutions": [
            {
                "DurableExecutionArn": f"{FN}:{v}/durable-execution/{name}/{name}-id",
                "DurableExecutionName": name,
                "FunctionArn": f"{FN}:{v}",
                "Status": status,
                "StartTimestamp": "2026-11-29T10:00:00Z",
            }
            for name, v, status in running
        ]
    }


def test_a_version_is_kept_while_an_alias_or_an_unfinished_execution_holds_it() -> None:
    states = plan(
        versions("10", "9", "11", "2"),
        aliases(live="11"),
        [
            executions(("a", "9", "RUNNING"), ("b", "9", "RUNNING")),
            executions(("c", "2", "PAUSED")),
        ],
    )

    assert [(s.version, s.is_retirable) for s in states] == [
        ("2", False),
        ("9", False),
        ("10", True),
        ("11", False),
    ]
    assert [s.line().split(maxsplit=1)[1] for s in states] == [
        "keep (1 unfinished execution(s))",
        "keep (2 unfinished execution(s))",
        "retire",
        "keep (alias live)",
    ]


def test_finished_executions_do_not_hold_a_version_and_duplicates_count_once() -> None:
    listing = executions(("a", "3", "SUCCEEDED"), ("b", "4", "RUNNING"))

    states = plan(versions("3", "4", "5"), aliases(live="5"), [listing, listing])

    assert [(s.version, s.unfinished) for s in states] == [("3", 0), ("4", 1), ("5", 0)]


def test_a_weighted_alias_holds_both_of_its_versions() -> None:
    weighted = {
        "Aliases": [
            {
                "Name": "live",
                "FunctionVersion": "7",
                "RoutingConfig": {"AdditionalVersionWeights": {"6": 0.1}},
            }
        ]
    }

    states = plan(versions("5", "6", "7"), weighted, [])

    assert [s.version for s in states if s.is_retirable] == ["5"]


@pytest.mark.parametrize("arn", [FN, "not-an-arn", f"{FN}:", "arn:aws:lambda:r:a:layer:x:1"])
def test_an_unqualified_or_foreign_arn_is_refused(arn: str) -> None:
    with pytest.raises(ValueError, match="not a qualified function ARN"):
        version_of(arn)


def test_the_version_comes_from_the_qualified_function_arn() -> None:
    assert version_of(f"{FN}:42") == "42"
