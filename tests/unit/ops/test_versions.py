"""Which versions retire-versions.sh may delete, from AWS CLI output shaped as botocore's lambda
model says (ListVersionsByFunction, ListAliases, ListDurableExecutionsByFunction).

Which version an execution holds, as AWS writes it:
- botocore's lambda model (botocore/data/lambda/2015-03-31/service-2.json, as installed):
  `Execution.DurableExecutionArn` has the pattern
  `...:function:NAME:($LATEST(.PUBLISHED)?|[0-9]+)/durable-execution/...` (always the version),
  while `Execution.FunctionArn` is a `NameSpacedFunctionArn`, whose qualifier may be an alias
  (`[a-zA-Z0-9-_]+`) or absent altogether; `GetDurableExecutionResponse.FunctionArn` is "the
  ARN of the Lambda function that was invoked to start this durable execution" - the `live`
  alias, for every order the starter or start-approval.sh starts.
- Lambda developer guide, durable-security.html: "The qualifier in a durable execution ARN is
  always $LATEST or a version number"; an execution started through an alias has "the resolved
  version number" in its ARN.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import botocore.session
import pytest

from greenlight.ops.versions import EXECUTION_ARN, UNFINISHED, main, plan, version_of

if TYPE_CHECKING:
    from pathlib import Path

FN = "arn:aws:lambda:eu-west-1:111122223333:function:greenlight-orders"


def versions(*numbers: str) -> dict[str, Any]:
    return {"Versions": [{"Version": "$LATEST"}, *({"Version": n} for n in numbers)]}


def aliases(**targets: str) -> dict[str, Any]:
    return {"Aliases": [{"Name": name, "FunctionVersion": v} for name, v in targets.items()]}


def executions(*running: tuple[str, str, str], invoked: str | None = None) -> dict[str, Any]:
    """(execution id, version, status) each; `invoked` is the FunctionArn (default: FN:version)."""
    return {
        "DurableExecutions": [
            {
                "DurableExecutionArn": f"{FN}:{v}/durable-execution/{name}/{name}-id",
                "DurableExecutionName": name,
                "FunctionArn": f"{FN}:{v}" if invoked is None else invoked,
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


def test_an_execution_started_through_the_alias_keeps_the_version_it_runs_on() -> None:
    # A deploy moved `live` from 3 to 4; an order started on 3 (through `live`) still waits
    listing = executions(("order-1", "3", "RUNNING"), invoked=f"{FN}:live")

    states = plan(versions("3", "4"), aliases(live="4"), [listing])

    by_version = {s.version: s for s in states}
    # Version 3 holds a running execution: retire-versions.sh --delete must never delete it
    assert not by_version["3"].is_retirable
    assert by_version["3"].unfinished == 1


def test_an_unqualified_function_arn_still_finds_the_version_in_the_execution_arn() -> None:
    # NameSpacedFunctionArn allows no qualifier at all; the execution ARN still names version 3
    listing = executions(("order-1", "3", "RUNNING"), invoked=FN)

    states = plan(versions("3", "4"), aliases(live="4"), [listing])

    assert {s.version: s.unfinished for s in states} == {"3": 1, "4": 0}


@pytest.mark.parametrize(
    "arn",
    [
        f"{FN}:3",  # a function ARN, not an execution's
        f"{FN}:live/durable-execution/order-1/abc",  # an alias where the model has a version
        f"{FN}/durable-execution/order-1/abc",
        "not-an-arn",
        "",
    ],
)
def test_an_execution_whose_version_cannot_be_read_is_refused(arn: str) -> None:
    listing = {"DurableExecutions": [{"DurableExecutionArn": arn, "Status": "RUNNING"}]}

    with pytest.raises(ValueError, match="its version cannot be read"):
        plan(versions("3"), aliases(), [listing])


def test_the_version_comes_from_the_execution_arn() -> None:
    assert version_of(f"{FN}:42/durable-execution/order-1/abc-123") == "42"
    assert version_of(f"{FN}:$LATEST/durable-execution/order-1/abc-123") == "$LATEST"


def test_the_execution_arn_pattern_is_the_installed_models() -> None:
    model = botocore.session.get_session().get_service_model("lambda")

    assert EXECUTION_ARN.pattern == model.shape_for("DurableExecutionArn").metadata["pattern"]


def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], *listings: Any, flag: str = "") -> Any:
    """Run `python -m greenlight.ops.versions` as retire-versions.sh does, on these listings."""
    paths = []
    for index, listing in enumerate(listings):
        path = tmp_path / f"listing-{index}.json"
        path.write_text(json.dumps(listing))
        paths.append(str(path))
    code = main([*paths, *([flag] if flag else [])])
    out, err = capsys.readouterr()
    return code, out.strip(), err


def test_retirable_lists_only_versions_nothing_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 4 kept by the live alias, 2 by a paused execution, 1 and 3 held by nothing
    listings = (
        versions("1", "2", "3", "4"),
        aliases(live="4"),
        executions(("a", "2", "PAUSED")),
        executions(("b", "3", "SUCCEEDED")),
    )

    # Then --delete's input (retire-versions.sh reads this line) names only 1 and 3
    assert cli(tmp_path, capsys, *listings, flag="--retirable") == (0, "1 3", "")
    code, table, _ = cli(tmp_path, capsys, *listings)
    assert code == 0
    assert table.splitlines()[1].split() == ["2", "keep", "(1", "unfinished", "execution(s))"]


def test_a_listing_it_cannot_read_fails_and_names_no_version_to_retire(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an unfinished execution whose ARN carries no version
    unreadable = {"DurableExecutions": [{"DurableExecutionArn": "garbled", "Status": "RUNNING"}]}

    code, out, err = cli(tmp_path, capsys, versions("1"), aliases(), unreadable, flag="--retirable")

    # Then the script's `plan || die` stops before deleting anything
    assert (code, out) == (1, "")
    assert "unexpected AWS CLI output" in err


@pytest.mark.parametrize("status", ["RUNNING", "PAUSING", "PAUSED"])
def test_every_unfinished_status_keeps_its_version(status: str) -> None:
    # PAUSING and PAUSED executions run again, on the version they started on
    (state,) = plan(versions("7"), aliases(), [executions(("a", "7", status))])

    assert (state.unfinished, state.is_retirable) == (1, False)


def test_the_unfinished_statuses_are_the_installed_models() -> None:
    # botocore's lambda model, shape `ExecutionStatus` (1.44: RUNNING, SUCCEEDED, FAILED,
    # TIMED_OUT, STOPPED, DELETING, PAUSING, PAUSED): every status the script asks for exists,
    # and the ones left out are ends (or a deletion), never an execution that runs again
    model = botocore.session.get_session().get_service_model("lambda")
    statuses = set(model.shape_for("ExecutionStatus").metadata["enum"])

    assert set(UNFINISHED) <= statuses
    assert statuses - set(UNFINISHED) <= {"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "DELETING"}
