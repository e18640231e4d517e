"""The alarms an operator is paged for, each one publishing to the alert topic.

Metric names, namespaces and dimensions are AWS's:
- Function URL metrics (`Url5xxCount`, dimension `FunctionName`): Lambda developer guide,
  urls-monitoring.html. The webhook's `Errors` would stay 0: Mangum answers an exception with a
  normal 500 response, which the URL counts as a 5xx.
- `Errors`, `Throttles` (`AWS/Lambda`, `FunctionName`): monitoring-metrics-types.html.
- Durable execution metrics (`DurableExecutionFailed`, `DurableExecutionTimedOut` per function;
  `ApproximateRunningDurableExecutionsUtilization`, the account's quota in percent, published
  without dimensions): durable-monitoring.html, whose suggested alarm is utilization above 80 %.
- `ApproximateNumberOfMessagesVisible` (`AWS/SQS`, `QueueName`) for a dead-letter queue.
- Greenlight's own EMF metrics (`greenlight.core.metric_names`; dimension `service`, the
  requester's function name): a rung the gate did without Slack.
- `IteratorAge` (`AWS/Lambda`, `FunctionName`, milliseconds): how old the last stream record a
  function read was (monitoring-metrics-types.html, "Event source mapping metrics"); the relay
  falling behind means decided workflows wait.
Every alarm is named `<prefix>-…`: the key and topic policies let CloudWatch publish for alarms
matching that name and no others (`greenlight.cdk.alerts`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions

from greenlight.core import metric_names

if TYPE_CHECKING:
    from aws_cdk import aws_sns as sns
    from aws_cdk import aws_sqs as sqs
    from constructs import Construct

    from greenlight.cdk.names import Names

FIVE_MINUTES = Duration.minutes(5)
UTILIZATION_PERCENT = 80
RELAY_LAG_MS = 60_000  # a decision's workflow should resume within seconds, not a minute
ANY_AT_ALL = 1.0


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: its name after the prefix, what it watches, when it fires, what it means."""

    suffix: str
    metric: cloudwatch.IMetric
    threshold: float
    description: str


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


def queue_depth(queue: sqs.IQueue) -> cloudwatch.Metric:
    """How many messages wait in a (dead-letter) queue."""
    return queue.metric_approximate_number_of_messages_visible(
        statistic="Maximum", period=FIVE_MINUTES
    )


def installation_alarms(names: Names, undelivered: sqs.IQueue) -> list[AlarmSpec]:
    """The webhook's, the relay's and the account's alarms."""
    webhook, relay = names.webhook_function, names.relay_function
    return [
        AlarmSpec(
            "webhook-5xx",
            lambda_metric("Url5xxCount", webhook),
            ANY_AT_ALL,
            "The webhook answered Slack with a 5xx (an exception, a timeout): clicks failed.",
        ),
        AlarmSpec(
            "webhook-throttles",
            lambda_metric("Throttles", webhook),
            ANY_AT_ALL,
            "The webhook hit its reserved concurrency: clicks were refused (flood or real load).",
        ),
        AlarmSpec(
            "decision-relay-errors",
            lambda_metric("Errors", relay),
            ANY_AT_ALL,
            "Every record of a relay batch failed (a partly failed batch counts under lag).",
        ),
        AlarmSpec(
            "decision-relay-dead-letters",
            queue_depth(undelivered),
            ANY_AT_ALL,
            "The relay gave up on a decision record (6 hours of failures): a workflow was not "
            "resumed by it; the queue names the stream position.",
        ),
        AlarmSpec(
            "decision-relay-lag",
            lambda_metric("IteratorAge", relay, "Maximum"),
            float(RELAY_LAG_MS),
            "Decisions wait over a minute in the approvals stream: workflows resume late.",
        ),
        AlarmSpec(
            "running-executions-utilization",
            lambda_metric("ApproximateRunningDurableExecutionsUtilization", None, "Maximum"),
            float(UTILIZATION_PERCENT),
            f"Running durable executions passed {UTILIZATION_PERCENT} % of the account quota.",
        ),
        AlarmSpec(
            "approvals-expired",
            cloudwatch.Metric(
                namespace=metric_names.NAMESPACE,
                metric_name=metric_names.expired_from_logs(names.prefix),
                statistic="Sum",
                period=Duration.hours(1),
            ),
            ANY_AT_ALL,
            "An approval expired without a decision.",
        ),
    ]


def requester_alarms(label: str, function_name: str) -> list[AlarmSpec]:
    """A durable function's alarms: its invocations, its executions, and the rungs its gate
    did without Slack (the EMF metric's `service` is `function_name`, `greenlight.gate.metrics`)."""
    return [
        AlarmSpec(
            f"{label}-errors",
            lambda_metric("Errors", function_name),
            ANY_AT_ALL,
            f"An invocation of {label} failed (each replay counts; DurableExecutionFailed too).",
        ),
        AlarmSpec(
            f"{label}-throttles",
            lambda_metric("Throttles", function_name),
            ANY_AT_ALL,
            f"Invocations of {label} were throttled: the account's concurrency ran out.",
        ),
        AlarmSpec(
            f"{label}-executions-failed",
            lambda_metric("DurableExecutionFailed", function_name),
            ANY_AT_ALL,
            f"An execution of {label} ended in failure.",
        ),
        AlarmSpec(
            f"{label}-executions-timed-out",
            lambda_metric("DurableExecutionTimedOut", function_name),
            ANY_AT_ALL,
            f"An execution of {label} ran past its execution timeout.",
        ),
        AlarmSpec(
            f"{label}-rungs-without-slack",
            cloudwatch.Metric(
                namespace=metric_names.NAMESPACE,
                metric_name=metric_names.RUNGS_WITHOUT_SLACK,
                dimensions_map={metric_names.SERVICE: function_name},
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            ANY_AT_ALL,
            f"Slack failed a reminder, escalation notice or expiry redraw of {label} past the "
            "retries: the ladder went on without it; people may not have been told.",
        ),
    ]


def add_alarm(
    scope: Construct, names: Names, topic: sns.ITopic, spec: AlarmSpec
) -> cloudwatch.Alarm:
    """The alarm, named with the installation's prefix, notifying the alert topic."""
    alarm = cloudwatch.Alarm(
        scope,
        "".join(part.capitalize() for part in spec.suffix.split("-")) + "Alarm",
        alarm_name=names.alarm(spec.suffix),
        metric=spec.metric,
        threshold=spec.threshold,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=spec.description,
    )
    alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
    return alarm
