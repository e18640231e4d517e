"""The synthesized CloudFormation: what gets deployed, checked before anyone deploys it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # after the Node warning is silenced
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from examples.orders import settings as durable_env
from greenlight.cdk import AlertSubscription
from greenlight.cdk import names as greenlight_env
from greenlight.cdk import permissions as greenlight_permissions
from greenlight.cdk.names import Arns
from greenlight.core.policy import Tier
from greenlight.webhook import settings as webhook_env
from iac import names, permissions
from iac.stack import OrdersConfig, OrdersStack
from tests.unit.cdk.test_construct import cfn_lint, normalised, resources

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDERS = Arns("aws", "REGION", "ACCOUNT_ID")
CONFIG = OrdersConfig(
    slack_channel="C0APPROVALS",
    slack_app_id="A0GREENLT",
    slack_team_id="T0GREENLT",
    approver_ids="S0FINANCE",
    escalation_approver_ids="U0FRANK",
    ladders={"dual": "3600,14400,86400"},
    alert_subscriptions=(AlertSubscription("email", "oncall@example.invalid"),),
)


def synthesized(
    tmp: pytest.TempPathFactory, config: OrdersConfig, env: cdk.Environment | None = None
) -> Template:
    code = tmp.mktemp("code")
    (code / "placeholder.py").write_text("")
    app = cdk.App(outdir=str(tmp.mktemp("cdk.out")))
    stack = OrdersStack(
        app,
        "Greenlight",
        config=config,
        orders_code=lambda_.Code.from_asset(str(code)),
        webhook_code=lambda_.Code.from_asset(str(code)),
        env=env,
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises when cdk-nag finds anything not acknowledged in code
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesized(tmp_path_factory, CONFIG)


def function(template: Template, name: str) -> dict[str, Any]:
    fn: dict[str, Any]
    (fn,) = [
        r
        for r in resources(template, "AWS::Lambda::Function").values()
        if r["Properties"]["FunctionName"] == name
    ]
    return fn


def test_the_orders_function_is_durable_with_its_timeout_and_retention(template: Template) -> None:
    props = function(template, names.ORDERS_FUNCTION)["Properties"]

    assert props["DurableConfig"] == {"ExecutionTimeout": 30 * 86400, "RetentionPeriodInDays": 30}
    assert props["Handler"] == "examples.orders.handler.handler"
    template.has_resource_properties("AWS::Lambda::Alias", {"Name": names.ALIAS})


def test_the_webhook_has_a_public_function_url_and_no_durable_config(template: Template) -> None:
    props = function(template, names.WEBHOOK_FUNCTION)["Properties"]

    assert "DurableConfig" not in props
    # Slack cannot sign with SigV4: the URL is public and every request is verified by Bolt.
    template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "NONE"})


def test_environment_names_come_from_the_settings_modules(template: Template) -> None:
    orders = function(template, names.ORDERS_FUNCTION)["Properties"]["Environment"]["Variables"]
    webhook = function(template, names.WEBHOOK_FUNCTION)["Properties"]["Environment"]["Variables"]

    assert orders[durable_env.ENV_APPROVERS] == "S0FINANCE"
    assert orders[durable_env.ENV_LADDER[Tier.DUAL]] == "3600,14400,86400"
    assert orders[durable_env.ENV_TIERS_CURRENCY] == "EUR"  # the thresholds' currency
    # Greenlight's grant names its tables and secret for the gate (Greenlight.from_env)
    assert orders[greenlight_env.ENV_APPROVALS_TABLE] == names.TABLES["approvals"]
    assert orders[greenlight_env.ENV_AUDIT_TABLE] == names.TABLES["audit"]
    assert orders[greenlight_env.ENV_SLACK_SECRET_NAME] == names.SECRET
    durable_env.Settings.from_env({k: v if isinstance(v, str) else "x" for k, v in orders.items()})
    webhook_env.Settings.from_env({k: v if isinstance(v, str) else "x" for k, v in webhook.items()})


def role_statements(template: Template, function_name: str) -> list[dict[str, Any]]:
    """Every statement a function's role holds: its inline policies and the policies attached
    to it (Greenlight's requester grant is one), and nothing managed."""
    role_id = function(template, function_name)["Properties"]["Role"]["Fn::GetAtt"][0]
    role = resources(template, "AWS::IAM::Role")[role_id]["Properties"]
    assert role.get("ManagedPolicyArns") in (None, [])
    assert (
        role["AssumeRolePolicyDocument"]["Statement"] == greenlight_permissions.trust()["Statement"]
    )
    statements = [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    for attached in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in attached["Properties"].get("Roles", []):
            statements += attached["Properties"]["PolicyDocument"]["Statement"]
    return statements


@pytest.mark.parametrize(
    ("function_name", "role"),
    [
        (names.ORDERS_FUNCTION, "orders"),
        (names.WEBHOOK_FUNCTION, "webhook"),
        (names.RELAY_FUNCTION, "relay"),
        (names.STARTER_FUNCTION, "starter"),
    ],
)
def test_iam_is_exactly_what_permissions_says(
    template: Template, function_name: str, role: str
) -> None:
    statements = role_statements(template, function_name)

    expected = permissions.POLICIES[role](PLACEHOLDERS)
    assert normalised(statements) == normalised(expected)


@pytest.mark.parametrize(
    "statements",
    [
        permissions.durable_checkpoint(PLACEHOLDERS),
        greenlight_permissions.resume(PLACEHOLDERS, [names.ORDERS_FUNCTION]),
    ],
)
def test_durable_api_grants_name_qualified_arns_only(statements: list[dict[str, Any]]) -> None:
    # Lambda authorizes these against function:NAME:QUALIFIER/durable-execution/…; an
    # unqualified function ARN never matches one (durable-security.html).
    (statement,) = statements

    assert statement["Resource"] == [
        f"arn:aws:lambda:REGION:ACCOUNT_ID:function:{names.ORDERS_FUNCTION}:*"
    ]


def test_no_policy_grants_an_action_the_code_never_calls() -> None:
    actions = {
        action
        for build in permissions.POLICIES.values()
        for statement in build(PLACEHOLDERS)
        for action in statement["Action"]
    }

    assert "dynamodb:ConditionCheckItem" not in actions
    # The webhook and relay succeed or fail a callback; nothing of ours sends a heartbeat.
    assert "lambda:SendDurableExecutionCallbackHeartbeat" not in actions


def test_no_resource_wildcard_in_any_policy() -> None:
    for build in permissions.POLICIES.values():
        for statement in build(PLACEHOLDERS):
            assert "*" not in statement["Resource"]
            assert all(":*" not in a for a in statement["Action"])


def test_tables_are_on_demand_recoverable_encrypted_and_kept(template: Template) -> None:
    tables = resources(template, "AWS::DynamoDB::Table")

    assert sorted(t["Properties"]["TableName"] for t in tables.values()) == sorted(
        names.TABLES.values()
    )
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
        assert props["DeletionProtectionEnabled"] is True
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "TableName": names.TABLES["approvals"],
            "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
        },
    )


