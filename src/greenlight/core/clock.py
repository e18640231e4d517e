"""The wall clock, in UTC: the one the real services use (tests hand in their own)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, in UTC; the gate reads it only inside steps, so a replay never reads it again."""
    return datetime.now(UTC)
