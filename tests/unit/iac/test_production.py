"""What production needs from the template: alerts that reach a person, versions that outlive
their executions, a webhook that cannot be run up, an environment an operator can pin."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk  # tests.unit.iac.test_stack silenced the Node warning first
import pytest

from greenlight.cdk import AlertSubscription
from iac import names
from iac.app import alert_subscriptions, config_from
from tests.unit.cdk.test_construct import resources
from tests.unit.iac.test_stack import CONFIG, function, synthesized

if TYPE_CHECKING:
    from aws_cdk.assertions import Template

ROOT = Path(__file__).resolve().parents[3]
ACCOUNT, REGION = "111122223333", "eu-west-1"
# The CDK context a deploy cannot do without (scripts/deploy.sh's required options)
MINIMAL_CONTEXT = {
    "slack_channel": "C1",
    "slack_app_id": "A1",
    "slack_team_id": "T1",
    "approver_ids": "U1",
    "alert_email": "ops@example.invalid",
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return synthesized(tmp_path_factory, CONFIG)


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The stack with a concrete account and region, and a key for the durable state."""
    config = dataclasses.replace(
        CONFIG,
        durable_state_key=True,
        webhook_reserved_concurrency=25,
        slack_enterprise_id="E0GRIDORG",
    )
    # synthesized() runs cdk-nag: with concrete ARNs its acknowledgements must still match.
    return synthesized(tmp_path_factory, config, cdk.Environment(account=ACCOUNT, region=REGION))


def only(template: Template, kind: str) -> tuple[str, dict[str, Any]]:
    ((logical_id, resource),) = resources(template, kind).items()
    return logical_id, resource


def statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in policy["Statement"] if s.get("Sid") == sid]
    (only_one,) = found
    return only_one


# --- 1. alerts reach a person ---------------------------------------------------------------


def test_the_alert_topic_is_encrypted_with_its_own_rotated_key(template: Template) -> None:
    key_id, key = only(template, "AWS::KMS::Key")
    _, topic = only(template, "AWS::SNS::Topic")

    assert topic["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
    assert "alias/aws/sns" not in json.dumps(template.to_json())
    assert key["Properties"]["EnableKeyRotation"] is True


def test_cloudwatch_may_use_the_key_for_this_accounts_alarms_only(template: Template) -> None:
    _, key = only(template, "AWS::KMS::Key")

    grant = statement(key["Properties"]["KeyPolicy"], "CloudWatchAlarmsOfThisAccount")

    assert grant["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(grant["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert grant["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source = grant["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Join"][1]
    assert source[-1] == ":alarm:greenlight-*"
    assert ":cloudwatch:" in source


def test_the_topic_policy_allows_exactly_cloudwatch_and_the_orders_role(
    template: Template,
) -> None:
    _, policy = only(template, "AWS::SNS::TopicPolicy")
    orders_role = function(template, names.ORDERS_FUNCTION)["Properties"]["Role"]

    allows = [
        s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    ]

    assert sorted(json.dumps(s["Principal"], sort_keys=True) for s in allows) == sorted(
        [
            json.dumps({"Service": "cloudwatch.amazonaws.com"}),
            json.dumps({"AWS": orders_role}, sort_keys=True),
        ]
    )
    assert all(s["Action"] == "sns:Publish" for s in allows)
    cloudwatch = next(s for s in allows if "Service" in s["Principal"])
    assert set(cloudwatch["Condition"]) == {"StringEquals", "ArnLike"}


def test_the_orders_role_uses_the_key_through_sns_only(template: Template) -> None:
    _, key = only(template, "AWS::KMS::Key")

    grant = statement(key["Properties"]["KeyPolicy"], "OrdersFunctionPublishesThroughSns")

    assert grant["Condition"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Join": ["", ["sns.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]
    }


def test_the_deploy_option_subscribes_someone(template: Template) -> None:
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "oncall@example.invalid"}
    )


def test_alert_subscriptions_come_from_context_and_none_is_an_error() -> None:
    context = {
        "alert_email": "ops@example.invalid",
        "alert_protocol": "https",
        "alert_endpoint": "https://pager.example.invalid/hook",
    }

    readers = alert_subscriptions(context.get)

    assert readers == (
        AlertSubscription("email", "ops@example.invalid"),
        AlertSubscription("https", "https://pager.example.invalid/hook"),
    )
    with pytest.raises(SystemExit, match="alarms would reach no one"):
        alert_subscriptions(dict[str, str]().get)
    with pytest.raises(SystemExit, match="go together"):
        alert_subscriptions({"alert_endpoint": "x"}.get)
    with pytest.raises(SystemExit, match="not an SNS protocol"):
        alert_subscriptions({"alert_endpoint": "x", "alert_protocol": "pigeon"}.get)


