"""`Greenlight`: the approvals tables, the Slack webhook and everything that keeps them running.

A stack adds it once and calls `grant_requester(fn)` for each durable function that asks for
approvals. What it makes:
- the approvals table (its stream carries decisions to the relay; `by_status` lists the pending
  ones), the audit table and the delegations table, on demand, recoverable, encrypted and kept;
- the bot token's secret (or the one given), read by the webhook, the relay and every requester,
  and the signing secret's (or the one given), read by the webhook alone: nothing else can sign
  a click, so a compromised requester cannot forge another's decision;
- the webhook (Function URL, reserved concurrency) and the decision relay (stream subscription,
  retries by record, an on-failure queue);
- the alert topic (a key CloudWatch may use), alarms, and a dashboard.
IAM is exact: each statement names its actions and resources (`greenlight.cdk.permissions`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jsii
from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IValidation

from greenlight.cdk import names as env
from greenlight.cdk import permissions
from greenlight.cdk.alarms import (
    AlarmSpec,
    add_alarm,
    installation_alarms,
    requester_alarms,
)
from greenlight.cdk.alerts import AlertSubscription, add_alert_topic, allow_publisher
from greenlight.cdk.dashboard import Dashboard
from greenlight.cdk.functions import arns_of, own_function, policy
from greenlight.cdk.nag import acknowledge_resource
from greenlight.cdk.names import Names
from greenlight.cdk.relay import add_decision_relay
from greenlight.cdk.slack_secrets import restrict_to
from greenlight.cdk.slack_secrets import slack_secret as slack_secret_of
from greenlight.core import metric_names
from greenlight.webhook import settings as webhook_env

if TYPE_CHECKING:
    from collections.abc import Sequence


WEBHOOK_HANDLER = "greenlight.webhook.handler.handler"
# Reserved concurrency is a Function URL's only throttle: at most 10 times it requests a second,
# HTTP 429 beyond (Lambda developer guide, urls-configuration.html). 10 allows 100 clicks a
# second, far above what people click, and a flood of forged requests can take no more than
# these 10 from the account's concurrency. Lambda keeps 100 of an account's concurrency
# unreserved (configuration-concurrency.html): an account whose quota is still low (a new one
# may start at 10) can reserve none, hence `None`.
DEFAULT_WEBHOOK_CONCURRENCY = 10


class Greenlight(Construct):
    """Slack approvals for durable functions: add once per stack, then `grant_requester`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        webhook_code: lambda_.Code,
        slack_app_id: str,
        slack_team_id: str,
        slack_enterprise_id: str | None = None,
        slack_secret: secretsmanager.ISecret | None = None,
        slack_signing_secret: secretsmanager.ISecret | None = None,
        alert_subscriptions: Sequence[AlertSubscription] = (),
        webhook_reserved_concurrency: int | None = DEFAULT_WEBHOOK_CONCURRENCY,
        retain_data: bool = True,
        prefix: str = "greenlight",
        unlabelled_approval_ids: bool = True,
    ) -> None:
        """Args:
        webhook_code: the webhook's bundle (`scripts/build.sh` writes build/webhook.zip):
            `greenlight[webhook]` and its dependencies. The relay runs the same bundle.
        slack_app_id, slack_team_id: the Slack app and the workspace it is installed in
            (A…, T…); requests from any other app or workspace are refused.
        slack_enterprise_id: an app installed org-wide on Enterprise Grid (E…): requests from
            any workspace of this org are accepted too.
        slack_secret: a secret holding the bot token (`{"bot_token": …}`); by default one
            named `<prefix>/slack` is made, to be filled with scripts/set-slack-secret.sh.
        slack_signing_secret: a secret holding the signing secret (`{"signing_secret": …}`),
            which only the webhook may read; by default one named `<prefix>/slack-signing` is
            made (filled by the same script) whose resource policy denies its value to every
            principal but the webhook's role. One given is granted to the webhook only; its
            resource policy is its owner's.
        alert_subscriptions: who reads the alerts (an alarm nobody reads pages nobody).
        webhook_reserved_concurrency: the webhook's reserved concurrency, 1 to 1000; None
            reserves none (for an account whose quota leaves nothing to reserve: the webhook
            then shares the account's unreserved concurrency, which a flood can exhaust).
        retain_data: keep the tables (and forbid deleting them) when the stack goes.
        prefix: every physical name starts with it; two installations in one account and
            region need two prefixes.
        unlabelled_approval_ids: whether requesters may still reach approvals whose ids carry
            no requester label (each reaches only its own labelled ones either way: see
            `grant_requester`). Ids had no label before Greenlight 0.4, and executions begun
            then keep them until they end: set False once none is left (README, "Upgrading
            to 0.4"), and every requester is held to its own approvals alone.
        """
        super().__init__(scope, construct_id)
        if (
            webhook_reserved_concurrency is not None
            and not 1 <= webhook_reserved_concurrency <= 1000
        ):
            msg = (
                "webhook_concurrency must be a whole number from 1 to 1000 (or None: none "
                f"reserved), not {webhook_reserved_concurrency}"
            )
            raise ValueError(msg)
        if (
            slack_secret is not None
            and slack_signing_secret is not None
            and (
                slack_secret is slack_signing_secret
                or slack_secret.secret_arn == slack_signing_secret.secret_arn
            )
        ):
            msg = (
                "slack_signing_secret must be a secret of its own: every requester and the relay "
                "read slack_secret, and whoever holds the signing secret can sign a click"
            )
            raise ValueError(msg)
        self.names = Names(prefix)
        self._arns = arns_of(Stack.of(self))
        removal = RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY
        self.approvals_table = self._approvals_table(removal, protect=retain_data)
        self.audit_table = self._audit_table(removal, protect=retain_data)
        # People's delegations (`/approvals delegate`): the webhook's alone
        self.delegations_table = self._table(
            "DelegationsTable",
            self.names.delegations_table,
            "user_id",
            None,
            removal,
            protect=retain_data,
        )
        bot = slack_secret_of(self, self.names, self._arns, slack_secret, signing=False)
        signing = slack_secret_of(self, self.names, self._arns, slack_signing_secret, signing=True)
        self.slack_secret = bot.secret
        self.slack_signing_secret = signing.secret
        self._secret_name, self._secret_arn = bot.name, bot.arn
        self.alert_topic, self.alert_key = add_alert_topic(self, self.names, alert_subscriptions)
        self._requesters: list[lambda_.IFunction] = []
        self._labels: set[str] = set()
        self._unlabelled = unlabelled_approval_ids
        # One statement per sender, grown by grant_requester: exactly the functions granted.
        self._resume: list[iam.PolicyStatement] = []
        environment = self._webhook_env(slack_app_id, slack_team_id, slack_enterprise_id)
        self.webhook = own_function(
            self,
            "Webhook",
            self.names.webhook_function,
            webhook_code,
            WEBHOOK_HANDLER,
            timeout=Duration.seconds(10),
            policies={
                "callback": self._resume_policy(),
                "access": policy(
                    permissions.webhook_access(self._arns, self.names, bot.arn, signing.arn)
                ),
            },
            # The webhook's alone: the relay (same settings otherwise) never names it
            environment=environment | {webhook_env.ENV_SLACK_SIGNING_SECRET_NAME: signing.name},
            reserved_concurrency=webhook_reserved_concurrency,
        )
        self.relay, self.relay_dead_letters = add_decision_relay(
            self,
            self.names,
            webhook_code,
            self.approvals_table,
            environment=environment,
            policies={
                "callback": self._resume_policy(),
                "access": policy(
                    permissions.relay_access(self._arns, self.names, self._secret_arn)
                ),
            },
        )
        assert self.relay.role is not None  # own_function gives every function its own role
        assert self.webhook.role is not None
        restrict_to(signing, self.webhook.role)
        acknowledge_resource(
            self.relay.role,
            self._arns.streams(self.names.approvals_table),
            "A table's stream ARN ends in its creation time; the grant covers the approvals "
            "table's streams only (DynamoDB developer guide's policy for a stream consumer).",
        )
        self.webhook_url = self.webhook.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        CfnOutput(self, "WebhookUrl", value=f"{self.webhook_url.url}slack/events")
        self.alarms: list[cloudwatch.Alarm] = []
        for spec in installation_alarms(self.names, self.relay_dead_letters):
            self.add_alarm(spec)
        self._dashboard = Dashboard(self, self.names, self.alarms)
        self.dashboard = self._dashboard.dashboard
        self.node.add_validation(_HasRequesters(self._requesters))

    # --- what a stack calls ---------------------------------------------------------------

    def grant_requester(self, function: lambda_.Function, *, label: str | None = None) -> None:
        """Let `function` (a durable function) request approvals, and be resumed by them.

        - its role may read and write its own approvals and their audit lines, those whose id
          starts with its label (`GREENLIGHT_REQUESTER`, which the gate puts at the start of
          every id it makes; never another requester's: `dynamodb:LeadingKeys`), and read the
          bot token's secret (never the signing secret): a policy of its own, exact actions on
          the two tables and that secret;
        - the webhook and the relay may send its callbacks (success and failure), on its
          executions only (`function:NAME:*`), beside every requester granted before;
        - its environment names the tables, the secret and its label (GREENLIGHT_APPROVALS_TABLE,
          GREENLIGHT_AUDIT_TABLE, GREENLIGHT_SLACK_SECRET_NAME, GREENLIGHT_REQUESTER):
          `Greenlight.from_env()`; and its durable execution timeout in seconds
          (GREENLIGHT_EXECUTION_TIMEOUT) when it can be read now (`durable_config` set before
          the grant, not a deploy-time token), so the gate refuses a ladder outlasting it;
        - alarms (`<prefix>-<label>-errors`, `-throttles`, `-executions-failed`,
          `-executions-timed-out`, `-rungs-without-slack`) and a dashboard row; expired
          approvals are counted from its log group when it was given one
          (`Function(log_group=…)`).

        `label` names its alarms and graphs and starts its approval ids (1 to 40 lowercase
        letters, digits and hyphens); by default its construct id in lowercase. Keep it for
        good: the role's grant follows the new label at once, while executions running on
        older versions keep theirs and would be denied their own approvals.

        Raises:
            ValueError: granted twice, a label already in use or malformed, or no role.
        """
        if any(function is known for known in self._requesters):
            msg = f"{function.node.path} may already request approvals"
            raise ValueError(msg)
        label = label if label is not None else function.node.id.lower()
        if not env.LABEL.fullmatch(label):
            msg = f"label must be 1 to 40 lowercase letters, digits and hyphens, not {label!r}"
            raise ValueError(msg)
        if label in self._labels:
            msg = f"another requester is labelled {label!r}: pass label=… to tell them apart"
            raise ValueError(msg)
        role = function.role
        if role is None:
            msg = f"{function.node.path} has no role to grant to"
            raise ValueError(msg)
        self._requesters.append(function)
        self._labels.add(label)
        # In the function's own stack: its grant refers to nothing of Greenlight's but names,
        # so a requester in another stack depends on no Greenlight stack (no cycle).
        holder = Construct(function, "GreenlightRequester")
        name = _physical_name(function)
        grant = iam.Policy(
            holder,
            "Policy",
            document=policy(
                permissions.requester_access(
                    self._arns, self.names, self._secret_arn, label, unlabelled=self._unlabelled
                )
            ),
        )
        role.attach_inline_policy(grant)
        # Never runs before it may ask. The function's resource alone waits: CDK's default role
        # is a child of the function, and a role waiting on a policy that names it is a
        # circular dependency CloudFormation refuses.
        (function.node.default_child or function).node.add_dependency(grant)
        for statement, sender in zip(self._resume, (self.webhook, self.relay), strict=True):
            executions = self._arns.executions(name)
            statement.add_resources(executions)
            assert sender.role is not None
            acknowledge_resource(
                sender.role,
                executions,
                f"Durable executions run under a version of {label}; Lambda authorizes callbacks "
                "against the execution's ARN, which only the function's `:*` matches "
                "(durable-security.html). The grant covers that one function's executions.",
            )
        function.add_environment(env.ENV_APPROVALS_TABLE, self.names.approvals_table)
        function.add_environment(env.ENV_AUDIT_TABLE, self.names.audit_table)
        function.add_environment(env.ENV_SLACK_SECRET_NAME, self._secret_name)
        function.add_environment(env.ENV_REQUESTER, label)
        timeout = _execution_timeout(function)
        if timeout is not None:
            function.add_environment(env.ENV_EXECUTION_TIMEOUT, str(timeout))
        self._count_expired(holder, function)
        for spec in requester_alarms(label, name):
            self.add_alarm(spec)
        self._dashboard.add_requester(label, name, service=name)

    def add_alarm(self, spec: AlarmSpec) -> cloudwatch.Alarm:
        """An alarm named `<prefix>-<suffix>` that notifies the alert topic (only such names
        may publish to it) and shows on the dashboard."""
        alarm = add_alarm(self, self.names, self.alert_topic, spec)
        self.alarms.append(alarm)
        return alarm

    def allow_alert_publisher(self, role: iam.IRole, sid: str) -> None:
        """`role` may publish to the alert topic (a workflow reporting its own failures)."""
        allow_publisher(self.alert_topic, self.alert_key, role, sid)

    @property
    def callback_senders(self) -> list[iam.IRole]:
        """The roles that resume workflows: a requester whose durable state has a key of its
        own lets them decrypt it through Lambda."""
        return [fn.role for fn in (self.webhook, self.relay) if fn.role is not None]

    @property
    def requesters(self) -> tuple[lambda_.IFunction, ...]:
        return tuple(self._requesters)

    # --- parts ----------------------------------------------------------------------------

    def _resume_policy(self) -> iam.PolicyDocument:
        statement = iam.PolicyStatement(sid="ResumeRequesters", actions=permissions.RESUME)
        self._resume.append(statement)
        return iam.PolicyDocument(statements=[statement])

    def _webhook_env(self, app_id: str, team_id: str, enterprise_id: str | None) -> dict[str, str]:
        """The webhook's settings; the decision relay reads the same ones."""
        return {
            webhook_env.ENV_APPROVALS_TABLE: self.names.approvals_table,
            webhook_env.ENV_AUDIT_TABLE: self.names.audit_table,
            webhook_env.ENV_DELEGATIONS_TABLE: self.names.delegations_table,
            webhook_env.ENV_SLACK_SECRET_NAME: self._secret_name,
            webhook_env.ENV_SLACK_APP_ID: app_id,
            webhook_env.ENV_SLACK_TEAM_ID: team_id,
        } | ({webhook_env.ENV_SLACK_ENTERPRISE_ID: enterprise_id} if enterprise_id else {})

    def _approvals_table(self, removal: RemovalPolicy, *, protect: bool) -> dynamodb.Table:
        table = self._table(
            "ApprovalsTable",
            self.names.approvals_table,
            "approval_id",
            None,
            removal,
            protect=protect,
            time_to_live_attribute="ttl",
            # The decisions' outbox: the relay delivers each one from the stream
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        )
        table.add_global_secondary_index(
            index_name=permissions.BY_STATUS,
            partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="created_at", type=dynamodb.AttributeType.STRING),
        )
        return table

    def _audit_table(self, removal: RemovalPolicy, *, protect: bool) -> dynamodb.Table:
        return self._table(
            "AuditTable", self.names.audit_table, "approval_id", "seq", removal, protect=protect
        )

    def _table(
        self,
        construct_id: str,
        table_name: str,
        partition_key: str,
        sort_key: str | None,
        removal: RemovalPolicy,
        *,
        protect: bool,
        time_to_live_attribute: str | None = None,
        stream: dynamodb.StreamViewType | None = None,
    ) -> dynamodb.Table:
        def key(name: str) -> dynamodb.Attribute:
            return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)

        return dynamodb.Table(
            self,
            construct_id,
            table_name=table_name,
            partition_key=key(partition_key),
            sort_key=key(sort_key) if sort_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=protect,
            time_to_live_attribute=time_to_live_attribute,
            stream=stream,
            removal_policy=removal,
        )

    def _count_expired(self, holder: Construct, function: lambda_.Function) -> None:
        """Counts the gate's "approval expired" lines in the function's own log group.

        Only a log group the function was given: the filter takes the group object (not its
        name), so CloudFormation creates the group first. Asking a function without one for its
        group would make CDK add a log-retention custom resource; a filter on a group Lambda has
        not created yet fails the deploy.
        """
        cfn = function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        config = cfn.logging_config
        if getattr(config, "log_group", None) is None:
            return
        logs.MetricFilter(
            holder,
            "ExpiredApprovals",
            log_group=function.log_group,
            metric_namespace=metric_names.NAMESPACE,
            metric_name=metric_names.expired_from_logs(self.names.prefix),
            filter_pattern=logs.FilterPattern.string_value("$.message", "=", "approval expired"),
            metric_value="1",
        )


