"""The Greenlight construct in a stack of someone else's: two durable functions share one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # after the Node warning is silenced
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from greenlight.cdk import (
    ENV_APPROVALS_TABLE,
    ENV_AUDIT_TABLE,
    ENV_REQUESTER,
    ENV_SLACK_SECRET_NAME,
    AlertSubscription,
    Greenlight,
    Names,
    permissions,
)
from greenlight.cdk.nag import acknowledge, acknowledge_resource
from greenlight.cdk.names import Arns
from greenlight.core import metric_names
from greenlight.core.buttons import approval_id_for
from greenlight.core.requester_env import ENV_EXECUTION_TIMEOUT
from greenlight.core.votes import Verdict, Vote
from greenlight.webhook import settings as webhook_env

PLACEHOLDERS = Arns("aws", "REGION", "ACCOUNT_ID")
NAMES = Names()
SECRET_ARN = PLACEHOLDERS.secret(NAMES.secret)
SIGNING_SECRET_ARN = PLACEHOLDERS.secret(NAMES.signing_secret)
AT = "2026-11-22T12:01:30+00:00"
DEPLOY = "deploy-gate"  # the named one; the agent's name is CloudFormation's


def durable_function(
    stack: cdk.Stack, construct_id: str, code: lambda_.Code, *, name: str | None
) -> lambda_.Function:
    """A durable function as a team would write one: its own role, checkpoint grant, no nag."""
    role = iam.Role(
        stack, f"{construct_id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com")
    )
    log_group = (
        logs.LogGroup(stack, f"{construct_id}Logs", retention=logs.RetentionDays.ONE_MONTH)
        if name
        else None
    )
    function = lambda_.Function(
        stack,
        construct_id,
        function_name=name,
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="app.handler",
        code=code,
        role=role,
        log_group=log_group,
        durable_config=lambda_.DurableConfig(execution_timeout=cdk.Duration.days(1)),
    )
    acknowledge(function, "AwsSolutions-L1", "The runtime the test bundle is for.")
    # Its checkpoint grant names its own executions: after the function, so no cycle.
    checkpoint = iam.Policy(
        stack,
        f"{construct_id}Checkpoint",
        roles=[role],
        statements=[
            iam.PolicyStatement(
                actions=["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
                resources=[f"{function.function_arn}:*"],
            )
        ],
    )
    acknowledge_resource(checkpoint, f"{function.function_arn}:*", "Its own executions.")
    return function


def synthesized(
    tmp: pytest.TempPathFactory,
    *,
    requesters: int = 2,
    secret: bool = False,
    unlabelled_approval_ids: bool = True,
) -> Template:
    code_dir = tmp.mktemp("code")
    (code_dir / "app.py").write_text("")
    code = lambda_.Code.from_asset(str(code_dir))
    app = cdk.App(outdir=str(tmp.mktemp("cdk.out")))
    stack = cdk.Stack(app, "Team")
    greenlight = Greenlight(
        stack,
        "Greenlight",
        webhook_code=code,
        slack_app_id="A0GREENLT",
        slack_team_id="T0GREENLT",
        slack_secret=secretsmanager.Secret.from_secret_name_v2(stack, "Slack", "team/slack")
        if secret
        else None,
        slack_signing_secret=secretsmanager.Secret.from_secret_name_v2(
            stack, "SlackSigning", "team/slack-signing"
        )
        if secret
        else None,
        alert_subscriptions=[AlertSubscription("email", "oncall@example.invalid")],
        unlabelled_approval_ids=unlabelled_approval_ids,
    )
    functions = [
        durable_function(stack, "Deploy", code, name=DEPLOY),
        durable_function(stack, "Agent", code, name=None),
    ]
    for function in functions[:requesters]:
        greenlight.grant_requester(function)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises when cdk-nag finds anything not acknowledged in code
    return Template.from_stack(stack)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesized(tmp_path_factory)


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def logical_id(template: Template, kind: str, prefix: str) -> str:
    (found,) = [k for k in resources(template, kind) if k.startswith(prefix)]
    return found


def render(value: Any) -> Any:
    """Intrinsics back to placeholders; a reference to a resource as `<LogicalId>`."""
    if isinstance(value, dict) and "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(str(render(p)) for p in parts)
    if isinstance(value, dict) and "Ref" in value:
        pseudo = {"AWS::Region": "REGION", "AWS::AccountId": "ACCOUNT_ID", "AWS::Partition": "aws"}
        return pseudo.get(value["Ref"], f"<{value['Ref']}>")
    return value


def normalised(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def as_list(v: Any) -> list[Any]:
        return sorted(render(x) for x in (v if isinstance(v, list) else [v]))

    return sorted(
        (
            {
                "Sid": s.get("Sid"),
                "Effect": s["Effect"],
                "Action": as_list(s["Action"]),
                "Resource": as_list(s["Resource"]),
            }
            for s in statements
        ),
        key=lambda s: str(s["Sid"]),
    )


def function_props(template: Template, name_or_prefix: str) -> dict[str, Any]:
    props: dict[str, Any]
    (props,) = [
        r["Properties"]
        for k, r in resources(template, "AWS::Lambda::Function").items()
        if r["Properties"].get("FunctionName") == name_or_prefix
        or (k.startswith(name_or_prefix) and "FunctionName" not in r["Properties"])
    ]
    return props


def inline(template: Template, function_name: str, policy: str) -> list[dict[str, Any]]:
    role_id = function_props(template, function_name)["Role"]["Fn::GetAtt"][0]
    role = resources(template, "AWS::IAM::Role")[role_id]["Properties"]
    (found,) = [p for p in role["Policies"] if p["PolicyName"] == policy]
    statements: list[dict[str, Any]] = found["PolicyDocument"]["Statement"]
    return statements


# --- the callbacks: exactly the requesters ----------------------------------------------------


@pytest.mark.parametrize("sender", [NAMES.webhook_function, NAMES.relay_function])
def test_the_webhook_and_relay_resume_exactly_the_two_requesters(
    template: Template, sender: str
) -> None:
    agent = logical_id(template, "AWS::Lambda::Function", "Agent")

    statements = inline(template, sender, "callback")

    assert normalised(statements) == normalised(
        permissions.resume(PLACEHOLDERS, [DEPLOY, f"<{agent}>"])
    )
    (statement,) = statements
    # Every decision is a success callback; the failure callback is not granted
    assert statement["Action"] == "lambda:SendDurableExecutionCallbackSuccess"


def test_one_requester_is_resumed_alone_and_a_second_widens_the_grant_to_it(
    tmp_path_factory: pytest.TempPathFactory, template: Template
) -> None:
    one = synthesized(tmp_path_factory, requesters=1)

    (alone,) = inline(one, NAMES.webhook_function, "callback")
    (both,) = inline(template, NAMES.webhook_function, "callback")

    assert [render(r) for r in _as_list(alone["Resource"])] == [PLACEHOLDERS.executions(DEPLOY)]
    assert len(both["Resource"]) == 2
    assert alone["Resource"] == both["Resource"][0]


# --- each requester: its grant, its environment ----------------------------------------------


@pytest.mark.parametrize(("requester", "label"), [(DEPLOY, "deploy"), ("Agent", "agent")])
def test_each_requester_gets_exactly_the_tables_and_secret_it_needs(
    template: Template, requester: str, label: str
) -> None:
    function = function_props(template, requester)
    role_ref = {"Ref": function["Role"]["Fn::GetAtt"][0]}
    grants = [
        p["Properties"]
        for k, p in resources(template, "AWS::IAM::Policy").items()
        if "GreenlightRequester" in k and role_ref in p["Properties"]["Roles"]
    ]

    (grant,) = grants
    assert grant["Roles"] == [role_ref]  # its role only
    assert normalised(grant["PolicyDocument"]["Statement"]) == normalised(
        permissions.requester_access(PLACEHOLDERS, NAMES, SECRET_ARN, label, unlabelled=True)
    )
    env = function["Environment"]["Variables"]
    assert env[ENV_APPROVALS_TABLE] == NAMES.approvals_table
    assert env[ENV_AUDIT_TABLE] == NAMES.audit_table
    assert env[ENV_SLACK_SECRET_NAME] == NAMES.secret
    assert env[ENV_REQUESTER] == label  # the gate leads its approval ids with it
    # its durable execution timeout (`durable_function`: one day), so the gate can refuse a
    # ladder that would outlast the execution
    assert env[ENV_EXECUTION_TIMEOUT] == "86400"


# --- each requester: its own approvals only (dynamodb:LeadingKeys) ---------------------------


def requester_allows(
    template: Template, function_name: str, action: str, table: str, key: str
) -> bool:
    """Whether the requester's grant allows `action` on the item keyed `key` of `table`, as IAM
    evaluates an Allow with `ForAllValues:StringLike` on `dynamodb:LeadingKeys` (the item's
    partition key; DynamoDB developer guide, specifying-conditions.html). Any other condition
    fails the test rather than being ignored."""
    role_ref = {"Ref": function_props(template, function_name)["Role"]["Fn::GetAtt"][0]}
    (grant,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for k, p in resources(template, "AWS::IAM::Policy").items()
        if "GreenlightRequester" in k and role_ref in p["Properties"]["Roles"]
    ]
    arn = PLACEHOLDERS.table(table)
    for statement in grant:
        if action not in _as_list(statement["Action"]) or not any(
            iam_matches(str(render(r)), arn) for r in _as_list(statement["Resource"])
        ):
            continue
        condition = statement.get("Condition", {})
        assert set(condition) <= {"ForAllValues:StringLike"}, condition
        assert set(condition.get("ForAllValues:StringLike", {})) <= {"dynamodb:LeadingKeys"}
        patterns = _as_list(
            condition.get("ForAllValues:StringLike", {}).get("dynamodb:LeadingKeys", ["*"])
        )
        if any(iam_matches(p, key) for p in patterns):
            return True
    return False


ACTIONS = [
    ("dynamodb:GetItem", NAMES.approvals_table),
    ("dynamodb:PutItem", NAMES.approvals_table),
    ("dynamodb:UpdateItem", NAMES.approvals_table),
    ("dynamodb:PutItem", NAMES.audit_table),  # audit lines are keyed by the approval id too
]


@pytest.mark.parametrize(("action", "table"), ACTIONS)
def test_a_requester_reaches_its_own_approvals_and_no_other_requesters(
    template: Template, action: str, table: str
) -> None:
    deploys = approval_id_for("a callback of the deploy gate", "deploy")
    agents = approval_id_for("a callback of the agent", "agent")
    agent = "Agent"  # CloudFormation names it
    assert requester_allows(template, DEPLOY, action, table, deploys)
    assert not requester_allows(template, DEPLOY, action, table, agents)
    assert requester_allows(template, agent, action, table, agents)
    assert not requester_allows(template, agent, action, table, deploys)
    # A label that starts another's reaches nothing of it: the separator is literal
    assert not requester_allows(template, DEPLOY, action, table, "deploy-eu." + deploys[7:])
    assert not requester_allows(template, DEPLOY, action, table, "deploy" + deploys[7:])


@pytest.mark.parametrize(("action", "table"), ACTIONS)
def test_approvals_made_before_labels_stay_reachable_until_switched_off(
    tmp_path_factory: pytest.TempPathFactory, template: Template, action: str, table: str
) -> None:
    strict = synthesized(tmp_path_factory, requesters=1, unlabelled_approval_ids=False)
    unlabelled = approval_id_for("a callback of an execution begun on 0.3")

    assert requester_allows(template, DEPLOY, action, table, unlabelled)
    assert not requester_allows(strict, DEPLOY, action, table, unlabelled)
    assert requester_allows(strict, DEPLOY, action, table, approval_id_for("cb", "deploy"))
    # The legacy pattern is exactly 22 characters: no labelled id of another requester
    assert not requester_allows(template, DEPLOY, action, table, approval_id_for("cb", "a"))


def test_a_requester_is_created_after_its_grant(template: Template) -> None:
    functions = resources(template, "AWS::Lambda::Function")
    for prefix in ("Deploy", "Agent"):
        function = functions[logical_id(template, "AWS::Lambda::Function", prefix)]
        grant = [
            k
            for k in resources(template, "AWS::IAM::Policy")
            if k.startswith(f"{prefix}GreenlightRequester")
        ]
        assert set(grant) <= set(function["DependsOn"]), prefix
        assert grant


def test_a_secret_of_the_teams_own_is_read_by_name_and_none_is_made(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    template = synthesized(tmp_path_factory, requesters=1, secret=True)

    assert resources(template, "AWS::SecretsManager::Secret") == {}
    grant = resources(template, "AWS::IAM::Policy")[
        logical_id(template, "AWS::IAM::Policy", "DeployGreenlightRequester")
    ]
    secret = next(
        s for s in grant["Properties"]["PolicyDocument"]["Statement"] if "Secret" in s["Sid"]
    )
    assert render(secret["Resource"]) == PLACEHOLDERS.secret("team/slack")
    env = function_props(template, DEPLOY)["Environment"]["Variables"]
    assert env[ENV_SLACK_SECRET_NAME] == "team/slack"
    webhook = function_props(template, NAMES.webhook_function)["Environment"]["Variables"]
    assert webhook[webhook_env.ENV_SLACK_SIGNING_SECRET_NAME] == "team/slack-signing"
    assert readers_of(
        template, "arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:team/slack-signing-AbC123"
    ) == {NAMES.webhook_function}


# --- the signing secret: the webhook's alone --------------------------------------------------


def iam_matches(pattern: str, arn: str) -> bool:
    """IAM's resource matching: `*` any run of characters, `?` exactly one, case-sensitive
    (IAM user guide, reference_policies_elements_resource.html)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, arn) is not None


