"""The durable functions the local stack hosts, in one place: name, handler, durable config.

Each entry is what a deployment gives Lambda for one function (`FunctionName`, `Handler`,
`DurableConfig`, `Environment`). The Lambda host (`python -m localdev.processes host`) serves them
all on one endpoint and routes each Invoke by its `FunctionName`. Handlers build themselves from
the environment at import, as a Lambda container does at cold start; the host runs every function
in its one process, so a function's `environment` only fills in what the process does not set
(a test or a developer overrides a value by exporting it), and two functions may not give one
variable two values. With a real workspace (`stack.sh start --real-slack`) there is no fake
Slack and none of its fixtures: `real_slack` names the stack variable (from the developer's
`.env`) each of those values is taken from instead.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from examples.deploy_gate import settings as deploy_settings
from examples.orders import settings as orders_settings
from greenlight.gate import settings as gate_settings
from localdev import fixtures
from localdev.config import FUNCTION_NAME
from localdev.lambda_host import FunctionConfig

if TYPE_CHECKING:
    from collections.abc import Mapping, MutableMapping

DEPLOY_GATE_FUNCTION_NAME = "greenlight-deploy-gate"


@dataclass(frozen=True, slots=True)
class LocalFunction:
    """One hosted durable function, as its deployment would describe it."""

    name: str
    handler: str  # Lambda's `Handler`: `package.module.attribute`
    execution_timeout_seconds: int
    retention_days: int
    environment: Mapping[str, str] = field(default_factory=dict)
    real_slack: Mapping[str, str] = field(default_factory=dict)  # variable -> stack variable


ORDERS = LocalFunction(
    FUNCTION_NAME,
    "examples.orders.handler.handler",
    execution_timeout_seconds=366 * 86400 - 1,
    retention_days=7,
)
DEPLOY_GATE = LocalFunction(
    DEPLOY_GATE_FUNCTION_NAME,
    "examples.deploy_gate.handler.handler",
    execution_timeout_seconds=7 * 86400,
    retention_days=7,
    environment={
        deploy_settings.ENV_CHANNEL: fixtures.CHANNEL_ID,
        deploy_settings.ENV_ONCALL: fixtures.ONCALL_GROUP,
        deploy_settings.ENV_RELEASE_MANAGERS: fixtures.RELEASE_MANAGER_ID,
        deploy_settings.ENV_CRITICAL_SERVICES: "payments,auth",
    },
    real_slack={
        deploy_settings.ENV_CHANNEL: orders_settings.ENV_SLACK_CHANNEL,
        deploy_settings.ENV_ONCALL: orders_settings.ENV_APPROVERS,
        deploy_settings.ENV_RELEASE_MANAGERS: orders_settings.ENV_ESCALATION_APPROVERS,
    },
)
DIRECT_APPROVAL = LocalFunction(  # one approval routed per request: DMs, or a channel and DMs
    "greenlight-direct-approval",
    "localdev.direct_approval.handler",
    execution_timeout_seconds=86400,
    retention_days=7,
)
FUNCTIONS = (ORDERS, DEPLOY_GATE, DIRECT_APPROVAL)


def environment(functions: tuple[LocalFunction, ...], process: Mapping[str, str]) -> dict[str, str]:
    """What the functions add to `process`'s environment: each value the process lacks (with
    the fake Slack's fixtures only when `process` points Greenlight at the fake Slack).

    Raises:
        ValueError: two functions give one variable two values.
    """
    given: dict[str, str] = {}
    fake_slack = bool(process.get(gate_settings.ENV_SLACK_API_URL))
    for function in functions:
        values = dict(function.environment)
        if not fake_slack:
            values |= {k: process.get(v, "") for k, v in function.real_slack.items()}
        for key, value in values.items():
            if given.setdefault(key, value) != value:
                raise ValueError(f"{function.name} and another function both set {key}")
    return {key: value for key, value in given.items() if key not in process}


def load(
    functions: tuple[LocalFunction, ...] = FUNCTIONS,
    process: MutableMapping[str, str] = os.environ,
) -> list[FunctionConfig]:
    """Each function with its handler imported (its module builds its dependencies now)."""
    process.update(environment(functions, process))
    loaded = []
    for function in functions:
        module, _, attribute = function.handler.rpartition(".")
        handler = getattr(importlib.import_module(module), attribute)
        loaded.append(
            FunctionConfig(
                function.name,
                handler,
                execution_timeout_seconds=function.execution_timeout_seconds,
                retention_days=function.retention_days,
            )
        )
    return loaded
