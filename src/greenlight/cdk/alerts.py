"""Alerts that reach a person: the encrypted topic, who may publish to it, who reads it.

The topic is encrypted with a key of its own: CloudWatch cannot use the AWS-managed
`alias/aws/sns` key, so alarm actions on such a topic fail with KMS AccessDenied and nobody
hears of it (AWS knowledge center "cloudwatch-receive-sns-for-alarm-trigger"; SNS developer
guide, sns-key-management.html#compatibility-with-aws-services). The key policy and the topic
policy name each publisher, narrowed to this account:
- CloudWatch alarms (`cloudwatch.amazonaws.com`), conditional on `aws:SourceAccount` and on an
  `aws:SourceArn` matching the installation's alarm names (confused-deputy protection, same SNS
  page, step 3);
- roles added with `allow_publisher` (a workflow reporting its own failures), through SNS only
  (`kms:ViaService`).
Nothing else publishes here (no EventBridge rule targets the topic: the SNS guide notes that
source conditions would not work for EventBridge, so adding one later needs its own statement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns

from greenlight.cdk.functions import arns_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from constructs import Construct

    from greenlight.cdk.names import Names

# What `aws sns subscribe --protocol` accepts (SNS API reference, Subscribe), less `firehose`,
# which needs a subscription role this construct does not make. An `sqs` or `lambda` reader
# grants SNS its own permission (queue policy, function permission): it is not made here.
PROTOCOLS = frozenset(
    {"email", "email-json", "http", "https", "sms", "sqs", "lambda", "application"}
)
ENCRYPTING_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"]


@dataclass(frozen=True, slots=True)
class AlertSubscription:
    """One reader of the alert topic: an SNS protocol and its endpoint."""

    protocol: str
    endpoint: str

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            choices = ", ".join(sorted(PROTOCOLS))
            msg = f"alert protocol '{self.protocol}' is not an SNS protocol (one of {choices})"
            raise ValueError(msg)
        if not self.endpoint.strip():
            msg = f"the {self.protocol} alert subscription needs an endpoint"
            raise ValueError(msg)


def add_alert_topic(
    scope: Construct, names: Names, subscribers: Sequence[AlertSubscription]
) -> tuple[sns.Topic, kms.Key]:
    """The topic, its key (rotated yearly), CloudWatch's grants on both, and its readers."""
    stack = Stack.of(scope)
    cloudwatch = iam.ServicePrincipal("cloudwatch.amazonaws.com")
    from_our_alarms = {
        "StringEquals": {"aws:SourceAccount": stack.account},
        "ArnLike": {"aws:SourceArn": arns_of(stack).alarms(names.prefix)},
    }
    key = kms.Key(
        scope,
        "AlertsKey",
        alias=f"alias/{names.alert_topic}",
        description=f"Encrypts the {names.prefix} alert topic; CloudWatch alarms may use it",
        enable_key_rotation=True,
        # SNS stores no messages: once the topic is gone, nothing needs the key, and deleting
        # it still waits KMS's pending window.
        removal_policy=RemovalPolicy.DESTROY,
    )
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsOfThisAccount",
            principals=[cloudwatch],
            actions=ENCRYPTING_ACTIONS,
            resources=["*"],  # in a key policy, "*" is this key and nothing else
            conditions=from_our_alarms,
        )
    )
    topic = sns.Topic(
        scope, "Alerts", topic_name=names.alert_topic, enforce_ssl=True, master_key=key
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="CloudWatchAlarmsOfThisAccount",
            principals=[cloudwatch],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=from_our_alarms,
        )
    )
    for number, reader in enumerate(subscribers, start=1):
        sns.Subscription(
            scope,
            f"AlertReader{number}",
            topic=topic,
            protocol=_protocol(reader.protocol),
            endpoint=reader.endpoint,
        )
    return topic, key


def allow_publisher(topic: sns.Topic, key: kms.Key, role: iam.IRole, sid: str) -> None:
    """`role` publishes to the topic; SNS uses the key on its behalf (and only SNS)."""
    region = Stack.of(topic).region
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=f"{sid}ThroughSns",
            principals=[iam.ArnPrincipal(role.role_arn)],
            actions=ENCRYPTING_ACTIONS,
            resources=["*"],
            conditions={"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
        )
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid,
            principals=[iam.ArnPrincipal(role.role_arn)],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
        )
    )


def _protocol(name: str) -> sns.SubscriptionProtocol:
    return sns.SubscriptionProtocol[name.replace("-", "_").upper()]
