"""How every Greenlight function is built: runtime, its own role and log group, nag findings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Token, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs

from iac import names, permissions

if TYPE_CHECKING:
    from constructs import Construct

RUNTIME = lambda_.Runtime.PYTHON_3_13
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


def acknowledge(construct: Construct, rule: str, reason: str) -> None:
    """Accept one cdk-nag finding on one construct, with the reason in the code beside it."""
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))


def nag_arn(scope: Stack, service: str, resource: str) -> str:
    """An ARN as cdk-nag prints it in a finding's id: tokens as `<AWS::Region>`, values as is.

    With `-c account=… -c region=…` the stack's region and account are concrete, and so are
    the ARNs cdk-nag reports; an acknowledgement written for the token form would not match.
    """
    region = "<AWS::Region>" if Token.is_unresolved(scope.region) else scope.region
    account = "<AWS::AccountId>" if Token.is_unresolved(scope.account) else scope.account
    return f"arn:aws:{service}:{region}:{account}:{resource}"


def greenlight_function(
    scope: Stack,
    construct_id: str,
    function_name: str,
    code: lambda_.Code,
    handler: str,
    *,
    timeout: Duration,
    policies: dict[str, permissions.PolicyBuilder],
    environment: dict[str, str],
    durable: lambda_.DurableConfig | None = None,
    reserved_concurrency: int | None = None,
) -> lambda_.Function:
    """A function with its own role (inline policies only) and log group.

    A durable function's published versions are retained: an execution runs to its end on
    the version it started on (up to the execution timeout), so a deploy that deleted the
    old version would strand every approval still waiting on it. `scripts/retire-versions.sh`
    deletes old versions once no execution holds them.
    """
    region, account = scope.region, scope.account
    role = iam.Role(
        scope,
        f"{construct_id}Role",
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        inline_policies={
            name: iam.PolicyDocument.from_json(permissions.document(build(region, account)))
            for name, build in policies.items()
        },
    )
    log_streams = nag_arn(scope, "logs", f"log-group:/aws/lambda/{function_name}:*")
    executions = nag_arn(scope, "lambda", f"function:{names.ORDERS_FUNCTION}:*")
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::{log_streams}]",
        "Log streams are created at run time; the grant is scoped to this function's group.",
    )
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::{executions}]",
        "Durable executions run under a version or alias of the orders function; the grant "
        "covers that one function's qualifiers and nothing else.",
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
        environment=environment
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


def dead_letter_queue(scope: Stack, construct_id: str, queue_name: str) -> sqs.Queue:
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
