"""How each Greenlight function is built: runtime, its own role and log group, nag findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk.region_info import RegionInfo

from greenlight.cdk import permissions
from greenlight.cdk.nag import acknowledge, acknowledge_resource
from greenlight.cdk.names import Arns

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from constructs import Construct

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


def arns_of(stack: Stack) -> Arns:
    """ARNs in `stack`'s partition, region and account.

    With a concrete region the partition is concrete too (`aws`, `aws-cn`, …), so a stack pinned
    to an account and region has concrete ARNs throughout.
    """
    partition = stack.partition
    if not Token.is_unresolved(stack.region):
        partition = RegionInfo.get(stack.region).partition or partition
    return Arns(partition, stack.region, stack.account)


def policy(statements: Sequence[permissions.Statement]) -> iam.PolicyDocument:
    """A policy document from plain statements (`greenlight.cdk.permissions`)."""
    return iam.PolicyDocument.from_json(permissions.document(statements))


def own_function(
    scope: Construct,
    construct_id: str,
    function_name: str,
    code: lambda_.Code,
    handler: str,
    *,
    timeout: Duration,
    policies: Mapping[str, iam.PolicyDocument],
    environment: Mapping[str, str],
    durable: lambda_.DurableConfig | None = None,
    reserved_concurrency: int | None = None,
) -> lambda_.Function:
    """A function with its own role (inline policies only, logs included) and log group.

    A durable function's published versions are retained: an execution runs to its end on the
    version it started on (up to the execution timeout), so a deploy that deleted the old version
    would strand every approval still waiting on it. `scripts/retire-versions.sh` deletes old
    versions once no execution holds them.
    """
    arns = arns_of(Stack.of(scope))
    log_streams = permissions.logs(arns, function_name)
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        inline_policies=dict(policies) | {"logs": policy([log_streams])},
    )
    acknowledge_resource(
        role,
        arns.log_streams(function_name),
        "Log streams are created at run time; the grant is scoped to this function's group.",
    )
    log_group = logs.LogGroup(
        scope,
        f"{construct_id}Logs",
        log_group_name=f"/aws/lambda/{function_name}",
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.DESTROY,
    )
    function = lambda_.Function(
        scope,
        construct_id,
        function_name=function_name,
        runtime=RUNTIME,
        architecture=ARCHITECTURE,
        code=code,
        handler=handler,
        role=role,
        timeout=timeout,
        memory_size=512,
        log_group=log_group,
        logging_format=lambda_.LoggingFormat.JSON,
        environment=dict(environment)
        | {"POWERTOOLS_SERVICE_NAME": function_name, "POWERTOOLS_LOG_LEVEL": "INFO"},
        durable_config=durable,
        reserved_concurrent_executions=reserved_concurrency,
        current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.RETAIN)
        if durable
        else None,
    )
    acknowledge(
        function,
        "AwsSolutions-L1",
        "Pinned to the runtime the bundles are built for (scripts/build.sh).",
    )
    return function


def dead_letter_queue(scope: Construct, construct_id: str, queue_name: str) -> sqs.Queue:
    """A queue where Lambda puts what it gave up on: encrypted, TLS only, kept 14 days."""
    queue = sqs.Queue(
        scope,
        construct_id,
        queue_name=queue_name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(queue, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")
    return queue
