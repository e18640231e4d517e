"""The deploy gate's settings: every problem reported at once, sane defaults."""

from __future__ import annotations

import pytest

from examples.deploy_gate.settings import DeploySettings, SettingsError

GOOD = {
    "DEPLOY_CHANNEL": "C0DEPLOYS",
    "DEPLOY_ONCALL_APPROVERS": "S0ONCALL,U0BOB",
    "DEPLOY_RELEASE_MANAGERS": "U0FRANK",
}


def test_good_settings_read_with_defaults() -> None:
    settings = DeploySettings.from_env(GOOD | {"DEPLOY_FREEZE_DAYS": "Fri, Sat"})

    assert settings.oncall == ("S0ONCALL", "U0BOB")
    assert settings.release_managers == ("U0FRANK",)
    assert settings.critical_services == frozenset()
    assert settings.freeze_days == frozenset({4, 5})
    assert (settings.remind_after, settings.expire_after) == (900, 3600)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        DeploySettings.from_env(
            {
                "DEPLOY_ONCALL_APPROVERS": "oncall-team",
                "DEPLOY_FREEZE_DAYS": "Caturday",
                "DEPLOY_EXPIRE_AFTER_SECONDS": "soon",
            }
        )

    assert caught.value.problems == [
        "DEPLOY_CHANNEL is required (the channel id to ask in)",
        "DEPLOY_ONCALL_APPROVERS holds what are not Slack user or group ids: ['oncall-team']",
        "DEPLOY_RELEASE_MANAGERS is required (comma-separated Slack user or group ids)",
        "DEPLOY_FREEZE_DAYS takes Mon,Tue,Wed,Thu,Fri,Sat,Sun, got ['Caturday']",
        "DEPLOY_EXPIRE_AFTER_SECONDS must be a whole number of seconds, got 'soon'",
    ]


def test_a_reminder_after_the_expiry_is_refused() -> None:
    with pytest.raises(SettingsError, match="must be shorter than"):
        DeploySettings.from_env(
            GOOD | {"DEPLOY_REMIND_AFTER_SECONDS": "60", "DEPLOY_EXPIRE_AFTER_SECONDS": "60"}
        )
