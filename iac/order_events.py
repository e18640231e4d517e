"""Order events start the workflow: the bus, the rule, the starter function and its DLQ."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from examples.orders import starter as starter_env
from greenlight.cdk.functions import arns_of, dead_letter_queue, own_function, policy
from iac import names, permissions


def add_order_events(scope: Stack, code: lambda_.Code, orders_alias: lambda_.Alias) -> sqs.Queue:
    """OrderCreated events on the orders bus start the workflow through the starter.

    Undeliverable events (EventBridge could not invoke the starter) and refused ones (the
    starter raised: not our event, or a malformed order) both end in one dead-letter queue,
    which is returned for its alarm.
    """
    bus = events.EventBus(scope, "OrderBus", event_bus_name=names.EVENT_BUS)
    dlq = dead_letter_queue(scope, "OrderEventsDlq", names.EVENTS_DLQ)
    starter = own_function(
        scope,
        "Starter",
        names.STARTER_FUNCTION,
        code,
        "examples.orders.starter.handler",
        timeout=Duration.seconds(10),
        policies={"access": policy(permissions.starter_access(arns_of(scope)))},
        environment={
            starter_env.ENV_ORDERS_FUNCTION: orders_alias.function_arn,
            starter_env.ENV_EVENT_SOURCE: starter_env.DEFAULT_SOURCE,
            starter_env.ENV_EVENT_DETAIL_TYPE: starter_env.DEFAULT_DETAIL_TYPE,
        },
    )
    lambda_.CfnEventInvokeConfig(
        scope,
        "StarterFailures",
        function_name=starter.function_name,
        qualifier="$LATEST",
        maximum_retry_attempts=2,
        destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
            on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(destination=dlq.queue_arn)
        ),
    )
    events.Rule(
        scope,
        "OrderCreated",
        event_bus=bus,
        event_pattern=events.EventPattern(
            source=[starter_env.DEFAULT_SOURCE], detail_type=[starter_env.DEFAULT_DETAIL_TYPE]
        ),
        targets=[
            targets.LambdaFunction(
                starter,
                dead_letter_queue=dlq,
                retry_attempts=3,
                max_event_age=Duration.hours(2),
            )
        ],
    )
    return dlq
