"""The deploy gate is built on Greenlight's two public modules and nothing else of it.

`greenlight.gate.Greenlight` asks; `greenlight.core` holds the types (request, policy, ladder,
route, decision). No helper module, no adapter, no insides: what a stranger's function can use.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.examples.imports import greenlight_imports

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "deploy_gate"
PUBLIC = {"greenlight.core", "greenlight.gate"}


def test_the_example_imports_only_the_two_public_modules() -> None:
    used = greenlight_imports(EXAMPLE)

    assert {(f, m) for f, m in used if m not in PUBLIC} == set()
    assert {("asks.py", "greenlight.core"), ("handler.py", "greenlight.gate")} <= used
