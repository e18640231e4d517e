"""One CloudWatch dashboard: the alarms, how approvals go, the webhook and the workflow.

The approval metrics are the EMF lines `greenlight.gate.metrics` and
`greenlight.webhook.approval_metrics` write: same namespace, names and dimensions (Powertools adds
`service`, the function name CDK sets as POWERTOOLS_SERVICE_NAME), or the graphs stay empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch

from greenlight.gate import metrics as requested
from greenlight.webhook import approval_metrics as decided
from iac import names
from iac.alarms import lambda_metric

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import Stack

HOUR = Duration.hours(1)
OUTCOMES = ("approved", "rejected")


def approval_metric(
    name: str, service: str, statistic: str = "Sum", **dimensions: str
) -> cloudwatch.Metric:
    """An EMF metric as the functions write it."""
    return cloudwatch.Metric(
        namespace=requested.NAMESPACE,
        metric_name=name,
        dimensions_map={"service": service, **dimensions},
        statistic=statistic,
        period=HOUR,
        label=" ".join([name, *dimensions.values()]),
    )


def add_dashboard(stack: Stack, alarms: Sequence[cloudwatch.IAlarm]) -> cloudwatch.Dashboard:
    """The operators' page, named `greenlight`."""
    orders, webhook = names.ORDERS_FUNCTION, names.WEBHOOK_FUNCTION
    dashboard = cloudwatch.Dashboard(stack, "Dashboard", dashboard_name=names.PREFIX)
    dashboard.add_widgets(
        cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=24, height=4)
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Approvals per hour",
            width=12,
            left=[
                approval_metric(requested.REQUESTED, orders),
                *(
                    approval_metric(decided.DECIDED, webhook, **{decided.OUTCOME: outcome})
                    for outcome in OUTCOMES
                ),
                approval_metric(requested.EXPIRED, orders),
            ],
        ),
        cloudwatch.GraphWidget(
            title="Time to decision (seconds)",
            width=12,
            left=[
                approval_metric(decided.TIME_TO_DECISION, webhook, statistic=percentile)
                for percentile in ("p50", "p90", "Maximum")
            ],
        ),
    )
    dashboard.add_widgets(
        cloudwatch.GraphWidget(
            title="Webhook (Function URL)",
            width=12,
            left=[lambda_metric(m, webhook) for m in ("UrlRequestCount", "Url4xxCount")],
            right=[lambda_metric(m, webhook) for m in ("Url5xxCount", "Throttles")],
        ),
        cloudwatch.GraphWidget(
            title="Order workflows",
            width=12,
            left=[
                lambda_metric(f"DurableExecution{m}", orders)
                for m in ("Started", "Succeeded", "Failed", "TimedOut")
            ],
            right=[lambda_metric("ApproximateRunningDurableExecutions", None, "Maximum")],
        ),
    )
    return dashboard
