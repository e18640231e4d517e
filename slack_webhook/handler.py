"""Lambda entry point of the Slack webhook (`slack_webhook.handler.handler`), via Mangum."""

from __future__ import annotations

from mangum import Mangum

from slack_webhook.build import build_webhook
from slack_webhook.settings import Settings

_settings = Settings.from_env()
asgi = build_webhook(_settings)
handler = Mangum(asgi, lifespan="off", api_gateway_base_path=_settings.base_path or "/")
