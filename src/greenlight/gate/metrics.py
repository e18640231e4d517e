"""The durable function's approval metrics, as CloudWatch EMF lines (Powertools Metrics).

Counted inside the steps that post or expire an approval, never in workflow code: a replay
re-runs workflow code but not a completed step, so each approval is counted once. A metric that
cannot be written is logged and dropped; it never fails the step it counts.
"""

from __future__ import annotations

import logging

from aws_lambda_powertools import single_metric
from aws_lambda_powertools.metrics import MetricUnit

NAMESPACE = "Greenlight"
REQUESTED = "ApprovalsRequested"
EXPIRED = "ApprovalsExpired"
logger = logging.getLogger(__name__)


def count(name: str) -> None:
    """One more of `name` (dimension `service`: the function, from POWERTOOLS_SERVICE_NAME)."""
    try:
        with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE):
            pass
    except Exception as err:  # noqa: BLE001  # a lost count must not fail an approval
        logger.warning("metric not written", extra={"metric": name, "error": type(err).__name__})
