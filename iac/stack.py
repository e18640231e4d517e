"""The order example's stack: its tables, its durable function and events, and one Greenlight.

Greenlight's tables, webhook, relay, alerts and dashboard come from the construct
(`greenlight.cdk.Greenlight`); `grant_requester(orders)` lets the workflow ask for approvals.
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

from examples.orders import settings as durable_env
from greenlight.cdk import AlarmSpec, AlertSubscription, Greenlight
from greenlight.cdk.alarms import queue_depth
from greenlight.cdk.construct import DEFAULT_WEBHOOK_CONCURRENCY
from greenlight.cdk.functions import arns_of, own_function, policy
from greenlight.cdk.nag import acknowledge_resource
from greenlight.core import ConfigError, Ladder
from greenlight.core.request import is_currency_code
from iac import names, permissions
from iac.logical_ids import unique_id, without_construct
from iac.order_events import add_order_events

if TYPE_CHECKING:
    from aws_cdk import CfnElement
    from constructs import Construct

GREENLIGHT_ID = "Greenlight"

ORDERS_HANDLER = "examples.orders.handler.handler"


@dataclass(frozen=True)
class OrdersConfig:
    """What differs between installations: Slack ids, approvers, thresholds, ladders."""

    slack_channel: str
    slack_app_id: str
    slack_team_id: str
    approver_ids: str
    # An app installed org-wide on Enterprise Grid: requests from any workspace of this org
    slack_enterprise_id: str = ""
    auto_approve_below_cents: int = 10_000
    dual_approval_above_cents: int = 1_000_000
    # The thresholds' ISO 4217 currency: orders in any other are refused, never compared
    tiers_currency: str = "EUR"
    ladders: dict[str, str] = field(default_factory=dict)
    escalation_approver_ids: str = ""
    escalation_channel: str = ""
    execution_timeout_days: int = 30
    retention_days: int = 30
    payment_url: str = "https://payments.example.invalid"
    retain_data: bool = True
    alert_subscriptions: tuple[AlertSubscription, ...] = ()
    webhook_reserved_concurrency: int | None = DEFAULT_WEBHOOK_CONCURRENCY  # None: none reserved
    durable_state_key: bool = False
    # Requesters may still reach approvals whose ids carry no label (made before 0.4)
    unlabelled_approval_ids: bool = True

    def __post_init__(self) -> None:
        concurrency = self.webhook_reserved_concurrency
        if concurrency is not None and not 1 <= concurrency <= 1000:
            msg = (
                "webhook_concurrency must be a whole number from 1 to 1000 (or none), "
                f"not {concurrency}"
            )
            raise ValueError(msg)
        if not is_currency_code(self.tiers_currency):
            msg = (
                "tiers_currency must be a three-letter ISO code like EUR "
                f"(the thresholds' currency), not {self.tiers_currency!r}"
            )
            raise ValueError(msg)
        _check_ladders(self.ladders, self.execution_timeout_days)


def _check_ladders(ladders: dict[str, str], execution_timeout_days: int) -> None:
    """Refuse at synth a ladder the function would refuse at every cold start or every order.

    The settings refuse a ladder that does not parse (every cold start); the gate refuses one
    that expires no sooner than the function's durable executions time out
    (`greenlight.gate.refusals.check_fits`, against GREENLIGHT_EXECUTION_TIMEOUT, which the
    grant sets from the execution timeout this stack gives the function), failing every order
    of its tier. A tier without a ladder expires after the settings' default, checked too.

    Raises:
        ValueError: an unknown tier, a ladder `Ladder.parse` refuses (its problems named), or
            one that outlasts the execution timeout.
    """
    tiers = [tier.value for tier in durable_env.ENV_LADDER]
    for tier in ladders:
        if tier not in tiers:
            msg = f"ladders: {tier!r} is not a tier with a ladder ({', '.join(tiers)})"
            raise ValueError(msg)
    timeout = execution_timeout_days * 86400
    default = f"-,-,{durable_env.DEFAULT_APPROVAL_TIMEOUT}"
    for tier in tiers:
        text = ladders.get(tier, default)
        where = f"ladders[{tier!r}]" + ("" if tier in ladders else " (default, none given)")
        try:
            expiry = Ladder.parse(text).expire_after
        except ConfigError as err:
            msg = f"{where} = {text!r}: " + "; ".join(err.problems)
            raise ValueError(msg) from err
        if expiry >= timeout:
            msg = (
                f"{where} = {text!r}: it expires after {expiry} seconds, not within the orders "
                f"function's execution timeout of {execution_timeout_days} days ({timeout} "
                "seconds): the gate would refuse every order of this tier. Expire sooner."
            )
            raise ValueError(msg)


class OrdersStack(Stack):
    """The order saga and the Greenlight it asks for approvals, in one account and region."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: OrdersConfig,
        orders_code: lambda_.Code,
        webhook_code: lambda_.Code,
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]  # StackProps passthrough
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        tables = {role: self._table(role, removal) for role in names.ORDER_TABLES}
        self.greenlight = Greenlight(
            self,
            GREENLIGHT_ID,
            webhook_code=webhook_code,
            slack_app_id=config.slack_app_id,
            slack_team_id=config.slack_team_id,
            slack_enterprise_id=config.slack_enterprise_id or None,
            alert_subscriptions=config.alert_subscriptions,
            webhook_reserved_concurrency=config.webhook_reserved_concurrency,
            retain_data=config.retain_data,
            prefix=names.PREFIX,
            unlabelled_approval_ids=config.unlabelled_approval_ids,
        )
        arns = arns_of(self)
        orders = own_function(
            self,
            "Orders",
            names.ORDERS_FUNCTION,
            orders_code,
            ORDERS_HANDLER,
            timeout=Duration.seconds(60),
            policies={
                "checkpoint": policy(permissions.durable_checkpoint(arns)),
                "access": policy(permissions.orders_access(arns)),
            },
            environment=self._orders_env(config, tables),
            durable=lambda_.DurableConfig(
                execution_timeout=Duration.days(config.execution_timeout_days),
                retention_period=Duration.days(config.retention_days),
            ),
        )
        assert orders.role is not None  # own_function always gives it its own role
        acknowledge_resource(
            orders.role,
            arns.executions(names.ORDERS_FUNCTION),
            "Durable executions run under a version of the orders function; the grant covers "
            "that one function's executions and nothing else (durable-security.html).",
        )
        self.greenlight.grant_requester(orders, label=names.ORDERS_LABEL)
        self.greenlight.allow_alert_publisher(orders.role, "OrdersFunctionPublishes")
        if config.durable_state_key:
            self._encrypt_durable_state(self._durable_state_key(removal), orders)
        self.orders_alias = lambda_.Alias(
            self, "OrdersLive", alias_name=names.ALIAS, version=orders.current_version
        )
        CfnOutput(self, "OrdersAliasArn", value=self.orders_alias.function_arn)
        dead_letters = add_order_events(self, orders_code, self.orders_alias)
        self.greenlight.add_alarm(
            AlarmSpec(
                "order-events-dead-letters",
                queue_depth(dead_letters),
                1.0,
                "Order events wait in the dead-letter queue: they started no workflow.",
            )
        )
        self.orders = orders

    def _allocate_logical_id(self, cfn_element: CfnElement) -> str:
        """Ids as before the construct (`iac.logical_ids`): a deployed stack updates in place."""
        below_stack = cfn_element.node.path.split("/")[len(self.node.path.split("/")) :]
        return unique_id(without_construct(below_stack, GREENLIGHT_ID))

    def _table(self, role: str, removal: RemovalPolicy) -> dynamodb.Table:
        key = {"reservations": "reservation_id", "conditions": "order_id"}[role]
        return dynamodb.Table(
            self,
            f"{role.capitalize()}Table",
            table_name=names.TABLES[role],
            partition_key=dynamodb.Attribute(name=key, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=removal == RemovalPolicy.RETAIN,
            removal_policy=removal,
        )

    def _orders_env(
        self, config: OrdersConfig, tables: dict[str, dynamodb.Table]
    ) -> dict[str, str]:
        """The workflow's own settings; Greenlight's grant adds the GREENLIGHT_* ones."""
        env = {
            durable_env.ENV_RESERVATIONS_TABLE: tables["reservations"].table_name,
            durable_env.ENV_CONDITIONS_TABLE: tables["conditions"].table_name,
            durable_env.ENV_ALERT_TOPIC_ARN: arns_of(self).topic(names.ALERT_TOPIC),
            durable_env.ENV_SLACK_CHANNEL: config.slack_channel,
            durable_env.ENV_PAYMENT_URL: config.payment_url,
            durable_env.ENV_APPROVERS: config.approver_ids,
            durable_env.ENV_AUTO_APPROVE_BELOW: str(config.auto_approve_below_cents),
            durable_env.ENV_DUAL_APPROVAL_ABOVE: str(config.dual_approval_above_cents),
            durable_env.ENV_TIERS_CURRENCY: config.tiers_currency,
        }
        if config.escalation_approver_ids:
            env[durable_env.ENV_ESCALATION_APPROVERS] = config.escalation_approver_ids
        if config.escalation_channel:
            env[durable_env.ENV_ESCALATION_CHANNEL] = config.escalation_channel
        for tier, ladder in config.ladders.items():
            env[f"LADDER_{tier.upper()}"] = ladder
        return env

    def _durable_state_key(self, removal: RemovalPolicy) -> kms.Key:
        """A customer-managed key for the orders function's durable execution state.

        Key policy after Lambda's guide (durable-encryption.html): Lambda's service principal
        may use it for this function only (source account, source ARN and the
        `aws:lambda:FunctionArn` encryption context); the roles that read state (the function)
        and send callbacks (the webhook, the relay) may decrypt through Lambda only. Operators
        who call the durable APIs by hand get `kms:Decrypt` from their own IAM policies (the
        account statement of the default key policy delegates to IAM).
        """
        function_arn = arns_of(self).function(names.ORDERS_FUNCTION)
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

    def _encrypt_durable_state(self, key: kms.Key, orders: lambda_.Function) -> None:
        function_arn = arns_of(self).function(names.ORDERS_FUNCTION)
        assert orders.role is not None
        readers = [orders.role, *self.greenlight.callback_senders]
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
