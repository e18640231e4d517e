"""The decision relay: every stored decision delivered from the approvals table's stream.

`greenlight/webhook/relay.py` says why; here it is wired the way Lambda consumes a DynamoDB stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_lambda as lambda_

from greenlight.cdk.functions import dead_letter_queue, own_function

if TYPE_CHECKING:
    from collections.abc import Mapping

    from aws_cdk import aws_dynamodb as dynamodb
    from aws_cdk import aws_iam as iam
    from aws_cdk import aws_sqs as sqs
    from constructs import Construct

    from greenlight.cdk.names import Names

HANDLER = "greenlight.webhook.relay_handler.handler"
# How long a failing stream record is retried before Lambda discards it to the on-failure queue
# (and its alarm): well inside the stream's 24 hours, long enough for an outage of Lambda's API.
MAX_RECORD_AGE = Duration.hours(6)


def add_decision_relay(
    scope: Construct,
    names: Names,
    code: lambda_.Code,
    approvals: dynamodb.Table,
    *,
    environment: Mapping[str, str],
    policies: Mapping[str, iam.PolicyDocument],
) -> tuple[lambda_.Function, sqs.Queue]:
    """The relay function (the webhook's bundle, its own role) and its stream subscription.

    Lambda retries a batch from its first failed record (ReportBatchItemFailures) for up to
    `MAX_RECORD_AGE`: a decision's callback is sent again until Lambda's API accepts it or
    says it is closed. Then Lambda discards the record and sends its stream position (not its
    data) to the on-failure queue, so it is never lost without a trace; left at the default
    (-1), a failing record is "retried until the record expires" from the stream at 24 hours
    (Lambda developer guide, services-ddb-params.html), holding back every later decision on
    its shard all that time, and the queue is only for discarded records. A decision given up
    on is still settled by its gate, which reads the record at its ladder's next rung. A relay
    that falls behind raises its IteratorAge; both are alarmed (greenlight.cdk.alarms).
    """
    relay = own_function(
        scope,
        "Relay",
        names.relay_function,
        code,
        HANDLER,
        timeout=Duration.seconds(60),
        policies=policies,
        environment=environment,
    )
    undelivered = dead_letter_queue(scope, "RelayDlq", names.relay_dlq)
    assert approvals.table_stream_arn is not None
    mapping = lambda_.EventSourceMapping(
        scope,
        "RelayStream",
        target=relay,
        event_source_arn=approvals.table_stream_arn,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=10,
        report_batch_item_failures=True,
        max_record_age=MAX_RECORD_AGE,
    )
    # Set on the resource itself: the L2's `on_failure` would also grant the role send rights
    # in a policy of its own, beside the exact ones in greenlight.cdk.permissions.
    cfn = mapping.node.default_child
    assert isinstance(cfn, lambda_.CfnEventSourceMapping)
    cfn.add_property_override("DestinationConfig.OnFailure.Destination", undelivered.queue_arn)
    return relay, undelivered
