"""Reads the git-ignored `.env` a developer keeps for a real Slack workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

REQUIRED = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_ID",
    "SLACK_TEAM_ID",
    "SLACK_CHANNEL",
    "APPROVER_IDS",
)
OPTIONAL = ("NGROK_DOMAIN", "ESCALATION_APPROVER_IDS", "LADDER_SINGLE", "LADDER_DUAL")


def read_env(path: Path) -> dict[str, str]:
    """KEY=value lines; blank lines and # comments (whole or trailing) ignored, quotes dropped."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if value.startswith(("'", '"')):
            value = value[1:].split(value[0], 1)[0]
        else:
            value = value.split(" #", 1)[0].split("\t#", 1)[0].strip()
            value = "" if value.startswith("#") else value
        values[key.strip().removeprefix("export ").strip()] = value
    return values


def missing(values: dict[str, str]) -> list[str]:
    """The required keys that are absent or empty."""
    return [key for key in REQUIRED if not values.get(key)]
