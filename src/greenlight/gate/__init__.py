"""The approval gate: a durable primitive that asks people in Slack and waits.

`Greenlight.from_env()` once per container, then `approvals.require_approval(ctx, request,
policy=…, route=…)` in the workflow.
"""

from greenlight.gate.gate import require_approval
from greenlight.gate.greenlight import Greenlight
from greenlight.gate.settings import GateSettings

__all__ = ["GateSettings", "Greenlight", "require_approval"]
