"""Imports point inward, and each installable part pulls only what its extra installs.

The core imports no outside library; the gate (in a durable function) never imports Bolt or
Mangum; the webhook never imports the durable SDK; nothing in the library imports an example,
the local stack, the benchmarks or the tests.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "src" / "greenlight"
OUTSIDE = (
    "boto3",
    "botocore",
    "slack_bolt",
    "slack_sdk",
    "aws_lambda_powertools",
    "aws_durable_execution_sdk_python",
    "mangum",
    "aws_cdk",
    "constructs",
)


def imported_modules(package: Path) -> set[tuple[str, str]]:
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {(path.name, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
    return found


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    bad = {(f, m) for f, m in imported_modules(LIBRARY / "core") if m.split(".")[0] in OUTSIDE}

    assert bad == set()


@pytest.mark.parametrize("part", ["webhook", "aws", "slack", "core"])
def test_the_webhook_side_never_imports_the_durable_sdk(part: str) -> None:
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / part)
        if m.startswith(("aws_durable_execution_sdk_python", "greenlight.gate"))
    }

    assert bad == set()


@pytest.mark.parametrize("part", ["gate", "aws", "slack", "core"])
def test_the_durable_side_never_imports_bolt_or_mangum(part: str) -> None:
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / part)
        if m.startswith(("slack_bolt", "mangum", "greenlight.webhook"))
    }

    assert bad == set()


def test_the_library_never_imports_examples_the_local_stack_or_tests() -> None:
    mine = ("examples", "localdev", "tests", "bench", "iac")
    bad = {(f, m) for f, m in imported_modules(LIBRARY) if m.split(".")[0] in mine}

    assert bad == set()


def test_the_testing_helpers_import_only_the_standard_library_and_the_core() -> None:
    # greenlight.testing is for users' own tests: it must install with no extra at all
    allowed = set(sys.stdlib_module_names) | {"greenlight"}
    found = imported_modules(LIBRARY / "testing")
    bad = {
        (f, m)
        for f, m in found
        if m.split(".")[0] not in allowed
        or (
            m.startswith("greenlight.")
            and not m.startswith(("greenlight.core", "greenlight.testing"))
        )
    }

    assert found
    assert bad == set()


def test_the_construct_imports_cdk_and_names_only_never_a_lambda_runtime() -> None:
    """A CDK app installs `greenlight[cdk]` alone: nothing the Lambdas run may be imported."""
    allowed_ours = ("greenlight.cdk", "greenlight.core", "greenlight.webhook.settings")
    # `from greenlight.webhook import settings` is recorded as "greenlight.webhook"
    allowed_exact = {"greenlight.webhook"}
    bad = {
        (f, m)
        for f, m in imported_modules(LIBRARY / "cdk")
        if (
            m.startswith("greenlight") and not m.startswith(allowed_ours) and m not in allowed_exact
        )
        or m.split(".")[0] in set(OUTSIDE) - {"aws_cdk", "constructs"}
    }

    assert bad == set()
