"""Slack credentials from Secrets Manager, through Powertools Parameters.

Read when a container starts, and again by the webhook when the secret rotates. The provider
gets its client from boto3's default session, which the function's other clients share:
Powertools' own session would load the endpoint rules a second time, ~40 ms of cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from aws_lambda_powertools.utilities import parameters

from greenlight.core.errors import ConfigError
from greenlight.core.secret import Secret

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


@dataclass(frozen=True, slots=True)
class SlackCredentials:
    """The bot token and signing secret, wrapped so they never print."""

    bot_token: Secret
    signing_secret: Secret


def load_slack_credentials(
    secret_name: str, client: SecretsManagerClient | None = None
) -> SlackCredentials:
    """Read the JSON secret `{"bot_token": …, "signing_secret": …}` (with `client`, if given:
    the caller's timeouts and session).

    Raises:
        ConfigError: the secret is missing a key or is not JSON.
    """
    try:
        provider = parameters.SecretsProvider(boto3_client=client or boto3.client("secretsmanager"))
        value = provider.get(secret_name, transform="json")
    except parameters.exceptions.TransformParameterError as err:
        raise ConfigError([f"secret {secret_name} is not a JSON object"]) from err
    if not isinstance(value, dict):
        raise ConfigError([f"secret {secret_name} is not a JSON object"])
    missing = [k for k in ("bot_token", "signing_secret") if not value.get(k)]
    if missing:
        raise ConfigError([f"secret {secret_name} lacks {k}" for k in missing])
    return SlackCredentials(Secret(str(value["bot_token"])), Secret(str(value["signing_secret"])))
