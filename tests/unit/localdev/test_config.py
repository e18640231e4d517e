"""The local stack hands each process the settings the construct would: the signing secret's
name to the webhook alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from localdev.config import SECRET_NAME, SIGNING_SECRET_NAME, StackConfig

if TYPE_CHECKING:
    from pathlib import Path


def test_only_the_webhook_is_told_the_signing_secrets_name(tmp_path: Path) -> None:
    config = StackConfig(tmp_path)

    functions, webhook = config.function_env(), config.webhook_env()

    assert "SLACK_SIGNING_SECRET_NAME" not in functions  # durable functions and the relay
    assert functions["SLACK_SECRET_NAME"] == SECRET_NAME
    assert webhook == functions | {"SLACK_SIGNING_SECRET_NAME": SIGNING_SECRET_NAME}
