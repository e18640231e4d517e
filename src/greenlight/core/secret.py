"""A secret value that never shows itself in reprs, logs or tracebacks."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Secret:
    """Wraps a token or signing secret; call `reveal()` only where the value is used."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The raw value, for the one call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret(***)"

    def __str__(self) -> str:
        return "***"
