"""A deploy request and the checks run before anyone is asked: pure, no I/O.

The request is what a pipeline sends when it wants to ship (the event of one execution); checks
are decided from it, the settings and the time the check runs, so each is one durable step whose
result is kept.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from examples.deploy_gate.settings import DeploySettings

PRODUCTION = "production"
ENVIRONMENTS = ("staging", PRODUCTION)
PASSED = "passed"
_NAME = re.compile(r"[a-z][a-z0-9-]{0,62}")
_VERSION = re.compile(r"v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?")
_USER = re.compile(r"[UW][A-Z0-9]{2,}")


class InvalidDeployError(ValueError):
    """A deploy request the gate cannot act on; the message says which field and why."""


@dataclass(frozen=True, slots=True)
class DeployRequest:
    """One deploy a pipeline asks for."""

    service: str
    version: str
    environment: str
    requested_by: str  # the Slack user id of whoever asked (never their own approver)
    summary: str
    diff_url: str | None
    ci: tuple[tuple[str, str], ...]  # (check name, status) as the pipeline reported them

    @property
    def is_production(self) -> bool:
        """Only production deploys need people."""
        return self.environment == PRODUCTION

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as the event carries it."""
        data = asdict(self)
        data["ci"] = dict(self.ci)
        return data


def parse_deploy(event: Any) -> DeployRequest:
    """Read and check a deploy request.

    Raises:
        InvalidDeployError: a field is missing or malformed.
    """
    if not isinstance(event, dict):
        raise InvalidDeployError("the deploy request must be a JSON object")

    def text(key: str, pattern: re.Pattern[str] | None = None) -> str:
        value = event.get(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidDeployError(f"{key} is required")
        if pattern and not pattern.fullmatch(value):
            raise InvalidDeployError(f"invalid {key}: {value[:80]!r}")
        return value

    environment = text("environment")
    if environment not in ENVIRONMENTS:
        raise InvalidDeployError(f"invalid environment: must be one of {', '.join(ENVIRONMENTS)}")
    diff_url = event.get("diff_url")
    if diff_url is not None and not (isinstance(diff_url, str) and diff_url.startswith("https://")):
        raise InvalidDeployError("invalid diff_url: must be an https URL")
    ci = event.get("ci", {})
    if not isinstance(ci, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in ci.items()
    ):
        raise InvalidDeployError("ci must map each check's name to its status")
    summary = event.get("summary", "")
    if not isinstance(summary, str) or len(summary) > 2000:
        raise InvalidDeployError("summary must be text of at most 2000 characters")
    return DeployRequest(
        service=text("service", _NAME),
        version=text("version", _VERSION),
        environment=environment,
        requested_by=text("requested_by", _USER),
        summary=summary,
        diff_url=diff_url,
        ci=tuple(sorted(ci.items())),
    )


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict, with what it saw."""

    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """The JSON form a step keeps."""
        return asdict(self)


CHECK_CI = "ci green"
CHECK_FREEZE = "change window"
CHECKS = (CHECK_CI, CHECK_FREEZE)


def run_check(
    name: str, request: DeployRequest, settings: DeploySettings, now: datetime
) -> CheckResult:
    """Decide one check (a name from `CHECKS`)."""
    if name == CHECK_CI:
        red = [check for check, status in request.ci if status != PASSED]
        if not request.ci:
            return CheckResult(name, False, "the pipeline reported no checks")
        if red:
            return CheckResult(name, False, "not passed: " + ", ".join(red))
        return CheckResult(name, True, f"{len(request.ci)} checks passed")
    if name == CHECK_FREEZE:
        frozen = request.is_production and now.weekday() in settings.freeze_days
        day = now.strftime("%A")
        if frozen:
            return CheckResult(name, False, f"production deploys are frozen on {day}s")
        return CheckResult(name, True, f"{day} is open for {request.environment} deploys")
    raise ValueError(f"unknown check {name!r}")


def is_critical(request: DeployRequest, settings: DeploySettings) -> bool:
    """A critical service needs two of the on-call, not one."""
    return request.service in settings.critical_services
