"""The two Slack secrets over Secrets Manager (moto): who reads what, and the 0.2 upgrade.

The bot token's secret is read by requesters (the gate), the relay and the webhook; the signing
secret's by the webhook alone. A 0.2 stack kept both in the bot token's secret: until the
operator runs scripts/set-slack-secret.sh after deploying, the webhook still verifies with it.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import replace
from itertools import count
from typing import TYPE_CHECKING

import boto3
import pytest

from greenlight.aws.secrets import MOVED, load_bot_token, load_slack_credentials
from greenlight.core.errors import ConfigError
from greenlight.core.secret import Secret
from greenlight.core.votes import Status
from greenlight.gate import Greenlight
from greenlight.gate import settings as gate_env
from greenlight.webhook.build import build_relay, build_webhook
from localdev import fixtures
from localdev.provision import put_json_secret, put_slack_secrets, put_string_secret
from localdev.slack_requests import signed_headers
from tests.events import function_url_event
from tests.integration.conftest import BOT_TOKEN, SECRET_NAME, post_pending, relay_settings
from tests.integration.test_webhook_mangum import carol_approves, invoke

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from tests.integration.conftest import Stack

OLD_SIGNING = "0" * 32  # 0.2's signing secret, still in the bot token's secret
NEW_SIGNING = "1" * 32  # what set-slack-secret.sh stores in the signing secret's own
_names = count()


@pytest.fixture
def client(stack: Stack) -> SecretsManagerClient:
    return boto3.client("secretsmanager")


def fresh_names() -> tuple[str, str]:
    """A bot token's secret and a signing secret no other test touches."""
    n = next(_names)
    return f"it/slack-{n}", f"it/slack-{n}-signing"


def placeholder() -> str:
    """What CloudFormation stores in a secret the construct makes before the script runs:
    CDK's default `generateSecretString`, 32 random characters, not JSON."""
    return secrets.token_urlsafe(24)


def test_a_requester_reads_the_bot_token_from_a_secret_that_holds_nothing_else(
    client: SecretsManagerClient,
) -> None:
    bot, _ = fresh_names()
    put_json_secret(client, bot, {"bot_token": "xoxb-it-bot-only"})

    assert load_bot_token(bot, client) == Secret("xoxb-it-bot-only")


def test_a_02_secret_still_gives_a_requester_its_bot_token(client: SecretsManagerClient) -> None:
    # A requester deployed before the operator separated the secrets keeps starting
    bot, _ = fresh_names()
    put_json_secret(client, bot, {"bot_token": "xoxb-it-old", "signing_secret": OLD_SIGNING})

    assert load_bot_token(bot, client) == Secret("xoxb-it-old")


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ({"signing_secret": OLD_SIGNING}, "lacks bot_token"),
        (None, "is not a JSON object"),
    ],
)
def test_a_bot_token_secret_without_a_token_is_a_config_error(
    client: SecretsManagerClient, stored: dict[str, str] | None, problem: str
) -> None:
    bot, _ = fresh_names()
    if stored is None:
        put_string_secret(client, bot, placeholder())
    else:
        put_json_secret(client, bot, stored)

    with pytest.raises(ConfigError) as refused:
        load_bot_token(bot, client)

    assert refused.value.problems == (f"secret {bot} {problem}",)


def test_the_webhook_reads_each_credential_from_its_own_secret(
    client: SecretsManagerClient,
) -> None:
    names = fresh_names()
    put_slack_secrets(client, names, "xoxb-it-webhook", NEW_SIGNING)

    credentials = load_slack_credentials(*names, client)

    assert credentials.bot_token == Secret("xoxb-it-webhook")
    assert credentials.signing_secret == Secret(NEW_SIGNING)
    # and the bot token's secret no longer holds what signs a click
    stored = json.loads(client.get_secret_value(SecretId=names[0])["SecretString"])
    assert stored == {"bot_token": "xoxb-it-webhook"}


def test_a_deployed_02_secret_verifies_until_the_signing_secret_is_filled(
    client: SecretsManagerClient, caplog: pytest.LogCaptureFixture
) -> None:
    # Given 0.2's secret, and the signing secret as CloudFormation just created it
    bot, signing = fresh_names()
    put_json_secret(client, bot, {"bot_token": "xoxb-it-old", "signing_secret": OLD_SIGNING})
    put_string_secret(client, signing, placeholder())

    # When the webhook reads its credentials
    with caplog.at_level(logging.WARNING):
        credentials = load_slack_credentials(bot, signing, client)

    # Then the old signing secret still counts, with a warning that names what to run, no value
    assert credentials.signing_secret == Secret(OLD_SIGNING)
    assert "run scripts/set-slack-secret.sh" in caplog.text
    assert OLD_SIGNING not in caplog.text
    assert "xoxb-it-old" not in caplog.text


def test_the_filled_signing_secret_wins_over_one_left_in_the_bot_tokens_secret(
    client: SecretsManagerClient, caplog: pytest.LogCaptureFixture
) -> None:
    bot, signing = fresh_names()
    put_json_secret(client, bot, {"bot_token": "xoxb-it-old", "signing_secret": OLD_SIGNING})
    put_json_secret(client, signing, {"signing_secret": NEW_SIGNING})

    with caplog.at_level(logging.WARNING):
        credentials = load_slack_credentials(bot, signing, client)

    assert credentials.signing_secret == Secret(NEW_SIGNING)
    assert caplog.text == ""


