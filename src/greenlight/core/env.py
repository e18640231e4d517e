"""Reads settings from an environment mapping, collecting every problem instead of stopping
at the first, so a misconfigured function says everything that is wrong in one error."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re
    from collections.abc import Mapping


class EnvReader:
    """Typed reads over one mapping; `problems` lists what was missing or malformed."""

    def __init__(self, source: Mapping[str, str]) -> None:
        self.source = source
        self.problems: list[str] = []

    def required(self, name: str, shape: re.Pattern[str] | None = None, hint: str = "") -> str:
        """A non-empty value (matching `shape`, if given)."""
        value = self.source.get(name, "").strip()
        if not value:
            self.problems.append(f"{name} is required")
        elif shape and not shape.fullmatch(value):
            self.problems.append(f"{name} must look like {hint}, got {value!r}")
        return value

    def optional(
        self, name: str, shape: re.Pattern[str] | None = None, hint: str = ""
    ) -> str | None:
        """A value (matching `shape`, if given), or None when unset or empty."""
        value = self.source.get(name, "").strip() or None
        if value is not None and shape and not shape.fullmatch(value):
            self.problems.append(f"{name} must look like {hint}, got {value!r}")
        return value

    def integer(self, name: str, default: int | None = None) -> int:
        """A whole, non-negative number; required unless a default is given."""
        raw = self.source.get(name, "").strip()
        if not raw:
            if default is None:
                self.problems.append(f"{name} is required")
            return default or 0
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, got {raw!r}")
            return 0
        if value < 0:
            self.problems.append(f"{name} must not be negative")
        return value

    def ids(self, name: str) -> frozenset[str]:
        """A comma-separated set (empty when unset)."""
        return frozenset(a.strip() for a in self.source.get(name, "").split(",") if a.strip())