def test_no_secret_value_is_in_the_template(template: Template) -> None:
    text = json.dumps(template.to_json())

    assert "xoxb-" not in text
    assert '"SecretString"' not in text  # only GenerateSecretString: a random placeholder
    template.has_resource_properties("AWS::SecretsManager::Secret", {"Name": names.SECRET})
    template.has_resource_properties("AWS::SecretsManager::Secret", {"Name": names.SIGNING_SECRET})


def test_logs_are_kept_three_months(template: Template) -> None:
    for group in resources(template, "AWS::Logs::LogGroup").values():
        assert group["Properties"]["RetentionInDays"] == 90


def test_cfn_lint_passes_on_the_template(template: Template, tmp_path: Path) -> None:
    done = cfn_lint(template, tmp_path / "greenlight.json")

    assert done.returncode == 0, done.stdout + done.stderr


def test_order_created_events_start_the_workflow_through_its_alias(template: Template) -> None:
    (rule,) = resources(template, "AWS::Events::Rule").values()
    props = rule["Properties"]
    assert props["EventPattern"] == {
        "source": ["greenlight.orders"],
        "detail-type": ["OrderCreated"],
    }
    (target,) = props["Targets"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] == 3
    assert "DeadLetterConfig" in target
    starter = function(template, names.STARTER_FUNCTION)["Properties"]
    assert starter["Handler"] == "examples.orders.starter.handler"
    alias_ref = starter["Environment"]["Variables"]["ORDERS_FUNCTION"]["Ref"]
    assert resources(template, "AWS::Lambda::Alias")[alias_ref]["Properties"]["Name"] == names.ALIAS


