"""The deploy gate is built on Greenlight's two public modules and nothing else of it.

`greenlight.gate.Greenlight` asks; `greenlight.core` holds the types (request, policy, ladder,
route, decision). No helper module, no adapter, no insides: what a stranger's function can use.
"""

from __future__ import annotations

import ast
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[4] / "examples" / "deploy_gate"
PUBLIC = {"greenlight.core", "greenlight.gate"}


def test_the_example_imports_only_the_two_public_modules() -> None:
    used: set[tuple[str, str]] = set()
    for path in EXAMPLE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("greenlight"):
                used.add((path.name, node.module or ""))
            elif isinstance(node, ast.Import):
                used |= {(path.name, a.name) for a in node.names if a.name.startswith("greenlight")}

    assert {(f, m) for f, m in used if m not in PUBLIC} == set()
    assert {("asks.py", "greenlight.core"), ("handler.py", "greenlight.gate")} <= used
