"""The Slack app manifest an installer pastes: it must deliver everything the webhook serves and
allow everything the code sends.

Sources: Slack's method reference as recorded in tests/contract/slack_api/slack_api_ref
(chat.postMessage lists `messages_tab_disabled`, "Messages tab for the app is disabled.", so a
direct message needs the tab), and the manifest reference
(docs.slack.dev/reference/app-manifest: `features.app_home`, `settings.event_subscriptions`,
`settings.interactivity`, `features.slash_commands`). The scopes each Web API method needs are
Slack's own, from its OpenAPI spec (slackapi/slack-api-specs `web-api/slack_web_openapi_v2.json`,
copied in tests/contract/slack_api/slack_web_openapi_v2.methods.json: each path's
`security.slackAuth`), where a bot token's `chat:write:bot` is today's granular `chat:write`
(docs.slack.dev/reference/scopes/chat.write); the methods called are read from the code
(`call_sites()`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.contract.slack_api.test_web_api_calls import call_sites

ROOT = Path(__file__).resolve().parents[2]
MANIFEST: dict[str, Any] = yaml.safe_load((ROOT / "slack-app-manifest.yaml").read_text())
REFERENCE = ROOT / "tests" / "contract" / "slack_api" / "slack_api_ref"
SPEC = ROOT / "tests" / "contract" / "slack_api" / "slack_web_openapi_v2.methods.json"
CLASSIC_TO_GRANULAR = {"chat:write:bot": "chat:write"}


def scopes_needed_by(method: str) -> set[str]:
    """The scopes any one of which lets a bot call `method` (Slack's spec)."""
    (operation,) = json.loads(SPEC.read_text())["paths"][f"/{method}"].values()
    (security,) = operation["security"]
    return {CLASSIC_TO_GRANULAR.get(s, s) for s in security["slackAuth"]} - {"none"}


def test_every_request_the_webhook_serves_is_sent_to_it() -> None:
    settings, features = MANIFEST["settings"], MANIFEST["features"]

    # Buttons and modals, the /approvals command, the App Home's opening: one URL, the webhook's
    assert settings["interactivity"] == {"is_enabled": True, "request_url": "REQUEST_URL"}
    assert [c["command"] for c in features["slash_commands"]] == ["/approvals"]
    assert features["slash_commands"][0]["url"] == "REQUEST_URL"
    assert settings["event_subscriptions"]["request_url"] == "REQUEST_URL"
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert features["app_home"]["home_tab_enabled"] is True


def test_direct_message_copies_can_be_posted_and_read() -> None:
    post_message = json.loads((REFERENCE / "chat.postMessage.json").read_text())
    assert "messages_tab_disabled" in post_message["errors"]  # what an app with the tab off gets

    app_home = MANIFEST["features"]["app_home"]

    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is True  # nobody writes to the app


def test_the_bot_may_call_what_the_code_calls() -> None:
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])

    # Every method the code calls is allowed by a granted scope (or needs none)
    for method in {method for _, method, _ in call_sites()}:
        needed = scopes_needed_by(method)
        assert not needed or needed & scopes, (method, needed)
    # chat.postMessage / update / postEphemeral, the /approvals command, conversations.open for
    # direct messages, usergroups.users.list
    assert scopes == {"chat:write", "commands", "im:write", "usergroups:read"}
    assert MANIFEST["settings"]["socket_mode_enabled"] is False  # HTTP: the webhook's URL
    assert MANIFEST["settings"]["token_rotation_enabled"] is False  # bot tokens do not expire


def test_every_bot_scope_the_manifest_grants_is_used() -> None:
    # Least privilege: a scope no called method (or the slash command) needs is not granted
    # (`users:read` was, for a users.info nothing calls)
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    used = {scope for _, method, _ in call_sites() for scope in scopes_needed_by(method)}
    if MANIFEST["features"].get("slash_commands"):
        used.add("commands")

    assert granted - used == set()
