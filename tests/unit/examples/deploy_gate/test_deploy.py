"""Deploy requests are checked at the edge; checks decide from the request, settings and time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from examples.deploy_gate.deploy import (
    CHECK_CI,
    CHECK_FREEZE,
    InvalidDeployError,
    is_critical,
    parse_deploy,
    run_check,
)
from examples.deploy_gate.settings import DeploySettings

SATURDAY = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def event(**changes: Any) -> dict[str, Any]:
    return {
        "service": "api",
        "version": "v2.3.0",
        "environment": "production",
        "requested_by": "U0ALICE",
        "summary": "*3 commits* since v2.2.0",
        "diff_url": "https://example.com/diff",
        "ci": {"unit tests": "passed", "integration tests": "passed"},
    } | changes


def settings(**env: str) -> DeploySettings:
    return DeploySettings.from_env(
        {
            "DEPLOY_CHANNEL": "C0DEPLOYS",
            "DEPLOY_ONCALL_APPROVERS": "S0ONCALL",
            "DEPLOY_RELEASE_MANAGERS": "U0FRANK",
            "DEPLOY_CRITICAL_SERVICES": "payments, auth",
        }
        | env
    )


def test_a_request_round_trips_through_its_json_form() -> None:
    request = parse_deploy(event())

    assert parse_deploy(request.to_dict()) == request
    assert request.is_production
    assert request.ci == (("integration tests", "passed"), ("unit tests", "passed"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service": ""}, "service is required"),
        ({"service": "Not A Name"}, "invalid service"),
        ({"version": "latest"}, "invalid version"),
        ({"environment": "prod"}, "invalid environment: must be one of staging, production"),
        ({"requested_by": "alice"}, "invalid requested_by"),
        ({"diff_url": "http://example.com"}, "invalid diff_url: must be an https URL"),
        ({"ci": ["unit tests"]}, "ci must map each check's name to its status"),
        ({"summary": "x" * 2001}, "summary must be text of at most 2000 characters"),
    ],
)
def test_a_bad_request_says_which_field_and_why(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidDeployError, match=message):
        parse_deploy(event(**changes))


def test_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidDeployError, match="must be a JSON object"):
        parse_deploy(["api"])


def test_ci_is_green_only_when_every_reported_check_passed() -> None:
    green = run_check(CHECK_CI, parse_deploy(event()), settings(), MONDAY)
    red = run_check(
        CHECK_CI, parse_deploy(event(ci={"lint": "passed", "e2e": "failed"})), settings(), MONDAY
    )
    silent = run_check(CHECK_CI, parse_deploy(event(ci={})), settings(), MONDAY)

    assert (green.passed, green.detail) == (True, "2 checks passed")
    assert (red.passed, red.detail) == (False, "not passed: e2e")
    assert (silent.passed, silent.detail) == (False, "the pipeline reported no checks")


def test_a_freeze_day_blocks_production_but_not_staging() -> None:
    frozen = settings(DEPLOY_FREEZE_DAYS="Sat,Sun")

    production = run_check(CHECK_FREEZE, parse_deploy(event()), frozen, SATURDAY)
    staging = run_check(CHECK_FREEZE, parse_deploy(event(environment="staging")), frozen, SATURDAY)
    weekday = run_check(CHECK_FREEZE, parse_deploy(event()), frozen, MONDAY)

    assert (production.passed, production.detail) == (
        False,
        "production deploys are frozen on Saturdays",
    )
    assert staging.passed
    assert weekday.passed


def test_an_unknown_check_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        run_check("vibes", parse_deploy(event()), settings(), MONDAY)


def test_critical_services_come_from_settings() -> None:
    assert is_critical(parse_deploy(event(service="payments")), settings())
    assert not is_critical(parse_deploy(event(service="api")), settings())
