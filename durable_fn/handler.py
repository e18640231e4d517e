"""Lambda entry point of the durable order workflow (`durable_fn.handler.handler`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_durable_execution_sdk_python import durable_execution
from aws_lambda_powertools import Logger

from durable_fn.build import build_dependencies
from durable_fn.settings import Settings
from durable_fn.workflow import process_order

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_durable_execution_sdk_python import DurableContext

    from durable_fn.ports import Dependencies

logger = Logger()


def make_handler(deps: Dependencies, settings: Settings) -> Callable[[Any, Any], Any]:
    """The durable handler over the given dependencies (tests pass in-memory ones)."""

    @durable_execution
    def handle(event: Any, context: DurableContext) -> dict[str, Any]:
        context.set_logger(logger)
        return process_order(event, context, deps, settings)

    return handle


_settings = Settings.from_env()
handler = make_handler(build_dependencies(_settings), _settings)
