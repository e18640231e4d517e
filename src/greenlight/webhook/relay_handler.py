"""Lambda entry point of the decision relay (`greenlight.webhook.relay_handler.handler`).

Subscribed to the approvals table's stream (NEW_AND_OLD_IMAGES) with ReportBatchItemFailures;
the local stack's poller runs the same `make_stream_handler` over the same `build_relay`. Its
log lines are Powertools JSON, like the webhook's, one invocation's keys cleared after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from greenlight.webhook.collector import collector_paused

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

with collector_paused():  # as the webhook's init (`greenlight.webhook.collector`)
    from greenlight.webhook import log_context
    from greenlight.webhook.build import build_relay
    from greenlight.webhook.relay import make_stream_handler
    from greenlight.webhook.settings import Settings

    _handle = make_stream_handler(build_relay(Settings.from_env()))
    log_context.adopt_module_loggers()


@log_context.logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    """One batch of stream records; the ones not delivered yet are reported back to Lambda."""
    return _handle(event, context)
