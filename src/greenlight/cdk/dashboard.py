"""One CloudWatch dashboard: the alarms, how approvals go, the webhook and each workflow.

The approval metrics are the EMF lines `greenlight.gate.metrics` and
`greenlight.webhook.approval_metrics` write: same namespace, names and dimensions (`service`: a
requester's function name, which the gate sets from AWS_LAMBDA_FUNCTION_NAME; the webhook's
POWERTOOLS_SERVICE_NAME, which `functions.py` sets to its name), or the graphs stay empty. All
three take the names from `greenlight.core.metric_names`, which imports nothing (the construct
must not pull the functions' dependencies); tests/unit/cdk/test_construct.py checks the graphs
against the lines the functions write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from greenlight.cdk.alarms import lambda_metric
from greenlight.core.metric_names import (
    DECIDED,
    EXPIRED,
    NAMESPACE,
    OUTCOME,
    REFUSED,
    REQUESTED,
    RUNGS_WITHOUT_SLACK,
    SERVICE,
    TIME_TO_DECISION,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from constructs import Construct

    from greenlight.cdk.names import Names

OUTCOMES = ("approved", "rejected")
HOUR = Duration.hours(1)
FULL_WIDTH, HALF_WIDTH = 24, 12


def approval_metric(
    name: str, service: str, statistic: str = "Sum", label: str = "", **dimensions: str
) -> cloudwatch.Metric:
    """An EMF metric as the functions write it."""
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={SERVICE: service, **dimensions},
        statistic=statistic,
        period=HOUR,
        label=label or " ".join([name, *dimensions.values()]),
    )


@jsii.implements(cloudwatch.IWidget)
class AlarmStatus:
    """The status of every alarm, read when the dashboard is rendered (at synthesis).

    `AlarmStatusWidget` copies its alarms when it is made; alarms added later (a second
    requester's, the app's own) would be missing from it.
    """

    def __init__(self, alarms: Sequence[cloudwatch.IAlarm]) -> None:
        self._alarms = alarms
        self._at: tuple[float, float] | None = None

    @property
    def width(self) -> int:
        return FULL_WIDTH

    @property
    def height(self) -> int:
        return 4

    @property
    def warnings(self) -> list[str] | None:
        return None

    @property
    def warnings_v2(self) -> dict[str, str] | None:
        return None

    def position(self, x: float, y: float) -> None:
        self._at = (x, y)

    def to_json(self) -> list[Any]:
        widget = cloudwatch.AlarmStatusWidget(
            title="Alarms", alarms=list(self._alarms), width=self.width, height=self.height
        )
        if self._at is not None:
            widget.position(*self._at)
        rendered: list[Any] = widget.to_json()
        return rendered


class Dashboard:
    """The operators' page, named after the installation; requesters add their graphs."""

    def __init__(self, scope: Construct, names: Names, alarms: Sequence[cloudwatch.IAlarm]) -> None:
        webhook = names.webhook_function
        self.dashboard = cloudwatch.Dashboard(scope, "Dashboard", dashboard_name=names.prefix)
        self.dashboard.add_widgets(AlarmStatus(alarms))
        self._approvals = cloudwatch.GraphWidget(
            title="Approvals per hour",
            width=HALF_WIDTH,
            left=[approval_metric(DECIDED, webhook, **{OUTCOME: outcome}) for outcome in OUTCOMES],
        )
        self.dashboard.add_widgets(
            self._approvals,
            cloudwatch.GraphWidget(
                title="Time to decision (seconds)",
                width=HALF_WIDTH,
                left=[
                    approval_metric(TIME_TO_DECISION, webhook, statistic=percentile)
                    for percentile in ("p50", "p90", "Maximum")
                ],
            ),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Webhook (Function URL)",
                width=HALF_WIDTH,
                left=[lambda_metric(m, webhook) for m in ("UrlRequestCount", "Url4xxCount")],
                right=[lambda_metric(m, webhook) for m in ("Url5xxCount", "Throttles")],
            ),
            cloudwatch.GraphWidget(
                title="Running durable executions (account)",
                width=HALF_WIDTH,
                left=[lambda_metric("ApproximateRunningDurableExecutions", None, "Maximum")],
            ),
        )

    def add_requester(self, label: str, function_name: str, service: str) -> None:
        """A requester's approvals (its EMF `service`) and executions."""
        for name in (REQUESTED, REFUSED, EXPIRED, RUNGS_WITHOUT_SLACK):
            self._approvals.add_left_metric(
                approval_metric(name, service, label=f"{name} by {label}")
            )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title=f"Executions of {label}",
                width=FULL_WIDTH,
                left=[
                    lambda_metric(f"DurableExecution{m}", function_name)
                    for m in ("Started", "Succeeded", "Failed", "TimedOut")
                ],
            )
        )
