"""The approval gate: a durable primitive that asks people in Slack and waits.

`Greenlight.from_env()` once per container, then `approvals.require_approval(ctx, request,
policy=…, route=…)` in the workflow. The ports are what `Greenlight(...)` takes, for your own
implementations (`greenlight.testing` has in-memory ones); `retries` holds the step configs the
gate uses, for steps of the same kind in your workflow.
"""

from greenlight.gate import retries
from greenlight.gate.gate import require_approval
from greenlight.gate.greenlight import Greenlight
from greenlight.gate.ports import ApprovalNotifier, ApprovalStore, Directory, GateServices
from greenlight.gate.settings import GateSettings

__all__ = [
    "ApprovalNotifier",
    "ApprovalStore",
    "Directory",
    "GateServices",
    "GateSettings",
    "Greenlight",
    "require_approval",
    "retries",
]
