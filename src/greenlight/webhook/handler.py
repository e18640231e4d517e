"""Lambda entry point of the Slack webhook (`greenlight.webhook.handler.handler`), via Mangum.

Everything is imported and built with the garbage collector paused, and frozen afterwards
(`greenlight.webhook.collector`): a shorter cold start, and no later collection walks it.
"""

from __future__ import annotations

from typing import Any

from greenlight.webhook.collector import collector_paused

with collector_paused():
    from mangum import Mangum

    from greenlight.webhook import log_context
    from greenlight.webhook.build import build_webhook
    from greenlight.webhook.settings import Settings

    _settings = Settings.from_env()
    asgi = build_webhook(_settings)
    _mangum = Mangum(asgi, lifespan="off", api_gateway_base_path=_settings.base_path or "/")
    log_context.adopt_module_loggers()


@log_context.logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One Function URL request; log lines carry the request id, then the approval's keys."""
    return _mangum(event, context)
