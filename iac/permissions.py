"""The policy statements of every function, as plain data over (region, account).

The CDK stack renders them with its own region and account, and a test compares the
synthesized roles with these statements. (The JSON copies under `policies/` for an AWS CLI
deploy path are gone: no script used them, and a second deploy path would have to repeat the
key and topic policies, alarms, retained versions and reserved concurrency by hand.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac import names

Statement = dict[str, Any]
PolicyBuilder = Callable[[str, str], list[Statement]]


def _allow(sid: str, actions: list[str], resources: list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def trust() -> dict[str, Any]:
    """Who may assume either function's role: Lambda only."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def durable_checkpoint(region: str, account: str) -> list[Statement]:
    """The durable function checkpoints and reads its own executions, nobody else's.

    Lambda authorizes these calls against the execution's ARN, `function:NAME:QUALIFIER/
    durable-execution/…`, which only `function:NAME:*` matches; an unqualified function ARN
    never does (Lambda developer guide, durable-security.html).
    """
    fn = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "CheckpointOwnExecutions",
            ["lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState"],
            [f"{fn}:*"],
        )
    ]


def durable_access(region: str, account: str) -> list[Statement]:
    """Logs, the tables it writes, the Slack secret, the alert topic."""

    def table(role: str) -> str:
        return names.table_arn(region, account, role)

    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.ORDERS_FUNCTION)],
        ),
        _allow(
            "Approvals",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            [table("approvals")],
        ),
        _allow("Audit", ["dynamodb:PutItem"], [table("audit")]),
        _allow(
            "Reservations",
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            [table("reservations")],
        ),
        _allow("Conditions", ["dynamodb:GetItem", "dynamodb:PutItem"], [table("conditions")]),
        _allow(
            "SlackSecret", ["secretsmanager:GetSecretValue"], [names.secret_arn(region, account)]
        ),
        _allow("Alerts", ["sns:Publish"], [names.topic_arn(region, account)]),
    ]


def webhook_callback(region: str, account: str) -> list[Statement]:
    """The webhook resumes executions of the durable function only (`:*`: see above)."""
    fn = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "ResumeOrders",
            [
                "lambda:SendDurableExecutionCallbackFailure",
                "lambda:SendDurableExecutionCallbackSuccess",
            ],
            [f"{fn}:*"],
        )
    ]


def webhook_access(region: str, account: str) -> list[Statement]:
    """Logs, votes on approvals (one conditional write each; their audit lines are written by
    the relay, from the stream), the Slack secret."""
    approvals = names.table_arn(region, account, "approvals")
    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.WEBHOOK_FUNCTION)],
        ),
        _allow("Approvals", ["dynamodb:GetItem", "dynamodb:UpdateItem"], [approvals]),
        _allow("PendingIndex", ["dynamodb:Query"], [f"{approvals}/index/by_status"]),
        _allow(
            "SlackSecret", ["secretsmanager:GetSecretValue"], [names.secret_arn(region, account)]
        ),
    ]


def relay_access(region: str, account: str) -> list[Statement]:
    """Logs, the approvals table's stream (the four actions Lambda's event source mapping
    needs, on that stream only: DynamoDB developer guide,
    iam-policy-example-lamda-process-dynamodb-streams.html), the audit table (each vote's lines,
    conditional puts that never overwrite), its on-failure queue (Lambda sends a record it gave
    up on there with the function's role), the Slack secret (bot token, for redraws). It
    resumes workflows with `webhook_callback`'s statement."""
    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.RELAY_FUNCTION)],
        ),
        _allow(
            "DecisionStream",
            [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            [names.stream_arn(region, account, "approvals")],
        ),
        _allow("Audit", ["dynamodb:PutItem"], [names.table_arn(region, account, "audit")]),
        _allow(
            "UndeliveredDecisions",
            ["sqs:SendMessage"],
            [names.queue_arn(region, account, names.RELAY_DLQ)],
        ),
        _allow(
            "SlackSecret", ["secretsmanager:GetSecretValue"], [names.secret_arn(region, account)]
        ),
    ]


def starter_access(region: str, account: str) -> list[Statement]:
    """The order-event starter invokes the workflow's live alias and dead-letters failures."""
    orders = names.lambda_arn(region, account, names.ORDERS_FUNCTION)
    return [
        _allow(
            "Logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [names.log_group_arn(region, account, names.STARTER_FUNCTION)],
        ),
        _allow("StartOrders", ["lambda:InvokeFunction"], [f"{orders}:{names.ALIAS}"]),
        _allow("DeadLetters", ["sqs:SendMessage"], [names.queue_arn(region, account)]),
    ]


POLICIES = {
    "durable-checkpoint": durable_checkpoint,
    "durable-access": durable_access,
    "webhook-callback": webhook_callback,
    "webhook-access": webhook_access,
    "relay-access": relay_access,
    "starter-access": starter_access,
}


def document(statements: list[Statement]) -> dict[str, Any]:
    """An IAM policy document."""
    return {"Version": "2012-10-17", "Statement": statements}
