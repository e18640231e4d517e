"""The alarms an operator is paged for, each one publishing to the alert topic.

Metric names, namespaces and dimensions are AWS's:
- Function URL metrics (`Url5xxCount`, dimension `FunctionName`): Lambda developer guide,
  urls-monitoring.html. The webhook's `Errors` would stay 0: Mangum answers an exception with a
  normal 500 response, which the URL counts as a 5xx.
- `Errors`, `Throttles` (`AWS/Lambda`, `FunctionName`): monitoring-metrics-types.html.
- Durable execution metrics (`DurableExecutionFailed`, `DurableExecutionTimedOut` per function;
  `ApproximateRunningDurableExecutionsUtilization`, the account's quota in percent, published
  without dimensions): durable-monitoring.html, whose suggested alarm is utilization above 80 %.
- `ApproximateNumberOfMessagesVisible` (`AWS/SQS`, `QueueName`) for the dead-letter queue.
- `IteratorAge` (`AWS/Lambda`, `FunctionName`, milliseconds): how old the last stream record a
  function read was (monitoring-metrics-types.html, "Event source mapping metrics"); the relay
  falling behind means decided workflows wait.
Every alarm is named `greenlight-…`: the key and topic policies let CloudWatch publish for
alarms matching that name and no others (`iac.alerts.alarm_arn_pattern`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions

from iac import names

if TYPE_CHECKING:
    from aws_cdk import Stack
    from aws_cdk import aws_logs as logs
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs

FIVE_MINUTES = Duration.minutes(5)
UTILIZATION_PERCENT = 80
RELAY_LAG_MS = 60_000  # a decision's workflow should resume within seconds, not a minute


def lambda_metric(
    metric_name: str, function_name: str | None, statistic: str = "Sum"
) -> cloudwatch.Metric:
    """An `AWS/Lambda` metric of one function, or of the account when `function_name` is None."""
    return cloudwatch.Metric(
        namespace="AWS/Lambda",
        metric_name=metric_name,
        dimensions_map={"FunctionName": function_name} if function_name else None,
        statistic=statistic,
        period=FIVE_MINUTES,
    )


def add_alarms(
    stack: Stack,
    dead_letters: sqs.IQueue,
    expired: logs.MetricFilter,
    topic: sns.ITopic,
    undelivered: sqs.IQueue,
) -> list[cloudwatch.Alarm]:
    """Every alarm, in the order the dashboard shows them."""
    orders, webhook, relay = names.ORDERS_FUNCTION, names.WEBHOOK_FUNCTION, names.RELAY_FUNCTION
    any_at_all = 1.0
    specs: list[tuple[str, cloudwatch.IMetric, float, str]] = [
        (
            "webhook-5xx",
            lambda_metric("Url5xxCount", webhook),
            any_at_all,
            "The webhook answered Slack with a 5xx (an exception, a timeout): clicks failed.",
        ),
        (
            "webhook-throttles",
            lambda_metric("Throttles", webhook),
            any_at_all,
            "The webhook hit its reserved concurrency: clicks were refused (flood or real load).",
        ),
        (
            "decision-relay-errors",
            lambda_metric("Errors", relay),
            any_at_all,
            "Every record of a relay batch failed (a partly failed batch counts under lag).",
        ),
        (
            "decision-relay-dead-letters",
            undelivered.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=FIVE_MINUTES
            ),
            any_at_all,
            "The relay gave up on a decision record (24 hours of failures): a workflow was not "
            "resumed by it; the queue names the stream position.",
        ),
        (
            "decision-relay-lag",
            lambda_metric("IteratorAge", relay, "Maximum"),
            float(RELAY_LAG_MS),
            "Decisions wait over a minute in the approvals stream: workflows resume late.",
        ),
        (
            "orders-errors",
            lambda_metric("Errors", orders),
            any_at_all,
            "An orders invocation failed (each replay counts; see DurableExecutionFailed too).",
        ),
        (
            "orders-throttles",
            lambda_metric("Throttles", orders),
            any_at_all,
            "Orders invocations were throttled: the account's concurrency ran out.",
        ),
        (
            "orders-executions-failed",
            lambda_metric("DurableExecutionFailed", orders),
            any_at_all,
            "An order workflow ended in failure.",
        ),
        (
            "orders-executions-timed-out",
            lambda_metric("DurableExecutionTimedOut", orders),
            any_at_all,
            "An order workflow ran past its execution timeout.",
        ),
        (
            "running-executions-utilization",
            lambda_metric("ApproximateRunningDurableExecutionsUtilization", None, "Maximum"),
            float(UTILIZATION_PERCENT),
            f"Running durable executions passed {UTILIZATION_PERCENT} % of the account quota.",
        ),
        (
            "order-events-dead-letters",
            dead_letters.metric_approximate_number_of_messages_visible(
                statistic="Maximum", period=FIVE_MINUTES
            ),
            any_at_all,
            "Order events wait in the dead-letter queue: they started no workflow.",
        ),
        (
            "approvals-expired",
            expired.metric(statistic="Sum", period=Duration.hours(1)),
            any_at_all,
            "An approval expired without a decision.",
        ),
    ]
    notify = cloudwatch_actions.SnsAction(topic)
    alarms = []
    for suffix, metric, threshold, description in specs:
        alarm = cloudwatch.Alarm(
            stack,
            "".join(part.capitalize() for part in suffix.split("-")) + "Alarm",
            alarm_name=f"{names.PREFIX}-{suffix}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(notify)
        alarms.append(alarm)
    return alarms
