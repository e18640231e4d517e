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

    Lambda retries a batch from its first failed record (ReportBatchItemFailures) until the
    record leaves the stream (24 hours): a decision's callback is sent again until Lambda's API
    accepts it or says it is closed. A record given up on goes to the on-failure queue (its
    stream position, not its data), so it is never lost without a trace. A relay that falls
    behind raises its IteratorAge; both are alarmed (greenlight.cdk.alarms).
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
    )
    # Set on the resource itself: the L2's `on_failure` would also grant the role send rights
    # in a policy of its own, beside the exact ones in greenlight.cdk.permissions.
    cfn = mapping.node.default_child
    assert isinstance(cfn, lambda_.CfnEventSourceMapping)
    cfn.add_property_override("DestinationConfig.OnFailure.Destination", undelivered.queue_arn)
    return relay, undelivered