def test_no_signing_secret_anywhere_is_a_config_error_naming_both_secrets(
    client: SecretsManagerClient,
) -> None:
    bot, signing = fresh_names()
    put_json_secret(client, bot, {"bot_token": "xoxb-it-bot-only"})
    put_string_secret(client, signing, placeholder())

    with pytest.raises(ConfigError) as refused:
        load_slack_credentials(bot, signing, client)

    assert refused.value.problems == (
        f"secret {signing} is not a JSON object",
        f"run scripts/set-slack-secret.sh to fill {signing}",
    )


def test_the_note_the_script_leaves_in_the_bot_tokens_secret_never_verifies(
    client: SecretsManagerClient,
) -> None:
    # Given the bot token's secret as set-slack-secret.sh writes it, and a signing secret that
    # someone emptied again (CloudFormation's placeholder)
    bot, signing = fresh_names()
    note = f"{MOVED}{signing}"
    put_json_secret(client, bot, {"bot_token": "xoxb-it-bot", "signing_secret": note})
    put_string_secret(client, signing, placeholder())

    # Then the note is no signing secret: the webhook refuses to start rather than verify with it
    with pytest.raises(ConfigError) as refused:
        load_slack_credentials(bot, signing, client)

    assert f"run scripts/set-slack-secret.sh to fill {signing}" in refused.value.problems
    assert load_bot_token(bot, client) == Secret("xoxb-it-bot")


def test_the_webhook_refuses_to_start_without_a_signing_secrets_name(stack: Stack) -> None:
    with pytest.raises(ConfigError) as refused:
        build_webhook(replace(stack.settings, slack_signing_secret_name=None))

    (problem,) = refused.value.problems
    assert problem.startswith("SLACK_SIGNING_SECRET_NAME is required")


def test_the_webhook_refuses_to_start_on_a_signing_secret_never_filled(
    stack: Stack, client: SecretsManagerClient
) -> None:
    bot, signing = fresh_names()
    put_json_secret(client, bot, {"bot_token": BOT_TOKEN})
    put_string_secret(client, signing, placeholder())

    with pytest.raises(ConfigError):
        build_webhook(
            replace(stack.settings, slack_secret_name=bot, slack_signing_secret_name=signing)
        )


def test_the_relay_starts_on_the_bot_tokens_secret_alone(stack: Stack) -> None:
    # As the construct deploys it: no signing secret's name, no grant to read it
    settings = relay_settings(stack.settings)
    assert settings.slack_signing_secret_name is None
    stored = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=SECRET_NAME)["SecretString"]
    )
    assert stored == {"bot_token": BOT_TOKEN}

    build_relay(settings)  # reads the bot token; raises if it needed anything else


def test_a_requester_starts_on_the_bot_tokens_secret_alone(stack: Stack) -> None:
    # As the construct grants it: the bot token's secret, nothing that signs a click
    stored = json.loads(
        boto3.client("secretsmanager").get_secret_value(SecretId=SECRET_NAME)["SecretString"]
    )
    assert stored == {"bot_token": BOT_TOKEN}

    approvals = Greenlight.from_env(
        {
            gate_env.ENV_APPROVALS_TABLE: stack.settings.approvals_table,
            gate_env.ENV_AUDIT_TABLE: stack.settings.audit_table,
            gate_env.ENV_SLACK_SECRET_NAME: SECRET_NAME,
            gate_env.ENV_SLACK_API_URL: f"{stack.slack_url}/api/",
        }
    )

    # and its Slack client works with that token (the fake Slack accepts no other)
    assert approvals.directory.members(fixtures.APPROVERS_GROUP) == set(fixtures.APPROVER_IDS)


def test_an_upgraded_webhook_takes_clicks_before_and_after_the_secrets_are_separated(
    stack: Stack, client: SecretsManagerClient
) -> None:
    # Given a webhook deployed over 0.2's secret, the signing secret not yet filled
    bot, signing = fresh_names()
    put_json_secret(client, bot, {"bot_token": BOT_TOKEN, "signing_secret": OLD_SIGNING})
    put_string_secret(client, signing, placeholder())
    settings = replace(stack.settings, slack_secret_name=bot, slack_signing_secret_name=signing)
    asgi = build_webhook(settings)
    before, after = post_pending(stack), post_pending(stack)

    # When Slack signs with the old secret, then the operator separates the secrets (and
    # regenerates the signing secret in Slack) and Slack signs with the new one
    first = carol_approves(before)
    old = invoke(asgi, function_url_event(first, signed_headers(OLD_SIGNING, first)))
    put_slack_secrets(client, (bot, signing), BOT_TOKEN, NEW_SIGNING)
    second = carol_approves(after)
    new = invoke(asgi, function_url_event(second, signed_headers(NEW_SIGNING, second)))
    stale = invoke(asgi, function_url_event(second, signed_headers(OLD_SIGNING, second)))

    # Then both clicks count on the same warm container, and the old secret no longer does
    assert (old["statusCode"], new["statusCode"], stale["statusCode"]) == (200, 200, 401)
    assert stack.store.get(before.approval_id).status is Status.APPROVED
    assert stack.store.get(after.approval_id).status is Status.APPROVED