def readers_of(template: Template, secret_arn: str) -> set[str]:
    """The functions whose role (inline policies, attached grants) allows reading the secret."""
    roles: dict[str, list[dict[str, Any]]] = {}
    for role_id, role in resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            roles.setdefault(role_id, []).extend(policy["PolicyDocument"]["Statement"])
    for policy in resources(template, "AWS::IAM::Policy").values():
        for role in policy["Properties"]["Roles"]:
            roles.setdefault(role["Ref"], []).extend(
                policy["Properties"]["PolicyDocument"]["Statement"]
            )
    readers = set()
    for function_id, function in resources(template, "AWS::Lambda::Function").items():
        props = function["Properties"]
        statements = roles.get(props["Role"]["Fn::GetAtt"][0], [])
        if any(
            s["Effect"] == "Allow"
            and "secretsmanager:GetSecretValue" in _as_list(s["Action"])
            and any(iam_matches(str(render(r)), secret_arn) for r in _as_list(s["Resource"]))
            for s in statements
        ):
            readers.add(props.get("FunctionName", function_id))
    return readers


# The ARNs Secrets Manager gives the two secrets: the name, a hyphen, six random characters
BOT_SECRET = f"arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:{NAMES.secret}-AbC123"
SIGNING_SECRET = f"arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:{NAMES.signing_secret}-AbC123"


