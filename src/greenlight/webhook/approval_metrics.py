"""The webhook's approval metrics, as CloudWatch EMF lines (Powertools Metrics).

Written once per approval, by the one request whose conditional write decided it: the count
of decisions by outcome, and the seconds from request to decision (names:
`greenlight.core.metric_names`; the `service` dimension is Powertools', from
POWERTOOLS_SERVICE_NAME, which the construct sets to the webhook's name). A metric that cannot be
written is logged and dropped; it never fails the click.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from aws_lambda_powertools import single_metric
from aws_lambda_powertools.metrics import MetricUnit

from greenlight.core.metric_names import DECIDED, NAMESPACE, OUTCOME, TIME_TO_DECISION

if TYPE_CHECKING:
    from greenlight.core.record import ApprovalRecord

logger = logging.getLogger(__name__)


def decided(record: ApprovalRecord) -> None:
    """Count a decision (dimension `outcome`) and how long it took."""
    try:
        with single_metric(
            name=DECIDED, unit=MetricUnit.Count, value=1, namespace=NAMESPACE
        ) as metric:
            metric.add_dimension(name=OUTCOME, value=record.status.value)
        if record.decided_at:
            waited = datetime.fromisoformat(record.decided_at) - datetime.fromisoformat(
                record.created_at
            )
            with single_metric(
                name=TIME_TO_DECISION,
                unit=MetricUnit.Seconds,
                value=max(waited.total_seconds(), 0.0),
                namespace=NAMESPACE,
            ):
                pass
    except Exception as err:  # noqa: BLE001  # a lost metric must not fail a decision
        logger.warning("metric not written", extra={"error": type(err).__name__})
