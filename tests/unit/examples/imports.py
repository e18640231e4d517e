"""What an example imports of Greenlight, read from its source: the public-API tests' ruler."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def greenlight_imports(example: Path) -> set[tuple[str, str]]:
    """(file name, module) for every `greenlight` module a `.py` file of `example` imports."""
    used: set[tuple[str, str]] = set()
    for path in example.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("greenlight"):
                used.add((path.name, node.module or ""))
            elif isinstance(node, ast.Import):
                used |= {(path.name, a.name) for a in node.names if a.name.startswith("greenlight")}
    return used
