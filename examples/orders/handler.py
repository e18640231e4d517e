"""Lambda entry point of the durable order workflow (`examples.orders.handler.handler`).

Dependencies are built once per container, at import, from the environment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from examples.orders.build import build_dependencies
from examples.orders.settings import Settings
from examples.orders.workflow import make_handler

# The same service as the workflow's Logger, so they share one formatter and its keys.
logger = Logger()
_settings = Settings.from_env()
_durable = make_handler(build_dependencies(_settings), _settings)


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> Any:
    """One invocation of an execution; every line carries its ARN (the gate adds approval_id)."""
    if isinstance(event, dict) and isinstance(event.get("DurableExecutionArn"), str):
        logger.append_keys(durable_execution_arn=event["DurableExecutionArn"])
    return _durable(event, context)
