"""The durable functions the local stack hosts, in one place: name, handler, durable config.

Each entry is what a deployment gives Lambda for one function (`FunctionName`, `Handler`,
`DurableConfig`, `Environment`). The Lambda host (`python -m localdev.processes host`) serves them
all on one endpoint and routes each Invoke by its `FunctionName`. Handlers build themselves from
the environment at import, as a Lambda container does at cold start; the host runs every function
in its one process, so a function's `environment` only fills in what the process does not set
(a test or a developer overrides a value by exporting it), and two functions may not give one
variable two values.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from examples.deploy_gate import settings as deploy_settings
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
)
FUNCTIONS = (ORDERS, DEPLOY_GATE)


def environment(functions: tuple[LocalFunction, ...], process: Mapping[str, str]) -> dict[str, str]:
    """What the functions add to `process`'s environment: each value the process lacks.

    Raises:
        ValueError: two functions give one variable two values.
    """
    given: dict[str, str] = {}
    for function in functions:
        for key, value in function.environment.items():
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
