"""`Greenlight`'s own surface: its settings, and telling people things outside the gate."""

from __future__ import annotations

from dataclasses import replace

import pytest

from greenlight.core import (
    Channel,
    ChannelAndDirectMessages,
    ConfigError,
    DirectMessages,
    InvalidRequestError,
    SlackMessage,
)
from greenlight.gate import GateSettings
from greenlight.gate import settings as env
from tests.fakes.workflow import FakeWorld


def test_settings_read_the_greenlight_variables() -> None:
    parsed = GateSettings.from_env(
        {
            env.ENV_APPROVALS_TABLE: "greenlight-approvals",
            env.ENV_AUDIT_TABLE: "greenlight-audit",
            env.ENV_SLACK_SECRET_NAME: "greenlight/slack",
            env.ENV_SLACK_API_URL: " ",
        }
    )

    assert parsed == GateSettings("greenlight-approvals", "greenlight-audit", "greenlight/slack")


def test_the_requester_label_is_read_and_a_malformed_one_refused_with_the_rest() -> None:
    required = {
        env.ENV_APPROVALS_TABLE: "greenlight-approvals",
        env.ENV_AUDIT_TABLE: "greenlight-audit",
        env.ENV_SLACK_SECRET_NAME: "greenlight/slack",
    }

    labelled = GateSettings.from_env(required | {env.ENV_REQUESTER: "deploy-gate"})

    assert labelled.requester == "deploy-gate"
    with pytest.raises(ConfigError) as refused:
        GateSettings.from_env({env.ENV_REQUESTER: "Deploy.Gate"})
    assert refused.value.problems[-1] == (
        "GREENLIGHT_REQUESTER must look like a requester label (lowercase letters, digits, "
        "hyphens), got 'Deploy.Gate'"
    )
    assert len(refused.value.problems) == 4  # with the three missing variables


def test_the_execution_timeout_is_read_when_set_and_a_malformed_one_refused() -> None:
    required = {
        env.ENV_APPROVALS_TABLE: "greenlight-approvals",
        env.ENV_AUDIT_TABLE: "greenlight-audit",
        env.ENV_SLACK_SECRET_NAME: "greenlight/slack",
    }

    timed = GateSettings.from_env(required | {env.ENV_EXECUTION_TIMEOUT: "86400"})
    untimed = GateSettings.from_env(required)

    assert (timed.execution_timeout, untimed.execution_timeout) == (86400, None)
    for bad in ("1d", "0", "-5", "3600.5"):
        with pytest.raises(ConfigError) as refused:
            GateSettings.from_env(required | {env.ENV_EXECUTION_TIMEOUT: bad})
        assert refused.value.problems == (
            "GREENLIGHT_EXECUTION_TIMEOUT must look like a whole number of seconds, 1 or more, "
            f"got {bad!r}",
        )


def test_missing_settings_are_all_named_at_once() -> None:
    with pytest.raises(ConfigError) as refused:
        GateSettings.from_env({env.ENV_AUDIT_TABLE: "audit"})

    assert refused.value.problems == (
        "GREENLIGHT_APPROVALS_TABLE is required",
        "GREENLIGHT_SLACK_SECRET_NAME is required",
    )


def test_notify_replies_in_the_thread_or_mentions_in_the_channel() -> None:
    world = FakeWorld()
    approvals = world.greenlight()

    approvals.notify("U0ALICE", "charged", where=SlackMessage("C0DEPLOYS", "1.2"))
    approvals.notify("U0ALICE", "approved automatically", where=Channel("C0DEPLOYS"))

    assert world.notifier.notices == [("U0ALICE", "charged")]
    assert world.notifier.announcements == [("C0DEPLOYS", "<@U0ALICE> approved automatically")]


def test_notify_tells_people_in_their_own_dm_when_the_request_lives_in_dms() -> None:
    # Given a DM-routed request, whose main message is an approver's DM
    world = FakeWorld()
    approvals = world.greenlight()

    # When the requester is told, about that message, or on a route of DMs only
    approvals.notify("U0ALICE", "approved", where=SlackMessage("D0BOB", "1.2"))
    approvals.notify("U0ALICE", "deployed", where=DirectMessages())
    approvals.notify("U0ALICE", "shipped", where=ChannelAndDirectMessages("C0DEPLOYS"))

    # Then never in bob's DM: in alice's own, or in the route's channel
    assert world.notifier.notices == []
    assert [(n.user_id, n.text) for n in world.notifier.slack.direct_messages] == [
        ("U0ALICE", "approved"),
        ("U0ALICE", "deployed"),
    ]
    assert world.notifier.announcements == [("C0DEPLOYS", "<@U0ALICE> shipped")]


def test_a_malformed_requester_label_is_refused_when_the_services_are_built() -> None:
    world = FakeWorld()

    with pytest.raises(InvalidRequestError, match="not a requester label"):
        replace(world.greenlight(), requester="Deploy.Gate")