def test_only_the_webhook_may_read_the_signing_secret(template: Template) -> None:
    agent = logical_id(template, "AWS::Lambda::Function", "Agent")

    # The bot token: every function granted; the signing secret: the webhook alone (no
    # requester's or relay's pattern matches its ARN, `?` being exactly one character)
    assert readers_of(template, BOT_SECRET) == {
        NAMES.webhook_function,
        NAMES.relay_function,
        DEPLOY,
        agent,
    }
    assert readers_of(template, SIGNING_SECRET) == {NAMES.webhook_function}
    assert normalised(inline(template, NAMES.relay_function, "access")) == normalised(
        permissions.relay_access(PLACEHOLDERS, NAMES, SECRET_ARN)
    )
    assert normalised(inline(template, NAMES.webhook_function, "access")) == normalised(
        permissions.webhook_access(PLACEHOLDERS, NAMES, SECRET_ARN, SIGNING_SECRET_ARN)
    )


def test_only_the_webhook_is_told_the_signing_secrets_name(template: Template) -> None:
    webhook = function_props(template, NAMES.webhook_function)["Environment"]["Variables"]
    relay = function_props(template, NAMES.relay_function)["Environment"]["Variables"]
    requester = function_props(template, DEPLOY)["Environment"]["Variables"]

    assert webhook[webhook_env.ENV_SLACK_SIGNING_SECRET_NAME] == NAMES.signing_secret
    assert webhook[webhook_env.ENV_SLACK_SECRET_NAME] == NAMES.secret
    assert relay[webhook_env.ENV_SLACK_SECRET_NAME] == NAMES.secret
    assert webhook_env.ENV_SLACK_SIGNING_SECRET_NAME not in relay
    assert NAMES.signing_secret not in json.dumps(requester)


