"""Greenlight's one stack: tables, the Slack secret, the alert topic, and the two functions.

Environment variable names come from the packages' settings modules, and IAM statements from
`iac.permissions` (the same statements as `policies/*.json`), so code, infra and the AWS CLI
path cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns

from durable_fn import settings as durable_env
from iac import names, permissions
from iac.functions import acknowledge, greenlight_function
from iac.order_events import add_order_events
from slack_webhook import settings as webhook_env

if TYPE_CHECKING:
    from constructs import Construct


@dataclass(frozen=True)
class GreenlightConfig:
    """What differs between installations: Slack ids, approvers, thresholds, ladders."""

    slack_channel: str
    slack_app_id: str
    slack_team_id: str
    approver_ids: str
    auto_approve_below_cents: int = 10_000
    dual_approval_above_cents: int = 1_000_000
    ladders: dict[str, str] = field(default_factory=dict)
    escalation_approver_ids: str = ""
    escalation_channel: str = ""
    execution_timeout_days: int = 30
    retention_days: int = 30
    payment_url: str = "https://payments.example.invalid"
    retain_data: bool = True


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
        topic = sns.Topic(
            self,
            "Alerts",
            topic_name=names.ALERT_TOPIC,
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )
        orders = greenlight_function(
            self,
            "Orders",
            names.ORDERS_FUNCTION,
            orders_code,
            "durable_fn.handler.handler",
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
        webhook = greenlight_function(
            self,
            "Webhook",
            names.WEBHOOK_FUNCTION,
            webhook_code,
            "slack_webhook.handler.handler",
            timeout=Duration.seconds(10),
            policies={
                "callback": permissions.webhook_callback,
                "access": permissions.webhook_access,
            },
            environment={
                webhook_env.ENV_APPROVALS_TABLE: names.TABLES["approvals"],
                webhook_env.ENV_AUDIT_TABLE: names.TABLES["audit"],
                webhook_env.ENV_SLACK_SECRET_NAME: names.SECRET,
                webhook_env.ENV_SLACK_APP_ID: config.slack_app_id,
                webhook_env.ENV_SLACK_TEAM_ID: config.slack_team_id,
            },
        )
        self.orders_alias = lambda_.Alias(
            self, "OrdersLive", alias_name=names.ALIAS, version=orders.current_version
        )
        self.webhook_url = webhook.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        CfnOutput(self, "WebhookUrl", value=f"{self.webhook_url.url}slack/events")
        CfnOutput(self, "OrdersAliasArn", value=self.orders_alias.function_arn)
        add_order_events(self, orders_code, self.orders_alias)
        self._alarms(orders, webhook, topic)
        self.topic = topic
        self.secret = secret

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

    def _alarms(
        self, orders: lambda_.Function, webhook: lambda_.Function, topic: sns.Topic
    ) -> None:
        notify = cloudwatch_actions.SnsAction(topic)
        for construct_id, fn in (("OrdersErrors", orders), ("WebhookErrors", webhook)):
            alarm = fn.metric_errors(period=Duration.minutes(5)).create_alarm(
                self,
                construct_id,
                threshold=1,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{fn.function_name} raised errors",
            )
            alarm.add_alarm_action(notify)
        expired = logs.MetricFilter(
            self,
            "ExpiredApprovals",
            log_group=logs.LogGroup.from_log_group_name(
                self, "OrdersLogRef", f"/aws/lambda/{names.ORDERS_FUNCTION}"
            ),
            metric_namespace="Greenlight",
            metric_name="ExpiredApprovals",
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", "approval expired"),
            metric_value="1",
        )
        alarm = expired.metric(statistic="Sum", period=Duration.hours(1)).create_alarm(
            self,
            "ExpiredApprovalsAlarm",
            threshold=1,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="An approval expired without a decision",
        )
        alarm.add_alarm_action(notify)
