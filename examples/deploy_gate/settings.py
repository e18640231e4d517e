"""The deploy gate's configuration: where it asks and who decides, read once at cold start.

Who approves is the function's configuration, never the deploy request's: a requester does not
choose their own approvers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

ENV_CHANNEL = "DEPLOY_CHANNEL"
ENV_ONCALL = "DEPLOY_ONCALL_APPROVERS"
ENV_RELEASE_MANAGERS = "DEPLOY_RELEASE_MANAGERS"
ENV_CRITICAL_SERVICES = "DEPLOY_CRITICAL_SERVICES"
ENV_FREEZE_DAYS = "DEPLOY_FREEZE_DAYS"
ENV_REMIND_AFTER = "DEPLOY_REMIND_AFTER_SECONDS"
ENV_EXPIRE_AFTER = "DEPLOY_EXPIRE_AFTER_SECONDS"

DEFAULT_REMIND_AFTER = 15 * 60
DEFAULT_EXPIRE_AFTER = 60 * 60
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class SettingsError(ValueError):
    """The environment lacks or garbles something; every problem is listed at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("deploy gate settings: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class DeploySettings:
    """Where the gate asks, who decides, which services are critical, when deploys are frozen."""

    channel: str
    oncall: tuple[str, ...]  # users (U…) and usergroups (S…): any one of them may approve
    release_managers: tuple[str, ...]
    critical_services: frozenset[str]
    freeze_days: frozenset[int]  # datetime.weekday() numbers: no production deploys on them
    remind_after: int
    expire_after: int

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> DeploySettings:
        """Read and check every variable.

        Raises:
            SettingsError: one or more variables are missing or malformed.
        """
        source = os.environ if env is None else env
        problems: list[str] = []

        def ids(name: str) -> tuple[str, ...]:
            found = tuple(p.strip() for p in source.get(name, "").split(",") if p.strip())
            if not found:
                problems.append(f"{name} is required (comma-separated Slack user or group ids)")
            bad = [i for i in found if not (i[:1] in ("U", "W", "S") and i.isalnum())]
            if bad:
                problems.append(f"{name} holds what are not Slack user or group ids: {bad}")
            return found

        def seconds(name: str, default: int) -> int:
            raw = source.get(name, "").strip()
            if not raw:
                return default
            if not raw.isdigit() or int(raw) < 1:
                problems.append(f"{name} must be a whole number of seconds, got {raw!r}")
                return default
            return int(raw)

        channel = source.get(ENV_CHANNEL, "").strip()
        if not channel:
            problems.append(f"{ENV_CHANNEL} is required (the channel id to ask in)")
        oncall, release = ids(ENV_ONCALL), ids(ENV_RELEASE_MANAGERS)
        days = [d.strip() for d in source.get(ENV_FREEZE_DAYS, "").split(",") if d.strip()]
        if unknown := [d for d in days if d not in WEEKDAYS]:
            problems.append(f"{ENV_FREEZE_DAYS} takes {','.join(WEEKDAYS)}, got {unknown}")
        remind, expire = (
            seconds(ENV_REMIND_AFTER, DEFAULT_REMIND_AFTER),
            seconds(ENV_EXPIRE_AFTER, DEFAULT_EXPIRE_AFTER),
        )
        if remind >= expire:
            problems.append(f"{ENV_REMIND_AFTER} must be shorter than {ENV_EXPIRE_AFTER}")
        if problems:
            raise SettingsError(problems)
        critical = source.get(ENV_CRITICAL_SERVICES, "")
        return cls(
            channel=channel,
            oncall=oncall,
            release_managers=release,
            critical_services=frozenset(s.strip() for s in critical.split(",") if s.strip()),
            freeze_days=frozenset(WEEKDAYS.index(d) for d in days if d in WEEKDAYS),
            remind_after=remind,
            expire_after=expire,
        )