def test_the_signing_secrets_own_policy_denies_its_value_to_all_but_the_webhook(
    template: Template,
) -> None:
    secrets = {
        p["Properties"]["Name"]: k
        for k, p in resources(template, "AWS::SecretsManager::Secret").items()
    }
    webhook_role = function_props(template, NAMES.webhook_function)["Role"]["Fn::GetAtt"][0]

    (policy,) = resources(template, "AWS::SecretsManager::ResourcePolicy").values()

    assert policy["Properties"]["SecretId"] == {"Ref": secrets[NAMES.signing_secret]}
    (statement,) = policy["Properties"]["ResourcePolicy"]["Statement"]
    assert statement == {
        "Sid": permissions.SIGNING_SECRET_READERS,
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": {"Ref": secrets[NAMES.signing_secret]},
        "Condition": {
            "StringNotEquals": {"aws:PrincipalArn": {"Fn::GetAtt": [webhook_role, "Arn"]}}
        },
    }
    # Made as the bot token's secret is: the AWS managed key, a random placeholder, no value
    made = resources(template, "AWS::SecretsManager::Secret")
    bot, signing = made[secrets[NAMES.secret]], made[secrets[NAMES.signing_secret]]
    assert {k for k in bot["Properties"] if k != "Description"} == {
        k for k in signing["Properties"] if k != "Description"
    }
    assert bot["DeletionPolicy"] == signing["DeletionPolicy"]
    assert "KmsKeyId" not in signing["Properties"]
    assert "SecretString" not in signing["Properties"]


