"""The order saga asks for approval through Greenlight's public API only.

The gate is `greenlight.gate.Greenlight` and its types come from `greenlight.core`; nothing of
the gate's insides (its steps, ports, checkpoints) nor the Slack adapters. Two helper modules
are public on purpose: the gate's retry strategies (`greenlight.gate.retries`, for the saga's
own steps) and the DynamoDB helpers the saga's own tables use (`greenlight.aws.approval_store`:
conditional-failure test, Decimal to plain numbers); `greenlight.core.env` reads its settings.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.examples.imports import greenlight_imports

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "orders"
ALLOWED = {
    "greenlight.core",
    "greenlight.core.env",
    "greenlight.gate",
    "greenlight.gate.retries",
    "greenlight.aws.approval_store",
}


def test_the_example_imports_only_the_public_api() -> None:
    used = greenlight_imports(EXAMPLE)

    assert {(f, m) for f, m in used if m not in ALLOWED} == set()
    assert ("workflow.py", "greenlight.core") in used
    assert ("build.py", "greenlight.gate") in used