EXPECTED_ALARMS = {
    # name: (namespace, metric, dimensions, statistic, threshold)
    "greenlight-decision-relay-errors": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": names.RELAY_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-decision-relay-dead-letters": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": names.RELAY_DLQ},
        "Maximum",
        1,
    ),
    "greenlight-decision-relay-lag": (
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": names.RELAY_FUNCTION},
        "Maximum",
        60_000,
    ),
    "greenlight-webhook-5xx": (
        "AWS/Lambda",
        "Url5xxCount",
        {"FunctionName": names.WEBHOOK_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-webhook-throttles": (
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": names.WEBHOOK_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-orders-errors": (
        "AWS/Lambda",
        "Errors",
        {"FunctionName": names.ORDERS_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-orders-throttles": (
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": names.ORDERS_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-orders-executions-failed": (
        "AWS/Lambda",
        "DurableExecutionFailed",
        {"FunctionName": names.ORDERS_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-orders-executions-timed-out": (
        "AWS/Lambda",
        "DurableExecutionTimedOut",
        {"FunctionName": names.ORDERS_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-orders-rungs-without-slack": (
        "Greenlight",
        "RungsWithoutSlack",
        {"service": names.ORDERS_FUNCTION},
        "Sum",
        1,
    ),
    "greenlight-running-executions-utilization": (
        "AWS/Lambda",
        "ApproximateRunningDurableExecutionsUtilization",
        {},
        "Maximum",
        80,
    ),
    "greenlight-order-events-dead-letters": (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": names.EVENTS_DLQ},
        "Maximum",
        1,
    ),
    "greenlight-approvals-expired": ("Greenlight", "ExpiredApprovals-greenlight", {}, "Sum", 1),
}


def test_every_alarm_the_operators_need_exists_and_notifies_the_topic(
    template: Template,
) -> None:
    topic_id, _ = only(template, "AWS::SNS::Topic")
    queue_ids = {
        q["Properties"]["QueueName"]: logical_id
        for logical_id, q in resources(template, "AWS::SQS::Queue").items()
    }

    alarms = {
        a["Properties"]["AlarmName"]: a["Properties"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
    }

    assert set(alarms) == set(EXPECTED_ALARMS)
    for name, (namespace, metric, dimensions, statistic, threshold) in EXPECTED_ALARMS.items():
        alarm = alarms[name]
        found = {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}
        wanted = (
            {"QueueName": {"Fn::GetAtt": [queue_ids[dimensions["QueueName"]], "QueueName"]}}
            if "QueueName" in dimensions
            else dimensions
        )
        assert (alarm["Namespace"], alarm["MetricName"], found) == (namespace, metric, wanted)
        assert (alarm["Statistic"], alarm["Threshold"]) == (statistic, threshold), name
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [{"Ref": topic_id}], name


def test_the_expired_approvals_filter_depends_on_the_orders_log_group(template: Template) -> None:
    _, metric_filter = only(template, "AWS::Logs::MetricFilter")
    groups = resources(template, "AWS::Logs::LogGroup")

    ref = metric_filter["Properties"]["LogGroupName"]["Ref"]  # a Ref is a dependency

    assert groups[ref]["Properties"]["LogGroupName"] == f"/aws/lambda/{names.ORDERS_FUNCTION}"


# --- 2. upgrades keep approvals alive -------------------------------------------------------


def test_published_orders_versions_are_retained_and_the_alias_points_at_one(
    template: Template,
) -> None:
    version_id, version = only(template, "AWS::Lambda::Version")
    _, alias = only(template, "AWS::Lambda::Alias")

    assert (version["DeletionPolicy"], version["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}


# --- 3. the webhook cannot be run up --------------------------------------------------------


def test_the_webhook_has_reserved_concurrency_by_default_and_by_context(
    template: Template, pinned: Template
) -> None:
    default = function(template, names.WEBHOOK_FUNCTION)["Properties"]
    configured = function(pinned, names.WEBHOOK_FUNCTION)["Properties"]

    assert default["ReservedConcurrentExecutions"] == 10
    assert configured["ReservedConcurrentExecutions"] == 25
    assert (
        "ReservedConcurrentExecutions"
        not in function(template, names.ORDERS_FUNCTION)["Properties"]
    )


def test_an_account_with_nothing_to_reserve_can_reserve_none() -> None:
    assert config_from(MINIMAL_CONTEXT.get).webhook_reserved_concurrency == 10
    none = config_from((MINIMAL_CONTEXT | {"webhook_concurrency": "none"}).get)
    assert none.webhook_reserved_concurrency is None


@pytest.mark.parametrize("value", ["0", "many", "5000"])
def test_a_bad_webhook_concurrency_is_a_clear_error(value: str) -> None:
    context = MINIMAL_CONTEXT | {"webhook_concurrency": value}

    with pytest.raises((SystemExit, ValueError), match="webhook_concurrency"):
        config_from(context.get)


def test_the_order_examples_thresholds_ladders_and_payment_url_come_from_context() -> None:
    context = MINIMAL_CONTEXT | {
        "payment_url": "https://pay.example.com",
        "auto_approve_below_cents": "5000",
        "dual_approval_above_cents": "250000",
        "ladder_single": "600,3600,86400",
        "ladder_dual": "-,-,7200",
    }

    config = config_from(context.get)

    assert config.payment_url == "https://pay.example.com"
    assert (config.auto_approve_below_cents, config.dual_approval_above_cents) == (5000, 250000)
    assert config.ladders == {"single": "600,3600,86400", "dual": "-,-,7200"}
    assert config_from(MINIMAL_CONTEXT.get).ladders == {}
    with pytest.raises(ValueError, match="ladders"):
        config_from((MINIMAL_CONTEXT | {"ladder_single": "600,600,3600"}).get)


def test_the_thresholds_currency_comes_from_context_and_is_checked_at_synth() -> None:
    # The default thresholds (100.00 and 10,000.00) are stated in EUR unless told otherwise;
    # orders in any other currency are refused, never compared with them
    assert config_from(MINIMAL_CONTEXT.get).tiers_currency == "EUR"
    assert config_from((MINIMAL_CONTEXT | {"tiers_currency": "JPY"}).get).tiers_currency == "JPY"
    with pytest.raises((SystemExit, ValueError), match="tiers_currency must be a three-letter"):
        config_from((MINIMAL_CONTEXT | {"tiers_currency": "yen"}).get)


def test_unlabelled_approval_ids_stay_reachable_unless_switched_off() -> None:
    assert config_from(MINIMAL_CONTEXT.get).unlabelled_approval_ids  # breaks no execution
    strict = config_from((MINIMAL_CONTEXT | {"unlabelled_approval_ids": "false"}).get)
    assert not strict.unlabelled_approval_ids


# --- 6. the rest of the defects -------------------------------------------------------------


def test_a_pinned_account_and_region_pass_cdk_nag_with_concrete_arns(pinned: Template) -> None:
    # The fixture synthesized with cdk-nag attached; here, the ARNs really are concrete.
    text = json.dumps(pinned.to_json())

    assert f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/" in text
    assert "AWS::Region" not in json.dumps(_inline(pinned, names.ORDERS_FUNCTION))


def _inline(template: Template, function_name: str) -> list[Any]:
    role_id = function(template, function_name)["Properties"]["Role"]["Fn::GetAtt"][0]
    return list(resources(template, "AWS::IAM::Role")[role_id]["Properties"]["Policies"])


def test_an_optional_key_encrypts_the_durable_state_for_this_function_only(
    template: Template, pinned: Template
) -> None:
    orders = function(pinned, names.ORDERS_FUNCTION)["Properties"]
    keys = resources(pinned, "AWS::KMS::Key")
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{names.ORDERS_FUNCTION}"

    key_id = orders["DurableConfig"]["KMSKeyArn"]["Fn::GetAtt"][0]
    policy = keys[key_id]["Properties"]["KeyPolicy"]
    lambda_grant = statement(policy, "LambdaUsesItForTheOrdersFunction")
    readers = statement(policy, "FunctionAndWebhookDecryptThroughLambda")

    assert (
        "KMSKeyArn" not in function(template, names.ORDERS_FUNCTION)["Properties"]["DurableConfig"]
    )
    assert keys[key_id]["DeletionPolicy"] == "Retain"  # deleting it destroys retained executions
    assert lambda_grant["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert lambda_grant["Condition"]["StringEquals"] == {
        "aws:SourceAccount": ACCOUNT,
        "aws:SourceArn": function_arn,
        "kms:EncryptionContext:aws:lambda:FunctionArn": function_arn,
    }
    assert readers["Action"] == "kms:Decrypt"
    assert readers["Condition"]["StringEquals"] == {
        "kms:ViaService": f"lambda.{REGION}.amazonaws.com",
        "kms:EncryptionContext:aws:lambda:FunctionArn": function_arn,
    }
    assert len(readers["Principal"]["AWS"]) == 3  # the orders, webhook and relay roles


def test_the_pinned_template_passes_cfn_lint(pinned: Template, tmp_path: Path) -> None:
    from tests.unit.iac.test_stack import test_cfn_lint_passes_on_the_template  # noqa: PLC0415

    test_cfn_lint_passes_on_the_template(pinned, tmp_path)


def test_the_readme_states_the_retention_that_is_deployed(template: Template) -> None:
    days = function(template, names.ORDERS_FUNCTION)["Properties"]["DurableConfig"][
        "RetentionPeriodInDays"
    ]
    readme = (ROOT / "README.md").read_text()

    assert f"executions' {days}-day retention" in readme
    assert "90-day retention" not in readme


# --- 4. operators can see how approvals go --------------------------------------------------


def _dashboard_body(template: Template) -> dict[str, Any]:
    _, dashboard = only(template, "AWS::CloudWatch::Dashboard")
    body = dashboard["Properties"]["DashboardBody"]
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    text = "".join(p if isinstance(p, str) else "TOKEN" for p in parts)  # inside strings
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_the_dashboard_graphs_the_metrics_the_functions_write(template: Template) -> None:
    widgets = _dashboard_body(template)["widgets"]
    graphed = [metric for widget in widgets for metric in widget["properties"].get("metrics", [])]

    def graphs(namespace: str, name: str, **dimensions: str) -> bool:
        wanted = {namespace, name, *dimensions, *dimensions.values()}
        return any(
            m[0] == namespace and m[1] == name and wanted <= {x for x in m if isinstance(x, str)}
            for m in graphed
        )

    # the EMF lines of greenlight.gate.metrics and greenlight.webhook.approval_metrics
    assert graphs("Greenlight", "ApprovalsRequested", service=names.ORDERS_FUNCTION)
    assert graphs("Greenlight", "ApprovalsExpired", service=names.ORDERS_FUNCTION)
    assert graphs("Greenlight", "RungsWithoutSlack", service=names.ORDERS_FUNCTION)
    for outcome in ("approved", "rejected"):
        assert graphs(
            "Greenlight", "ApprovalsDecided", service=names.WEBHOOK_FUNCTION, outcome=outcome
        )
    assert graphs("Greenlight", "TimeToDecision", service=names.WEBHOOK_FUNCTION)
    assert graphs("AWS/Lambda", "Url5xxCount", FunctionName=names.WEBHOOK_FUNCTION)
    assert graphs("AWS/Lambda", "DurableExecutionFailed", FunctionName=names.ORDERS_FUNCTION)
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(EXPECTED_ALARMS)


def test_every_sns_protocol_an_operator_may_name_becomes_its_subscription(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    endpoints = {
        "email": "ops@example.invalid",
        "email-json": "ops@example.invalid",
        "http": "http://pager.example.invalid/hook",
        "https": "https://pager.example.invalid/hook",
        "sms": "+15555550100",
        "sqs": f"arn:aws:sqs:{REGION}:{ACCOUNT}:pager",
        "lambda": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:pager",
        "application": f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/app/id",
    }
    readers = tuple(AlertSubscription(p, e) for p, e in endpoints.items())

    template = synthesized(
        tmp_path_factory, dataclasses.replace(CONFIG, alert_subscriptions=readers)
    )

    found = {
        s["Properties"]["Protocol"]: s["Properties"]["Endpoint"]
        for s in resources(template, "AWS::SNS::Subscription").values()
    }
    assert found == endpoints


def test_an_org_wide_install_sets_the_enterprise_id_on_the_webhook_and_relay(
    template: Template, pinned: Template
) -> None:
    # Without one, the webhook accepts its own workspace only: no variable at all
    for function_name in (names.WEBHOOK_FUNCTION, names.RELAY_FUNCTION):
        plain = function(template, function_name)["Properties"]["Environment"]["Variables"]
        assert "SLACK_ENTERPRISE_ID" not in plain
        grid = function(pinned, function_name)["Properties"]["Environment"]["Variables"]
        assert grid["SLACK_ENTERPRISE_ID"] == "E0GRIDORG"
