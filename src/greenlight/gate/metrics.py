"""The durable function's approval metrics, as CloudWatch EMF lines (Powertools Metrics).

Counted inside the steps that post, refuse or expire an approval, or do a rung without Slack,
never in workflow code: a replay
re-runs workflow code but not a completed step, so each approval is counted once. A metric that
cannot be written is logged and dropped; it never fails the step it counts.

The `service` dimension is the function's name (AWS_LAMBDA_FUNCTION_NAME, which Lambda sets),
not POWERTOOLS_SERVICE_NAME: the construct's dashboard graphs each requester by its name, and
`grant_requester` cannot see (nor should overwrite) a service name the function's owner chose.
Powertools adds its own `service` only when none is given. Outside Lambda it falls back to that.
The names come from `greenlight.core.metric_names`, as the construct's dashboard reads them.
"""

from __future__ import annotations

import logging
import os

from aws_lambda_powertools import single_metric
from aws_lambda_powertools.metrics import MetricUnit

from greenlight.core.metric_names import (
    EXPIRED,
    NAMESPACE,
    REFUSED,
    REQUESTED,
    RUNGS_WITHOUT_SLACK,
    SERVICE,
)

# what the gate counts, and how
__all__ = ["EXPIRED", "REFUSED", "REQUESTED", "RUNGS_WITHOUT_SLACK", "count"]
logger = logging.getLogger(__name__)


def count(name: str) -> None:
    """One more of `name` (dimension `service`: the function's name)."""
    function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    dimensions = {SERVICE: function} if function else None
    try:
        with single_metric(
            name=name,
            unit=MetricUnit.Count,
            value=1,
            namespace=NAMESPACE,
            default_dimensions=dimensions,
        ):
            pass
    except Exception as err:  # noqa: BLE001  # a lost count must not fail an approval
        logger.warning("metric not written", extra={"metric": name, "error": type(err).__name__})
