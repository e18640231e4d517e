"""Review (read-only, failing on purpose): the manifest grants a scope no code uses.

Least privilege: every bot scope in slack-app-manifest.yaml must be needed by a Web API method
our code calls (or, for `commands`, by the slash command the manifest declares). The scopes each
method needs are Slack's own, from its OpenAPI spec (slackapi/slack-api-specs
`web-api/slack_web_openapi_v2.json`, copied in tests/contract/slack_api/
slack_web_openapi_v2.methods.json: each path's `security.slackAuth`), where a bot token's
`chat:write:bot` is today's granular `chat:write` (docs.slack.dev/reference/scopes/chat.write).
`users:read` is what `users.info` needs, and nothing in src/, examples/, localdev/ or bench/ calls
it (`call_sites()`, which reads every WebClient call from the code); tests/unit/
test_slack_app_manifest.py asserts the scope on the word of a comment ("users.info").
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.contract.slack_api.test_web_api_calls import call_sites

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "contract" / "slack_api" / "slack_web_openapi_v2.methods.json"
CLASSIC_TO_GRANULAR = {"chat:write:bot": "chat:write"}


def scopes_needed_by(method: str) -> set[str]:
    """The scopes any one of which lets a bot call `method` (Slack's spec)."""
    (operation,) = json.loads(SPEC.read_text())["paths"][f"/{method}"].values()
    (security,) = operation["security"]
    return {CLASSIC_TO_GRANULAR.get(s, s) for s in security["slackAuth"]} - {"none"}


def test_every_bot_scope_the_manifest_grants_is_used() -> None:
    manifest = yaml.safe_load((ROOT / "slack-app-manifest.yaml").read_text())
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    used = {scope for _, method, _ in call_sites() for scope in scopes_needed_by(method)}
    if manifest["features"].get("slash_commands"):
        used.add("commands")

    assert granted - used == set()
