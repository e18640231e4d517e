"""Greenlight's one stack: tables, the Slack secret, the alert topic, and the functions.

Environment variable names come from the packages' settings modules, and IAM statements from
`iac.permissions`, so code and infra cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager

from examples.orders import settings as durable_env
from greenlight.webhook import settings as webhook_env
from iac import names, permissions
from iac.alarms import add_alarms
from iac.alerts import AlertSubscription, add_alert_topic, allow_function_to_publish
from iac.dashboard import add_dashboard
from iac.functions import acknowledge, greenlight_function
from iac.order_events import add_order_events
from iac.relay import add_decision_relay

if TYPE_CHECKING:
    from constructs import Construct


@dataclass(frozen=True)
class GreenlightConfig:
    """What differs between installations: Slack ids, approvers, thresholds, ladders."""

    slack_channel: str
    slack_app_id: str
    slack_team_id: str
    approver_ids: str
    # An app installed org-wide on Enterprise Grid: requests from any workspace of this org
    slack_enterprise_id: str = ""
    auto_approve_below_cents: int = 10_000
    dual_approval_above_cents: int = 1_000_000
    ladders: dict[str, str] = field(default_factory=dict)
    escalation_approver_ids: str = ""
    escalation_channel: str = ""
    execution_timeout_days: int = 30
    retention_days: int = 30
    payment_url: str = "https://payments.example.invalid"
    retain_data: bool = True
    alert_subscriptions: tuple[AlertSubscription, ...] = ()
    # Reserved concurrency is a Function URL's only throttle: at most 10 times it requests a second,
    # HTTP 429 beyond (Lambda developer guide, urls-configuration.html). 10 allows 100 clicks a
    # second, far above what people click, and a flood of forged requests can take no more than
    # these 10 from the account's concurrency.
    webhook_reserved_concurrency: int = 10
    durable_state_key: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.webhook_reserved_concurrency <= 1000:
            msg = (
                "webhook_concurrency must be a whole number from 1 to 1000, "
                f"not {self.webhook_reserved_concurrency}"
            )
            raise ValueError(msg)


class GreenlightStack(Stack):
    """Everything Greenlight needs in one account and region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: GreenlightConfig,
        orders_code: lambda_.Code,
        webhook_code: lambda_.Code,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # StackProps passthrough
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        tables = {role: self._table(role, removal) for role in names.TABLES}
        secret = secretsmanager.Secret(
            self,
            "SlackSecret",
            secret_name=names.SECRET,
            description="Slack bot token and signing secret (set with scripts/set-slack-secret.sh)",
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "Slack credentials are rotated in Slack, then stored with set-slack-secret.sh; "
            "Secrets Manager cannot rotate them on its own.",
        )
        topic, topic_key = add_alert_topic(self, config.alert_subscriptions)
        state_key = self._durable_state_key(removal) if config.durable_state_key else None
        orders = greenlight_function(
            self,
            "Orders",
            names.ORDERS_FUNCTION,
            orders_code,
            "examples.orders.handler.handler",
            timeout=Duration.seconds(60),
            policies={
                "checkpoint": permissions.durable_checkpoint,
                "access": permissions.durable_access,
            },
            environment=self._orders_env(config, tables),
            durable=lambda_.DurableConfig(
                execution_timeout=Duration.days(config.execution_timeout_days),
                retention_period=Duration.days(config.retention_days),
            ),
        )
        assert orders.role is not None  # greenlight_function always gives it its own role
        allow_function_to_publish(self, topic, topic_key, orders.role)
        webhook = greenlight_function(
            self,
            "Webhook",
            names.WEBHOOK_FUNCTION,
            webhook_code,
            "greenlight.webhook.handler.handler",
            timeout=Duration.seconds(10),
            policies={
                "callback": permissions.webhook_callback,
                "access": permissions.webhook_access,
            },
            environment=self._webhook_env(config),
            reserved_concurrency=config.webhook_reserved_concurrency,
        )
        relay, undelivered = add_decision_relay(
            self, webhook_code, tables["approvals"], self._webhook_env(config)
        )
        if state_key is not None:
            self._encrypt_durable_state(state_key, orders, webhook, relay)
        self.orders_alias = lambda_.Alias(
            self, "OrdersLive", alias_name=names.ALIAS, version=orders.current_version
        )
        self.webhook_url = webhook.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        CfnOutput(self, "WebhookUrl", value=f"{self.webhook_url.url}slack/events")
        CfnOutput(self, "OrdersAliasArn", value=self.orders_alias.function_arn)
        dead_letters = add_order_events(self, orders_code, self.orders_alias)
        alarms = add_alarms(self, dead_letters, self._expired_approvals(orders), topic, undelivered)
        add_dashboard(self, alarms)
        self.topic = topic
        self.secret = secret

    def _webhook_env(self, config: GreenlightConfig) -> dict[str, str]:
        """The webhook's settings; the decision relay reads the same ones."""
        return {
            webhook_env.ENV_APPROVALS_TABLE: names.TABLES["approvals"],
            webhook_env.ENV_AUDIT_TABLE: names.TABLES["audit"],
            webhook_env.ENV_SLACK_SECRET_NAME: names.SECRET,
            webhook_env.ENV_SLACK_APP_ID: config.slack_app_id,
            webhook_env.ENV_SLACK_TEAM_ID: config.slack_team_id,
        } | (
            {webhook_env.ENV_SLACK_ENTERPRISE_ID: config.slack_enterprise_id}
            if config.slack_enterprise_id
            else {}
        )

    def _table(self, role: str, removal: RemovalPolicy) -> dynamodb.Table:
        keys = {
            "approvals": ("approval_id", None),
            "audit": ("approval_id", "seq"),
            "reservations": ("reservation_id", None),
            "conditions": ("order_id", None),
        }[role]
        table = dynamodb.Table(
            self,
            f"{role.capitalize()}Table",
            table_name=names.TABLES[role],
            partition_key=dynamodb.Attribute(name=keys[0], type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=keys[1], type=dynamodb.AttributeType.STRING)
            if keys[1]
            else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute="ttl" if role == "approvals" else None,
            # The decisions' outbox: the relay delivers each one from the stream (relay.py)
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if role == "approvals" else None,
            removal_policy=removal,
        )
        if role == "approvals":
            table.add_global_secondary_index(
                index_name="by_status",
                partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
                sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
            )
        return table

    def _orders_env(
        self, config: GreenlightConfig, tables: dict[str, dynamodb.Table]
    ) -> dict[str, str]:
        env = {
            durable_env.ENV_APPROVALS_TABLE: tables["approvals"].table_name,
            durable_env.ENV_AUDIT_TABLE: tables["audit"].table_name,
            durable_env.ENV_RESERVATIONS_TABLE: tables["reservations"].table_name,
            durable_env.ENV_CONDITIONS_TABLE: tables["conditions"].table_name,
            durable_env.ENV_ALERT_TOPIC_ARN: names.topic_arn(self.region, self.account),
            durable_env.ENV_SLACK_CHANNEL: config.slack_channel,
            durable_env.ENV_SLACK_SECRET_NAME: names.SECRET,
            durable_env.ENV_PAYMENT_URL: config.payment_url,
            durable_env.ENV_APPROVERS: config.approver_ids,
            durable_env.ENV_AUTO_APPROVE_BELOW: str(config.auto_approve_below_cents),
            durable_env.ENV_DUAL_APPROVAL_ABOVE: str(config.dual_approval_above_cents),
        }
        if config.escalation_approver_ids:
            env[durable_env.ENV_ESCALATION_APPROVERS] = config.escalation_approver_ids
        if config.escalation_channel:
            env[durable_env.ENV_ESCALATION_CHANNEL] = config.escalation_channel
        for tier, ladder in config.ladders.items():
            env[f"LADDER_{tier.upper()}"] = ladder
        return env

    def _expired_approvals(self, orders: lambda_.Function) -> logs.MetricFilter:
        """Counts the gate's "approval expired" lines in the orders function's own log group.

        The filter takes the log group object (not its name as a string), so CloudFormation
        creates the group first: a name alone gave the filter no dependency, and a first deploy
        could race it.
        """
        return logs.MetricFilter(
            self,
            "ExpiredApprovals",
            log_group=orders.log_group,
            metric_namespace="Greenlight",
            metric_name="ExpiredApprovals",
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", "approval expired"),
            metric_value="1",
        )

    def _durable_state_key(self, removal: RemovalPolicy) -> kms.Key:
        """A customer-managed key for the orders function's durable execution state.

        Key policy after Lambda's guide (durable-encryption.html): Lambda's service principal
        may use it for this function only (source account, source ARN and the
        `aws:lambda:FunctionArn` encryption context); the roles that read state (the function)
        and send callbacks (the webhook) may decrypt through Lambda only. Operators who call the
        durable APIs by hand get `kms:Decrypt` from their own IAM policies (the account
        statement of the default key policy delegates to IAM).
        """
        function_arn = names.lambda_arn(self.region, self.account, names.ORDERS_FUNCTION)
        key = kms.Key(
            self,
            "DurableStateKey",
            alias=f"alias/{names.PREFIX}-durable-state",
            description="Encrypts the orders function's durable execution state",
            enable_key_rotation=True,
            removal_policy=removal,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="LambdaUsesItForTheOrdersFunction",
                principals=[iam.ServicePrincipal("lambda.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "aws:SourceAccount": self.account,
                        "aws:SourceArn": function_arn,
                        "kms:EncryptionContext:aws:lambda:FunctionArn": function_arn,
                    }
                },
            )
        )
        return key

    def _encrypt_durable_state(
        self,
        key: kms.Key,
        orders: lambda_.Function,
        webhook: lambda_.Function,
        relay: lambda_.Function,
    ) -> None:
        function_arn = names.lambda_arn(self.region, self.account, names.ORDERS_FUNCTION)
        readers = [fn.role for fn in (orders, webhook, relay) if fn.role is not None]
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="FunctionAndWebhookDecryptThroughLambda",
                principals=[iam.ArnPrincipal(role.role_arn) for role in readers],
                actions=["kms:Decrypt"],
                resources=["*"],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"lambda.{self.region}.amazonaws.com",
                        "kms:EncryptionContext:aws:lambda:FunctionArn": function_arn,
                    }
                },
            )
        )
        cfn = orders.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        # The L2 DurableConfig has no key yet; CloudFormation's DurableConfig.KMSKeyArn does.
        cfn.add_property_override("DurableConfig.KMSKeyArn", key.key_arn)