def _physical_name(function: lambda_.Function) -> str:
    """The function's name as given, or its reference when CloudFormation names it.

    A given name keeps the grants free of references to the function (no dependency on it).
    """
    cfn = function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    given = cfn.function_name
    if isinstance(given, str) and not Token.is_unresolved(given):
        return given
    return function.function_name


def _execution_timeout(function: lambda_.Function) -> int | None:
    """The function's durable execution timeout in whole seconds, as its CloudFormation
    resource holds it (`CfnFunction.durable_config`, `DurableConfigProperty.execution_timeout`:
    seconds), or None when it cannot be known here: no durable config (yet), or a token
    resolved only at deploy time (a parameter, an import). The gate then checks no ladder."""
    cfn = function.node.default_child
    if not isinstance(cfn, lambda_.CfnFunction):
        return None
    config = cfn.durable_config
    if not isinstance(config, lambda_.CfnFunction.DurableConfigProperty):
        return None  # none, or an IResolvable
    seconds = config.execution_timeout
    if Token.is_unresolved(seconds) or int(seconds) != seconds or seconds < 1:
        return None
    return int(seconds)


@jsii.implements(IValidation)
class _HasRequesters:
    """A webhook that may resume no function is a mistake, not an empty policy."""

    def __init__(self, requesters: Sequence[lambda_.IFunction]) -> None:
        self._requesters = requesters

    def validate(self) -> list[str]:
        if self._requesters:
            return []
        return [
            "Greenlight has no requester: call grant_requester(fn) for each durable function "
            "that asks for approvals"
        ]
