"""The decision relay: every stored decision delivered from the approvals table's stream.

`greenlight/webhook/relay.py` says why; here it is wired the way Lambda consumes a DynamoDB stream.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from iac import names, permissions
from iac.functions import acknowledge, dead_letter_queue, greenlight_function, nag_arn

if TYPE_CHECKING:
    from aws_cdk import Stack
    from aws_cdk import aws_dynamodb as dynamodb


def add_decision_relay(
    stack: Stack, code: lambda_.Code, approvals: dynamodb.Table, environment: dict[str, str]
) -> tuple[lambda_.Function, sqs.Queue]:
    """The relay function (the webhook's bundle, its own role) and its stream subscription.

    Lambda retries a batch from its first failed record (ReportBatchItemFailures) until the
    record leaves the stream (24 hours): a decision's callback is sent again until Lambda's API
    accepts it or says it is closed. A record given up on goes to the on-failure queue (its
    stream position, not its data), so it is never lost without a trace. A relay that falls
    behind raises its IteratorAge; both are alarmed (iac/alarms.py).
    """
    relay = greenlight_function(
        stack,
        "Relay",
        names.RELAY_FUNCTION,
        code,
        "greenlight.webhook.relay_handler.handler",
        timeout=Duration.seconds(60),
        policies={
            "callback": permissions.webhook_callback,
            "access": permissions.relay_access,
        },
        environment=environment,
    )
    assert isinstance(relay.role, iam.Role)  # greenlight_function always gives it its own role
    stream = nag_arn(stack, "dynamodb", f"table/{names.TABLES['approvals']}/stream/*")
    acknowledge(
        relay.role,
        f"AwsSolutions-IAM5[Resource::{stream}]",
        "A table's stream ARN ends in its creation time; the grant covers the approvals "
        "table's streams only (DynamoDB developer guide's policy for a stream consumer).",
    )
    undelivered = dead_letter_queue(stack, "RelayDlq", names.RELAY_DLQ)
    assert approvals.table_stream_arn is not None
    mapping = lambda_.EventSourceMapping(
        stack,
        "RelayStream",
        target=relay,
        event_source_arn=approvals.table_stream_arn,
        starting_position=lambda_.StartingPosition.TRIM_HORIZON,
        batch_size=10,
        report_batch_item_failures=True,
    )
    # Set on the resource itself: the L2's `on_failure` would also grant the role send rights
    # in a policy of its own, beside the exact ones in iac/permissions.py.
    cfn = mapping.node.default_child
    assert isinstance(cfn, lambda_.CfnEventSourceMapping)
    cfn.add_property_override("DestinationConfig.OnFailure.Destination", undelivered.queue_arn)
    return relay, undelivered
