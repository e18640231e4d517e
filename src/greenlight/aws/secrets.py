"""Slack credentials from Secrets Manager, through Powertools Parameters.

Two secrets, so that a requester (or the relay) never holds what signs a click: the bot token's
(`{"bot_token": …}`, read by requesters, the relay and the webhook) and the signing secret's
(`{"signing_secret": …}`, read by the webhook alone; its IAM grants the others lack).

Read when a container starts, and again by the webhook when a secret rotates. The provider
gets its client from boto3's default session, which the function's other clients share:
Powertools' own session would load the endpoint rules a second time, ~40 ms of cold start.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools.utilities import parameters

from greenlight.core.errors import ConfigError
from greenlight.core.secret import Secret

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

BOT_TOKEN_KEY = "bot_token"  # noqa: S105  # a JSON key, not a secret
SIGNING_SECRET_KEY = "signing_secret"  # noqa: S105  # a JSON key, not a secret
# What scripts/set-slack-secret.sh leaves under `signing_secret` in the bot token's secret: a
# note of where it moved, so 0.2's loader (which refuses a secret without that key) still starts
# retained 0.2 versions of a durable function; never a signing secret to verify with.
MOVED = "moved to "
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SlackCredentials:
    """The bot token and signing secret (the webhook's), wrapped so they never print."""

    bot_token: Secret
    signing_secret: Secret


def load_bot_token(secret_name: str, client: SecretsManagerClient | None = None) -> Secret:
    """Read the bot token from the JSON secret `{"bot_token": …}` (with `client`, if given:
    the caller's timeouts and session). Any other key (a 0.2 secret's signing secret) is
    ignored, never kept.

    Raises:
        ConfigError: the secret is not a JSON object or lacks the bot token.
    """
    value = _json_object(_provider(client), secret_name)
    return Secret(_required(value, secret_name, BOT_TOKEN_KEY))


def load_slack_credentials(
    bot_secret_name: str, signing_secret_name: str, client: SecretsManagerClient | None = None
) -> SlackCredentials:
    """The webhook's credentials: the bot token from its secret, the signing secret from its own.

    Upgrading from 0.2, whose one secret held both: until `scripts/set-slack-secret.sh` has
    filled the signing secret (as CloudFormation creates it, it holds a random placeholder that
    is not JSON), a signing secret still in the bot token's secret is used, with a warning, so a
    deploy does not refuse clicks in the meantime. The script then replaces it there with a note
    of where it moved (`MOVED`), which is never used to verify; the value stays readable in the
    bot token's secret's previous version (`AWSPREVIOUS`), so the old signing secret must be
    regenerated in Slack.

    Raises:
        ConfigError: either secret lacks its key (naming both secrets), or is not JSON.
    """
    provider = _provider(client)
    bot = _json_object(provider, bot_secret_name)
    bot_token = _required(bot, bot_secret_name, BOT_TOKEN_KEY)
    try:
        signing = _required(
            _json_object(provider, signing_secret_name), signing_secret_name, SIGNING_SECRET_KEY
        )
    except ConfigError as err:
        legacy = bot.get(SIGNING_SECRET_KEY)
        if not legacy or str(legacy).startswith(MOVED):
            raise ConfigError(
                [*err.problems, f"run scripts/set-slack-secret.sh to fill {signing_secret_name}"]
            ) from err
        # Names only: never a value
        logger.warning(
            "the signing secret is still in the bot token's secret, readable by every requester: "
            "run scripts/set-slack-secret.sh",
            extra={"secret": bot_secret_name, "signing_secret_name": signing_secret_name},
        )
        signing = str(legacy)
    return SlackCredentials(Secret(bot_token), Secret(signing))


def _provider(client: SecretsManagerClient | None) -> parameters.SecretsProvider:
    return parameters.SecretsProvider(boto3_client=client or boto3.client("secretsmanager"))


def _json_object(provider: parameters.SecretsProvider, secret_name: str) -> dict[str, Any]:
    try:
        value = provider.get(secret_name, transform="json")
    except parameters.exceptions.TransformParameterError as err:
        raise ConfigError([f"secret {secret_name} is not a JSON object"]) from err
    if not isinstance(value, dict):
        raise ConfigError([f"secret {secret_name} is not a JSON object"])
    return value


def _required(value: dict[str, Any], secret_name: str, key: str) -> str:
    found = value.get(key)
    if not found:
        raise ConfigError([f"secret {secret_name} lacks {key}"])
    return str(found)
