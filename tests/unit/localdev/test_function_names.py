"""Function references in every form the model's `NamespacedFunctionName` allows, and repeats."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from localdev.function_names import ExecutionNames, split_function

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("greenlight-orders", ("greenlight-orders", None)),
        ("greenlight-orders:live", ("greenlight-orders", "live")),
        ("greenlight-orders:$LATEST", ("greenlight-orders", "$LATEST")),
        ("123456789012:function:greenlight-orders:7", ("greenlight-orders", "7")),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:greenlight-orders:live",
            ("greenlight-orders", "live"),
        ),
        ("arn:aws:lambda:eu-west-1:123456789012:function:greenlight-orders", None),
        ("210987654321:function:greenlight-orders", None),
        ("greenlight orders", None),
        ("", None),
    ],
)
def test_a_function_reference_splits_into_name_and_qualifier(
    label: str, expected: tuple[str, str | None] | None
) -> None:
    assert split_function(label) == expected


def test_a_name_is_one_execution_across_restarts(tmp_path: Path) -> None:
    started: list[str] = []

    def start() -> str:
        started.append("x")
        return f"run/{len(started)}"

    first = ExecutionNames(tmp_path / "names.json").claim("orders", "order-1", "digest-a", start)
    again = ExecutionNames(tmp_path / "names.json").claim("orders", "order-1", "digest-a", start)

    assert first == ("run/1", True)
    assert again == ("run/1", False)
    with pytest.raises(ValueError, match="order-1"):
        ExecutionNames(tmp_path / "names.json").claim("orders", "order-1", "digest-b", start)
    assert started == ["x"]


def test_names_are_per_function(tmp_path: Path) -> None:
    started: list[str] = []

    def start() -> str:
        started.append("x")
        return f"run/{len(started)}"

    names = ExecutionNames(tmp_path / "names.json")
    mine = names.claim("orders", "release-1", "digest-a", start)
    theirs = names.claim("deploys", "release-1", "digest-b", start)

    assert (mine, theirs) == (("run/1", True), ("run/2", True))


def test_the_invoked_function_arn_is_kept_across_restarts(tmp_path: Path) -> None:
    names = ExecutionNames(tmp_path / "names.json")
    names.claim("orders", "order-1", "digest-a", lambda: "run/1", "arn:fn:orders:live")
    names.claim("orders", "order-1", "digest-a", lambda: "run/2", "arn:fn:orders")  # a repeat

    again = ExecutionNames(tmp_path / "names.json")

    assert again.invoked("orders", "order-1") == "arn:fn:orders:live"
    assert again.invoked("orders", "order-2") is None