def test_refused_events_go_to_the_dead_letter_queue(template: Template) -> None:
    queues = resources(template, "AWS::SQS::Queue").items()
    ((queue_id, queue),) = [
        (k, q) for k, q in queues if q["Properties"]["QueueName"] != names.RELAY_DLQ
    ]
    (config,) = resources(template, "AWS::Lambda::EventInvokeConfig").values()

    assert queue["Properties"]["QueueName"] == names.EVENTS_DLQ
    assert config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": [queue_id, "Arn"]
    }
    assert config["Properties"]["MaximumRetryAttempts"] == 2


def test_decisions_are_relayed_from_the_approvals_stream(template: Template) -> None:
    # The approvals table keeps both images of every change: the relay needs old and new status
    tables = {
        t["Properties"]["TableName"]: t["Properties"]
        for t in resources(template, "AWS::DynamoDB::Table").values()
    }
    assert tables[names.TABLES["approvals"]]["StreamSpecification"] == {
        "StreamViewType": "NEW_AND_OLD_IMAGES"
    }
    assert all(
        "StreamSpecification" not in props
        for name, props in tables.items()
        if name != names.TABLES["approvals"]
    )
    # One subscription, to the relay, retrying from the first failed record of a batch
    (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["StartingPosition"] == "TRIM_HORIZON"
    # A record the relay gives up on leaves a trace in its own queue
    destination = props["DestinationConfig"]["OnFailure"]["Destination"]
    queues = resources(template, "AWS::SQS::Queue")
    (queue_id,) = [k for k, q in queues.items() if q["Properties"]["QueueName"] == names.RELAY_DLQ]
    assert destination == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert "Fn::GetAtt" in props["EventSourceArn"]  # the approvals table's StreamArn
    relay = function(template, names.RELAY_FUNCTION)["Properties"]
    assert relay["Handler"] == "greenlight.webhook.relay_handler.handler"
    webhook = function(template, names.WEBHOOK_FUNCTION)["Properties"]
    # The webhook's settings, less the signing secret's name: the relay may not read it
    webhook_only = {webhook_env.ENV_SLACK_SIGNING_SECRET_NAME: names.SIGNING_SECRET}
    assert relay["Environment"]["Variables"] | webhook_only == webhook["Environment"][
        "Variables"
    ] | {"POWERTOOLS_SERVICE_NAME": names.RELAY_FUNCTION}
    assert webhook_env.ENV_SLACK_SIGNING_SECRET_NAME not in relay["Environment"]["Variables"]


# Resources the construct may replace on upgrade: unnamed, so CloudFormation creates the new one
# before it deletes the old one, and nothing is lost.
REPLACED_ON_UPGRADE = {"ExpiredApprovalsD52B0CB8": "AWS::Logs::MetricFilter"}


def test_an_upgrade_keeps_every_deployed_logical_id(template: Template) -> None:
    # A named resource under a new logical id is created anew while its name is still taken:
    # the update fails, and a retained table would be orphaned. So every resource of the stack
    # as deployed before the construct keeps its id and type.
    deployed = json.loads((Path(__file__).parent / "deployed_logical_ids.json").read_text())
    now = {k: r["Type"] for k, r in template.to_json()["Resources"].items()}

    kept = {k: t for k, t in deployed["resources"].items() if k not in REPLACED_ON_UPGRADE}

    assert {k: now.get(k) for k in kept} == kept
    assert deployed["resources"].items() >= REPLACED_ON_UPGRADE.items()
    assert set(template.to_json()["Outputs"]) == {"WebhookUrl", "OrdersAliasArn"}  # deploy.sh


def test_logical_ids_are_cdks_own_below_the_stack() -> None:
    from iac.logical_ids import unique_id, without_construct  # noqa: PLC0415

    # the values CDK 2.275 gave these paths (deployed_logical_ids.json)
    assert unique_id(["ApprovalsTable", "Resource"]) == "ApprovalsTableF18C2B8F"
    assert unique_id(["Webhook", "FunctionUrl", "Resource"]) == "WebhookFunctionUrl0EF34D45"
    assert unique_id(["WebhookUrl"]) == "WebhookUrl"
    assert without_construct(["Greenlight", "Relay", "Resource"], "Greenlight") == [
        "Relay",
        "Resource",
    ]
    assert without_construct(["Orders", "Resource"], "Greenlight") == ["Orders", "Resource"]
    with pytest.raises(ValueError, match="at least one"):
        unique_id(["Default"])


@pytest.mark.parametrize(
    ("ladders", "problem"),
    [
        ({"single": "600,600,3600"}, "the ladder must go remind < escalate < expire"),
        ({"dual": "60,ten,600"}, "must hold whole seconds"),
        ({"singel": "60,-,600"}, "'singel' is not a tier with a ladder (single, dual)"),
    ],
)
def test_a_bad_ladder_stops_the_synth_with_a_clear_error(
    ladders: dict[str, str], problem: str
) -> None:
    # Unchecked, it would reach the function's environment and fail every cold start instead
    fields = {"ladders": ladders, "escalation_approver_ids": "U0FRANK"}
    with pytest.raises(ValueError, match=re.escape(problem)):
        OrdersConfig(**(vars(CONFIG) | fields))


@pytest.mark.parametrize("expire", ["2592000", "3000000"])
def test_a_ladder_outlasting_the_execution_timeout_stops_the_synth(expire: str) -> None:
    # The gate refuses such a ladder on every request (`greenlight.gate.refusals.check_fits`:
    # expire >= GREENLIGHT_EXECUTION_TIMEOUT, which the grant sets to the function's 30-day
    # execution timeout), so it would deploy cleanly and then fail every order of its tier
    config = vars(CONFIG) | {"ladders": {"dual": f"3600,14400,{expire}"}}
    assert CONFIG.execution_timeout_days * 86400 <= int(expire)

    with pytest.raises(ValueError, match=re.escape("ladders['dual']")) as refused:
        OrdersConfig(**config)

    assert f"expires after {expire} seconds" in str(refused.value)
    assert "execution timeout of 30 days (2592000 seconds)" in str(refused.value)


def test_a_ladder_just_inside_the_execution_timeout_is_accepted() -> None:
    config = vars(CONFIG) | {"ladders": {"dual": "3600,14400,2591999"}}

    assert OrdersConfig(**config).ladders == {"dual": "3600,14400,2591999"}


def test_the_default_ladder_must_fit_a_short_execution_timeout_too() -> None:
    # A tier with no ladder expires after a day (examples.orders.settings), so a one-day
    # execution timeout fails every order of that tier as surely as a long ladder would
    with pytest.raises(ValueError, match=re.escape("ladders['single'] (default")):
        OrdersConfig(**(vars(CONFIG) | {"execution_timeout_days": 1}))
