"""The webhook's Powertools Logger and the keys that tie its lines to one approval.

Every module logs through stdlib `logging`; at cold start the Lambda entry point gives those
loggers the Powertools JSON formatter, so the keys appended here (the approval id, the
execution ARN of the workflow it resumes) appear on every line until the invocation ends
(`inject_lambda_context(clear_state=True)` resets them).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

logger = Logger()
# The library's top-level logger; every module's logger propagates to it. Bolt's logger
# ("greenlight.bolt", below it) keeps its own WARNING level (app.py: Bolt logs request bodies
# at INFO), so its warnings come out as JSON too and nothing more.
MODULE_LOGGERS = frozenset({"greenlight"})


def adopt_module_loggers() -> None:
    """Format our modules' log lines as Powertools JSON, with its correlation keys."""
    copy_config_to_registered_loggers(source_logger=logger, include=set(MODULE_LOGGERS))


def correlate(approval_id: str, execution_arn: str) -> None:
    """Tag the rest of this request's lines with the approval and its workflow.

    Thread-local: under uvicorn (the local stack) requests run at once on worker threads, and
    one click's keys must not appear on another's lines.
    """
    logger.thread_safe_append_keys(approval_id=approval_id, durable_execution_arn=execution_arn)


def forget() -> None:
    """Drop this thread's keys: called as each request starts on a (reused) worker thread."""
    logger.thread_safe_clear_keys()
