"""Lambda entry point of the deploy gate (`examples.deploy_gate.handler.handler`).

Greenlight (its approvals table and Slack client) and the settings are built once per
container, at import, from the environment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from examples.deploy_gate.settings import DeploySettings
from examples.deploy_gate.workflow import DeployGate, make_handler
from greenlight.gate import Greenlight

logger = Logger()
_durable = make_handler(DeployGate(Greenlight.from_env(), DeploySettings.from_env()))


@logger.inject_lambda_context(clear_state=True)
def handler(event: Any, context: Any) -> Any:
    """One invocation of an execution; every line carries its ARN."""
    if isinstance(event, dict) and isinstance(event.get("DurableExecutionArn"), str):
        logger.append_keys(durable_execution_arn=event["DurableExecutionArn"])
    return _durable(event, context)
