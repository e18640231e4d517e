"""Imports point inward: the core imports no outside library; the webhook not the durable SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OUTSIDE = (
    "boto3",
    "botocore",
    "slack_bolt",
    "slack_sdk",
    "aws_lambda_powertools",
    "aws_durable_execution_sdk_python",
    "mangum",
)


def imported_modules(package: str) -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {(path.name, alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add((path.name, node.module))
    return found


def test_the_core_imports_only_the_standard_library_and_itself() -> None:
    bad = {(f, m) for f, m in imported_modules("approvals") if m.split(".")[0] in OUTSIDE}

    assert bad == set()


@pytest.mark.parametrize("package", ["slack_webhook", "adapters"])
def test_the_webhook_never_imports_the_durable_sdk(package: str) -> None:
    bad = {
        (f, m)
        for f, m in imported_modules(package)
        if m.startswith(("aws_durable_execution_sdk_python", "durable_fn"))
    }

    assert bad == set()