def test_a_requester_in_another_stack_depends_on_greenlights_stack_not_the_reverse(
    tmp_path: Path,
) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("")
    code = lambda_.Code.from_asset(str(tmp_path / "code"))
    app = cdk.App(outdir=str(tmp_path / "out"))
    shared = cdk.Stack(app, "Shared")
    team = cdk.Stack(app, "Team")
    greenlight = Greenlight(
        shared, "Greenlight", webhook_code=code, slack_app_id="A0X", slack_team_id="T0X"
    )

    team_code = lambda_.Code.from_asset(str(tmp_path / "code"))  # one Code per stack
    greenlight.grant_requester(durable_function(team, "Deploy", team_code, name=DEPLOY))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # a dependency cycle between the stacks would raise here

    assert team.dependencies == []
    granted = Template.from_stack(team).find_resources("AWS::IAM::Policy")
    assert any("GreenlightRequester" in k for k in granted)


# --- least privilege everywhere ----------------------------------------------------------------


def all_statements(template: Template) -> list[tuple[str, dict[str, Any]]]:
    """Every statement of every identity and resource policy, less key policies (where `*` is
    the key itself)."""
    found = []
    for role_id, role in resources(template, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            found += [(role_id, s) for s in policy["PolicyDocument"]["Statement"]]
    for kind in ("AWS::IAM::Policy", "AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy"):
        for policy_id, policy in resources(template, kind).items():
            found += [(policy_id, s) for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    return found


def test_no_policy_names_a_bare_wildcard_resource_or_action(template: Template) -> None:
    statements = all_statements(template)

    assert len(statements) > 20
    for owner, statement in statements:
        rendered = [render(r) for r in _as_list(statement["Resource"])]
        assert "*" not in rendered, owner
        if statement["Effect"] == "Allow":  # (TLS-only denials name every action, rightly)
            actions = _as_list(statement["Action"])
            assert all(not a.endswith(":*") and a != "*" for a in actions), owner
    for role in resources(template, "AWS::IAM::Role").values():
        assert role["Properties"].get("ManagedPolicyArns") in (None, [])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def cfn_lint(template: Template, path: Path) -> subprocess.CompletedProcess[str]:
    """cfn-lint's verdict on `template`, written to `path` first."""
    path.write_text(json.dumps(template.to_json()))
    return subprocess.run(
        # W3005: CDK adds DependsOn on each function's role next to the GetAtt; harmless.
        [str(Path(sys.executable).parent / "cfn-lint"), "--ignore-checks=W3005", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_template_passes_cfn_lint(template: Template, tmp_path: Path) -> None:
    done = cfn_lint(template, tmp_path / "team.json")

    assert done.returncode == 0, done.stdout + done.stderr


# --- what the installation itself holds -------------------------------------------------------


def test_the_webhook_and_relay_run_the_libraries_handlers_behind_a_public_url(
    template: Template,
) -> None:
    webhook = function_props(template, NAMES.webhook_function)
    relay = function_props(template, NAMES.relay_function)

    assert webhook["Handler"] == "greenlight.webhook.handler.handler"
    assert webhook["ReservedConcurrentExecutions"] == 10
    assert relay["Handler"] == "greenlight.webhook.relay_handler.handler"
    # Slack cannot sign with SigV4: the URL is public and every request is verified by Bolt.
    template.has_resource_properties("AWS::Lambda::Url", {"AuthType": "NONE"})
    (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "OnFailure" in mapping["Properties"]["DestinationConfig"]
    # Discarded (to the queue, alarmed) before the stream's 24 hours would drop it unseen
    assert 60 <= mapping["Properties"]["MaximumRecordAgeInSeconds"] < 24 * 3600


def test_tables_stream_decisions_list_pending_ones_and_are_kept(template: Template) -> None:
    tables = {
        t["Properties"]["TableName"]: t
        for t in resources(template, "AWS::DynamoDB::Table").values()
    }

    assert set(tables) == {NAMES.approvals_table, NAMES.audit_table, NAMES.delegations_table}
    delegations = tables[NAMES.delegations_table]["Properties"]
    assert delegations["KeySchema"] == [{"AttributeName": "user_id", "KeyType": "HASH"}]
    assert "StreamSpecification" not in delegations
    approvals = tables[NAMES.approvals_table]["Properties"]
    assert approvals["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    (index,) = approvals["GlobalSecondaryIndexes"]
    assert index["IndexName"] == permissions.BY_STATUS
    for table in tables.values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["Properties"]["DeletionProtectionEnabled"] is True
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {
            "PointInTimeRecoveryEnabled": True
        }


def test_each_requester_has_its_alarms_and_the_dashboard_shows_every_alarm(
    template: Template,
) -> None:
    alarms = {
        a["Properties"]["AlarmName"] for a in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    parts = body["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "TOKEN" for p in parts)

    for label in ("deploy", "agent"):
        for suffix in (
            "errors",
            "throttles",
            "executions-failed",
            "executions-timed-out",
            "rungs-without-slack",
        ):
            assert f"greenlight-{label}-{suffix}" in alarms
    assert {"greenlight-webhook-5xx", "greenlight-approvals-expired"} <= alarms
    (widget,) = [w for w in json.loads(text)["widgets"] if w["type"] == "alarm"]
    assert len(widget["properties"]["alarms"]) == len(alarms)  # those granted later too


def test_expired_approvals_are_counted_from_a_log_group_the_function_was_given(
    template: Template,
) -> None:
    (metric_filter,) = resources(template, "AWS::Logs::MetricFilter").values()
    deploy_logs = logical_id(template, "AWS::Logs::LogGroup", "DeployLogs")

    assert metric_filter["Properties"]["LogGroupName"] == {"Ref": deploy_logs}
    # the agent was given none: no log-retention custom resource was added to find one
    assert resources(template, "Custom::LogRetention") == {}


def dashboard_widgets(template: Template) -> list[dict[str, Any]]:
    """The dashboard's widgets, with CloudFormation's references inside strings as "TOKEN"."""
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    parts = dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else "TOKEN" for p in parts)
    widgets: list[dict[str, Any]] = json.loads(text)["widgets"]
    return widgets


def graphed(template: Template, namespace: str) -> set[tuple[str, frozenset[str]]]:
    """Each metric of `namespace` the dashboard graphs: its name and its dimensions' names.

    A graph's metric is `[namespace, name, dimension, value, ..., {options}]`
    (docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure
    .html, "Metric Widget: Format for Each Metric in the Array"; CDK writes each in full, never
    the "." that repeats the metric before it).
    """
    found = set()
    for widget in dashboard_widgets(template):
        for metric in widget["properties"].get("metrics", []):
            fields = [f for f in metric if isinstance(f, str)]
            if fields[0] == namespace:
                found.add((fields[1], frozenset(fields[2::2])))
    return found


def written(lines: str) -> set[tuple[str, str, frozenset[str]]]:
    """Each metric in EMF `lines`: its namespace, name and dimensions' names."""
    found = set()
    for line in lines.splitlines():
        if line.startswith('{"_aws"'):
            for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
                (dimensions,) = directive["Dimensions"]
                for metric in directive["Metrics"]:
                    found.add((directive["Namespace"], metric["Name"], frozenset(dimensions)))
    return found


def test_the_dashboard_graphs_the_metrics_the_functions_write(
    template: Template, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from greenlight.gate import metrics as gate_metrics  # noqa: PLC0415
    from greenlight.webhook import approval_metrics as webhook_metrics  # noqa: PLC0415
    from tests.unit.webhook.test_approval_metrics import pending  # noqa: PLC0415

    # Given every EMF line the functions write, as they write it in Lambda
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", DEPLOY)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", NAMES.webhook_function)
    capsys.readouterr()
    gate_metrics.count(gate_metrics.REQUESTED)
    gate_metrics.count(gate_metrics.EXPIRED)
    gate_metrics.count(gate_metrics.RUNGS_WITHOUT_SLACK)
    gate_metrics.count(gate_metrics.REFUSED)
    for verdict in (Verdict.APPROVE, Verdict.REJECT):
        webhook_metrics.decided(pending(quorum=1).with_vote(Vote("U0BOB", verdict, AT, "no")))
    emitted = written(capsys.readouterr().out)
    (namespace,) = {n for n, _, _ in emitted}

    # Then the dashboard graphs each of them, in their namespace, by the dimensions they carry
    assert graphed(template, namespace) == {(name, dims) for _, name, dims in emitted}
    # requested, expired, rungs without Slack, refused, decided, time to decision
    assert len(emitted) == 6


def test_a_requesters_rungs_done_without_slack_alarm_on_what_its_gate_counts(
    template: Template,
) -> None:
    (alarm,) = [
        a["Properties"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] == "greenlight-deploy-rungs-without-slack"
    ]

    # the EMF metric the gate writes in Lambda: its namespace, name and `service` dimension
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        metric_names.NAMESPACE,
        metric_names.RUNGS_WITHOUT_SLACK,
    )
    assert alarm["Dimensions"] == [{"Name": metric_names.SERVICE, "Value": DEPLOY}]
    assert (alarm["Statistic"], alarm["Threshold"]) == ("Sum", 1)


def test_the_expired_approvals_alarm_watches_what_the_log_filter_counts(
    template: Template,
) -> None:
    (metric_filter,) = resources(template, "AWS::Logs::MetricFilter").values()
    (counted,) = metric_filter["Properties"]["MetricTransformations"]
    (alarm,) = [
        a["Properties"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"] == "greenlight-approvals-expired"
    ]

    assert (alarm["Namespace"], alarm["MetricName"]) == (
        counted["MetricNamespace"],
        counted["MetricName"],
    )
    assert "Dimensions" not in alarm  # the filter writes none: one alarm for every requester


def test_two_installations_in_one_account_alarm_on_their_own_expiries(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("")
    code = lambda_.Code.from_asset(str(tmp_path / "code"))
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Team")
    for prefix, function in (("greenlight", "deploys"), ("team-b", "payouts")):
        installation = Greenlight(
            stack,
            f"Greenlight-{prefix}",
            webhook_code=code,
            slack_app_id="A0X",
            slack_team_id="T0X",
            prefix=prefix,
        )
        installation.grant_requester(durable_function(stack, function, code, name=function))
    template = Template.from_stack(stack)

    counted = {
        f["Properties"]["MetricTransformations"][0]["MetricName"]
        for f in resources(template, "AWS::Logs::MetricFilter").values()
    }
    watched = {
        a["Properties"]["AlarmName"]: a["Properties"]["MetricName"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"].endswith("-approvals-expired")
    }

    # Then each filter writes its installation's metric, and each alarm watches its own
    assert counted == {"ExpiredApprovals-greenlight", "ExpiredApprovals-team-b"}
    assert watched == {
        "greenlight-approvals-expired": "ExpiredApprovals-greenlight",
        "team-b-approvals-expired": "ExpiredApprovals-team-b",
    }


# --- mistakes are clear errors ----------------------------------------------------------------


def test_a_greenlight_that_may_resume_nothing_does_not_synthesize(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with pytest.raises(RuntimeError, match="call grant_requester"):
        synthesized(tmp_path_factory, requesters=0)


def _bare(tmp: Path) -> tuple[cdk.Stack, Greenlight, lambda_.Code]:
    (tmp / "code").mkdir()
    (tmp / "code" / "app.py").write_text("")
    code = lambda_.Code.from_asset(str(tmp / "code"))
    stack = cdk.Stack(cdk.App(outdir=str(tmp / "out")), "Team")
    greenlight = Greenlight(
        stack, "Greenlight", webhook_code=code, slack_app_id="A0X", slack_team_id="T0X"
    )
    return stack, greenlight, code


def test_granting_twice_or_under_a_used_label_is_refused(tmp_path: Path) -> None:
    stack, greenlight, code = _bare(tmp_path)
    deploy = durable_function(stack, "Deploy", code, name=DEPLOY)
    other = durable_function(stack, "Other", code, name="other")
    greenlight.grant_requester(deploy)

    with pytest.raises(ValueError, match="already request approvals"):
        greenlight.grant_requester(deploy)
    with pytest.raises(ValueError, match="another requester is labelled 'deploy'"):
        greenlight.grant_requester(other, label="deploy")
    with pytest.raises(ValueError, match="label must be 1 to 40 lowercase"):
        greenlight.grant_requester(other, label="Other Thing")
    with pytest.raises(ValueError, match="label must be 1 to 40 lowercase"):
        greenlight.grant_requester(other, label="o" * 41)  # it leads every approval id
    with pytest.raises(ValueError, match="label must be 1 to 40 lowercase"):
        greenlight.grant_requester(other, label="other.eu")  # the ids' separator
    greenlight.grant_requester(other, label="o" * 40)
    assert len(greenlight.requesters) == 2


def test_an_execution_timeout_that_cannot_be_read_is_not_passed_on(tmp_path: Path) -> None:
    # Given a durable function whose execution timeout is only known at deploy time
    stack, greenlight, code = _bare(tmp_path)
    seconds = cdk.CfnParameter(stack, "Timeout", type="Number", default=3600)
    function = durable_function(stack, "Deploy", code, name=DEPLOY)
    cfn = function.node.default_child
    assert isinstance(cfn, lambda_.CfnFunction)
    cfn.durable_config = lambda_.CfnFunction.DurableConfigProperty(
        execution_timeout=seconds.value_as_number
    )
    greenlight.grant_requester(function)

    env = function_props(Template.from_stack(stack), DEPLOY)["Environment"]["Variables"]

    # Then the gate is told nothing (it checks no ladder) rather than a token's placeholder
    assert ENV_REQUESTER in env
    assert ENV_EXECUTION_TIMEOUT not in env


def test_a_webhook_with_no_reserved_concurrency_reserves_none(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("")
    code = lambda_.Code.from_asset(str(tmp_path / "code"))
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Team")
    greenlight = Greenlight(
        stack,
        "Greenlight",
        webhook_code=code,
        slack_app_id="A0X",
        slack_team_id="T0X",
        webhook_reserved_concurrency=None,
    )
    greenlight.grant_requester(durable_function(stack, "Deploy", code, name=DEPLOY))

    webhook = function_props(Template.from_stack(stack), NAMES.webhook_function)

    assert "ReservedConcurrentExecutions" not in webhook


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"webhook_reserved_concurrency": 0}, "webhook_concurrency"),
        ({"webhook_reserved_concurrency": 1001}, "webhook_concurrency"),
        ({"prefix": "Green Light"}, "prefix must be"),
        ({"prefix": ""}, "prefix must be"),
    ],
)
def test_bad_settings_are_clear_errors(
    tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("")
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "out")), "Team")

    with pytest.raises(ValueError, match=message):
        Greenlight(
            stack,
            "Greenlight",
            webhook_code=lambda_.Code.from_asset(str(tmp_path / "code")),
            slack_app_id="A0X",
            slack_team_id="T0X",
            **kwargs,
        )


def test_the_construct_pulls_none_of_the_functions_dependencies() -> None:
    # `pip install greenlight[cdk]` has aws-cdk-lib and constructs, not the functions' libraries
    probe = (
        "import sys, greenlight.cdk; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'aws_durable_execution_sdk_python',"
        " 'slack_bolt', 'slack_sdk', 'mangum', 'aws_lambda_powertools', 'boto3'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    )

    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_one_secret_given_as_both_the_bot_tokens_and_the_signing_secrets_is_refused(
    tmp_path: Path,
) -> None:
    # Every requester reads the bot token's secret: the signing secret in it would let them sign
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    stack = cdk.Stack(cdk.App(outdir=str(tmp_path / "cdk.out")), "Team")
    shared = secretsmanager.Secret.from_secret_name_v2(stack, "Slack", "team/slack")
    same_name = secretsmanager.Secret.from_secret_name_v2(stack, "SlackAgain", "team/slack")

    for signing in (shared, same_name):
        with pytest.raises(ValueError, match="slack_signing_secret must be a secret of its own"):
            Greenlight(
                stack,
                f"Greenlight{signing.node.id}",
                webhook_code=lambda_.Code.from_asset(str(code_dir)),
                slack_app_id="A0GREENLT",
                slack_team_id="T0GREENLT",
                slack_secret=shared,
                slack_signing_secret=signing,
            )
