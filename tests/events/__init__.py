"""Recorded event shapes, loaded by one helper."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_HERE = Path(__file__).parent


def load_event(name: str) -> dict[str, Any]:
    """A fresh copy of `tests/events/<name>.json`."""
    data: dict[str, Any] = json.loads((_HERE / f"{name}.json").read_text())
    return data
